# mypy: disable-error-code="valid-type"
"""The routing rules of passed leads over the API (the channel team): list them in order, add one
(last), change one (``version`` as read), and put them all in a new order."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from baton.core.api import (
    InputSchema,
    PatchSchema,
    RefSource,
    Text,
    actor,
    choice,
    path_id,
    resolve_refs,
    responses,
)
from baton.core.choices import Industry, Region
from baton.core.models import User
from baton.deals.models import ProductFamily
from baton.leads.models import LeadSource
from baton.partners import routing
from baton.partners.access import works_channel
from baton.partners.models import Partner, RoutingRule, Tier

router = Router(tags=["partners"])


class PartnerRoutingRuleOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool
    region: str
    industry: str
    product_family_id: int | None
    lead_source: str
    target: str
    partner_id: int | None
    tier: str
    version: int


class PartnerRoutingRuleIn(InputSchema):
    """Conditions left empty match any lead; ``target`` ``partner`` needs ``partner_id``, ``tier``
    needs ``tier``, ``pool`` neither."""

    name: Text(120, required=True)
    is_active: bool = True
    region: choice(Region.values, blank=True) = ""
    industry: choice(Industry.values, blank=True) = ""
    product_family_id: int | None = None
    lead_source: choice(LeadSource.values, blank=True) = ""
    target: choice(RoutingRule.Target.values)
    partner_id: int | None = None
    tier: choice(Tier.values, blank=True) = ""


class PartnerRoutingRulePatch(PatchSchema):
    """``version``: the rule's version you read (409 when it changed since)."""

    version: int
    name: Text(120) | None = None
    is_active: bool | None = None
    region: choice(Region.values, blank=True) | None = None
    industry: choice(Industry.values, blank=True) | None = None
    product_family_id: int | None = None
    lead_source: choice(LeadSource.values, blank=True) | None = None
    target: choice(RoutingRule.Target.values) | None = None
    partner_id: int | None = None
    tier: choice(Tier.values, blank=True) | None = None


class PartnerRoutingOrderIn(InputSchema):
    """Every rule's id, once each, in the new order."""

    ids: list[int]


REFS: dict[str, RefSource] = {
    "partner_id": ("partner", Partner.objects.filter(is_active=True), "No such active partner."),
    "product_family_id": ("product_family", ProductFamily.objects.all(), "No such product family."),
}


def _channel(request: HttpRequest) -> User:
    user = actor(request)
    if not works_channel(user):
        raise PermissionDenied
    return user


def _rules():
    return list(RoutingRule.objects.order_by("position", "id")[:500])


@router.get(
    "/routing-rules", response=responses({200: list[PartnerRoutingRuleOut]}), summary="Lead routing rules"
)
def list_rules(request: HttpRequest):
    """The rules in the order they are tried."""
    _channel(request)
    return _rules()


@router.post("/routing-rules", response=responses({201: PartnerRoutingRuleOut}), summary="Add a routing rule")
def create_rule(request: HttpRequest, payload: PartnerRoutingRuleIn):
    user = _channel(request)
    values = resolve_refs(payload.dict(), REFS)
    return Status(201, routing.create_rule(actor=user, **values))


# Declared before /routing-rules/{id}: its URL would take "order" for an id.
@router.put(
    "/routing-rules/order",
    response=responses({200: list[PartnerRoutingRuleOut]}),
    summary="Reorder the routing rules",
)
def reorder_rules(request: HttpRequest, payload: PartnerRoutingOrderIn):
    user = _channel(request)
    routing.reorder_rules(payload.ids, actor=user)
    return _rules()


@router.patch(
    "/routing-rules/{id}", response=responses({200: PartnerRoutingRuleOut}), summary="Change a routing rule"
)
def update_rule(request: HttpRequest, payload: PartnerRoutingRulePatch, id: int = path_id()):
    user = _channel(request)
    rule = get_object_or_404(RoutingRule, pk=id)
    changes = resolve_refs(payload.dict(exclude_unset=True), REFS)
    version = changes.pop("version")
    for name in ("name", "is_active", "region", "industry", "lead_source", "target", "tier"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    # A new target drops what the old one named, unless the request names it again.
    target = changes.get("target")
    if target is not None and target != RoutingRule.Target.PARTNER:
        changes.setdefault("partner", None)
    if target is not None and target != RoutingRule.Target.TIER:
        changes.setdefault("tier", "")
    return routing.update_rule(rule, actor=user, changes=changes, expected_version=version)
