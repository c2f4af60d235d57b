"""Password change and reset by e-mail (locmem and a real SMTP server on loopback), the policy,
both languages."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from baton.activities.tests.test_mail import smtp_server  # noqa: F401 (a fixture: aiosmtpd on loopback)
from baton.security.models import SecurityEvent, UserSession
from conftest import PASSWORD

NEW = "quiet-violet-harbour-42"


def test_password_change_signs_other_sessions_out_and_is_logged(personas):
    alice = personas["alice"]
    here, elsewhere = Client(HTTP_USER_AGENT="Here/1"), Client(HTTP_USER_AGENT="Elsewhere/1")
    here.post("/login/", {"username": "alice", "password": PASSWORD})
    elsewhere.post("/login/", {"username": "alice", "password": PASSWORD})
    page = here.get("/security/password/")
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()

    weak = here.post(
        "/security/password/",
        {"old_password": PASSWORD, "new_password1": "alice123", "new_password2": "alice123"},
    )
    assert weak.status_code == 200
    errors = weak.context["form"].errors["new_password2"]
    assert any("too short" in e for e in errors) and any(
        "too similar" in e or "too common" in e for e in errors
    )

    done = here.post(
        "/security/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert here.get("/security/").status_code == 200  # this session stays signed in
    assert elsewhere.get("/security/").status_code == 302  # the other one is signed out
    assert list(UserSession.objects.filter(user=alice).values_list("user_agent", flat=True)) == ["Here/1"]
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.PASSWORD_CHANGE)
    assert event.user_agent == "Here/1"


def test_password_min_length_comes_from_settings(personas, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 30},
        }
    ]
    client = Client()
    client.force_login(personas["alice"])
    response = client.post(
        "/security/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert "at least 30 characters" in str(response.context["form"].errors)


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/security/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_password_reset_by_mail_with_locmem(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice = personas["alice"]
    client = Client()
    page = client.get("/login/")
    assert "/security/password/reset/" in page.content.decode()
    sent = client.post("/security/password/reset/", {"email": "alice@baton.test"})
    assert sent.status_code == 302
    # An unknown address gets the same answer and no mail.
    other = client.post("/security/password/reset/", {"email": "nobody@example.com"})
    assert other.status_code == 302 and other["Location"] == sent["Location"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@baton.test"] and "Reset your Baton password" in message.subject
    link = _reset_link(message.body)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    # The link works once.
    assert "invalid" in client.get(link, follow=True).content.decode()
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {SecurityEvent.Kind.PASSWORD_RESET_REQUEST, SecurityEvent.Kind.PASSWORD_RESET} <= kinds


def test_password_reset_mail_in_korean_through_real_smtp(personas, smtp_server):  # noqa: F811
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    page = client.get("/security/password/reset/")
    assert "비밀번호" in page.content.decode()
    assert client.post("/security/password/reset/", {"email": "bob@baton.test"}).status_code == 302
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["bob@baton.test"]
    body = envelope.content.decode("utf-8", "replace")
    assert "/security/password/reset/" in body
