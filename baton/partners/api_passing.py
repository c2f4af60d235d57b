# mypy: disable-error-code="valid-type"
"""Passed leads over the API: pass a lead (whoever may edit it), the channel team's list, and the
portal's offers, pool, accept, decline and pick (partner users only)."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from baton.core.api import InputSchema, Ref, Text, actor, path_id, resolve_refs, responses
from baton.core.partner_fence import is_partner_user
from baton.core.records import get_for_user
from baton.deals.models import ProductFamily
from baton.leads.models import Lead
from baton.partners import passing
from baton.partners.access import require_partner, works_channel
from baton.partners.models import LeadPass, Partner

router = Router(tags=["partners"])


class LeadPassOut(Schema):
    id: int
    lead_id: int
    partner: Ref | None
    status: str
    deadline: dt.datetime | None
    reason: str
    passed_at: dt.datetime
    accepted_at: dt.datetime | None


class PortalLeadOut(LeadPassOut):
    """A lead offered to or accepted by the partner, with what they need to work it."""

    company: str = Field(alias="lead.company")
    name: str = Field(alias="lead.name")
    email: str = Field(alias="lead.email")
    phone: str = Field(alias="lead.phone")


class PoolOut(Schema):
    """A lead in the shared pool as partners see it before picking it: no person, no contact data."""

    id: int
    company: str = Field(alias="lead.company")
    industry: str = Field(alias="lead.industry")
    region: str = Field(alias="lead.region")
    passed_at: dt.datetime


class PassIn(InputSchema):
    """``to``: the routing rules choose (default), a ``partner_id``, or the pool; ``days`` to accept;
    ``product_family_id``: what the lead is about, for the routing rules that ask."""

    to: Literal["rules", "partner", "pool"] = "rules"
    partner_id: int | None = None
    product_family_id: int | None = None
    days: int = Field(passing.ACCEPT_DAYS, ge=1, le=passing.MAX_ACCEPT_DAYS)


class DeclineIn(InputSchema):
    reason: Text(200) = ""


def _partner_user(request: HttpRequest) -> Partner:
    user = actor(request)
    if not is_partner_user(user):
        raise PermissionDenied
    return require_partner(user)


@router.post("/leads/{id}/pass", response=responses({200: LeadPassOut}), summary="Pass a lead to partners")
def pass_lead(request: HttpRequest, payload: PassIn, id: int = path_id()):
    user = actor(request)
    lead = get_for_user(Lead.objects.all(), user, id)
    values = resolve_refs(
        payload.dict(),
        {
            "partner_id": ("partner", Partner.objects.filter(is_active=True), "No such partner."),
            "product_family_id": ("product_family", ProductFamily.objects.all(), "No such product family."),
        },
    )
    return passing.pass_lead(
        lead,
        actor=user,
        to=values["to"],
        partner=values["partner"],
        days=values["days"],
        product_family=values["product_family"],
    )


@router.get("/passes", response=responses({200: list[LeadPassOut]}), summary="Passed leads")
def list_passes(request: HttpRequest):
    if not works_channel(actor(request)):
        raise PermissionDenied
    return list(LeadPass.objects.select_related("partner__account").order_by("status", "-passed_at")[:200])


@router.get("/portal/leads", response=responses({200: list[PortalLeadOut]}), summary="Leads for us")
def portal_leads(request: HttpRequest):
    """Leads offered to your organisation (accept them before their deadline) and accepted by it."""
    return passing.passes_of(_partner_user(request))


@router.get("/portal/pool", response=responses({200: list[PoolOut]}), summary="The shared lead pool")
def portal_pool(request: HttpRequest):
    return passing.pool_for(_partner_user(request))


def _offer(request: HttpRequest, id: int) -> LeadPass:
    partner = _partner_user(request)
    lead = get_for_user(Lead.objects.all(), actor(request), id)
    lp = LeadPass.objects.filter(lead=lead, partner=partner).select_related("partner__account").first()
    if lp is None:
        raise Http404
    return lp


@router.post("/portal/leads/{id}/accept", response=responses({200: LeadPassOut}), summary="Accept a lead")
def portal_accept(request: HttpRequest, id: int = path_id()):
    """``id`` is the lead's."""
    return passing.accept(_offer(request, id), actor=actor(request))


@router.post("/portal/leads/{id}/decline", response=responses({200: LeadPassOut}), summary="Decline a lead")
def portal_decline(request: HttpRequest, payload: DeclineIn, id: int = path_id()):
    return passing.decline(_offer(request, id), actor=actor(request), reason=payload.reason)


@router.post("/portal/pool/{id}/claim", response=responses({200: LeadPassOut}), summary="Pick a pool lead")
def portal_claim(request: HttpRequest, id: int = path_id()):
    """``id`` is the pool entry's (as listed by /portal/pool)."""
    partner = _partner_user(request)
    lp = LeadPass.objects.filter(pk=id, status=LeadPass.Status.POOL).first()
    if lp is None or partner.pk in lp.passed_over:
        raise Http404
    return passing.claim(lp, actor=actor(request))
