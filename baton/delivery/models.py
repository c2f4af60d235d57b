"""The gated hand-off from sales to delivery: packages, checklists per product family, answers with
evidence, reviews (accept / send back) and the delivery project created on acceptance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.deals.models import localized


class ChecklistItem(models.Model):
    """What delivery needs to know before accepting a deal, defined by delivery (admins edit it).

    Items without a product family apply to every hand-off; the others to deals selling that family."""

    product_family = models.ForeignKey(
        "deals.ProductFamily",
        verbose_name=_("product family"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist_items",
    )
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["product_family_id", "sequence", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return localized(self.text, self.text_en)


class HandoffPackage(models.Model):
    """Everything delivery needs about a won (or about to be won) deal, handed to a delivery lead."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SUBMITTED = "submitted", _("Handed to delivery")
        SENT_BACK = "sent_back", _("Sent back")
        ACCEPTED = "accepted", _("Accepted")

    opportunity = models.OneToOneField("deals.Opportunity", on_delete=models.CASCADE, related_name="handoff")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    delivery_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handoffs_received",
    )
    scope_summary = models.TextField(_("scope"), blank=True)
    pains_goals = models.TextField(_("customer's pain points and goals"), blank=True)
    stakeholders = models.TextField(_("stakeholders"), blank=True)
    commitments = models.TextField(_("commitments made"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    override_reason = models.CharField(_("handed over incomplete because"), max_length=300, blank=True)
    submissions = models.PositiveSmallIntegerField(_("times handed over"), default=0)
    send_backs = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("hand-off package")
        verbose_name_plural = _("hand-off packages")
        indexes = [models.Index(fields=["delivery_lead", "status"], name="handoff_lead_idx")]

    def __str__(self) -> str:
        return str(_("Hand-off: %(deal)s") % {"deal": self.opportunity})

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SENT_BACK)


class ChecklistAnswer(models.Model):
    """A checklist item answered with evidence, or honestly marked unknown."""

    class State(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        UNKNOWN = "unknown", _("Unknown (?)")

    package = models.ForeignKey(HandoffPackage, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    evidence = models.TextField(_("answer and evidence"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["package", "item__sequence", "id"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [models.UniqueConstraint(fields=["package", "item"], name="answer_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_state_display()}"


class HandoffReview(models.Model):
    """Delivery's decision on one submission: accepted, or sent back with reasons (the rework loop)."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SENT_BACK = "sent_back", _("Sent back")

    package = models.ForeignKey(HandoffPackage, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["package", "-created_at", "-id"]
        verbose_name = _("hand-off review")
        verbose_name_plural = _("hand-off reviews")

    def __str__(self) -> str:
        return f"{self.package}: {self.get_decision_display()}"


class DeliveryProject(models.Model):
    """The delivery of a deal, created when delivery accepts the hand-off; linked to the account."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="delivery_projects",
    )
    opportunity = models.OneToOneField(
        "deals.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="delivery_project",
    )
    package = models.OneToOneField(HandoffPackage, on_delete=models.PROTECT, related_name="project")
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery project")
        verbose_name_plural = _("delivery projects")
        indexes = [models.Index(fields=["account", "-created_at"], name="delproject_account_idx")]

    def __str__(self) -> str:
        return self.name
