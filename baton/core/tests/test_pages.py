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


# --- the permission matrix: every route × every role (see baton/core/tests/matrix/) -------------------


def _routes() -> dict[str, list[str]]:
    """Every named page route (the API is covered by its OpenAPI document) and its URL parameters."""
    from django.urls import URLResolver, get_resolver

    found: dict[str, list[str]] = {}

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                walk(p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif p.name:
                found[namespace + p.name] = list(p.pattern.regex.groupindex)

    walk(get_resolver().url_patterns)
    return found


def test_page_matrix_covers_every_route():
    from baton.core.tests.matrix import ROUTES

    routes = _routes()
    missing = sorted(set(routes) - set(ROUTES))
    assert not missing, f"declare who may use these new routes in baton/core/tests/matrix/: {missing}"
    assert not sorted(set(ROUTES) - set(routes)), "the matrix names routes that no longer exist"


def test_every_page_by_every_role(cast, world):
    """Blind roles get 404 on every route naming alice's records, role-gated pages answer 403 to the
    rest, and no page anyone opens shows the names of records they may not see."""
    from django.test import Client

    from baton.core.tests.matrix import BLIND, GUARD, PERSONAS, ROUTES, build_world, leaked, url_kwargs

    ids = build_world(cast, world)
    clients = {}
    for name in PERSONAS:
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(cast[name])
    anonymous = Client()
    problems: list[str] = []
    # Security routes go last: signing out everywhere (or changing a password) ends the personas'
    # sessions, and every route after it would only see the sign-in redirect.
    for route, params in sorted(
        _routes().items(), key=lambda item: (item[0].startswith("security:"), item[0])
    ):
        expect = ROUTES[route]
        if expect.what == "public":
            continue
        url = reverse(route, kwargs=url_kwargs(expect, ids, params)) + expect.query
        send = (lambda c, u=url: c.post(u, {})) if expect.method == "post" else (lambda c, u=url: c.get(u))
        if expect.what == "token":
            if anonymous.get(url).status_code != 404:
                problems.append(f"{route}: an unknown token must be 404")
            continue
        if send(anonymous).status_code not in (302, 405):
            problems.append(f"{route}: anonymous is not sent to sign in")
        for name in PERSONAS:
            if expect.what == "record":
                blind = GUARD[expect.record] in BLIND.get(name, ())
                if not blind and (name != "alice" or expect.method != "get"):
                    continue
            response = send(clients[name])
            status = response.status_code
            if status >= 500:
                problems.append(f"{route} {name}: {status}")
            elif expect.what == "record":
                if blind and status != 404:
                    problems.append(f"{route} {name}: {status}, expected 404")
                if not blind and status == 404:
                    problems.append(f"{route} {name}: 404 for the owner (the matrix's ids are wrong)")
            elif expect.what in ("admin", "roles"):
                allowed = name == "root" if expect.what == "admin" else name in expect.roles
                if not allowed and status != 403 and not (expect.names_nothing and status == 404):
                    problems.append(f"{route} {name}: {status}, expected 403")
            streaming = getattr(response, "streaming", False)
            if (
                status == 200
                and not streaming
                and (shown := leaked(name, response.content.decode("utf-8", "replace")))
            ):
                problems.append(f"{route} {name}: shows {shown}")
    assert not problems, "\n".join(problems)


def test_every_page_as_a_partner_user(cast, world):
    """A partner user (the partner persona) gets 403 on every page outside the portal and their own
    profile and security pages, is sent from the home page to the portal, and sees no record's name."""
    from django.test import Client

    from baton.core.models import Role, User
    from baton.core.tests.matrix import (
        PARTNER_NAMESPACES,
        PARTNER_PAGES,
        ROUTES,
        SECRETS,
        build_world,
        url_kwargs,
    )

    ids = build_world(cast, world)
    pia = User.objects.create_user(username="pia", password=PASSWORD, role=Role.PARTNER, display_name="Pia")
    client = Client(raise_request_exception=False)
    client.force_login(pia)
    secrets = [text for texts in SECRETS.values() for text in texts]
    problems: list[str] = []
    checked = 0
    for route, params in sorted(
        _routes().items(), key=lambda item: (item[0].startswith("security:"), item[0])
    ):
        expect = ROUTES[route]
        if expect.what == "public" or expect.what == "token":
            continue
        url = reverse(route, kwargs=url_kwargs(expect, ids, params)) + expect.query
        response = client.post(url, {}) if expect.method == "post" else client.get(url)
        status = response.status_code
        checked += 1
        kept = route in PARTNER_PAGES or route.split(":")[0] in PARTNER_NAMESPACES
        if status >= 500:
            problems.append(f"{route}: {status}")
        elif route == "home":
            if status != 302 or response["Location"] != reverse("portal:home"):
                problems.append(f"home: {status}, expected the portal")
        elif not kept and status != 403:
            problems.append(f"{route}: {status}, expected 403")
        if status == 200 and not getattr(response, "streaming", False):
            body = response.content.decode("utf-8", "replace")
            if shown := [text for text in secrets if text in body]:
                problems.append(f"{route}: shows {shown}")
    assert not problems, "\n".join(problems)
    assert checked > 150
