"""Replies to the customer mailed from a case, over real SMTP sessions on loopback: the reply goes to the
case's contact with the case's tag in the subject, answers the customer's mail (In-Reply-To) and asks for
answers at the support address; the customer's answer to it (In-Reply-To only, no tag) threads back into
the same case through the activities worker's receiver. Internal notes are never mailed."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError

from baton.activities.inbound import start_receiver
from baton.core.testing import free_port, loopback_smtp
from baton.success.cases import services
from baton.success.cases.models import Case, CaseComment, CaseMail
from baton.success.tests.test_cases_inbound import DOMAIN, SUPPORT, _mime


@pytest.fixture
def receiver(settings):
    settings.BATON_INBOUND_DOMAIN = DOMAIN
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.fixture
def outbox(settings):
    with loopback_smtp(settings, from_email="cs@baton.test") as collector:
        yield collector


@pytest.mark.django_db(transaction=True)
def test_reply_is_mailed_with_the_tag_and_the_answer_threads_back(personas, world, receiver, outbox, client):
    alice = personas["alice"]
    with smtplib.SMTP("127.0.0.1", receiver, timeout=60) as smtp:
        smtp.send_message(
            _mime("김민준 <minjun@hanbit.co.kr>", "ERP 로그인 오류", message_id="<m1@hanbit.co.kr>")
        )
        case = Case.objects.get()
        reply = services.add_comment(
            case, actor=alice, body="캐시를 지운 뒤 다시 로그인해 주세요.", send_email=True
        )
        assert len(outbox.envelopes) == 1
        envelope = outbox.envelopes[0]
        assert envelope.rcpt_tos == ["minjun@hanbit.co.kr"]
        sent = message_from_bytes(envelope.content, policy=policy.default)
        assert sent["Subject"] == f"Re: ERP 로그인 오류 [{case.number}]"
        assert sent["Reply-To"] == SUPPORT and sent["From"] == "cs@baton.test"
        assert sent["Message-ID"] == reply.email.message_id
        assert sent["In-Reply-To"] == "<m1@hanbit.co.kr>" and sent["References"] == "<m1@hanbit.co.kr>"
        assert "캐시를 지운 뒤 다시 로그인해 주세요." in sent.get_body(("plain",)).get_content()
        reply.email.refresh_from_db()
        assert reply.email.status == "sent" and reply.email.activity.contact == world["contact"]
        case.refresh_from_db()
        assert case.first_response_at is not None
        # The customer answers the mail: no tag in the subject, only In-Reply-To. Same case.
        smtp.send_message(
            _mime(
                "minjun@hanbit.co.kr",
                "Re: 답변",
                "그래도 안 됩니다.",
                "<m2@hanbit.co.kr>",
                reply.email.message_id,
            )
        )
    assert Case.objects.count() == 1
    assert CaseMail.objects.filter(case=case).count() == 3  # in, out, in
    assert CaseMail.objects.filter(case=case, email__message_id="<m2@hanbit.co.kr>").exists()
    # An internal note is never mailed, even when asked to.
    note = services.add_comment(
        case, actor=alice, body="고객 환경 확인 필요", is_internal=True, send_email=True
    )
    assert note.email is None and len(outbox.envelopes) == 1
    client.force_login(alice)
    page = client.get(f"/success/cases/{case.pk}/").content.decode()
    assert "e-mailed to minjun@hanbit.co.kr (Sent)" in page and "그래도 안 됩니다." in page


@pytest.mark.django_db
def test_no_contact_no_mail_and_nothing_saved(personas, world, client):
    alice = personas["alice"]
    case = services.open_case(actor=alice, account=world["account"], subject="라이선스 문의")
    with pytest.raises(ValidationError) as exc:
        services.add_comment(case, actor=alice, body="확인해 보겠습니다.", send_email=True)
    assert "send_email" in exc.value.message_dict
    assert not CaseComment.objects.exists()
    client.force_login(alice)
    response = client.post(
        f"/success/cases/{case.pk}/comment/", {"body": "확인해 보겠습니다.", "send_email": "on"}
    )
    assert response.status_code == 400
    assert "The case has no contact with an e-mail address." in response.content.decode()
    assert not CaseComment.objects.exists()
