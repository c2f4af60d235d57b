"""Consent: dated statements never overwritten; marketing mail refused without consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from baton.activities import mail
from baton.activities.models import EmailMessage
from baton.core.testing import audit_rows
from baton.core.tests.test_api_support import ApiClient
from baton.privacy import consent
from baton.privacy.models import Consent


def _days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def test_withdrawal_is_a_new_row_and_the_newest_statement_is_the_state(world, alice):
    contact = world["contact"]
    first = consent.record_consent(
        contact,
        actor=alice,
        purpose="marketing_email",
        granted=True,
        channel="web_form",
        given_at=_days_ago(10),
    )
    consent.record_consent(
        contact, actor=alice, purpose="marketing_email", granted=False, channel="email", given_at=_days_ago(2)
    )
    state = consent.current_state(contact)
    assert state["marketing_email"].granted is False
    assert state["phone"] is None and state["third_party"] is None
    first.refresh_from_db()
    assert first.granted is True  # the grant is still there, dated
    assert Consent.objects.filter(contact=contact).count() == 2
    assert audit_rows(first).filter(note="consent given").exists()


def test_bad_consent_input_is_refused_without_a_row(world, alice):
    with pytest.raises(ValidationError) as exc:
        consent.record_consent(
            world["lead"],
            actor=alice,
            purpose="spam",
            granted=True,
            channel="web_form",
            given_at=timezone.now() + dt.timedelta(days=3),
        )
    assert set(exc.value.message_dict) == {"purpose", "given_at"}
    assert not Consent.objects.exists()


def _send(contact, alice, **extra):
    return mail.send_record_email(
        contact, actor=alice, to=contact.email, subject="뉴스레터", body="본문", **extra
    )


def test_marketing_mail_needs_consent_and_stops_after_withdrawal(world, alice):
    contact = world["contact"]
    with pytest.raises(ValidationError) as exc:
        _send(contact, alice, marketing=True)
    assert "no consent to marketing e-mail from minjun@hanbit.co.kr" in exc.value.message_dict["to"][0]
    assert not EmailMessage.objects.exists()
    _send(contact, alice)  # not marketing: a customer's mail goes
    consent.record_consent(
        contact,
        actor=alice,
        purpose="marketing_email",
        granted=True,
        channel="web_form",
        given_at=_days_ago(5),
    )
    _send(contact, alice, marketing=True)
    consent.record_consent(
        contact, actor=alice, purpose="marketing_email", granted=False, channel="phone", given_at=_days_ago(1)
    )
    with pytest.raises(ValidationError):
        _send(contact, alice, marketing=True)
    assert EmailMessage.objects.count() == 2
    # Consent to phone calls is not consent to marketing mail.
    consent.record_consent(contact, actor=alice, purpose="phone", granted=True, channel="phone")
    assert consent.marketing_refusals([contact.email]) == [contact.email]


def test_compose_page_shows_the_refusal_on_the_to_field(client: Client, world, alice):
    client.force_login(alice)
    contact = world["contact"]
    url = f"/activities/mail/contact/{contact.pk}/compose/"
    response = client.post(
        url, {"to": contact.email, "subject": "행사 안내", "body": "초대합니다", "marketing": "on"}
    )
    assert response.status_code == 200
    assert "Marketing mail refused" in response.content.decode()
    assert not EmailMessage.objects.exists()


def test_consent_panel_and_form_on_lead_and_contact(client: Client, world, alice, personas):
    client.force_login(alice)
    lead = world["lead"]
    panel = client.get(f"/privacy/consent/lead/{lead.pk}/")
    assert panel.status_code == 200 and 'data-testid="consent-panel"' in panel.content.decode()
    assert f"/privacy/consent/lead/{lead.pk}/" in client.get(f"/leads/{lead.pk}/").content.decode()
    added = client.post(
        f"/privacy/consent/lead/{lead.pk}/add/",
        {"purpose": "third_party", "granted": "1", "channel": "paper", "source": "서면 동의서"},
    )
    assert added.status_code == 302
    assert Consent.objects.get(lead=lead).source == "서면 동의서"
    bad = client.post(
        f"/privacy/consent/lead/{lead.pk}/add/", {"purpose": "x", "granted": "1", "channel": "paper"}
    )
    assert bad.status_code == 400
    swapped = client.post(
        f"/privacy/consent/lead/{lead.pk}/add/",
        {"purpose": "x", "granted": "1", "channel": "paper"},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200 and "error-purpose" in swapped.content.decode()
    assert Consent.objects.count() == 1
    contact = world["contact"]
    assert client.get(f"/privacy/consent/contact/{contact.pk}/").status_code == 200
    assert client.get(f"/privacy/consent/account/{world['account'].pk}/").status_code == 404
    outsider = Client()
    outsider.force_login(personas["charlie"])
    assert outsider.get(f"/privacy/consent/lead/{lead.pk}/").status_code == 404


def test_consent_api(world, alice, personas):
    api = ApiClient(alice)
    lead = world["lead"]
    created = api.post(
        f"/privacy/consents/lead/{lead.pk}",
        {"purpose": "marketing_email", "granted": True, "channel": "event", "source": "세미나"},
    )
    assert created.status_code == 201, created.content
    state = api.get(f"/privacy/consents/lead/{lead.pk}").json()
    assert state["current"] == {"marketing_email": True, "phone": None, "third_party": None}
    assert len(state["history"]) == 1
    assert api.post(f"/privacy/consents/lead/{lead.pk}", {"purpose": "x", "granted": True}).status_code == 422
    assert ApiClient(personas["charlie"]).get(f"/privacy/consents/lead/{lead.pk}").status_code == 404
