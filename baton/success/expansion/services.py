"""Opening an expansion (or upsell) deal for a customer: an opportunity in the default sales pipeline,
owned by whoever opens it, with a line of the chosen family's product at its list price, the customer's
installed base written into the description, and the mark that says what kind of deal it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.core.audit import log_change
from baton.core.models import User
from baton.deals.catalog import add_line_item, list_price_for
from baton.deals.models import Opportunity, Product, ProductFamily
from baton.deals.services import create_opportunity
from baton.success.expansion.models import ExpansionDeal
from baton.success.queries import installed_base


def open_expansion_for(account: Account, family: ProductFamily) -> ExpansionDeal | None:
    """The expansion deal of this family still open for the account, if any."""
    return (
        ExpansionDeal.objects.filter(account=account, family=family, opportunity__stage__outcome="open")
        .select_related("opportunity")
        .first()
    )


def priced_product(family: ProductFamily, currency: str) -> Product | None:
    for product in Product.objects.filter(family=family, is_archived=False).order_by("code"):
        if list_price_for(product, currency) is not None:
            return product
    return None


def installed_base_text(user: User, account: Account, today: dt.date) -> str:
    base = installed_base(user, account, today)
    rows = [
        f"- {line.product_name} × {line.quantity.normalize():f} "
        f"({contract.number}, ~{contract.end_date:%Y-%m-%d})"
        for line, contract in base.lines
        if contract in base.renewals
    ]
    return "\n".join([_("Installed base:"), *rows]) if rows else _("No active contract yet.")


@transaction.atomic
def open_expansion(
    *,
    actor: User,
    account: Account,
    family: ProductFamily,
    kind: str = ExpansionDeal.Kind.EXPANSION,
    quantity: Any = 1,
    today: dt.date,
) -> Opportunity:
    """One open expansion deal per account and family: asking again while one is open is refused."""
    if kind not in ExpansionDeal.Kind.values:
        raise ValidationError({"kind": [_("Unknown value %(value)s.") % {"value": kind}]})
    if family.is_archived:
        raise ValidationError({"family": [_("This product family is archived.")]})
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one at a time per account
    if open_expansion_for(account, family) is not None:
        raise ValidationError(_("An expansion deal for this product family is already open."))
    currency = "KRW"
    product = priced_product(family, currency)
    if product is None:
        raise ValidationError(
            {
                "family": [
                    _("No product of this family has a list price in %(currency)s.") % {"currency": currency}
                ]
            }
        )
    try:
        units = Decimal(str(quantity))
    except (InvalidOperation, ValueError, TypeError):
        units = Decimal(0)
    if not units.is_finite() or units <= 0 or units > 1_000_000:
        raise ValidationError({"quantity": [_("Enter a quantity above zero.")]})
    price = list_price_for(product, currency) or Decimal(0)
    label = ExpansionDeal.Kind(kind).label
    opportunity = create_opportunity(
        actor=actor,
        name=f"{account.name} · {family.name} ({label})"[:200],
        account=account,
        currency=currency,
        amount=(price * units).quantize(Decimal("0.01")),
        expected_close_date=today + dt.timedelta(days=90),
        description=installed_base_text(actor, account, today),
    )
    add_line_item(opportunity, actor=actor, product=product, quantity=units)
    mark = ExpansionDeal.objects.create(opportunity=opportunity, account=account, family=family, kind=kind)
    log_change(
        actor=actor,
        action="create",
        instance=mark,
        after={"opportunity": opportunity.pk, "family": family.pk, "kind": kind},
        parent=account,
    )
    opportunity.refresh_from_db()
    return opportunity
