"""Products, price lists, line items, delivery effort, the deal team, requests to the team, quotes and
approvals. Kept apart from ``models.py`` (pipelines and opportunities) so neither passes ~600 lines;
``models.py`` imports this module so Django registers the models under the ``deals`` app.

Money is ``Decimal`` everywhere; amounts are rounded once per line to the currency's minor unit, and
totals are sums of rounded lines, so a quote's total always equals the sum of what it prints.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role
from baton.core.money import Currency, quantize, validate_amount

HUNDRED = Decimal(100)

__all__ = [
    "ApprovalRequest",
    "ApprovalRule",
    "ApprovalRuleApprover",
    "ApprovalStep",
    "BuyerTeamMember",
    "BuyingStep",
    "DealTeamMember",
    "EffortEstimate",
    "LineItem",
    "PriceList",
    "PriceListEntry",
    "Product",
    "ProductFamily",
    "Quote",
    "QuoteLine",
    "TeamRequest",
    "TeamRole",
    "line_amounts",
    "percent",
]


def _localized(korean: str, english: str) -> str:
    from baton.deals.models import localized

    return localized(korean, english)


# --- catalog -------------------------------------------------------------------------------------------


class ProductFamily(models.Model):
    """A group of products that delivery treats alike (one checklist per family)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product family")
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return _localized(self.name, self.name_en)


class Product(models.Model):
    """Something we sell, with what one unit costs us (in KRW unless said otherwise)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    family = models.ForeignKey(
        ProductFamily, verbose_name=_("family"), on_delete=models.PROTECT, related_name="products"
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2, default=0)
    cost_currency = models.CharField(
        _("cost currency"), max_length=3, choices=Currency.choices, default=Currency.KRW
    )
    description = models.TextField(_("description"), blank=True)
    vat_exempt = models.BooleanField(
        _("VAT exempt"), default=False, help_text=_("Quoted without VAT (부가세 면세).")
    )
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="product_cost_not_negative")
        ]

    def __str__(self) -> str:
        return _localized(self.name, self.name_en)

    def clean(self) -> None:
        try:
            validate_amount(self.unit_cost, self.cost_currency)
        except ValidationError as exc:
            raise ValidationError({"unit_cost": exc.messages}) from None


class PriceList(models.Model):
    """List prices in one currency; a deal in that currency takes its line prices from here."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    is_default = models.BooleanField(_("default"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceListEntry(models.Model):
    """One product's list price on a price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_unique_product"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.unit_price}"

    def clean(self) -> None:
        try:
            validate_amount(self.unit_price, self.price_list.currency)
        except ValidationError as exc:
            raise ValidationError({"unit_price": exc.messages}) from None


# --- what a deal sells ---------------------------------------------------------------------------------


def line_amounts(
    quantity: Decimal, list_price: Decimal, discount_percent: Decimal, unit_cost: Decimal, currency: str
) -> dict[str, Decimal]:
    """One line's money, rounded once to the currency's minor unit (KRW: whole won)."""
    gross = quantize(quantity * list_price, currency)
    net = quantize(quantity * list_price * (HUNDRED - discount_percent) / HUNDRED, currency)
    cost = quantize(quantity * unit_cost, currency)
    return {"gross": gross, "discount": gross - net, "net": net, "cost": cost, "margin": net - cost}


class LineItem(models.Model):
    """A product on an opportunity: quantity, list price, discount %, and the unit cost at the time."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    list_price = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2, default=0)
    vat_exempt = models.BooleanField(_("VAT exempt"), default=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "sequence", "id"]
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="line_discount_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0, unit_cost__gte=0), name="line_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity.normalize()}"

    def amounts(self, currency: str) -> dict[str, Decimal]:
        return line_amounts(self.quantity, self.list_price, self.discount_percent, self.unit_cost, currency)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = [_("The quantity must be more than zero.")]
        if self.discount_percent is not None and not (0 <= self.discount_percent <= 100):
            errors["discount_percent"] = [_("The discount is a percentage from 0 to 100.")]
        currency = self.opportunity.currency if self.opportunity_id else Currency.KRW
        for name in ("list_price", "unit_cost"):
            try:
                validate_amount(getattr(self, name), currency)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class EffortEstimate(models.Model):
    """Delivery effort for a deal: person-days of one role at a day rate (the cost of doing it)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="efforts")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    person_days = models.DecimalField(_("person-days"), max_digits=8, decimal_places=1)
    day_rate = models.DecimalField(_("cost per day"), max_digits=18, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "role", "id"]
        verbose_name = _("effort estimate")
        verbose_name_plural = _("effort estimates")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person_days}"

    def cost(self, currency: str) -> Decimal:
        return quantize(self.person_days * self.day_rate, currency)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.person_days is not None and self.person_days <= 0:
            errors["person_days"] = [_("Estimate more than zero days.")]
        currency = self.opportunity.currency if self.opportunity_id else Currency.KRW
        try:
            validate_amount(self.day_rate, currency)
        except ValidationError as exc:
            errors["day_rate"] = exc.messages
        if errors:
            raise ValidationError(errors)


# --- the deal team -------------------------------------------------------------------------------------


class TeamRole(models.TextChoices):
    ACCOUNT_OWNER = "account_owner", _("Account owner")
    SOLUTION_ARCHITECT = "solution_architect", _("Solution architect")
    SPECIALIST_SALES = "specialist_sales", _("Specialist sales")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    APPROVER = "approver", _("Approver")
    DELIVERY_LEAD = "delivery_lead", _("Delivery lead")
    CSM = "csm", _("Customer success manager")


class BuyingStep(models.TextChoices):
    """The buyer's four steps (seed 000), matching the default pipeline's open stages."""

    CONSIDERING = "considering", _("Considering")
    EVALUATING = "evaluating", _("Evaluating")
    DECIDING = "deciding", _("Deciding")
    PURCHASING = "purchasing", _("Purchasing")


class DealTeamMember(models.Model):
    """One of our people on a deal, in a role (a specialist may be for one product family)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="team_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="deal_roles",
    )
    role = models.CharField(_("role"), max_length=32, choices=TeamRole.choices)
    product_family = models.ForeignKey(
        ProductFamily, verbose_name=_("for product family"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "role", "id"]
        verbose_name = _("deal team member")
        verbose_name_plural = _("deal team")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user", "role"], name="dealteam_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class BuyerTeamMember(models.Model):
    """One of the buyer's people on a deal, with their buying role in one buying step."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="buyer_team")
    contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="deal_roles"
    )
    buying_role = models.CharField(_("buying role"), max_length=32)
    buying_step = models.CharField(_("buying step"), max_length=16, choices=BuyingStep.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "buying_step", "id"]
        verbose_name = _("buyer team member")
        verbose_name_plural = _("buyer team")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact", "buying_role", "buying_step"], name="buyerteam_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.buying_role_label})"

    @property
    def buying_role_label(self) -> str:
        from baton.accounts.models import BuyerRole

        return str(dict(BuyerRole.choices).get(self.buying_role, self.buying_role))


class TeamRequest(models.Model):
    """A request to a team member with its context, a due date and the customer's deadline.

    ``is_late`` is decided when the request is made: later than the lead-time rule (N working days
    before the customer's deadline; weekends and Korean public holidays are not working days)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="team_requests"
    )
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked of"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("what is asked"), max_length=200)
    pain_point = models.TextField(_("customer's pain point"), blank=True)
    meeting_goal = models.TextField(_("goal of the meeting"), blank=True)
    details = models.TextField(_("details"), blank=True)
    due_date = models.DateField(_("due date"))
    customer_deadline = models.DateField(_("customer's deadline"))
    asked_on = models.DateField(_("asked on"))
    lead_days = models.PositiveSmallIntegerField(_("lead time (working days)"))
    latest_on_time = models.DateField(_("latest on-time request date"))
    is_late = models.BooleanField(_("asked late"), default=False)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("team request")
        verbose_name_plural = _("team requests")
        indexes = [models.Index(fields=["requester", "is_late"], name="teamreq_requester_idx")]

    def __str__(self) -> str:
        return self.subject


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
