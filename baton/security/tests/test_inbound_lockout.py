"""The inbound mail receiver's lockout, against the real aiosmtpd receiver on loopback: unknown
logging addresses count like wrong passwords per client address (this app's throttle, reached through
core events), so a server guessing logging-address tokens is locked out, even for a real address,
until an administrator unlocks it; the lockout is in the security log."""

from __future__ import annotations

import smtplib

import pytest

from baton.activities import mail
from baton.activities.inbound import start_receiver
from baton.activities.models import EmailMessage
from baton.activities.tests.test_inbound_limits import DOMAIN, _mime
from baton.activities.tests.test_mail import free_port
from baton.security import services
from baton.security.models import SecurityEvent, SignInThrottle


@pytest.fixture
def receiver(settings):
    settings.BATON_INBOUND_DOMAIN = DOMAIN
    settings.BATON_LOGIN_MAX_FAILURES = 3
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_client_guessing_logging_addresses_is_locked_out_until_unlocked(personas, receiver):
    limited_receiver = receiver
    address = mail.logging_address(personas["alice"])
    with smtplib.SMTP("127.0.0.1", limited_receiver, timeout=10) as client:
        for n in range(3):
            guess = f"log+guess{n}@{DOMAIN}"
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.send_message(_mime(f"g{n}@b.kr", "guess"), to_addrs=[guess])
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(_mime("real@b.kr", "real"), to_addrs=[address])
        assert refused.value.smtp_code == 450 and b"unknown logging addresses" in refused.value.smtp_error
    assert not EmailMessage.objects.exists()
    lock = SignInThrottle.objects.get(kind=SignInThrottle.Kind.MAIL, key="127.0.0.1")
    assert lock.locked_until is not None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKOUT, address="127.0.0.1").count() == 1

    services.unlock(lock, actor=personas["root"])
    with smtplib.SMTP("127.0.0.1", limited_receiver, timeout=10) as client:
        client.send_message(_mime("real@b.kr", "real"), to_addrs=[address])
    assert EmailMessage.objects.filter(subject="real").exists()
