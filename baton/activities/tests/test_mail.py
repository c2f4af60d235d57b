"""Mail against real SMTP servers on loopback (aiosmtpd): sending from a record, inbound logging."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as Mime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from baton.activities import mail, services, tasks
from baton.activities.inbound import start_receiver
from baton.activities.models import Activity, EmailMessage, EmailTemplate, FeedEntry, Notification
from baton.core.testing import assert_audited, free_port, loopback_smtp
from conftest import login


@pytest.fixture
def smtp_server(settings):
    with loopback_smtp(settings, from_email="sales@baton.test") as collector:
        yield collector


@pytest.mark.django_db
def test_template_merge_fields_ko_and_unknown_field(alice, world):
    tpl = mail.save_template(
        None,
        actor=alice,
        name="감사 메일",
        language="ko",
        subject="{{ company }} 방문 감사드립니다",
        body=(
            "{{ contact_name }} {{ contact_title }}님,\n오늘 시간 내주셔서 감사합니다.\n{{ owner_name }} 드림"
        ),
    )
    subject, body = mail.render_template(tpl, world["opportunity"], alice)
    assert subject == "(주)한빛소프트 방문 감사드립니다"
    assert body.startswith("김민준 IT팀장님,") and body.endswith("Alice 드림")
    with pytest.raises(ValidationError):
        mail.save_template(None, actor=alice, name="x", language="en", subject="Hi", body="{{ secret_key }}")
    assert EmailTemplate.objects.count() == 1
    assert_audited(tpl, "create", name="감사 메일")


@pytest.mark.django_db
def test_send_from_record_through_real_smtp_is_logged(
    alice, world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = mail.send_record_email(
            world["contact"],
            actor=alice,
            to="minjun@hanbit.co.kr",
            subject="Thank you",
            body="Thanks for <today>'s visit.",
        )
        # Queued in the transaction, sent by the send_email task after the commit.
        assert EmailMessage.objects.get(pk=stored.pk).status == "queued" and not smtp_server.envelopes
    stored.refresh_from_db()
    assert stored.status == "sent" and stored.sent_at is not None
    assert len(smtp_server.envelopes) == 1
    env = smtp_server.envelopes[0]
    assert env.rcpt_tos == ["minjun@hanbit.co.kr"] and env.mail_from == "sales@baton.test"
    raw = env.content.decode()
    assert "Subject: Thank you" in raw and "&lt;today&gt;" in raw  # HTML part escaped
    assert stored.message_id in raw
    act = stored.activity
    assert (
        act.kind == Activity.Kind.EMAIL
        and act.contact == world["contact"]
        and act.account == world["account"]
    )
    assert FeedEntry.objects.filter(activity=act, account=world["account"]).exists()
    assert act.status == "done"
    # The task is idempotent: a second run (a retried or duplicated task) sends nothing.
    assert tasks.send_email.call(stored.pk) == "skipped"
    assert len(smtp_server.envelopes) == 1


@pytest.mark.django_db
def test_bad_input_saves_nothing_and_refused_mail_is_reported(
    alice, world, settings, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as exc:
        mail.send_record_email(world["contact"], actor=alice, to="not-an-address", subject="x\ny", body="")
    assert set(exc.value.message_dict) == {"to", "subject", "body"}
    assert not Activity.objects.exists() and not EmailMessage.objects.exists()
    # No SMTP server listening: the task marks the mail failed and tells the sender.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        stored = mail.send_record_email(world["contact"], actor=alice, to="a@b.kr", subject="x", body="y")
    stored.refresh_from_db()
    assert stored.status == "failed" and stored.error
    assert stored.activity.status == "cancelled" and stored.activity.outcome.startswith("Not sent")
    note = Notification.objects.get(recipient=alice, kind="mail_failed")
    assert "“x”" in note.text
    assert tasks.send_email.call(stored.pk) == "skipped"
    assert Notification.objects.filter(kind="mail_failed").count() == 1


@pytest.mark.django_db
def test_outsider_cannot_send_from_record(charlie, world):
    with pytest.raises(ValidationError):
        mail.send_record_email(world["contact"], actor=charlie, to="a@b.kr", subject="x", body="y")


def _mime(sender, to, subject, body, *, cc=None, msgid=None, html=False):
    msg = Mime()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    if cc:
        msg["Cc"] = cc
    if msgid:
        msg["Message-ID"] = msgid
    if html:
        msg.set_content(body, subtype="html")
    else:
        msg.set_content(body)
    return msg


@pytest.fixture
def receiver(settings):
    settings.BATON_INBOUND_DOMAIN = "log.baton.test"
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_inbound_logging_over_real_smtp(personas, world, receiver):
    alice = personas["alice"]
    world["contact"].refresh_from_db()
    bcc = mail.logging_address(alice)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client:
        # A reply from the contact, forwarded to alice's logging address.
        client.send_message(
            _mime(
                "김민준 <MinJun@hanbit.co.kr>",
                "alice@baton.test",
                "Re: 견적",
                "<p>좋습니다</p><script>x()</script>",
                msgid="<m1@hanbit>",
                html=True,
            ),
            to_addrs=[bcc],
        )
        # The same mail again (forwarded twice): logged once.
        client.send_message(
            _mime("minjun@hanbit.co.kr", "alice@baton.test", "Re: 견적", "dup", msgid="<m1@hanbit>"),
            to_addrs=[bcc],
        )
        # alice's own mail to the contact, BCC'd.
        client.send_message(
            _mime("alice@baton.test", "minjun@hanbit.co.kr", "Proposal", "Attached."), to_addrs=[bcc]
        )
        # An unknown sender: kept for review, never lost.
        client.send_message(
            _mime("stranger@elsewhere.kr", "alice@baton.test", "Hello", "Who am I"), to_addrs=[bcc]
        )
        # Not a logging address: refused at RCPT.
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.send_message(_mime("x@y.kr", "z@y.kr", "s", "b"), to_addrs=["someone@log.baton.test"])
    logged = EmailMessage.objects.filter(status="logged").order_by("id")
    assert [m.subject for m in logged] == ["Re: 견적", "Proposal"]
    first = logged[0]
    assert first.activity.contact == world["contact"] and first.activity.direction == "in"
    assert "<script" not in first.body_html and "좋습니다" in first.body_text
    assert logged[1].activity.direction == "out"
    review = EmailMessage.objects.get(status="review")
    assert review.from_addr == "stranger@elsewhere.kr" and review.user == alice
    assert list(mail.review_queue(alice)) == [review]


@pytest.mark.django_db(transaction=True)
def test_inbound_unknown_token_and_malformed(personas, receiver):
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client:
        # A logging address nobody has: refused at RCPT, so the sending server bounces it.
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(
                _mime("a@b.kr", "c@d.kr", "lost?", "no"), to_addrs=["log+nosuchtoken@log.baton.test"]
            )
        assert refused.value.recipients["log+nosuchtoken@log.baton.test"][0] == 550
        with pytest.raises(smtplib.SMTPDataError) as exc:
            client.sendmail(
                "a@b.kr", [mail.logging_address(personas["alice"])], b"Subject: no sender\r\n\r\nbody\r\n"
            )
        assert exc.value.smtp_code == 550 and b"no sender" in exc.value.smtp_error
    assert not EmailMessage.objects.exists()


@pytest.mark.django_db
def test_resolve_review_onto_record(alice, charlie, world, settings):
    settings.BATON_INBOUND_DOMAIN = "log.baton.test"
    raw = _mime("new@prospect.kr", "alice@baton.test", "Intro", "hi").as_bytes()
    stored = mail.log_inbound_email(raw, rcpt_tos=[mail.logging_address(alice)])
    assert stored.status == "review"
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied for someone else's queue
        mail.resolve_review(stored, actor=charlie, record=None)
    mail.resolve_review(stored, actor=alice, record=world["lead"])
    stored.refresh_from_db()
    assert stored.status == "logged" and stored.activity.lead == world["lead"]


@pytest.mark.django_db
def test_compose_page_with_template_and_outsider_404(
    client, alice, charlie, world, smtp_server, django_capture_on_commit_callbacks
):
    tpl = mail.save_template(
        None,
        actor=alice,
        name="Thanks",
        language="en",
        subject="Thanks, {{ company }}",
        body="Dear {{ contact_name }}",
    )
    url = reverse("activities:compose", args=["contact", world["contact"].pk])
    login(client, charlie)
    assert client.get(url).status_code == 404
    login(client, alice)
    page = client.get(url, {"template": tpl.pk}).content.decode()
    assert "Thanks, (주)한빛소프트" in page and "Dear 김민준" in page and "minjun@hanbit.co.kr" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": "minjun@hanbit.co.kr", "subject": "Thanks", "body": "Dear 김민준"})
    assert response.status_code == 302
    assert len(smtp_server.envelopes) == 1
    response = client.post(url, {"to": "bad address", "subject": "x", "body": "y"})
    assert response.status_code == 200 and b"error-to" in response.content
    assert EmailMessage.objects.count() == 1


@pytest.mark.django_db
def test_attachment_download_permission(client, alice, charlie, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    act = services.create_activity(actor=alice, record=world["account"], kind="minutes", subject="m")
    att = services.attach_file(act, actor=alice, upload=SimpleUploadedFile("rec.txt", b"hello"))
    url = reverse("activities:attachment", args=[att.pk])
    login(client, charlie)
    assert client.get(url).status_code == 404
    login(client, alice)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
