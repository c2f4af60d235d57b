# mypy: disable-error-code="valid-type"
"""The channel team's API for partners and their agreements (partner managers, sales managers and
administrators), mounted with the rest of the partners router under /api/v1/partners/."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from baton.accounts.services import create_account
from baton.core.api import (
    InputSchema,
    PatchSchema,
    Ref,
    Text,
    actor,
    choice,
    path_id,
    resolve_refs,
    responses,
)
from baton.core.choices import Industry, Region
from baton.core.models import Role, User
from baton.deals.models import ProductFamily
from baton.partners import services
from baton.partners.access import works_channel
from baton.partners.models import Agreement, Partner, PartnerKind, Tier

router = Router(tags=["partners"])


class PartnerOut(Schema):
    id: int
    account: Ref
    tier: str
    manager_id: int | None
    industries: list[str]
    regions: list[str]
    product_family_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_product_family_ids(obj: Partner) -> list[int]:
        return sorted(f.pk for f in obj.product_families.all())


class PartnerIn(InputSchema):
    """A new partner organisation: its account is created with ``name``, ``brn`` and ``website``."""

    name: Text(200, required=True)
    brn: Text(12) = ""
    website: Text(200) = ""
    tier: choice(Tier.values) = Tier.REGISTERED
    manager_id: int | None = None
    industries: list[choice(Industry.values)] = []
    regions: list[choice(Region.values)] = []
    product_family_ids: list[int] = []


class PartnerPatch(PatchSchema):
    tier: choice(Tier.values) | None = None
    manager_id: int | None = None
    industries: list[choice(Industry.values)] | None = None
    regions: list[choice(Region.values)] | None = None
    product_family_ids: list[int] | None = None
    is_active: bool | None = None


class AgreementOut(Schema):
    id: int
    partner_id: int
    kind: str
    product_family_id: int | None
    discount_pct: Decimal
    margin_pct: Decimal
    payment_terms_days: int
    starts_on: dt.date
    ends_on: dt.date | None


class AgreementIn(InputSchema):
    kind: choice(PartnerKind.values)
    product_family_id: int | None = None
    discount_pct: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    margin_pct: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    payment_terms_days: int = Field(30, ge=0, le=365)
    starts_on: dt.date
    ends_on: dt.date | None = None


class AgreementPatch(PatchSchema):
    kind: choice(PartnerKind.values) | None = None
    product_family_id: int | None = None
    discount_pct: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    margin_pct: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


def _channel(request: HttpRequest) -> User:
    user = actor(request)
    if not works_channel(user):
        raise PermissionDenied
    return user


def _managers():
    return User.objects.filter(is_active=True, role__in=[Role.PARTNER_MANAGER, Role.SALES_MANAGER])


MANAGER = ("manager", _managers, "Not an active partner manager or sales manager.")
FAMILY = ("product_family", ProductFamily.objects.all(), "No such product family.")


def _families(ids: list[int]) -> list[ProductFamily]:
    families = list(ProductFamily.objects.filter(pk__in=ids))
    if len(families) != len(set(ids)):
        raise ValidationError({"product_family_ids": ["No such product family."]})
    return families


def _partners():
    return Partner.objects.select_related("account").prefetch_related("product_families")


@router.get("/partners", response=responses({200: list[PartnerOut]}), summary="Partners")
def list_partners(request: HttpRequest):
    """Every partner, by name (at most 500)."""
    _channel(request)
    return list(_partners()[:500])


@router.post("/partners", response=responses({201: PartnerOut}), summary="Create a partner")
def create_partner(request: HttpRequest, payload: PartnerIn):
    user = _channel(request)
    data = resolve_refs(payload.dict(), {"manager_id": MANAGER})
    families = _families(data.pop("product_family_ids"))
    with transaction.atomic():
        account = create_account(
            actor=user, name=data.pop("name"), brn=data.pop("brn"), website=data.pop("website")
        )
        partner = services.create_partner(actor=user, account=account, product_families=families, **data)
    return Status(201, _partners().get(pk=partner.pk))


@router.patch("/partners/{id}", response=responses({200: PartnerOut}), summary="Change a partner")
def update_partner(request: HttpRequest, payload: PartnerPatch, id: int = path_id()):
    user = _channel(request)
    partner = get_object_or_404(Partner, pk=id)
    changes = resolve_refs(payload.dict(exclude_unset=True), {"manager_id": MANAGER})
    ids = changes.pop("product_family_ids", None)
    families = _families(ids) if ids is not None else None
    for name in ("tier", "industries", "regions", "is_active"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    services.update_partner(partner, actor=user, changes=changes, product_families=families)
    return _partners().get(pk=partner.pk)


@router.get(
    "/partners/{id}/agreements",
    response=responses({200: list[AgreementOut]}),
    summary="A partner's agreements",
)
def list_agreements(request: HttpRequest, id: int = path_id()):
    _channel(request)
    return list(get_object_or_404(Partner, pk=id).agreements.all())


@router.post("/partners/{id}/agreements", response=responses({201: AgreementOut}), summary="Add an agreement")
def add_agreement(request: HttpRequest, payload: AgreementIn, id: int = path_id()):
    user = _channel(request)
    partner = get_object_or_404(Partner, pk=id)
    values = resolve_refs(payload.dict(), {"product_family_id": FAMILY})
    return Status(201, services.add_agreement(partner, actor=user, **values))


@router.patch("/agreements/{id}", response=responses({200: AgreementOut}), summary="Change an agreement")
def update_agreement(request: HttpRequest, payload: AgreementPatch, id: int = path_id()):
    user = _channel(request)
    agreement = get_object_or_404(Agreement, pk=id)
    changes = resolve_refs(payload.dict(exclude_unset=True), {"product_family_id": FAMILY})
    for name in ("kind", "discount_pct", "margin_pct", "payment_terms_days", "starts_on"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    return services.update_agreement(agreement, actor=user, changes=changes)
