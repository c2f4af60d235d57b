"""Single sign-on against a real OpenID Connect provider on 127.0.0.1 (``oidc_provider.py``).

Baton fetches the discovery document, the JWKS, the token and userinfo over real HTTP; the test plays
the browser: it follows Baton's redirect to the provider's authorization endpoint (auto-consent) and
takes the provider's redirect back to Baton's callback.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client, override_settings

from baton.core.models import ChangeLog, Role, User
from baton.security.models import ExternalIdentity, SecurityEvent
from baton.security.tests.oidc_provider import Provider
from conftest import PASSWORD


@pytest.fixture(scope="module")
def provider():
    with Provider() as running:
        yield running


@pytest.fixture
def sso(provider, personas):
    provider.tamper = {}
    provider.signing_key = provider.key
    provider.user = {
        "sub": "00u-kim-1234",
        "email": "jiwoo.kim@corp.example",
        "email_verified": True,
        "preferred_username": "jiwoo.kim",
        "name": "김지우",
        "given_name": "지우",
        "family_name": "김",
        "groups": ["everyone", "baton-managers", "seoul-field-2"],
    }
    with override_settings(
        BATON_OIDC_ISSUER=provider.issuer,
        BATON_OIDC_CLIENT_ID=provider.client_id,
        BATON_OIDC_CLIENT_SECRET=provider.client_secret,
        BATON_OIDC_PROVIDER_NAME="Okta",
        BATON_OIDC_ROLE_MAP="baton-admins=admin,baton-managers=sales_manager,baton-sales=field_sales",
        BATON_OIDC_TEAM_MAP="seoul-field-2=Field Sales 2",
        BATON_OIDC_DEFAULT_ROLE="field_sales",
        BATON_OIDC_ALLOWED_DOMAINS=[],
    ):
        yield provider


def sso_sign_in(client: Client, *, state: str | None = None, follow_next: str = ""):
    start = client.get("/security/sso/login/" + (f"?next={follow_next}" if follow_next else ""))
    assert start.status_code == 302, start
    authorize_url = start["Location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    # The browser's visit to the provider: real HTTP, the provider consents and redirects back.
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/security/sso/callback/"
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    if state is not None:
        params["state"] = state
    return client.get(back.path + "?" + urlencode(params))


def refused(client: Client, response) -> None:
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_first_sign_in_creates_the_user_with_role_and_team_from_the_groups_claim(sso, personas):
    client = Client(HTTP_USER_AGENT="SSO test")
    login_page = client.get("/login/")
    assert "Sign in with Okta" in login_page.content.decode()
    response = sso_sign_in(client, follow_next="/leads/")
    assert response.status_code == 302 and response["Location"] == "/leads/"
    user = User.objects.get(username="jiwoo.kim")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.email == "jiwoo.kim@corp.example" and user.display_name == "김지우"
    assert user.role == Role.SALES_MANAGER  # baton-managers, the first mapped group the person has
    assert user.team is not None and user.team.name == "Field Sales 2"
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.issuer, "00u-kim-1234")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_USER_CREATED, user=user).exists()
    login = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN, user=user)
    assert login.detail.startswith("sso ") and login.user_agent == "SSO test"
    assert ChangeLog.objects.filter(object_id=user.pk, note="single sign-on").exists()
    # Baton really talked to the provider: discovery, keys, token and userinfo.
    for call in ("GET /realm/.well-known/openid-configuration", "GET /realm/jwks", "POST /realm/token"):
        assert call in sso.requests
    assert "GET /realm/userinfo" in sso.requests

    # The second sign-in finds the same user by subject and follows a changed group membership.
    sso.user = {**sso.user, "groups": ["baton-sales"], "email": "jiwoo@corp.example"}
    again = Client()
    assert sso_sign_in(again).status_code == 302
    assert again.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.role == Role.FIELD_SALES
    assert User.objects.filter(email__endswith="@corp.example").count() == 1
    assert ChangeLog.objects.filter(object_id=user.pk, note="single sign-on claims").exists()


def test_an_existing_user_with_the_verified_address_is_linked_not_duplicated(sso, personas):
    alice = personas["alice"]
    alice.email = "alice@corp.example"
    alice.save()
    sso.user = {**sso.user, "sub": "alice-sub", "email": "alice@corp.example", "groups": []}
    client = Client()
    assert sso_sign_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    alice.refresh_from_db()
    assert alice.role == Role.FIELD_SALES  # no mapped group: the role is left as it was
    assert ExternalIdentity.objects.get(subject="alice-sub").user == alice


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("nonce", "nonce"),
        ("aud", "aud"),
        ("expired", "exp"),
        ("issuer", "iss"),
        ("signature", "Signature"),
        ("state", "State"),
    ],
)
def test_tampered_answers_are_refused_and_logged(sso, personas, case, reason):
    now = int(time.time())
    state = None
    if case == "nonce":
        sso.tamper = {"nonce": "not-the-nonce-baton-sent"}
    elif case == "aud":
        # azp names us, so only a real audience check refuses it (Authlib checks aud only when told to).
        sso.tamper = {"aud": "some-other-client", "azp": sso.client_id}
    elif case == "expired":
        sso.tamper = {"iat": now - 3600, "exp": now - 1800}
    elif case == "issuer":
        sso.tamper = {"iss": "http://127.0.0.1:1/evil"}
    elif case == "signature":
        sso.signing_key = sso.rogue_key()
    elif case == "state":
        state = "forged-state-value"
    client = Client()
    refused(client, sso_sign_in(client, state=state))
    assert not User.objects.filter(username="jiwoo.kim").exists()
    assert not ExternalIdentity.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_FAILED)
    assert reason.lower() in event.detail.lower(), event.detail
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()


def test_a_code_cannot_be_replayed(sso, personas):
    client = Client()
    start = client.get("/security/sso/login/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert client.get(back.path + "?" + back.query).status_code == 302
    other = Client()
    refused(other, other.get(back.path + "?" + back.query))  # no state in this browser's session


def test_allowed_domains_refuse_other_addresses(sso, personas):
    sso.user = {**sso.user, "email": "someone@elsewhere.example"}
    with override_settings(BATON_OIDC_ALLOWED_DOMAINS=["corp.example"]):
        client = Client()
        refused(client, sso_sign_in(client))
    assert "domain" in SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_FAILED).detail


def test_without_jit_creation_an_unknown_person_is_refused(sso, personas):
    with override_settings(BATON_OIDC_CREATE_USERS=False):
        client = Client()
        refused(client, sso_sign_in(client))
    assert not User.objects.filter(username="jiwoo.kim").exists()


def test_sso_only_refuses_password_sign_in_except_for_administrators(sso, personas):
    with override_settings(BATON_OIDC_SSO_ONLY=True):
        client = Client()
        response = client.post("/login/", {"username": "alice", "password": PASSWORD})
        assert response.status_code == 403
        assert "single sign-on" in response.content.decode()
        assert "_auth_user_id" not in client.session
        event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED, user=personas["alice"])
        assert event.detail == "sso only"
        # A wrong password still reads as a wrong password (nothing tells whether SSO-only applies).
        wrong = client.post("/login/", {"username": "alice", "password": "nope"})
        assert wrong.status_code == 200 and "correct username and password" in wrong.content.decode()
        root = Client()
        assert root.post("/login/", {"username": "root", "password": PASSWORD}).status_code == 302
        # … and the SSO way in works for everyone.
        assert sso_sign_in(Client()).status_code == 302


def test_sso_pages_are_404_when_not_configured(db):
    client = Client()
    assert client.get("/security/sso/login/").status_code == 404
    assert client.get("/security/sso/callback/?code=x&state=y").status_code == 404
    assert "sso-login" not in client.get("/login/").content.decode()


def test_a_discovery_document_naming_another_issuer_is_refused(sso, personas):
    with override_settings(
        BATON_OIDC_ISSUER=sso.issuer + "-other",
        BATON_OIDC_DISCOVERY_URL=sso.issuer + "/.well-known/openid-configuration",
    ):
        client = Client()
        refused(client, sso_sign_in(client))
    assert "discovery issuer" in SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_FAILED).detail
