"""The demo's invoices: the billing schedule of a few active contracts, most past invoices paid (some
late, some in part), the rest left open so the collections page has every aging bucket. Dates follow
the demo's ``today``. Idempotent: a contract that already has invoices is left alone."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import translation

from baton.accounts.models import Contact
from baton.core.models import User
from baton.success.billing import services
from baton.success.billing.dunning import sweep_dunning
from baton.success.models import Contract


def seed_invoices(rng: random.Random, today: dt.date, admin: User, limit: int = 10) -> int:
    contracts = list(
        Contract.objects.filter(
            status=Contract.Status.ACTIVE,
            start_date__lte=today - dt.timedelta(days=45),
            end_date__gte=today,
            invoices__isnull=True,
        )
        .select_related("account")
        .order_by("id")[:limit]
    )
    made = 0
    for contract in contracts:
        invoices = services.schedule_invoices(
            contract, actor=admin, payment_terms_days=rng.choice([30, 30, 45])
        )
        made += len(invoices)
        for invoice in invoices:
            if invoice.due_date >= today or invoice.tax_invoice_date > today:
                continue
            roll = rng.random()
            if roll < 0.6:  # paid in full, on time or a little late
                paid_on = min(today, invoice.due_date + dt.timedelta(days=rng.randint(-10, 12)))
                services.record_payment(
                    invoice, actor=admin, amount=invoice.total_amount, paid_on=paid_on, reference="입금"
                )
            elif roll < 0.75:  # paid in part
                part = (invoice.total_amount / 2).quantize(Decimal(1))
                services.record_payment(
                    invoice, actor=admin, amount=part, paid_on=invoice.due_date, reference="일부 입금"
                )
    return made


def seed_dunning(today: dt.date, admin: User) -> int:
    """Billing contacts on the invoiced contracts (the account's first contact with an e-mail address),
    then today's dunning sweep, so the overdue invoices show the step they are at."""
    for contract in Contract.objects.filter(invoices__isnull=False, billing_contact__isnull=True).distinct():
        contact = (
            Contact.objects.filter(account_id=contract.account_id, is_archived=False)
            .exclude(email="")
            .order_by("id")
            .first()
        )
        if contact is not None:
            services.set_billing_contact(contract, actor=admin, contact=contact)
    with translation.override("ko"):  # the demo world is Korean: its reminders and tasks are written so
        return sweep_dunning(today)["done"]
