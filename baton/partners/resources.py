"""Price lists and files the channel team publishes to partner tiers or one partner, and what a partner
sees of them: only those that reach their organisation. Files are checked (size, type by extension)
on upload and served as attachments with a fixed content type (never the uploader's)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.money import quantize
from baton.deals.models import PriceList, PriceListEntry
from baton.partners.access import works_channel
from baton.partners.models import Partner, Resource, Tier

MAX_FILE_BYTES = 20 * 1024 * 1024
#: Allowed extensions and the content type they are served with.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".zip": "application/zip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}


def content_type(resource: Resource) -> str:
    return CONTENT_TYPES.get(PurePath(resource.file_name).suffix.lower(), "application/octet-stream")


def _audience(tiers: list[str], partner: Partner | None) -> list[str]:
    tiers = sorted(set(tiers or []))
    if any(t not in Tier.values for t in tiers):
        raise ValidationError({"tiers": [_("Unknown tier.")]})
    if not tiers and partner is None:
        raise ValidationError({"tiers": [_("Choose the tiers or a partner it is for.")]})
    return tiers


def _check(actor: User) -> None:
    if not works_channel(actor):
        raise PermissionDenied(_("Only the channel team publishes to partners."))


def _save(resource: Resource, actor: User) -> Resource:
    resource.full_clean()
    resource.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=resource,
        after=snapshot(resource, ["kind", "title", "price_list", "file_name", "tiers", "partner"]),
    )
    return resource


@transaction.atomic
def publish_price_list(
    *, actor: User, price_list: PriceList, title: str = "", tiers: list[str], partner: Partner | None = None
) -> Resource:
    _check(actor)
    if price_list.is_archived:
        raise ValidationError({"price_list": [_("This price list is archived.")]})
    resource = Resource(
        kind=Resource.Kind.PRICE_LIST,
        title=(title or str(price_list))[:200],
        price_list=price_list,
        tiers=_audience(tiers, partner),
        partner=partner,
        published_by=actor,
    )
    return _save(resource, actor)


@transaction.atomic
def publish_file(
    *, actor: User, upload: Any, title: str = "", tiers: list[str], partner: Partner | None = None
) -> Resource:
    _check(actor)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    name = PurePath(str(upload.name)).name[:200]
    if PurePath(name).suffix.lower() not in CONTENT_TYPES:
        raise ValidationError(
            {"file": [_("Allowed files: %(kinds)s.") % {"kinds": ", ".join(sorted(CONTENT_TYPES))}]}
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": [_("At most 20 MB.")]})
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    resource = Resource(
        kind=Resource.Kind.FILE,
        title=(title or name)[:200],
        file_name=name,
        file_size=upload.size,
        tiers=_audience(tiers, partner),
        partner=partner,
        published_by=actor,
    )
    resource.file.save(name, upload, save=False)
    return _save(resource, actor)


@transaction.atomic
def withdraw(resource: Resource, *, actor: User) -> None:
    _check(actor)
    log_change(
        actor=actor,
        action=ChangeLog.Action.DELETE,
        instance=resource,
        before=snapshot(resource, ["kind", "title", "file_name", "tiers", "partner"]),
    )
    stored = resource.file.name if resource.file else ""
    resource.delete()
    if stored:
        transaction.on_commit(lambda: resource.file.storage.delete(stored))


def for_partner(partner: Partner) -> list[Resource]:
    """What reaches ``partner`` (tier or named), newest first."""
    rows = Resource.objects.select_related("price_list").order_by("-published_at", "-id")[:500]
    return [r for r in rows if r.reaches(partner)]


def get_for_partner(partner: Partner, pk: int) -> Resource | None:
    resource = Resource.objects.select_related("price_list").filter(pk=pk).first()
    return resource if resource is not None and resource.reaches(partner) else None


def price_rows(resource: Resource, partner: Partner) -> list[dict[str, Any]]:
    """The price list's products with the list price and the partner's price under its agreements
    (the discount of the product family's agreement, else of the every-family one)."""
    discounts: dict[int | None, Decimal] = {}
    for family_id, pct in partner.agreements.values_list("product_family_id", "discount_pct"):
        discounts[family_id] = max(pct, discounts.get(family_id, Decimal(0)))
    rows: list[dict[str, Any]] = []
    if resource.price_list is None:
        return rows
    currency = resource.price_list.currency
    entries = PriceListEntry.objects.filter(price_list=resource.price_list, product__is_archived=False)
    for entry in entries.select_related("product__family").order_by("product__code"):
        pct = discounts.get(entry.product.family_id, discounts.get(None, Decimal(0)))
        rows.append(
            {
                "product": entry.product,
                "list_price": entry.unit_price,
                "discount_pct": pct,
                "partner_price": quantize(entry.unit_price * (100 - pct) / 100, currency),
            }
        )
    return rows
