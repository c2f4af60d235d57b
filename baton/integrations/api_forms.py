# mypy: disable-error-code="valid-type"
"""The web-to-lead forms under /api/v1/integrations/web-forms (administrators): list, read, create,
edit and delete, through the same service and validation as the pages (``webforms.save_webform``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import Field

from baton.core.api import InputSchema, Text, actor, choice, path_id, responses
from baton.integrations import webforms
from baton.integrations.api import router
from baton.integrations.models import WebForm
from baton.leads.models import Campaign, LeadSource

ASKABLE = [name for name, _label in WebForm.FIELD_CHOICES]


class WebFormOut(Schema):
    id: int
    name: str
    token: str
    public_url: str
    fields: list[str]
    source: str
    campaign_id: int | None
    route: bool
    thank_you_url: str
    thank_you_message: str
    allowed_origins: list[str]
    consent_text: str
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_public_url(obj: WebForm) -> str:
        return reverse("integrations:webform_public", args=[obj.token])

    @staticmethod
    def resolve_allowed_origins(obj: WebForm) -> list[str]:
        return obj.origins()


class WebFormIn(InputSchema):
    name: Text(120, required=True)
    fields: list[choice(ASKABLE)] = Field(default_factory=list, max_length=len(ASKABLE))
    source: choice(LeadSource.values) = LeadSource.WEB_FORM
    campaign_id: int | None = Field(None, ge=1, le=2**31 - 1)
    route: bool = True
    thank_you_url: Text(500) = ""
    thank_you_message: Text(500) = ""
    allowed_origins: list[Text(200)] = Field(default_factory=list, max_length=50)
    consent_text: Text(500) = ""
    is_active: bool = True


class WebFormPatch(InputSchema):
    name: Text(120) | None = None
    fields: list[choice(ASKABLE)] | None = Field(None, max_length=len(ASKABLE))
    source: choice(LeadSource.values) | None = None
    campaign_id: int | None = Field(None, ge=0, le=2**31 - 1)  # 0: no campaign
    route: bool | None = None
    thank_you_url: Text(500) | None = None
    thank_you_message: Text(500) | None = None
    allowed_origins: list[Text(200)] | None = Field(None, max_length=50)
    consent_text: Text(500) | None = None
    is_active: bool | None = None


def _values(data: dict) -> dict:
    """The API's shapes as the service takes them (the page's form gives the same)."""
    values = {k: v for k, v in data.items() if v is not None}
    if "allowed_origins" in values:
        values["allowed_origins"] = "\n".join(o.strip() for o in values["allowed_origins"] if o.strip())
    if "campaign_id" in data and data["campaign_id"] is not None:
        campaign_id = data["campaign_id"]
        values.pop("campaign_id")
        if campaign_id == 0:
            values["campaign"] = None
        else:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                raise ValidationError({"campaign_id": [_("No such campaign.")]})
            values["campaign"] = campaign
    return values


def _form(request: HttpRequest, id: int) -> WebForm:
    webforms.require_admin(actor(request))
    return get_object_or_404(WebForm, pk=id)


@router.get(
    "/web-forms", response=responses({200: list[WebFormOut]}), tags=["integrations"], summary="Web forms"
)
def list_webforms(request: HttpRequest):
    webforms.require_admin(actor(request))
    return list(WebForm.objects.order_by("name", "id")[:500])


@router.post(
    "/web-forms", response=responses({201: WebFormOut}), tags=["integrations"], summary="Add a web form"
)
def create_webform(request: HttpRequest, payload: WebFormIn):
    saved = webforms.save_webform(None, actor=actor(request), values=_values(payload.model_dump()))
    return Status(201, saved)


@router.get(
    "/web-forms/{id}", response=responses({200: WebFormOut}), tags=["integrations"], summary="A web form"
)
def get_webform(request: HttpRequest, id: int = path_id()):
    return _form(request, id)


@router.patch(
    "/web-forms/{id}", response=responses({200: WebFormOut}), tags=["integrations"], summary="Edit a web form"
)
def update_webform(request: HttpRequest, payload: WebFormPatch, id: int = path_id()):
    form = _form(request, id)
    return webforms.save_webform(form, actor=actor(request), values=_values(payload.model_dump()))


@router.delete(
    "/web-forms/{id}", response=responses({204: None}), tags=["integrations"], summary="Delete a web form"
)
def delete_webform(request: HttpRequest, id: int = path_id()):
    webforms.delete_webform(_form(request, id), actor=actor(request))
    return Status(204, None)
