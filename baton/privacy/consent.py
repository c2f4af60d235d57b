"""Consent per person (lead or contact) and purpose: dated statements, never overwritten; the current
state of a purpose is the newest statement. Marketing mail to anyone without consent is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Contact
from baton.core.audit import log_change
from baton.core.events import MailSending
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.leads.models import Lead
from baton.privacy.models import Channel, Consent, Purpose

Person = Lead | Contact


def person_filter(person: Any) -> dict[str, Any]:
    """The Consent lookup of a person: ``{"lead": lead}`` or ``{"contact": contact}``."""
    if isinstance(person, Lead):
        return {"lead": person}
    if isinstance(person, Contact):
        return {"contact": person}
    raise ValueError(f"not a person record: {person!r}")


def history(person: Person) -> models.QuerySet[Consent]:
    return (
        Consent.objects.filter(**person_filter(person))
        .select_related("recorded_by")
        .order_by("-given_at", "-id")
    )


def current_state(person: Person) -> dict[str, Consent | None]:
    """Per purpose, the newest statement (``granted`` True or False), or None when never asked."""
    state: dict[str, Consent | None] = dict.fromkeys(Purpose.values)
    for row in history(person):
        if state[row.purpose] is None:
            state[row.purpose] = row
    return state


@transaction.atomic
def record_consent(
    person: Person,
    *,
    actor: User | None,
    purpose: str,
    granted: bool,
    channel: str,
    source: str = "",
    given_at: dt.datetime | None = None,
) -> Consent:
    """Add one dated statement (a grant or a withdrawal); earlier ones stay as they were."""
    if actor is not None and not can_edit(actor, person):
        raise PermissionDenied(_("You may read this record but not change it."))
    now = timezone.now()
    given_at = given_at or now
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel.")]
    if given_at > now + dt.timedelta(minutes=5):
        errors["given_at"] = [_("The date cannot be in the future.")]
    if len(source or "") > 200:
        errors["source"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        **person_filter(person),
        purpose=purpose,
        granted=bool(granted),
        channel=channel,
        source=(source or "").strip(),
        given_at=given_at,
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=consent,
        after={
            "purpose": purpose,
            "granted": bool(granted),
            "channel": channel,
            "given_at": given_at.isoformat(),
        },
        note="consent given" if granted else "consent withdrawn",
        parent=person,
    )
    return consent


def marketing_refusals(addresses: list[str] | tuple[str, ...]) -> list[str]:
    """The addresses a marketing mail may not go to: the newest marketing-e-mail statement of the
    leads and contacts with that address (a lead and the contact it became are one person) is not a
    grant, or there is none."""
    refused = []
    for address in addresses:
        newest = (
            Consent.objects.filter(purpose=Purpose.MARKETING_EMAIL)
            .filter(models.Q(lead__email__iexact=address) | models.Q(contact__email__iexact=address))
            .order_by("-given_at", "-id")
            .first()
        )
        if newest is None or not newest.granted:
            refused.append(address)
    return refused


def refuse_marketing_without_consent(payload: MailSending) -> None:
    """Subscriber of ``mail_sending``: a marketing mail needs every recipient's consent."""
    if not payload.marketing:
        return
    refused = marketing_refusals(list(payload.recipients))
    if refused:
        raise ValidationError(
            {
                "to": [
                    _(
                        "Marketing mail refused: no consent to marketing e-mail from %(addresses)s. "
                        "Record their consent on the lead or contact first, "
                        "or send it as a non-marketing mail."
                    )
                    % {"addresses": ", ".join(refused)[:300]}
                ]
            }
        )
