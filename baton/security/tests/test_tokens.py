"""API tokens: expiry, read-only scope, last use on the profile page, throttling of bad tokens,
the first use per day in the security log, and the admins' security API."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from baton.core.models import ApiToken
from baton.core.services import create_api_token
from baton.core.tests.test_api_support import ApiClient
from baton.security.models import SecurityEvent, SignInThrottle

PREFIX = "/api/v1"


def test_expired_token_is_401(alice):
    token, secret = create_api_token(alice, name="short", expires_at=timezone.now() + dt.timedelta(days=1))
    client = ApiClient(alice, secret)
    assert client.get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/me").status_code == 401


def test_expiry_in_the_past_is_refused(alice):
    with pytest.raises(ValidationError):
        create_api_token(alice, name="x", expires_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        create_api_token(alice, name="x", scope="admin")
    assert not ApiToken.objects.filter(user=alice).exists()


def test_read_only_token_reads_but_may_not_write(alice, world):
    _token, secret = create_api_token(alice, name="bi", scope=ApiToken.Scope.READ)
    client = ApiClient(alice, secret)
    assert client.get("/me").status_code == 200
    assert client.get("/leads").status_code == 200
    before = world["lead"].__class__.objects.count()
    response = client.post("/leads", {"name": "Kim", "company": "Read Only Co"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert world["lead"].__class__.objects.count() == before
    # The same request with a read-write token gets past authentication.
    writer = ApiClient(alice)
    assert writer.post("/leads", {"name": "Kim", "company": "Read Only Co"}).status_code == 201


def test_existing_tokens_stay_read_write_without_expiry(alice):
    token, _secret = create_api_token(alice, name="old")
    assert token.scope == ApiToken.Scope.WRITE and token.expires_at is None


def test_profile_creates_scoped_expiring_token_and_shows_last_use(client, alice):
    client.force_login(alice)
    created = client.post("/profile/tokens/", {"name": "BI", "scope": "read", "expires_in": "30"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert token.scope == "read"
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    ApiClient(alice, created.context["secret"]).get("/me")
    token.refresh_from_db()
    page = client.get("/profile/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in page
    assert "Read only" in page
    bad = client.post("/profile/tokens/", {"name": "x", "scope": "root", "expires_in": "30"})
    assert bad.status_code == 400 and ApiToken.objects.filter(user=alice).count() == 1


def test_first_use_each_day_is_logged_once(alice):
    token, secret = create_api_token(alice, name="sync")
    client = ApiClient(alice, secret)
    client.get("/me")
    client.get("/me")
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.TOKEN_USE).count() == 1
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(days=1))
    client.get("/me")
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.TOKEN_USE).count() == 2


def test_bad_tokens_from_one_address_are_locked_but_a_valid_token_still_works(alice, settings):
    settings.BATON_LOGIN_MAX_FAILURES = 2  # an address gets 4 × 2 = 8 refused tokens
    _token, secret = create_api_token(alice, name="ok")
    client = Client(REMOTE_ADDR="10.3.3.3")
    codes = [
        client.get(PREFIX + "/me", HTTP_AUTHORIZATION=f"Bearer bt_guess{i}").status_code for i in range(9)
    ]
    assert codes == [401] * 7 + [429, 429]
    assert SignInThrottle.objects.get(kind=SignInThrottle.Kind.TOKEN, key="10.3.3.3").locked_until
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_FAILED).count() == 9
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKOUT).count() == 1
    assert client.get(PREFIX + "/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_security_api_is_for_admins_and_unlocks(personas):
    root, alice = personas["root"], personas["alice"]
    for _ in range(5):
        Client(REMOTE_ADDR="10.4.4.4").post("/login/", {"username": "alice", "password": "wrong"})
    assert ApiClient(alice).get("/security/lockouts").status_code == 403
    assert ApiClient(alice).get("/security/events").status_code == 403
    admin = ApiClient(root)
    rows = admin.get("/security/lockouts").json()
    account = next(r for r in rows if r["kind"] == "account")
    assert account["key"] == "alice"
    events = admin.get("/security/events?kind=lockout").json()
    assert events and all(e["kind"] == "lockout" for e in events)
    assert admin.post(f"/security/lockouts/{account['id']}/unlock", {}).status_code == 200
    assert not SignInThrottle.objects.filter(pk=account["id"], locked_until__isnull=False).exists()
    assert admin.post("/security/lockouts/999999/unlock", {}).status_code == 404


def test_command_line_token_with_scope_and_expiry(alice):
    out = StringIO()
    call_command(
        "create_api_token", "alice", "--read-only", "--expires-days", "7", stdout=out, stderr=StringIO()
    )
    token = ApiToken.objects.get(user=alice)
    assert token.scope == ApiToken.Scope.READ and token.key_hash == ApiToken.hash_key(out.getvalue().strip())
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    with pytest.raises(CommandError):
        call_command("create_api_token", "alice", "--expires-days", "0", stdout=StringIO(), stderr=StringIO())
