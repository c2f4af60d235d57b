"""Quotes and their lines, and the discount approval rules and requests."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.money import Currency
from baton.deals.models.catalog import HUNDRED

# --- quotes ----------------------------------------------------------------------------------------------


class Quote(models.Model):
    """A versioned offer made from a deal's line items; one quote per deal is primary and sets its amount."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Language(models.TextChoices):
        KO = "ko", _("Korean")
        EN = "en", _("English")

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="quotes")
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    revision = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    is_primary = models.BooleanField(_("primary"), default=False)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KO)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    nonstandard_clauses = models.TextField(_("non-standard clauses"), blank=True)
    notes = models.TextField(_("notes to the customer"), blank=True)
    list_total = models.DecimalField(_("list total"), max_digits=18, decimal_places=2, default=0)
    net_total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    vat_percent = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("VAT"), max_digits=18, decimal_places=2, default=0)
    cost_total = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, default=0)
    delivery_cost = models.DecimalField(_("delivery cost"), max_digits=18, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["opportunity", "-revision"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "revision"], name="quote_unique_revision"),
            models.UniqueConstraint(
                fields=["opportunity"], condition=models.Q(is_primary=True), name="quote_one_primary"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    list_total__gte=0, net_total__gte=0, cost_total__gte=0, delivery_cost__gte=0
                ),
                name="quote_totals_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def margin(self) -> Decimal:
        return self.net_total - self.cost_total - self.delivery_cost

    @property
    def total_with_vat(self) -> Decimal:
        """What the customer pays: the supply amount (``net_total``, 공급가액) plus VAT (합계)."""
        return self.net_total + self.vat_total

    @property
    def margin_percent(self) -> Decimal | None:
        return percent(self.margin, self.net_total)

    @property
    def discount_percent(self) -> Decimal:
        return percent(self.list_total - self.net_total, self.list_total) or Decimal(0)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` as a percentage with two decimals (None when there is no whole)."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class QuoteLine(models.Model):
    """A line as it was quoted: a copy, so later changes to the deal never rewrite a sent quote."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product_code = models.CharField(max_length=40)
    product_name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    list_price = models.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=2)
    vat_exempt = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quote", "sequence", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return self.product_name


# --- approvals -------------------------------------------------------------------------------------------


class ApprovalRule(models.Model):
    """When a quote needs approval, as data: ``field operator threshold`` (e.g. discount % > 15), and
    who approves, one after another (sequential) or all at once (parallel). Never evaluated as code."""

    class Field(models.TextChoices):
        DISCOUNT = "discount_percent", _("Discount %")
        MARGIN = "margin_percent", _("Margin %")
        PAYMENT_TERMS = "payment_terms_days", _("Payment terms (days)")
        NONSTANDARD = "nonstandard_clauses", _("Non-standard clauses")
        TOTAL = "net_total", _("Total amount")

    class Operator(models.TextChoices):
        GT = "gt", ">"
        GTE = "gte", "≥"
        LT = "lt", "<"
        LTE = "lte", "≤"
        PRESENT = "present", _("is present")

    class Mode(models.TextChoices):
        SEQUENTIAL = "sequential", _("In sequence")
        PARALLEL = "parallel", _("In parallel")

    class Scope(models.TextChoices):
        QUOTE = "quote", _("the whole quote")
        LINE = "line", _("any single line")

    name = models.CharField(_("name"), max_length=120)
    field = models.CharField(_("field"), max_length=32, choices=Field.choices)
    scope = models.CharField(
        _("applies to"),
        max_length=8,
        choices=Scope.choices,
        default=Scope.QUOTE,
        help_text=_("A discount rule on any single line also catches a deep discount inside a small total."),
    )
    operator = models.CharField(_("operator"), max_length=8, choices=Operator.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=18, decimal_places=2, default=0)
    mode = models.CharField(_("routing"), max_length=16, choices=Mode.choices, default=Mode.SEQUENTIAL)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ApprovalRuleApprover",
        related_name="+",
        verbose_name=_("approvers"),
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return self.name

    def describe(self) -> str:
        if self.operator == self.Operator.PRESENT:
            return f"{self.get_field_display()} {self.get_operator_display()}"
        text = f"{self.get_field_display()} {self.get_operator_display()} {self.threshold.normalize():f}"
        return f"{text} ({self.get_scope_display()})"

    def clean(self) -> None:
        if self.scope == self.Scope.LINE and self.field != self.Field.DISCOUNT:
            raise ValidationError({"scope": [_("Only discount rules can apply to single lines.")]})
        if self.field == self.Field.NONSTANDARD and self.operator != self.Operator.PRESENT:
            raise ValidationError({"operator": [_("Clauses can only be tested for being present.")]})
        if self.field != self.Field.NONSTANDARD and self.operator == self.Operator.PRESENT:
            raise ValidationError({"operator": [_("Compare numbers with >, ≥, < or ≤.")]})


class ApprovalRuleApprover(models.Model):
    """An approver of a rule, in order (the order matters for sequential rules)."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="rule_approvers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["rule", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "user"], name="ruleapprover_unique")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.user}"


class ApprovalRequest(models.Model):
    """One round of approval of a quote: the rules it triggered and its steps."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RECALLED = "recalled", _("Recalled")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="approval_requests")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")

    def __str__(self) -> str:
        return f"{self.quote} ({self.get_status_display()})"


class ApprovalStep(models.Model):
    """One approver's part of a request. ``waiting`` until the earlier approvers of a sequential rule
    have approved, then ``pending`` (in the approver's queue)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SKIPPED = "skipped", _("Not needed")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    rule = models.ForeignKey(ApprovalRule, null=True, on_delete=models.SET_NULL, related_name="+")
    rule_name = models.CharField(max_length=120)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_steps"
    )
    position = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["request", "rule_name", "position", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        indexes = [models.Index(fields=["approver", "status"], name="approvalstep_queue_idx")]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.approver}"
