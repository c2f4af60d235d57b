"""Contracts and recurring revenue: a contract made from a won deal's primary quote, its lines, the
dated changes (amendments) that are the only source of its revenue history, and its renewals.

Revenue history is never overwritten. Every change of recurring revenue is a ``ContractChange`` row
with the date it takes effect and the ARR it adds (or removes, negative); the annual recurring revenue
of a contract on any day D is the sum of the rows effective on or before D, while the contract's term
covers D. A line's ``quantity`` and ``unit_price`` are only a cache of its latest state, written in the
same transaction as the row that changes them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.money import Currency
from baton.core.records import OwnedRecord

TWELVE = Decimal(12)
CENT = Decimal("0.01")


def monthly(arr: Decimal) -> Decimal:
    """MRR from ARR, to the cent (ARR is what is stored; MRR is always ARR / 12)."""
    return (Decimal(arr) / TWELVE).quantize(CENT, rounding=ROUND_HALF_UP)


class Contract(OwnedRecord):
    """A customer's contract (subscription): what they bought, for which term, billed how often."""

    class BillingFrequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annually")
        UPFRONT = "upfront", _("Up front for the term")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated early")
        CHURNED = "churned", _("Not renewed")

    number = models.CharField(_("number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        # Accounts are archived (and merged), never deleted in use; the demo reset deletes them.
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    opportunity = models.OneToOneField(
        "deals.Opportunity",
        verbose_name=_("won opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contract",
    )
    quote = models.ForeignKey(
        "deals.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer success manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="csm_contracts",
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    start_date = models.DateField(_("term start"))
    end_date = models.DateField(_("term end"))
    billing_frequency = models.CharField(
        _("billing"), max_length=16, choices=BillingFrequency.choices, default=BillingFrequency.ANNUAL
    )
    # Who receives the invoices and the payment reminders (dunning) at the customer.
    billing_contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("billing contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=30)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    arr = models.DecimalField(_("ARR"), max_digits=18, decimal_places=2, default=0)
    one_time_total = models.DecimalField(_("one-time amount"), max_digits=18, decimal_places=2, default=0)
    churn_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["account", "start_date"], name="contract_account_idx"),
            models.Index(fields=["end_date"], name="contract_end_idx"),
            models.Index(fields=["csm", "end_date"], name="contract_csm_idx"),
            models.Index(fields=["owner", "end_date"], name="contract_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_term_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def mrr(self) -> Decimal:
        return monthly(self.arr)


class ContractLine(models.Model):
    """A product on a contract: recurring (priced per unit per year) or one-time (per unit, once)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "deals.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    family = models.ForeignKey(
        "deals.ProductFamily",
        verbose_name=_("product family"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product_code = models.CharField(_("code"), max_length=40)
    product_name = models.CharField(_("product"), max_length=200)
    is_recurring = models.BooleanField(_("recurring"), default=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["contract", "sequence", "id"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")

    def __str__(self) -> str:
        return self.product_name

    @property
    def amount(self) -> Decimal:
        """ARR of a recurring line, the one-time amount of the others."""
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


class ContractChange(models.Model):
    """One dated change of a contract: its start, an amendment, a renewal or a termination.

    Rows are only ever added. ``arr_delta`` is what the change adds to the line's ARR from
    ``effective_date`` on; a row without a line changes only the term (``end_date_before/after``)."""

    class Kind(models.TextChoices):
        START = "start", _("Start")
        UPSELL = "upsell", _("Upsell")
        DOWNSELL = "downsell", _("Downsell")
        PRICE = "price", _("Price change")
        RENEWAL = "renewal", _("Renewal")
        TERMINATION = "termination", _("Early termination")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    line = models.ForeignKey(
        ContractLine, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    effective_date = models.DateField(_("effective"))
    quantity_before = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    quantity_after = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    unit_price_before = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    unit_price_after = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    arr_delta = models.DecimalField(_("ARR change"), max_digits=18, decimal_places=2, default=0)
    end_date_before = models.DateField(null=True, blank=True)
    end_date_after = models.DateField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "effective_date", "id"]
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        indexes = [
            models.Index(fields=["effective_date", "contract"], name="contractchange_date_idx"),
            models.Index(fields=["contract", "effective_date"], name="contractchange_contract_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.effective_date}"

    @property
    def mrr_delta(self) -> Decimal:
        return monthly(self.arr_delta)


class RenewalPipeline(models.Model):
    """Marks the deals pipeline renewal opportunities are opened in (one row)."""

    pipeline = models.OneToOneField("deals.Pipeline", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("renewal pipeline")
        verbose_name_plural = _("renewal pipelines")

    def __str__(self) -> str:
        return str(self.pipeline)


class Renewal(models.Model):
    """The renewal of one term of a contract: opened once (the unique term end is the claim), with its
    opportunity, and closed by its outcome."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        RENEWED = "renewed", _("Renewed")
        CHANGED = "changed", _("Renewed with changes")
        CHURNED = "churned", _("Churned")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewals")
    term_end = models.DateField(_("term end"))
    opportunity = models.OneToOneField(
        "deals.Opportunity",
        verbose_name=_("renewal opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term_end", "id"]
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        constraints = [
            models.UniqueConstraint(fields=["contract", "term_end"], name="renewal_once_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} → {self.term_end}"


class RenewalReminder(models.Model):
    """A D-90/-30/-7 reminder sent for one term of a contract (unique: sent once by any worker)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    term_end = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "term_end", "days_before"], name="renewal_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} D-{self.days_before}"


# Support cases, health, success plans and billing live in their own packages of this app; importing them
# here registers their models.
from baton.success.billing import models as _billing_models  # noqa: E402, F401
from baton.success.cases import models as _case_models  # noqa: E402, F401
from baton.success.expansion import models as _expansion_models  # noqa: E402, F401
from baton.success.health import models as _health_models  # noqa: E402, F401
from baton.success.plans import models as _plan_models  # noqa: E402, F401
