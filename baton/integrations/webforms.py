"""Web-to-lead: administrators define public forms; a visitor's submission becomes a lead through the
leads services (routed by the routing rules, consent recorded by the privacy app when given).

Spam protection: a honeypot field people never see (a filled one is answered like a success and
nothing is stored) and a per-address limit of submissions per hour (``BATON_WEBFORM_RATE_PER_HOUR``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.integrations.models import WebForm, new_form_token
from baton.integrations.webhooks import require_admin
from baton.leads.models import Campaign, Lead, LeadSource
from baton.leads.services import create_lead
from baton.privacy.consent import record_consent
from baton.privacy.models import Channel, Purpose
from baton.scoring.routing import route_lead

HONEYPOT = "hp_url"  # a field hidden from people; bots fill every field
CONSENT = "consent"
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
FIELD_NAMES = ["name", *(name for name, _label in WebForm.FIELD_CHOICES)]
MAX_VALUE = 2000
AUDITED = [
    "name",
    "fields",
    "source",
    "campaign_id",
    "route",
    "thank_you_url",
    "thank_you_message",
    "allowed_origins",
    "consent_text",
    "is_active",
]


class RateLimited(Exception):
    """Too many submissions from one address this hour."""


@dataclass(frozen=True)
class Submitted:
    lead: Lead | None  # None: the honeypot caught it
    consent: bool = False


@transaction.atomic
def save_webform(form: WebForm | None, *, actor: User, values: dict[str, Any]) -> WebForm:
    require_admin(actor)
    creating = form is None
    form = form or WebForm(created_by=actor, token=new_form_token())
    before = {} if creating else snapshot(form, AUDITED)
    for name in AUDITED:
        key = "campaign" if name == "campaign_id" else name
        if key in values:
            setattr(form, key, values[key])
    errors: dict[str, list[str]] = {}
    unknown = [f for f in form.fields if f not in FIELD_NAMES[1:]]
    if unknown:
        errors["fields"] = [_("Unknown field: %(names)s") % {"names": ", ".join(map(str, unknown))}]
    form.fields = [f for f in FIELD_NAMES[1:] if f in form.fields]  # the form's order, no repeats
    if form.source not in LeadSource.values:
        errors["source"] = [_("Choose a lead source.")]
    for origin in form.origins():
        if not origin.startswith(("http://", "https://")) or "/" in origin.split("://", 1)[1]:
            errors["allowed_origins"] = [_("Write origins like https://www.example.co.kr, one per line.")]
    try:
        form.full_clean(exclude=["fields", "source", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    form.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if creating else ChangeLog.Action.UPDATE,
        instance=form,
        before=before,
        after=snapshot(form, AUDITED),
    )
    return form


@transaction.atomic
def delete_webform(form: WebForm, *, actor: User) -> None:
    """Remove a form (its public URL stops answering); the leads it made keep their source and tags."""
    require_admin(actor)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=form, before=snapshot(form, AUDITED))
    form.delete()


def origin_allowed(form: WebForm, origin: str | None) -> bool:
    """A browser names the page's origin on a cross-site POST; a server-side post names none."""
    allowed = form.origins()
    if not allowed or not origin:
        return True
    return origin.strip().rstrip("/").lower() in allowed


def _take_slot(address: str) -> None:
    key = f"integrations:webform-rate:{address or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    if count > settings.BATON_WEBFORM_RATE_PER_HOUR:
        raise RateLimited


def _text(data: Any, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValidationError({name: [_("Enter text.")]})
    return str(value).strip()[:MAX_VALUE]


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value is True or str(value).strip().lower() in ("1", "on", "true", "yes")


def submit(form: WebForm, data: Any, *, address: str) -> Submitted:
    """Turn one submission into a lead (all or nothing). ``data``: the posted fields (a QueryDict or the
    decoded JSON object). Raises ``RateLimited`` or ``ValidationError`` with field messages."""
    if _text(data, HONEYPOT):
        return Submitted(lead=None)
    _take_slot(address)
    values: dict[str, Any] = {name: _text(data, name) for name in ["name", *form.fields]}
    values = {k: v for k, v in values.items() if v}
    if not values.get("name"):
        raise ValidationError({"name": [_("Enter your name.")]})
    if "email" in values:
        values["email"] = values["email"].lower()
    utm = {k: _text(data, k)[:200] for k in UTM if _text(data, k)}
    if utm:
        tags = " ".join(f"{k}={v}" for k, v in utm.items())
        values["description"] = "\n\n".join(x for x in (values.get("description", ""), tags) if x)
    consent = bool(form.consent_text) and _truthy(data.get(CONSENT))
    with transaction.atomic():
        campaign = Campaign.objects.filter(pk=form.campaign_id).first() if form.campaign_id else None
        lead = create_lead(actor=None, allow_duplicate=None, source=form.source, campaign=campaign, **values)
        if consent:
            record_consent(
                lead,
                actor=None,
                purpose=Purpose.MARKETING_EMAIL,
                granted=True,
                channel=Channel.WEB_FORM,
                source=f"{form.name}: {form.consent_text}"[:200],
            )
        if form.route:
            route_lead(lead, actor=None)
    return Submitted(lead=lead, consent=consent)
