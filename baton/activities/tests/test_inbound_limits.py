"""Inbound logging limits against the real aiosmtpd receiver on loopback: unknown logging addresses
are refused at RCPT, senders and client addresses are rate-limited, the review queue has a cap."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as Mime

import pytest

from baton.activities import mail
from baton.activities.inbound import start_receiver
from baton.activities.inbound_limits import RateLimiter, review_queue_bytes
from baton.activities.models import EmailMessage
from baton.activities.tests.test_mail import free_port

DOMAIN = "log.baton.test"


def _mime(sender: str, subject: str, body: str = "hello", attachment: bytes | None = None) -> Mime:
    msg = Mime()
    msg["From"], msg["To"], msg["Subject"] = sender, "alice@baton.test", subject
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="big.bin")
    return msg


@pytest.fixture
def limited_receiver(settings):
    settings.BATON_INBOUND_DOMAIN = DOMAIN
    settings.BATON_INBOUND_RATE_PER_SENDER = 2
    settings.BATON_INBOUND_RATE_PER_CLIENT = 4
    settings.BATON_INBOUND_REVIEW_MAX_MB = 1
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_unknown_and_inactive_logging_addresses_are_refused_at_rcpt(personas, limited_receiver):
    bob = personas["bob"]
    bobs = mail.logging_address(bob)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with smtplib.SMTP("127.0.0.1", limited_receiver, timeout=10) as client:
        for n, address in enumerate((f"log+guessed@{DOMAIN}", f"log+{'x' * 300}@{DOMAIN}", bobs)):
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                client.send_message(_mime(f"a{n}@b.kr", "guess"), to_addrs=[address])
            assert refused.value.recipients[address][0] == 550
    assert not EmailMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_senders_and_client_addresses_are_rate_limited(personas, limited_receiver):
    address = mail.logging_address(personas["alice"])
    with smtplib.SMTP("127.0.0.1", limited_receiver, timeout=10) as client:
        client.send_message(_mime("spam@flood.kr", "1"), to_addrs=[address])
        client.send_message(_mime("spam@flood.kr", "2"), to_addrs=[address])
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(_mime("spam@flood.kr", "3"), to_addrs=[address])
        assert refused.value.smtp_code == 450
        # Another sender from the same client still gets through, up to the client's limit (4).
        client.send_message(_mime("other@flood.kr", "4"), to_addrs=[address])
        client.send_message(_mime("third@flood.kr", "5"), to_addrs=[address])
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(_mime("fourth@flood.kr", "6"), to_addrs=[address])
        assert refused.value.smtp_code == 450
    assert sorted(EmailMessage.objects.values_list("subject", flat=True)) == ["1", "2", "4", "5"]


@pytest.mark.django_db(transaction=True)
def test_review_queue_storage_is_capped(personas, world, limited_receiver):
    address = mail.logging_address(personas["alice"])
    world["contact"].refresh_from_db()
    with smtplib.SMTP("127.0.0.1", limited_receiver, timeout=10) as client:
        client.send_message(_mime("a@stranger.kr", "first", attachment=b"x" * 700_000), to_addrs=[address])
        with pytest.raises(smtplib.SMTPDataError) as full:
            client.send_message(
                _mime("b@stranger.kr", "second", attachment=b"y" * 700_000), to_addrs=[address]
            )
        assert full.value.smtp_code == 452
        # Mail matched to a contact is logged on the record, not held in the queue: still accepted.
        client.send_message(
            _mime("minjun@hanbit.co.kr", "from the contact", attachment=b"z" * 700_000), to_addrs=[address]
        )
    stored = dict(EmailMessage.objects.values_list("subject", "status"))
    assert stored == {"first": "review", "from the contact": "logged"}
    assert 700_000 < review_queue_bytes() < 1024 * 1024


def test_rate_limiter_window_slides():
    limiter = RateLimiter(2, window=10)
    assert limiter.allow("k", now=0) and limiter.allow("k", now=1)
    assert not limiter.allow("k", now=5)
    assert limiter.allow("fresh", now=5, dry_run=True) and limiter.allow("fresh", now=5, dry_run=True)
    assert limiter.allow("other", now=5)
    assert limiter.allow("k", now=10.5)  # the first event left the window
