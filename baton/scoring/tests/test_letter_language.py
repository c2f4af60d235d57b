"""The drafted disqualification letter is written in the customer's language, not the rep's screen's:
a Korean lead gets "김민준 님께" even when the rep works in English (it read "Dear 김민준" before)."""

import html

import pytest

from baton.core.services import create_api_token
from baton.leads.language import guess_language, is_korean_phone, lead_language
from baton.leads.services import create_lead, update_lead
from baton.scoring.models import DisqualifyReason


@pytest.fixture
def english_rep(alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    return alice


@pytest.fixture
def korean_lead(alice, db):
    return create_lead(actor=alice, name="김민준", company="", email="minjun@example.com")


@pytest.mark.parametrize(
    "phone,korean",
    [
        ("010-1234-5678", True),
        ("+82 10 1234 5678", True),
        ("02-123-4567", True),
        ("+1 415 555 0100", False),
        ("", False),
        ("12345", False),
    ],
)
def test_korean_phone(phone, korean):
    assert is_korean_phone(phone) is korean


def test_guess_language(settings):
    settings.LANGUAGE_CODE = "en"
    assert guess_language(name="김민준") == "ko"
    assert guess_language(name="Minjun Kim", company="(주)한빛소프트") == "ko"
    assert guess_language(name="Minjun Kim", phone="+82-10-1234-5678") == "ko"
    assert guess_language(name="John Smith", phone="+1 415 555 0100") == "en"
    settings.LANGUAGE_CODE = "ko"
    assert guess_language(name="John Smith") == "ko"  # the organisation's default


def test_lead_language_set_on_the_lead_wins(alice, korean_lead, settings):
    assert lead_language(korean_lead) == "ko"
    lead = update_lead(korean_lead, actor=alice, changes={"language": "en"}, expected_version=None)
    assert lead_language(lead) == "en"


def test_page_drafts_korean_letter_for_korean_lead_on_english_screen(client, english_rep, korean_lead):
    client.force_login(english_rep)
    page = html.unescape(client.get(f"/scoring/leads/{korean_lead.pk}/").content.decode())
    assert "김민준 님께" in page
    assert "Dear 김민준" not in page
    # The rep can still choose the other language explicitly.
    other = html.unescape(
        client.get(f"/scoring/leads/{korean_lead.pk}/explanation/?lang=en").content.decode()
    )
    assert "Dear 김민준" in other
    default = html.unescape(client.get(f"/scoring/leads/{korean_lead.pk}/explanation/").content.decode())
    assert "김민준 님께" in default


def test_page_drafts_english_letter_for_english_lead_on_korean_screen(client, alice, settings):
    settings.LANGUAGE_CODE = "en"
    lead = create_lead(actor=alice, name="John Smith", company="Acme Inc.", phone="+1 415 555 0100")
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    page = html.unescape(client.get(f"/scoring/leads/{lead.pk}/").content.decode())
    assert "Dear John Smith," in page


def test_api_disqualify_letter_in_the_leads_language(client, english_rep, korean_lead):
    _token, secret = create_api_token(english_rep, name="t")
    reason = DisqualifyReason.objects.get(name_en="No budget")
    r = client.post(
        f"/api/v1/scoring/leads/{korean_lead.pk}/disqualify",
        data={"reason_id": reason.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert r.status_code == 201, r.content
    assert r.json()["explanation"].startswith("김민준 님께")


def test_lead_api_reads_and_writes_language(client, alice, korean_lead):
    _token, secret = create_api_token(alice, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get(f"/api/v1/leads/{korean_lead.pk}", **auth).json()
    assert body["language"] == ""
    r = client.patch(
        f"/api/v1/leads/{korean_lead.pk}",
        data={"version": body["version"], "language": "xx"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422
    r = client.patch(
        f"/api/v1/leads/{korean_lead.pk}",
        data={"version": body["version"], "language": "en"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["language"] == "en"
