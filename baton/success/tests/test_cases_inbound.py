"""Cases from e-mail, through a real SMTP session on loopback with the activities worker's receiver:
a contact's mail to the support address opens a case on their account (owned by the account's owner,
as it has no CSM); a reply (In-Reply-To) and a tagged subject thread into the same case and bring a
case waiting on the customer back in progress; a tag from a stranger, and a stranger's mail, wait in
the review queue; the same Message-ID twice is stored once; other addresses are refused at RCPT."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as Mime

import pytest

from baton.activities import mail
from baton.activities.inbound import start_receiver
from baton.activities.models import EmailMessage, Notification
from baton.activities.tests.test_mail import free_port
from baton.success.cases import services
from baton.success.cases.models import Case, CaseMail

DOMAIN = "in.baton.test"
SUPPORT = f"support@{DOMAIN}"


def _mime(sender, subject, body="로그인이 안 됩니다.", message_id="", in_reply_to=""):
    msg = Mime()
    msg["From"], msg["To"], msg["Subject"] = sender, SUPPORT, subject
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body)
    return msg


@pytest.fixture
def receiver(settings):
    settings.BATON_INBOUND_DOMAIN = DOMAIN
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_support_mail_opens_and_threads_cases(personas, world, receiver, client):
    alice, contact = personas["alice"], world["contact"]
    with smtplib.SMTP("127.0.0.1", receiver, timeout=60) as smtp:
        smtp.send_message(
            _mime("김민준 <minjun@hanbit.co.kr>", "ERP 로그인 오류", message_id="<m1@hanbit.co.kr>")
        )
        case = Case.objects.get()
        assert (case.account, case.contact, case.owner, case.subject, case.status) == (
            world["account"],
            contact,
            alice,
            "ERP 로그인 오류",
            "new",
        )
        assert "로그인이 안 됩니다." in case.description
        first = CaseMail.objects.get()
        assert (
            first.opened_case
            and first.email.status == "logged"
            and first.email.message_id == "<m1@hanbit.co.kr>"
        )
        # The same message again (a retry of the sending server): stored once, no second case.
        smtp.send_message(_mime("minjun@hanbit.co.kr", "ERP 로그인 오류", message_id="<m1@hanbit.co.kr>"))
        assert (Case.objects.count(), CaseMail.objects.count()) == (1, 1)
        # Waiting on the customer; their reply threads by In-Reply-To and resumes the clock.
        services.change_status(case, actor=alice, status="waiting")
        smtp.send_message(
            _mime(
                "minjun@hanbit.co.kr",
                "Re: 답변",
                "재부팅 후에도 같습니다.",
                "<m2@hanbit.co.kr>",
                "<m1@hanbit.co.kr>",
            )
        )
        case.refresh_from_db()
        assert case.status == "in_progress" and CaseMail.objects.filter(case=case).count() == 2
        assert Notification.objects.filter(recipient=alice, kind="reply").exists()
        # A new thread whose subject keeps the tag, from the contact: the same case.
        smtp.send_message(
            _mime("minjun@hanbit.co.kr", f"추가 문의 [{case.number}]", message_id="<m3@hanbit.co.kr>")
        )
        assert Case.objects.count() == 1 and CaseMail.objects.filter(case=case).count() == 3
        # The tag from a stranger does not reach the case: the review queue.
        smtp.send_message(
            _mime("mallory@evil.test", f"[{case.number}] 끼어들기", message_id="<x1@evil.test>")
        )
        # A stranger's mail: the review queue too, no case.
        smtp.send_message(_mime("someone@unknown.test", "견적 문의", message_id="<x2@unknown.test>"))
        # Anything else at the domain is refused at RCPT.
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("a@b.test", [f"sales@{DOMAIN}"], b"Subject: x\r\n\r\nx")
    assert Case.objects.count() == 1 and CaseMail.objects.filter(case=case).count() == 3
    reviewed = EmailMessage.objects.filter(status="review", user__isnull=True).order_by("id")
    assert [m.from_addr for m in reviewed] == ["mallory@evil.test", "someone@unknown.test"]
    assert set(mail.review_queue(personas["root"])) == set(reviewed)
    # The case page shows the mails, with the tag a reply must keep.
    client.force_login(alice)
    page = client.get(f"/success/cases/{case.pk}/").content.decode()
    assert (
        'data-testid="case-mails"' in page
        and "재부팅 후에도 같습니다." in page
        and f"[{case.number}]" in page
    )
