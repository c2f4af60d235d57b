"""Web-to-lead: an administrator's form, posted from another site as HTML or JSON, becomes a routed lead
with its campaign, UTM tags and consent; honeypot, rate limit, allowed origins, validation."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from baton.core.testing import assert_audited
from baton.integrations import webforms
from baton.integrations.models import WebForm
from baton.leads.models import Lead
from baton.leads.services import create_campaign
from baton.privacy.models import Consent
from baton.scoring.models import Assignment, RepCapacity, RoutingRule


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def webform(personas):
    root = personas["root"]
    campaign = create_campaign(actor=root, name="AI 세미나")
    return webforms.save_webform(
        None,
        actor=root,
        values={
            "name": "문의하기",
            "fields": ["phone", "company", "email"],
            "source": "web_form",
            "campaign": campaign,
            "route": True,
            "thank_you_message": "감사합니다",
            "allowed_origins": "https://www.nuri.kr",
            "consent_text": "마케팅 정보 수신에 동의합니다",
        },
    )


def _url(form: WebForm) -> str:
    return reverse("integrations:webform_public", args=[form.token])


def test_admin_defines_a_form_and_sees_the_snippet(client, personas, webform):
    assert webform.fields == ["company", "email", "phone"]  # the form's order
    assert_audited(webform, "create", actor=personas["root"], name="문의하기")
    with pytest.raises(PermissionDenied):
        webforms.save_webform(None, actor=personas["alice"], values={"name": "x"})
    client.force_login(personas["alice"])
    assert client.get(reverse("integrations:webforms")).status_code == 403
    client.force_login(personas["root"])
    page = client.get(reverse("integrations:webform", args=[webform.pk])).content.decode()
    assert f"/integrations/f/{webform.token}/" in page
    assert (
        "&lt;form method=&quot;post&quot;" in page
        and "hp_url" in page
        and "마케팅 정보 수신에 동의합니다" in page
    )
    response = client.post(
        reverse("integrations:webforms"), {"name": "자료 받기", "asked": ["email"], "source": "web_form"}
    )
    assert response.status_code == 302 and WebForm.objects.get(name="자료 받기").fields == ["email"]
    bad = client.post(
        reverse("integrations:webforms"),
        {"name": "x", "source": "web_form", "allowed_origins": "www.nuri.kr/page"},
    )
    assert bad.status_code == 200 and b"error-allowed_origins" in bad.content


def test_html_post_creates_a_routed_lead_with_consent(personas, webform):
    bob = personas["bob"]
    rule = RoutingRule.objects.create(name="전체", sequence=1)
    rule.members.add(bob)
    RepCapacity.objects.create(user=bob, weekly_capacity=10)
    anonymous = Client(enforce_csrf_checks=True)  # no CSRF token: posted from another site
    assert anonymous.get(_url(webform)).status_code == 200
    response = anonymous.post(
        _url(webform),
        {
            "name": "박하늘",
            "company": "누리소프트",
            "email": "Sky@Nuri.kr",
            "phone": "010-2222-3333",
            "title": "CEO",  # not a field of this form: ignored
            "consent": "1",
            "utm_source": "newsletter",
            "utm_campaign": "spring",
        },
        HTTP_ORIGIN="https://www.nuri.kr",
    )
    assert response.status_code == 200 and "감사합니다" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.name, lead.company, lead.email, lead.title) == ("박하늘", "누리소프트", "sky@nuri.kr", "")
    assert lead.source == "web_form" and lead.campaign_id == webform.campaign_id
    assert "utm_source=newsletter utm_campaign=spring" in lead.description
    assert lead.owner_id == bob.pk  # routed by the rules
    assert Assignment.objects.filter(lead=lead, assignee=bob).exists()
    consent = Consent.objects.get(lead=lead)
    assert (consent.purpose, consent.granted, consent.channel) == ("marketing_email", True, "web_form")
    assert_audited(lead, "create", actor=None)


def test_json_post_and_thank_you_redirect(personas, webform):
    anonymous = Client()
    response = anonymous.post(
        _url(webform),
        json.dumps({"name": "김하나", "email": "hana@nuri.kr"}),
        content_type="application/json",
        HTTP_ORIGIN="https://www.nuri.kr",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"ok": True, "message": "감사합니다"}
    assert response["Access-Control-Allow-Origin"] == "https://www.nuri.kr"
    lead = Lead.objects.get()
    assert lead.name == "김하나" and not Consent.objects.filter(lead=lead).exists()  # consent not ticked

    webforms.save_webform(
        webform, actor=personas["root"], values={"thank_you_url": "https://www.nuri.kr/thanks"}
    )
    response = anonymous.post(_url(webform), {"name": "이둘"})
    assert response.status_code == 302 and response["Location"] == "https://www.nuri.kr/thanks"


def test_spam_bad_input_and_strangers_are_refused(personas, webform, settings):
    anonymous = Client()
    # The honeypot: answered like a success, nothing stored.
    response = anonymous.post(_url(webform), {"name": "봇", webforms.HONEYPOT: "http://spam"})
    assert response.status_code == 200 and not Lead.objects.exists()
    # Another site's origin.
    response = anonymous.post(_url(webform), {"name": "박하늘"}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and not Lead.objects.exists()
    # Invalid: no name, a bad e-mail — field messages, nothing half-saved.
    response = anonymous.post(_url(webform), json.dumps({"email": "x"}), content_type="application/json")
    assert response.status_code == 422 and "name" in response.json()["errors"]
    response = anonymous.post(
        _url(webform),
        json.dumps({"name": "박하늘", "email": "not-an-email"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "email" in response.json()["errors"]
    response = anonymous.post(_url(webform), b"[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not Lead.objects.exists()
    # An unknown or inactive form.
    assert anonymous.post("/integrations/f/nope/", {"name": "x"}).status_code == 404
    # The per-address limit.
    settings.BATON_WEBFORM_RATE_PER_HOUR = 2
    cache.clear()
    codes = [anonymous.post(_url(webform), {"name": f"사람{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert Lead.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(_url(webform), {"name": "다른 주소"}).status_code == 200
    webforms.save_webform(webform, actor=personas["root"], values={"is_active": False})
    assert other.get(_url(webform)).status_code == 404
