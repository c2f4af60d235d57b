"""Products and price lists, a deal's line items and delivery effort, and the deal's economics.

Every write runs in one transaction with its audit row. Line items and estimates are part of the
commercial offer, so they are locked while one of the deal's quotes is pending approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, Role, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import (
    EffortEstimate,
    LineItem,
    Opportunity,
    PriceList,
    PriceListEntry,
    Product,
    ProductFamily,
    Quote,
    percent,
)

# --- the deal's economics ----------------------------------------------------------------------------


@dataclass
class Economics:
    """A deal's money from its line items and effort estimates, all in the deal's currency."""

    currency: str
    lines: list[tuple[LineItem, dict[str, Decimal]]] = field(default_factory=list)
    efforts: list[tuple[EffortEstimate, Decimal]] = field(default_factory=list)
    list_total: Decimal = Decimal(0)
    discount_total: Decimal = Decimal(0)
    net_total: Decimal = Decimal(0)
    product_cost: Decimal = Decimal(0)
    delivery_cost: Decimal = Decimal(0)
    person_days: Decimal = Decimal(0)

    @property
    def discount_percent(self) -> Decimal:
        return percent(self.discount_total, self.list_total) or Decimal(0)

    @property
    def margin(self) -> Decimal:
        return self.net_total - self.product_cost - self.delivery_cost

    @property
    def margin_percent(self) -> Decimal | None:
        return percent(self.margin, self.net_total)

    @property
    def product_margin(self) -> Decimal:
        return self.net_total - self.product_cost

    @property
    def product_margin_percent(self) -> Decimal | None:
        return percent(self.product_margin, self.net_total)


def economics(
    opportunity: Opportunity, lines: list[LineItem] | None = None, efforts: list[EffortEstimate] | None = None
) -> Economics:
    """Totals are sums of lines rounded once each, so they equal what a quote prints (no drift)."""
    currency = opportunity.currency
    if lines is None:
        lines = list(opportunity.line_items.select_related("product").order_by("sequence", "id"))
    if efforts is None:
        efforts = list(opportunity.efforts.order_by("role", "id"))
    result = Economics(currency=currency)
    for line in lines:
        amounts = line.amounts(currency)
        result.lines.append((line, amounts))
        result.list_total += amounts["gross"]
        result.discount_total += amounts["discount"]
        result.net_total += amounts["net"]
        result.product_cost += amounts["cost"]
    for effort in efforts:
        cost = effort.cost(currency)
        result.efforts.append((effort, cost))
        result.delivery_cost += cost
        result.person_days += effort.person_days
    return result


# --- locks and permissions -----------------------------------------------------------------------------


def pending_quote(opportunity: Opportunity) -> Quote | None:
    return opportunity.quotes.filter(status=Quote.Status.PENDING).first()


def require_commercial_edit(user: User | None, opportunity: Opportunity) -> None:
    """The deal's owner side may change its offer, and not while a quote awaits approval."""
    if user is not None and not can_edit(user, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if pending_quote(opportunity) is not None:
        raise ServiceError(_("A quote of this deal is pending approval; recall it to make changes."))


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: [_("Enter a number.")]}) from None


# --- catalog set-up (administrators and operations) ---------------------------------------------------

CATALOG_ROLES = frozenset({Role.ADMIN, Role.OPERATIONS})
FAMILY_FIELDS = {"name", "name_en", "is_archived"}
PRODUCT_FIELDS = {
    "code",
    "name",
    "name_en",
    "family",
    "unit",
    "unit_cost",
    "cost_currency",
    "description",
    "vat_exempt",
    "is_archived",
}
PRICE_LIST_FIELDS = {"name", "currency", "is_default", "is_archived"}


def can_manage_catalog(user: User | None) -> bool:
    """Administrators and sales operations keep the catalogue and price lists; everyone reads them."""
    return user is None or user.is_admin or user.role in CATALOG_ROLES


def _require_admin(actor: User | None) -> None:
    if not can_manage_catalog(actor):
        raise PermissionDenied(_("Only administrators and operations can change the catalog."))


def _only(changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})


@transaction.atomic
def create_family(*, actor: User | None, name: str, name_en: str = "") -> ProductFamily:
    _require_admin(actor)
    return create_record(ProductFamily, actor=actor, name=(name or "").strip(), name_en=name_en.strip())


@transaction.atomic
def update_family(family: ProductFamily, *, actor: User | None, changes: dict[str, Any]) -> ProductFamily:
    """Rename or archive a family (archived families take no new products; their products stay)."""
    _require_admin(actor)
    _only(changes, FAMILY_FIELDS)
    return update_record(family, actor=actor, changes=changes)


@transaction.atomic
def create_product(*, actor: User | None, **values: Any) -> Product:
    _require_admin(actor)
    _only(values, PRODUCT_FIELDS - {"is_archived"})
    if values.get("family") is not None and values["family"].is_archived:
        raise ValidationError({"family": [_("This family is archived.")]})
    return create_record(Product, actor=actor, **values)


@transaction.atomic
def update_product(product: Product, *, actor: User | None, changes: dict[str, Any]) -> Product:
    """Change or archive a product. Deals and quotes keep what they were sold at (lines are copies)."""
    _require_admin(actor)
    _only(changes, PRODUCT_FIELDS)
    family = changes.get("family")
    if family is not None and family.is_archived and family.pk != product.family_id:
        raise ValidationError({"family": [_("This family is archived.")]})
    return update_record(product, actor=actor, changes=changes)


def _one_default(price_list: PriceList, *, actor: User | None) -> None:
    """One default price list per currency: making one the default unsets the others."""
    others = PriceList.objects.select_for_update().filter(currency=price_list.currency, is_default=True)
    for other in others.exclude(pk=price_list.pk):
        update_record(other, actor=actor, changes={"is_default": False})


@transaction.atomic
def create_price_list(*, actor: User | None, **values: Any) -> PriceList:
    _require_admin(actor)
    _only(values, PRICE_LIST_FIELDS - {"is_archived"})
    price_list = create_record(PriceList, actor=actor, **values)
    if price_list.is_default:
        _one_default(price_list, actor=actor)
    return price_list


@transaction.atomic
def update_price_list(price_list: PriceList, *, actor: User | None, changes: dict[str, Any]) -> PriceList:
    """Rename, make default, archive; the currency changes only while the list has no prices."""
    _require_admin(actor)
    _only(changes, PRICE_LIST_FIELDS)
    if "currency" in changes and changes["currency"] != price_list.currency and price_list.entries.exists():
        raise ValidationError(
            {"currency": [_("The list has prices in %(currency)s.") % {"currency": price_list.currency}]}
        )
    if changes.get("is_archived") and changes.get("is_default", price_list.is_default):
        changes = {**changes, "is_default": False}  # an archived list is nobody's default
    price_list = update_record(price_list, actor=actor, changes=changes)
    if price_list.is_default:
        _one_default(price_list, actor=actor)
    return price_list


@transaction.atomic
def set_price(
    price_list: PriceList, product: Product, unit_price: Any, *, actor: User | None
) -> PriceListEntry:
    _require_admin(actor)
    price = _decimal(unit_price, "unit_price")
    entry = PriceListEntry.objects.filter(price_list=price_list, product=product).first()
    if entry is None:
        return create_record(
            PriceListEntry, actor=actor, price_list=price_list, product=product, unit_price=price
        )
    return update_record(entry, actor=actor, changes={"unit_price": price})


@transaction.atomic
def remove_price(entry: PriceListEntry, *, actor: User | None) -> None:
    """Take a product off a price list (deals already priced keep their line prices)."""
    _require_admin(actor)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=entry, before=snapshot(entry))
    entry.delete()


def list_price_for(product: Product, currency: str) -> Decimal | None:
    """The product's price on the default (or else any active) price list in that currency."""
    entry = (
        PriceListEntry.objects.filter(
            product=product, price_list__currency=currency, price_list__is_archived=False
        )
        .order_by("-price_list__is_default", "price_list_id")
        .first()
    )
    return entry.unit_price if entry is not None else None


# --- line items ----------------------------------------------------------------------------------------


@transaction.atomic
def add_line_item(
    opportunity: Opportunity,
    *,
    actor: User | None,
    product: Product,
    quantity: Any = 1,
    discount_percent: Any = 0,
    list_price: Any = None,
    unit_cost: Any = None,
    description: str = "",
    vat_exempt: bool | None = None,
) -> LineItem:
    """Add a product to a deal; the list price comes from the price list in the deal's currency, the
    unit cost and VAT exemption from the product, unless given."""
    require_commercial_edit(actor, opportunity)
    if product.is_archived:
        raise ValidationError({"product": [_("This product is archived.")]})
    if list_price in (None, ""):
        list_price = list_price_for(product, opportunity.currency)
        if list_price is None:
            raise ValidationError(
                {
                    "list_price": [
                        _("No list price in %(currency)s; enter one.") % {"currency": opportunity.currency}
                    ]
                }
            )
    if unit_cost in (None, ""):
        if product.cost_currency != opportunity.currency:
            raise ValidationError(
                {"unit_cost": [_("The product's cost is in another currency; enter the unit cost.")]}
            )
        unit_cost = product.unit_cost
    last = opportunity.line_items.aggregate(m=Max("sequence"))["m"] or 0
    return create_record(
        LineItem,
        actor=actor,
        opportunity=opportunity,
        product=product,
        description=(description or "")[:300],
        quantity=_decimal(quantity, "quantity"),
        list_price=_decimal(list_price, "list_price"),
        discount_percent=_decimal(discount_percent, "discount_percent"),
        unit_cost=_decimal(unit_cost, "unit_cost"),
        vat_exempt=product.vat_exempt if vat_exempt is None else bool(vat_exempt),
        sequence=last + 1,
    )


@transaction.atomic
def update_line_item(line: LineItem, *, actor: User | None, changes: dict[str, Any]) -> LineItem:
    require_commercial_edit(actor, line.opportunity)
    allowed = {"quantity", "list_price", "discount_percent", "unit_cost", "description", "vat_exempt"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "description":
            clean[name] = (value or "")[:300]
        elif name == "vat_exempt":
            clean[name] = bool(value)
        else:
            clean[name] = _decimal(value, name)
    return update_record(line, actor=actor, changes=clean)


@transaction.atomic
def remove_line_item(line: LineItem, *, actor: User | None) -> None:
    require_commercial_edit(actor, line.opportunity)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=line, before=snapshot(line))
    line.delete()


@transaction.atomic
def add_effort(
    opportunity: Opportunity,
    *,
    actor: User | None,
    role: str,
    person_days: Any,
    day_rate: Any,
    note: str = "",
) -> EffortEstimate:
    require_commercial_edit(actor, opportunity)
    return create_record(
        EffortEstimate,
        actor=actor,
        opportunity=opportunity,
        role=role,
        person_days=_decimal(person_days, "person_days"),
        day_rate=_decimal(day_rate, "day_rate"),
        note=(note or "")[:200],
    )


@transaction.atomic
def remove_effort(effort: EffortEstimate, *, actor: User | None) -> None:
    require_commercial_edit(actor, effort.opportunity)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=effort, before=snapshot(effort))
    effort.delete()
