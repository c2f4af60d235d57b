"""Personal information (PIPA / GDPR): consent records, logs of exports and erasures, retention rules.

Consent rows are never changed: a new grant or a withdrawal is a new dated row, and the current state
of a purpose is the newest row for it. The logs hold ids and counts only, never a personal value, so
that they survive the erasure they record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Marketing e-mail")
    PHONE = "phone", _("Phone calls")
    THIRD_PARTY = "third_party", _("Sharing with third parties")


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("Paper form")
    EVENT = "event", _("Event or seminar")
    OTHER = "other", _("Other")


class Consent(models.Model):
    """One dated statement of a person (a lead or a contact): consent given, or withdrawn, for a purpose."""

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    granted = models.BooleanField(_("consent given"), help_text=_("Unticked: consent withdrawn."))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. the form or campaign")
    )
    given_at = models.DateTimeField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False, contact__isnull=True)
                | Q(lead__isnull=True, contact__isnull=False),
                name="consent_one_person",
            )
        ]
        indexes = [
            models.Index(fields=["lead", "purpose", "-given_at"], name="consent_lead_idx"),
            models.Index(fields=["contact", "purpose", "-given_at"], name="consent_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {'+' if self.granted else '-'} {self.given_at:%Y-%m-%d}"


class ExportLog(models.Model):
    """Who took personal data out of Baton (a CSV, a data-subject archive), what and when."""

    class Kind(models.TextChoices):
        CSV = "csv", _("CSV download")
        SUBJECT_ARCHIVE = "subject_archive", _("Data-subject archive")
        SUBJECT_VIEW = "subject_view", _("Data-subject lookup")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.what}"


class ErasureLog(models.Model):
    """That personal data was erased, by whom, of which records (by id) and how many rows were touched."""

    class Trigger(models.TextChoices):
        REQUEST = "request", _("Data-subject request")
        RETENTION = "retention", _("Retention rule")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    # {"lead": [ids], "contact": [ids]}: the records pseudonymised (ids are not personal by themselves).
    subjects = models.JSONField(default=dict, blank=True)
    # {"app_label.model": rows changed or deleted}
    counts = models.JSONField(default=dict, blank=True)
    rule = models.ForeignKey(
        "RetentionRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasure log")

    def __str__(self) -> str:
        return f"erasure {self.reference}"


class RetentionRule(models.Model):
    """Personal data of leads or contacts kept no longer than needed: records matching the rule with no
    activity for ``inactive_days`` are pseudonymised by the worker."""

    class Target(models.TextChoices):
        LEAD = "lead", _("Leads")
        CONTACT = "contact", _("Contacts")

    name = models.CharField(_("name"), max_length=120)
    target = models.CharField(_("records"), max_length=16, choices=Target.choices, default=Target.LEAD)
    # Lead statuses the rule applies to (empty: every status). Contacts have no status.
    lead_statuses = models.JSONField(_("lead statuses"), default=list, blank=True)
    inactive_days = models.PositiveIntegerField(_("days without activity"), default=3 * 365)
    include_archived = models.BooleanField(_("archived records too"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(condition=Q(inactive_days__gte=30), name="retention_min_30_days")
        ]

    def __str__(self) -> str:
        return self.name


class RetentionRun(models.Model):
    """One application of a rule (by the worker or an administrator): how many records it erased."""

    rule = models.ForeignKey(RetentionRule, null=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(_("rule"), max_length=120)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    erased = models.PositiveIntegerField(_("erased"), default=0)
    worker = models.CharField(_("run by"), max_length=150, blank=True)
    erasure = models.ForeignKey(
        ErasureLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention log")

    def __str__(self) -> str:
        return f"{self.rule_name} {self.started_at:%Y-%m-%d}"
