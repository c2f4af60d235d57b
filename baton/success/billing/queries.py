"""Permission-aware reads of invoices (an invoice is seen through its contract) and the collections
view: what each account still owes by aging bucket, who follows it up, and its days sales outstanding.
Only invoices issued on or before the day count (one dated later is not owed yet).

Days sales outstanding (DSO) of an account on day D: what it still owes on its issued invoices ÷ what
was invoiced to it (합계, void ones left out) in the 90 days up to D × 90, in whole days (half up);
none when nothing was invoiced in those 90 days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from baton.core.models import User
from baton.success.billing.models import Invoice
from baton.success.billing.services import BUCKETS, bucket_of
from baton.success.models import Contract

DSO_WINDOW = 90


def today() -> dt.date:
    """The day aging is measured on (Asia/Seoul); one place, so a test can pin it."""
    return timezone.localdate()


def invoices_for(user: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(contract__in=Contract.objects.visible_to(user))


def get_invoice_for_user(user: Any, pk: object) -> Invoice:
    try:
        return (
            invoices_for(user)
            .select_related("contract__account", "contract__owner", "last_dunning")
            .get(
                pk=int(pk)  # type: ignore[call-overload]
            )
        )
    except (ValueError, TypeError, OverflowError, Invoice.DoesNotExist):
        raise Http404("Not found") from None


def bucket_q(bucket: str, today: dt.date) -> Q:
    """Open invoices in one aging bucket on ``today`` (``overdue`` is every bucket but current)."""
    open_ = Q(status=Invoice.Status.OPEN, tax_invoice_date__lte=today)
    if bucket == "current":
        return open_ & Q(due_date__gte=today)
    if bucket == "overdue":
        return open_ & Q(due_date__lt=today)
    if bucket == "90+":
        return open_ & Q(due_date__lt=today - dt.timedelta(days=90))
    low, high = (int(x) for x in bucket.split("-"))
    latest, earliest = today - dt.timedelta(days=low), today - dt.timedelta(days=high)
    return open_ & Q(due_date__lte=latest, due_date__gte=earliest)


def filtered_invoices(user: Any, filters: dict[str, Any], today: dt.date) -> QuerySet[Invoice]:
    """The list's filters: status, account, contract, aging bucket (or ``overdue``), number."""
    qs = invoices_for(user).select_related("contract__account", "contract__owner", "last_dunning")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("account"):
        qs = qs.filter(contract__account_id=filters["account"])
    if filters.get("contract"):
        qs = qs.filter(contract_id=filters["contract"])
    if filters.get("bucket"):
        qs = qs.filter(bucket_q(filters["bucket"], today))
    if filters.get("q"):
        qs = qs.filter(Q(number__icontains=filters["q"]) | Q(contract__account__name__icontains=filters["q"]))
    return qs.order_by("due_date", "id")


@dataclass
class AccountDebt:
    account: Any
    follow_up: Any  # the account's owner: the sales rep calls the customer, accounting sends the reminders
    csm: Any
    totals: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    invoices: int = 0
    oldest_days: int = 0
    invoiced_90d: Decimal = Decimal(0)
    last_dunning: Any = None  # the latest dunning step done on one of its open invoices

    @property
    def outstanding(self) -> Decimal:
        return sum(self.totals.values(), Decimal(0))

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.totals.items() if k != "current"), Decimal(0))

    @property
    def dso(self) -> int | None:
        if not self.invoiced_90d:
            return None
        days = self.outstanding / self.invoiced_90d * DSO_WINDOW
        return int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Collections:
    rows: list[AccountDebt]
    totals: dict[str, Decimal]

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.totals.items() if k != "current"), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return sum(self.totals.values(), Decimal(0))


def collections(user: User, today: dt.date, *, overdue_only: bool = False) -> Collections:
    """Accounts that owe money on open invoices the user sees, most overdue (90+ first) at the top."""
    open_invoices = (
        invoices_for(user)
        .filter(status=Invoice.Status.OPEN, tax_invoice_date__lte=today)
        .select_related("contract__account__owner", "contract__account__csm", "last_dunning")
        .order_by("due_date", "id")
    )
    by_account: dict[int, AccountDebt] = {}
    for invoice in open_invoices.iterator(chunk_size=2000):
        account = invoice.contract.account
        row = by_account.get(account.pk)
        if row is None:
            row = AccountDebt(account=account, follow_up=account.owner, csm=account.csm)
            by_account[account.pk] = row
        row.totals[bucket_of(invoice, today)] += invoice.outstanding
        row.invoices += 1
        row.oldest_days = max(row.oldest_days, (today - invoice.due_date).days)
        run = invoice.last_dunning
        if run is not None and (
            row.last_dunning is None
            or (run.done_on, run.days) > (row.last_dunning.done_on, row.last_dunning.days)
        ):
            row.last_dunning = run
    invoiced = (
        invoices_for(user)
        .filter(
            contract__account_id__in=list(by_account),
            status__in=(Invoice.Status.OPEN, Invoice.Status.PAID),
            tax_invoice_date__gt=today - dt.timedelta(days=DSO_WINDOW),
            tax_invoice_date__lte=today,
        )
        .values("contract__account_id")
        .annotate(total=Sum("total_amount"))
    )
    for entry in invoiced:
        by_account[entry["contract__account_id"]].invoiced_90d = entry["total"] or Decimal(0)
    rows = [r for r in by_account.values() if r.overdue > 0 or not overdue_only]
    rows.sort(key=lambda r: (-r.totals["90+"], -r.overdue, -r.outstanding, r.account.name))
    totals = {b: sum((r.totals[b] for r in rows), Decimal(0)) for b in BUCKETS}
    return Collections(rows=rows, totals=totals)
