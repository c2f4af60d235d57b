"""Core pages: sign-in, home, language switch, profile and API tokens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from baton.core.models import ApiToken
from baton.core.testing import audit_rows
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/profile/",
        "/leads/",
        "/accounts/",
        "/contacts/",
        "/deals/",
        "/deals/board/",
        "/leads/new/",
        "/accounts/new/",
        "/contacts/new/",
        "/deals/new/",
        "/accounts/lookup/",
        "/contacts/lookup/",
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_and_sign_in(client, alice):
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'data-testid="language-switch"' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    bad = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200
    assert b"alert-danger" in bad.content
    good = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert good.status_code == 302
    assert good["Location"] == "/"


def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_language_switch_saves_user_language_and_cookie(client, alice):
    client.force_login(alice)
    response = client.post("/language/", {"language": "en", "next": "/leads/"})
    assert response.status_code == 302
    assert response["Location"] == "/leads/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    alice.refresh_from_db()
    assert alice.language == "en"
    assert audit_rows(alice).filter(after={"language": "en"}).exists()
    page = client.get("/")
    assert page.content.decode().count('lang="en"') >= 1


def test_language_switch_for_anonymous_sets_cookie_and_ignores_foreign_next(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/language/").status_code == 405


def test_language_switch_rejects_unknown_language(client, alice):
    client.force_login(alice)
    response = client.post("/language/", {"language": "xx"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == ""


def test_language_switch_requires_csrf(alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    assert csrf_client.post("/language/", {"language": "en"}).status_code == 403


def test_profile_shows_user_and_creates_and_revokes_tokens(client, alice, bob, django_assert_num_queries):
    client.force_login(alice)
    with django_assert_num_queries(4):
        page = client.get("/profile/")
    assert page.status_code == 200
    assert "Field Sales 1" in page.content.decode()

    created = client.post("/profile/tokens/", {"name": "ERP sync", "scope": "write", "expires_in": "90"})
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("bt_")
    assert secret in created.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == ApiToken.hash_key(secret)
    # shown once: the next visit does not show it
    assert secret not in client.get("/profile/").content.decode()

    empty = client.post("/profile/tokens/", {"name": ""})
    assert empty.status_code == 400
    assert ApiToken.objects.filter(user=alice).count() == 1

    # bob cannot revoke alice's token
    client.force_login(bob)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/profile/tokens/{token.pk}/revoke/").status_code == 405
    revoked = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audit_rows(token, "token").filter(after={"revoked": True}).exists()


def test_pages_escape_user_data(client, alice):
    from baton.leads.services import create_lead

    lead = create_lead(actor=alice, name="<script>alert(1)</script>", company="<b>Evil</b>")
    client.force_login(alice)
    for url in ("/leads/", f"/leads/{lead.pk}/", "/"):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
