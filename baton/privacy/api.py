# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints of the privacy app under /api/v1/privacy/: consent statements of a lead or contact;
for administrators the data-subject requests (find, export, erase), retention rules and the logs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from baton.core.api import Id, InputSchema, IsoDateTime, Text, actor, choice, path_id, responses
from baton.core.models import User
from baton.core.records import get_record_for_user
from baton.leads.models import LeadStatus
from baton.privacy import consent as consent_services
from baton.privacy import retention, subjects
from baton.privacy.models import Channel, Consent, ErasureLog, ExportLog, Purpose, RetentionRule

router = Router(tags=["privacy"])

PersonKind = Literal["lead", "contact"]


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators may do this.")
    return user


class ConsentOut(Schema):
    id: int
    purpose: str
    granted: bool
    channel: str
    source: str
    given_at: dt.datetime
    recorded_by_id: int | None
    recorded_at: dt.datetime


class ConsentStateOut(Schema):
    current: dict[str, bool | None]
    history: list[ConsentOut]


class ConsentIn(InputSchema):
    purpose: choice(Purpose.values)
    granted: bool
    channel: choice(Channel.values)
    source: Text(200) = ""
    given_at: IsoDateTime | None = None


def _state(person) -> dict:
    current = consent_services.current_state(person)
    return {
        "current": {k: (v.granted if v is not None else None) for k, v in current.items()},
        "history": list(consent_services.history(person)[:200]),
    }


@router.get(
    "/consents/{kind}/{id}",
    response=responses({200: ConsentStateOut}),
    summary="Consent of a lead or contact: current state per purpose and every dated statement",
)
def get_consents(request: HttpRequest, kind: PersonKind, id: int = path_id()):
    person = get_record_for_user(actor(request), kind, id, kinds=("lead", "contact"))
    return _state(person)


@router.post(
    "/consents/{kind}/{id}",
    response=responses({201: ConsentOut}),
    summary="Record consent given or withdrawn (a new dated statement; earlier ones stay)",
)
def post_consent(request: HttpRequest, kind: PersonKind, payload: ConsentIn, id: int = path_id()):
    person = get_record_for_user(actor(request), kind, id, kinds=("lead", "contact"))
    given_at = payload.given_at
    consent: Consent = consent_services.record_consent(
        person,
        actor=actor(request),
        purpose=payload.purpose,
        granted=payload.granted,
        channel=payload.channel,
        source=payload.source,
        given_at=given_at,
    )
    return Status(201, consent)


class PersonOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    phone: str


@router.get(
    "/subjects",
    response=responses({200: list[PersonOut]}),
    summary="Find a person's leads and contacts by e-mail, phone or name (administrators)",
)
def find_subjects(request: HttpRequest, q: str = Query("", max_length=200)):
    _admin(request)
    if len(q.strip()) < 2:
        raise ValidationError({"q": ["Give at least two characters of an e-mail, phone or name."]})
    leads, contacts = subjects.find_people(q)
    return [
        *({"id": p.pk, "kind": "lead", "name": p.name, "email": p.email, "phone": p.phone} for p in leads),
        *(
            {"id": p.pk, "kind": "contact", "name": p.name, "email": p.email, "phone": p.phone}
            for p in contacts
        ),
    ]


class SubjectIn(InputSchema):
    lead_ids: list[Id] = Field(default_factory=list, max_length=200)
    contact_ids: list[Id] = Field(default_factory=list, max_length=200)


def _subject(payload: SubjectIn) -> subjects.Subject:
    subject = subjects.subject_from_ids(payload.lead_ids, payload.contact_ids)
    if not subject:
        raise HttpError(404, "No such lead or contact.")
    return subject


@router.post(
    "/subjects/export",
    response=responses({200: None}),
    summary="Everything about a person as a ZIP (subject.json and the attachments); logged",
)
def export_subject(request: HttpRequest, payload: SubjectIn):
    user = _admin(request)
    data = subjects.archive(_subject(payload), actor=user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="data-subject.zip"'
    return response


class ErasureOut(Schema):
    id: int
    time: dt.datetime
    actor_id: int | None
    actor_label: str
    trigger: str
    reference: str
    subjects: dict
    counts: dict


@router.post(
    "/subjects/erase",
    response=responses({201: ErasureOut}),
    summary="Erase (pseudonymise) a person everywhere; the erasure is logged without personal data",
)
def erase_subject(request: HttpRequest, payload: SubjectIn):
    user = _admin(request)
    return Status(201, subjects.erase(_subject(payload), actor=user))


@router.get("/erasures", response=responses({200: list[ErasureOut]}), summary="The erasure log")
def list_erasures(request: HttpRequest, limit: int = Query(100, ge=1, le=500)):
    _admin(request)
    return list(ErasureLog.objects.all()[:limit])


class ExportOut(Schema):
    id: int
    time: dt.datetime
    user_id: int | None
    username: str
    kind: str
    what: str
    rows: int


@router.get("/exports", response=responses({200: list[ExportOut]}), summary="Who exported what, when")
def list_exports(request: HttpRequest, limit: int = Query(100, ge=1, le=500)):
    _admin(request)
    return list(ExportLog.objects.all()[:limit])


class RuleOut(Schema):
    id: int
    name: str
    target: str
    lead_statuses: list[str]
    inactive_days: int
    include_archived: bool
    is_active: bool


class RuleIn(InputSchema):
    name: Text(120, required=True)
    target: choice(RetentionRule.Target.values)
    lead_statuses: list[choice(LeadStatus.values)] = Field(default_factory=list, max_length=20)
    inactive_days: int = Field(3 * 365, ge=30, le=36500)
    include_archived: bool = True
    is_active: bool = True


@router.get("/retention-rules", response=responses({200: list[RuleOut]}), summary="Retention rules")
def list_rules(request: HttpRequest):
    _admin(request)
    return list(RetentionRule.objects.all())


@router.post("/retention-rules", response=responses({201: RuleOut}), summary="Add a retention rule")
def create_rule(request: HttpRequest, payload: RuleIn):
    user = _admin(request)
    return Status(201, retention.save_rule(actor=user, **payload.dict()))


class PreviewOut(Schema):
    total: int
    ids: list[int]


@router.get(
    "/retention-rules/{id}/preview",
    response=responses({200: PreviewOut}),
    summary="What the rule would erase now (ids, first 500)",
)
def preview_rule(request: HttpRequest, id: int = path_id()):
    _admin(request)
    rule = get_object_or_404(RetentionRule, pk=id)
    qs = retention.candidates(rule)
    return {"total": qs.count(), "ids": list(qs.values_list("pk", flat=True)[:500])}
