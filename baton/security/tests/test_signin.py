"""Sign-in throttling and lockout, the unlock by an administrator, the security log, sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from baton.core.models import ChangeLog
from baton.security import throttle
from baton.security.models import SecurityEvent, SignInThrottle, UserSession
from conftest import PASSWORD

UA = "Mozilla/5.0 (Test) BatonSuite/1.0"


def browser(address: str = "10.0.0.1") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=UA)


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def kinds(**filters) -> list[str]:
    return list(SecurityEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


def test_sixth_wrong_password_is_locked_and_the_right_one_then_fails_until_unlocked(personas):
    alice, root = personas["alice"], personas["root"]
    client = browser()
    for _ in range(5):
        response = sign_in(client, "alice", "wrong")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    sixth = sign_in(client, "alice", "wrong")
    assert sixth.status_code == 429
    assert "Too many failed sign-ins" in sixth.content.decode()
    # The right password does not help while the account is locked.
    right = sign_in(client, "alice", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    row = SignInThrottle.objects.get(kind=SignInThrottle.Kind.ACCOUNT, key="alice")
    assert row.locked_until is not None and row.locked_until > timezone.now()
    assert kinds(username="alice").count(SecurityEvent.Kind.LOCKOUT) == 1

    # An administrator unlocks (page), then the right password works.
    admin = browser("10.0.0.9")
    admin.force_login(root)
    page = admin.get("/security/admin/lockouts/")
    assert page.status_code == 200 and "alice" in page.content.decode()
    assert admin.post(f"/security/admin/lockouts/{row.pk}/unlock/").status_code == 302
    row.refresh_from_db()
    assert row.locked_until is None and row.failures == 0
    assert ChangeLog.objects.filter(actor=root, note="unlock", object_id=row.pk).exists()
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCK, username="alice").exists()


def test_lock_doubles_with_each_further_failure(personas, settings):
    settings.BATON_LOGIN_LOCK_SECONDS = 60
    for _ in range(5):
        throttle.register_failure(SignInThrottle.Kind.ACCOUNT, "bob")
    first = SignInThrottle.objects.get(key="bob").locked_until
    throttle.register_failure(SignInThrottle.Kind.ACCOUNT, "bob")
    second = SignInThrottle.objects.get(key="bob").locked_until
    assert first is not None and second is not None
    now = timezone.now()
    assert dt.timedelta(seconds=50) < first - now <= dt.timedelta(seconds=60)
    assert dt.timedelta(seconds=110) < second - now <= dt.timedelta(seconds=120)


def test_failures_outside_the_window_start_over(personas, settings):
    for _ in range(4):
        throttle.register_failure(SignInThrottle.Kind.ACCOUNT, "bob")
    SignInThrottle.objects.filter(key="bob").update(
        last_failure_at=timezone.now() - dt.timedelta(minutes=settings.BATON_LOGIN_WINDOW_MINUTES + 1)
    )
    outcome = throttle.register_failure(SignInThrottle.Kind.ACCOUNT, "bob")
    assert outcome.failures == 1 and not outcome.locked_now


def test_unknown_user_gets_the_same_answers_as_a_known_one(personas):
    known, unknown = browser("10.0.0.2"), browser("10.0.0.3")
    answers = []
    for client, name in ((known, "alice"), (unknown, "nobody-here")):
        runs = [sign_in(client, name, "wrong") for _ in range(6)]
        answers.append(
            [(r.status_code, r.context["form"].non_field_errors(), r.context["locked_message"]) for r in runs]
        )
    assert answers[0] == answers[1]
    assert answers[0][-1][0] == 429


def test_one_address_trying_many_accounts_is_locked(personas, settings):
    settings.BATON_LOGIN_MAX_FAILURES = 2  # an address gets 4 × 2 = 8 failures
    client = browser("10.0.0.4")
    for i in range(8):
        assert sign_in(client, f"user{i}", "wrong").status_code == 200
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    # Another address is not affected.
    assert sign_in(browser("10.0.0.5"), "bob", PASSWORD).status_code == 302


def test_success_clears_the_account_failures(personas):
    client = browser()
    for _ in range(3):
        sign_in(client, "bob", "wrong")
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    assert not SignInThrottle.objects.filter(kind=SignInThrottle.Kind.ACCOUNT, key="bob").exists()


def test_sign_in_failure_sign_out_are_logged_with_address_and_agent(personas):
    alice = personas["alice"]
    client = browser("10.1.2.3")
    sign_in(client, "alice", "wrong")
    sign_in(client, "alice", PASSWORD)
    client.post("/logout/")
    events = list(SecurityEvent.objects.filter(username="alice").order_by("id"))
    assert [e.kind for e in events] == ["login_failed", "login", "logout"]
    assert all(e.address == "10.1.2.3" and e.user_agent == UA for e in events)
    assert events[1].user == alice and events[0].user is None


def test_logout_needs_post(personas):
    client = browser()
    sign_in(client, "alice", PASSWORD)
    assert client.get("/logout/").status_code == 405


def test_security_page_lists_sessions_and_signs_out_everywhere(personas):
    alice = personas["alice"]
    laptop, phone = browser("10.0.0.7"), Client(REMOTE_ADDR="10.0.0.8", HTTP_USER_AGENT="PhoneBrowser/2")
    sign_in(laptop, "alice", PASSWORD)
    sign_in(phone, "alice", PASSWORD)
    assert UserSession.objects.filter(user=alice).count() == 2
    page = laptop.get("/security/")
    body = page.content.decode()
    assert (
        page.status_code == 200 and "PhoneBrowser/2" in body and "10.0.0.8" in body and "This browser" in body
    )

    # Sign one session out: the phone is signed out, the laptop is not.
    phone_row = UserSession.objects.get(user=alice, user_agent="PhoneBrowser/2")
    assert laptop.post(f"/security/sessions/{phone_row.pk}/revoke/").status_code == 302
    assert phone.get("/security/").status_code == 302
    assert laptop.get("/security/").status_code == 200

    # Someone else's session is not theirs to end.
    sign_in(phone, "alice", PASSWORD)
    other = browser("10.0.0.9")
    sign_in(other, "bob", PASSWORD)
    bob_row = UserSession.objects.get(user=personas["bob"])
    assert laptop.post(f"/security/sessions/{bob_row.pk}/revoke/").status_code == 404

    assert laptop.post("/security/sessions/revoke-all/").status_code == 302
    assert laptop.get("/security/").status_code == 302
    assert phone.get("/security/").status_code == 302
    assert other.get("/security/").status_code == 200
    assert not UserSession.objects.filter(user=alice).exists()
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.SESSION_REVOKED).count() == 2


def test_admin_pages_are_for_admins(personas, client):
    client.force_login(personas["alice"])
    for url in ("/security/admin/events/", "/security/admin/lockouts/", "/security/admin/policy/"):
        assert client.get(url).status_code == 403
    client.force_login(personas["root"])
    sign_in(browser(), "alice", "wrong")
    page = client.get("/security/admin/events/")
    assert page.status_code == 200 and "Sign-in failed" in page.content.decode()


@pytest.mark.parametrize(
    "forwarded,expected",
    [("", "10.9.9.9"), ("1.2.3.4, 5.6.7.8", "5.6.7.8"), ("1.2.3.4, <script>", "10.9.9.9")],
)
def test_client_address_behind_a_proxy(rf, settings, forwarded, expected):
    settings.BATON_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected


def test_mail_sender_throttle(db):
    assert throttle.mail_sender_allowed("spam@example.com")
    locked = [throttle.register_mail_rejection("Spam@Example.com") for _ in range(5)]
    assert locked == [False, False, False, False, True]
    assert not throttle.mail_sender_allowed("spam@example.com")
    assert throttle.mail_sender_allowed("other@example.com")


def test_security_pages_pin_their_query_counts(personas, django_assert_num_queries):
    root = personas["root"]
    client = browser()
    sign_in(client, "alice", PASSWORD)
    for i in range(5):
        sign_in(browser(f"10.5.0.{i}"), "alice", PASSWORD)
        sign_in(browser(f"10.6.0.{i}"), f"ghost{i}", "wrong")
    with django_assert_num_queries(7):
        assert client.get("/security/").status_code == 200
    admin = Client()
    admin.force_login(root)
    with django_assert_num_queries(3):
        page = admin.get("/security/admin/events/")
    assert page.status_code == 200 and page.content.decode().count("Sign-in failed") >= 5
    with django_assert_num_queries(3):
        assert admin.get("/security/admin/lockouts/").status_code == 200
