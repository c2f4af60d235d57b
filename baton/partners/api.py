# mypy: disable-error-code="valid-type"
"""REST endpoints of the partners app, mounted under /api/v1/partners/ by baton/api.py.

``/partners/portal/...`` is the partner portal (partner users' tokens reach nothing else): their
registrations (submit, read), the opportunities they are on (read; stage, next step and close date
through deals' services). ``/partners/registrations...`` is the channel team's queue: approve or
reject. ``/partners/opportunities/{id}`` lists the partners on a deal the caller may see."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from baton.accounts.models import Account
from baton.core.api import Amount, InputSchema, PatchSchema, Ref, Text, actor, path_id, responses
from baton.core.models import Role, User
from baton.core.partner_fence import is_partner_user
from baton.core.records import get_for_user
from baton.deals.models import Opportunity, Stage
from baton.deals.queries import get_opportunity_for_user
from baton.deals.services import move_opportunity, update_opportunity
from baton.partners import services
from baton.partners.access import require_partner, works_channel
from baton.partners.api_manage import router as manage_router
from baton.partners.api_passing import router as passing_router
from baton.partners.api_routing import router as routing_router
from baton.partners.models import OpportunityPartner, Registration

router = Router(tags=["partners"])
router.add_router("", manage_router)
router.add_router("", passing_router)
router.add_router("", routing_router)


class PartnerRegistrationPortalOut(Schema):
    """A registration as its partner sees it (no conflicts: those are for the partner manager)."""

    id: int
    customer: str
    brn: str
    contact_name: str
    product_interest: str
    amount: Decimal
    close_date: dt.date
    status: str
    reason: str
    expires_on: dt.date | None
    opportunity_id: int | None
    lead_id: int | None
    created_at: dt.datetime


class PartnerRegistrationOut(PartnerRegistrationPortalOut):
    partner: Ref
    conflicts: list[dict]
    decided_at: dt.datetime | None


class PartnerRegistrationIn(InputSchema):
    customer: Text(200, required=True)
    brn: Text(12) = ""
    website: Text(200) = ""
    contact_name: Text(120, required=True)
    contact_email: Text(200) = ""
    contact_phone: Text(40) = ""
    product_interest: Text(200, required=True)
    amount: Amount()
    close_date: dt.date
    evidence: Text(5000, required=True)


class PartnerPortalDealOut(Schema):
    id: int
    name: str
    account: Ref
    stage: Ref
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    next_step: str
    version: int


class PartnerPortalDealIn(PatchSchema):
    """The partner's changes: a stage of the deal's pipeline (open stages only), the next step, the
    expected close date. ``version`` is the deal's version you read (409 when it changed since)."""

    version: int
    stage_id: int | None = None
    next_step: Text(300) | None = None
    expected_close_date: dt.date | None = None


class RegistrationApproveIn(InputSchema):
    """``into``: what the registration becomes, an opportunity (default) or a lead; ``account_id``
    (an opportunity only): a matching account instead of a new one."""

    owner_id: int | None = None
    account_id: int | None = None
    into: Literal["opportunity", "lead"] = "opportunity"


class RegistrationRejectIn(InputSchema):
    reason: Text(300, required=True)


class OpportunityPartnerOut(Schema):
    id: int
    partner: Ref
    role: str
    contact_name: str
    sourced: bool
    influenced: bool
    registration_id: int | None


def _partner_user(request: HttpRequest):
    user = actor(request)
    if not is_partner_user(user):
        raise PermissionDenied
    return require_partner(user)


def _channel(request: HttpRequest) -> User:
    user = actor(request)
    if not works_channel(user):
        raise PermissionDenied
    return user


@router.get(
    "/portal/registrations",
    response=responses({200: list[PartnerRegistrationPortalOut]}),
    summary="Our registrations",
)
def portal_registrations(request: HttpRequest):
    """Your organisation's deal registrations, newest first (at most 100)."""
    return list(Registration.objects.filter(partner=_partner_user(request))[:100])


@router.post(
    "/portal/registrations",
    response=responses({201: PartnerRegistrationPortalOut}),
    summary="Register a deal",
)
def portal_register(request: HttpRequest, payload: PartnerRegistrationIn):
    _partner_user(request)
    return Status(201, services.submit_registration(actor=actor(request), **payload.dict()))


@router.get(
    "/portal/opportunities",
    response=responses({200: list[PartnerPortalDealOut]}),
    summary="Our opportunities",
)
def portal_opportunities(request: HttpRequest):
    _partner_user(request)
    qs = Opportunity.objects.visible_to(actor(request)).select_related("account", "stage")
    return list(qs.order_by("-updated_at", "-id")[:100])


@router.patch(
    "/portal/opportunities/{id}",
    response=responses({200: PartnerPortalDealOut}),
    summary="Update our opportunity",
)
def portal_update_opportunity(request: HttpRequest, payload: PartnerPortalDealIn, id: int = path_id()):
    _partner_user(request)
    user = actor(request)
    deal = get_opportunity_for_user(user, id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    stage_id = changes.pop("stage_id", None)
    if stage_id is not None and stage_id != deal.stage_id:
        stage = get_for_user(
            Stage.objects.filter(pipeline_id=deal.pipeline_id, outcome=Stage.Outcome.OPEN), user, stage_id
        )
        deal = move_opportunity(deal, actor=user, stage=stage, expected_version=version)
        version = deal.version
    if changes:
        deal = update_opportunity(deal, actor=user, changes=changes, expected_version=version)
    return get_opportunity_for_user(user, deal.pk)


@router.get(
    "/registrations", response=responses({200: list[PartnerRegistrationOut]}), summary="Deal registrations"
)
def list_registrations(request: HttpRequest):
    """Every partner's registrations, for the channel team (newest first, at most 100)."""
    _channel(request)
    return list(Registration.objects.select_related("partner__account")[:100])


def _registration(request: HttpRequest, id: int) -> Registration:
    _channel(request)
    return get_for_user(Registration.objects.select_related("partner__account"), actor(request), id)


@router.post(
    "/registrations/{id}/approve",
    response=responses({200: PartnerRegistrationOut}),
    summary="Approve a registration",
)
def approve_registration(request: HttpRequest, payload: RegistrationApproveIn, id: int = path_id()):
    reg = _registration(request, id)
    user = actor(request)
    owner = (
        get_for_user(User.objects.filter(is_active=True).exclude(role=Role.PARTNER), user, payload.owner_id)
        if payload.owner_id
        else None
    )
    account = get_for_user(Account.objects.all(), user, payload.account_id) if payload.account_id else None
    return services.approve_registration(reg, actor=user, owner=owner, account=account, into=payload.into)


@router.post(
    "/registrations/{id}/reject",
    response=responses({200: PartnerRegistrationOut}),
    summary="Reject a registration",
)
def reject_registration(request: HttpRequest, payload: RegistrationRejectIn, id: int = path_id()):
    reg = _registration(request, id)
    return services.reject_registration(reg, actor=actor(request), reason=payload.reason)


@router.get(
    "/opportunities/{id}",
    response=responses({200: list[OpportunityPartnerOut]}),
    summary="Partners on a deal",
)
def opportunity_partners(request: HttpRequest, id: int = path_id()):
    deal = get_opportunity_for_user(actor(request), id)
    return list(OpportunityPartner.objects.filter(opportunity=deal).select_related("partner__account"))
