# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""REST endpoints of the leads app, mounted under /api/v1/ by baton/api.py.

Leads, their interaction log, the duplicate check before conversion, and the conversion itself.
Leads are never deleted (disqualify them instead).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from baton.accounts.queries import accounts_for, contacts_for
from baton.core.api import (
    ALLOW_DUPLICATE_DOC,
    CompanyName,
    Email,
    Id,
    InputSchema,
    IsoDate,
    IsoDateTime,
    PatchSchema,
    ProtectedOut,
    Ref,
    Text,
    Version,
    actor,
    assignable_users,
    choice,
    list_page,
    list_query_schema,
    page_schema,
    path_id,
    refuse_protected,
    resolve_refs,
    responses,
)
from baton.core.api import Amount as AmountType
from baton.core.choices import CompanySize, Industry, Region
from baton.core.customfields.api_fields import CustomFieldsIn, readable_values, rename_custom_fields
from baton.core.listing import ListSpec
from baton.core.money import Currency
from baton.deals.api import open_stages
from baton.leads import services
from baton.leads.models import CustomerLanguage, LeadInteraction, LeadSource, LeadStatus
from baton.leads.queries import LEAD_LIST, campaigns_for, get_lead_for_user, leads_for

router = Router(tags=["leads"])

INPUT_STATUSES = [s for s in LeadStatus.values if s != LeadStatus.CONVERTED]


def _lead_refs(user):
    return {
        "owner_id": ("owner", lambda: assignable_users(user), "Not a user you can assign records to."),
        "campaign_id": ("campaign", lambda: campaigns_for(user), "No such campaign."),
    }


class LeadOut(ProtectedOut):
    protected_model = "leads.lead"

    id: int
    name: str
    company: str
    title: str
    email: str
    phone: str
    brn: str
    website: str
    industry: str
    region: str
    size: str
    language: str
    source: choice(LeadSource.values)
    status: choice(LeadStatus.values)
    description: str
    disqualify_reason: str
    campaign: Ref | None
    owner: Ref | None
    team_id: int | None
    converted_at: dt.datetime | None
    converted_account_id: int | None
    converted_contact_id: int | None
    converted_opportunity_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: dict[str, Any] = Field(description="Custom field values you may read, by key.")

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any]:
        return readable_values(context["request"], obj)


class LeadIn(InputSchema):
    name: Text(120, required=True)
    company: CompanyName = ""
    title: Text(120) = ""
    email: Email = ""
    phone: Text(40) = ""
    brn: Text(12) = ""
    website: Text(200) = ""
    industry: choice(Industry.values, blank=True) = ""
    region: choice(Region.values, blank=True) = ""
    size: choice(CompanySize.values, blank=True) = ""
    language: choice(CustomerLanguage.values, blank=True) = ""
    source: choice(LeadSource.values) = LeadSource.API.value
    status: choice(INPUT_STATUSES) = LeadStatus.NEW.value
    description: Text(20_000) = ""
    disqualify_reason: Text(200) = ""
    campaign_id: Id | None = None
    owner_id: Id | None = None
    allow_duplicate: StrictBool = Field(False, description=ALLOW_DUPLICATE_DOC)
    custom_fields: CustomFieldsIn | None = None


class LeadPatch(PatchSchema):
    """Converted leads are read-only (409); `converted` is reached only through /convert."""

    version: Version
    name: Text(120, required=True) = None
    company: CompanyName = None
    title: Text(120) = None
    email: Email = None
    phone: Text(40) = None
    brn: Text(12) = None
    website: Text(200) = None
    industry: choice(Industry.values, blank=True) = None
    region: choice(Region.values, blank=True) = None
    size: choice(CompanySize.values, blank=True) = None
    language: choice(CustomerLanguage.values, blank=True) = None
    source: choice(LeadSource.values) = None
    status: choice(INPUT_STATUSES) = None
    description: Text(20_000) = None
    disqualify_reason: Text(200) = None
    campaign_id: Id | None = None
    owner_id: Id = None
    custom_fields: CustomFieldsIn | None = None


LeadQuery = list_query_schema("LeadQuery", LEAD_LIST)
LeadPage = page_schema("LeadPage", LeadOut)


@router.get("/leads", response=responses({200: LeadPage}), summary="List leads")
def list_leads(request: HttpRequest, query: Query[LeadQuery]):
    return list_page(request, leads_for(actor(request)), LEAD_LIST, query)


@router.post("/leads", response=responses({201: LeadOut}), summary="Create a lead")
def create_lead(request: HttpRequest, payload: LeadIn):
    data = payload.model_dump(exclude_unset=True)
    refuse_protected(request, "leads.lead", data)
    data.setdefault("source", LeadSource.API.value)
    data = rename_custom_fields(data)
    allow = data.pop("allow_duplicate", False)
    values = resolve_refs(data, _lead_refs(actor(request)))
    lead = services.create_lead(actor=actor(request), allow_duplicate=allow, **values)
    return Status(201, get_lead_for_user(actor(request), lead.pk))


@router.get("/leads/{id}", response=responses({200: LeadOut}), summary="A lead")
def get_lead(request: HttpRequest, id: int = path_id()):
    return get_lead_for_user(actor(request), id)


@router.patch("/leads/{id}", response=responses({200: LeadOut}), summary="Update a lead")
def update_lead(request: HttpRequest, payload: LeadPatch, id: int = path_id()):
    """Send only the fields to change and the `version` you last read; a stale version is a 409."""
    lead = get_lead_for_user(actor(request), id)
    data = payload.model_dump(exclude_unset=True)
    refuse_protected(request, "leads.lead", data)
    version = data.pop("version")
    changes = resolve_refs(rename_custom_fields(data), _lead_refs(actor(request)))
    services.update_lead(lead, actor=actor(request), changes=changes, expected_version=version)
    return get_lead_for_user(actor(request), id)


# --- conversion -------------------------------------------------------------------------------


class ConvertIn(InputSchema):
    """Attach to an existing account/contact (from /duplicates) or create them from the lead."""

    account_id: Id | None = None
    contact_id: Id | None = None
    create_opportunity: StrictBool = True
    opportunity_name: Text(200) = ""
    amount: AmountType() | None = None
    currency: choice(Currency.values) = Currency.KRW.value
    expected_close_date: IsoDate | None = None
    stage_id: Id | None = None
    version: Version | None = None
    allow_duplicate: StrictBool = Field(
        False,
        description="Create a new account or contact even though /duplicates lists matches; without "
        "it, such a conversion answers 409 with `matches`.",
    )


class ConvertOut(Schema):
    lead_id: int
    account_id: int
    contact_id: int
    opportunity_id: int | None


@router.post("/leads/{id}/convert", response=responses({200: ConvertOut}), summary="Convert a lead")
def convert_lead(request: HttpRequest, payload: ConvertIn, id: int = path_id()):
    """Creates or attaches the account and contact and optionally creates the opportunity, all or
    nothing. A lead converts once: a second call is a 409."""
    user = actor(request)
    lead = get_lead_for_user(user, id)
    data = payload.model_dump(exclude_unset=True)
    refs = resolve_refs(
        {k: data.get(k) for k in ("account_id", "contact_id", "stage_id")},
        {
            "account_id": (
                "account",
                lambda: accounts_for(user).filter(is_archived=False),
                "No such account.",
            ),
            "contact_id": (
                "contact",
                lambda: contacts_for(user).filter(is_archived=False),
                "No such contact.",
            ),
            "stage_id": ("stage", open_stages, "No such open stage."),
        },
    )
    account, contact, opportunity = services.convert_lead(
        lead,
        actor=user,
        expected_version=payload.version,
        account=refs["account"],
        contact=refs["contact"],
        create_opportunity_too=payload.create_opportunity,
        opportunity_name=payload.opportunity_name,
        amount=payload.amount,
        currency=payload.currency,
        expected_close_date=payload.expected_close_date,
        stage=refs["stage"],
        allow_duplicate=payload.allow_duplicate,
    )
    return {
        "lead_id": lead.pk,
        "account_id": account.pk,
        "contact_id": contact.pk,
        "opportunity_id": opportunity.pk if opportunity else None,
    }


class AccountMatchOut(Schema):
    id: int
    name: str
    brn: str
    domain: str
    owner: Ref | None
    score: int
    reasons: list[str]


class ContactMatchOut(Schema):
    id: int
    name: str
    email: str
    account: Ref | None
    owner: Ref | None
    score: int
    reasons: list[str]


class DuplicatesOut(Schema):
    accounts: list[AccountMatchOut]
    contacts: list[ContactMatchOut]


@router.get("/leads/{id}/duplicates", response=responses({200: DuplicatesOut}), summary="Possible duplicates")
def lead_duplicates(request: HttpRequest, id: int = path_id()):
    """Existing accounts and contacts (among those you may see) that the lead may duplicate, strongest
    first: same business registration number, same web or e-mail domain, same or similar company name
    ((주), 주식회사, Inc., Co., Ltd., spacing and case ignored), same e-mail."""
    user = actor(request)
    lead = get_lead_for_user(user, id)
    account_matches, contact_matches = services.conversion_matches(lead, user)

    def row(match, **extra):
        record = match.record
        return {
            "id": record.pk,
            "name": record.name,
            "owner": record.owner,
            "score": match.score,
            "reasons": match.reasons,
            **extra,
        }

    return {
        "accounts": [
            row(m, brn=getattr(m.record, "brn", ""), domain=getattr(m.record, "domain", ""))
            for m in account_matches
        ],
        "contacts": [
            row(m, email=getattr(m.record, "email", ""), account=getattr(m.record, "account", None))
            for m in contact_matches
        ],
    }


# --- interactions -----------------------------------------------------------------------------

INTERACTION_LIST = ListSpec(
    search_fields=["note__icontains"],
    filters={"kind": ("kind", LeadInteraction.Kind.values)},
    orderings={"occurred": "occurred_at", "created": "created_at"},
    default_ordering="-occurred",
)


class InteractionOut(Schema):
    id: int
    lead_id: int
    kind: choice(LeadInteraction.Kind.values)
    occurred_at: dt.datetime
    note: str
    campaign: Ref | None
    actor: Ref | None
    created_at: dt.datetime


class InteractionIn(InputSchema):
    kind: choice(LeadInteraction.Kind.values)
    occurred_at: IsoDateTime | None = None
    note: Text(20_000) = ""
    campaign_id: Id | None = None


InteractionQuery = list_query_schema("InteractionQuery", INTERACTION_LIST)
InteractionPage = page_schema("InteractionPage", InteractionOut)


@router.get(
    "/leads/{id}/interactions", response=responses({200: InteractionPage}), summary="A lead's history"
)
def list_interactions(request: HttpRequest, query: Query[InteractionQuery], id: int = path_id()):
    lead = get_lead_for_user(actor(request), id)
    qs = LeadInteraction.objects.filter(lead=lead).select_related("campaign", "actor")
    return list_page(request, qs, INTERACTION_LIST, query)


@router.post(
    "/leads/{id}/interactions", response=responses({201: InteractionOut}), summary="Log an interaction"
)
def log_interaction(request: HttpRequest, payload: InteractionIn, id: int = path_id()):
    user = actor(request)
    lead = get_lead_for_user(user, id)
    data = payload.model_dump(exclude_unset=True)
    values = resolve_refs(
        data, {"campaign_id": ("campaign", lambda: campaigns_for(user), "No such campaign.")}
    )
    interaction = services.log_interaction(lead, actor=user, **values)
    return Status(201, interaction)
