"""Report subscriptions: e-mailed through a real SMTP server on loopback, with the recipient's
visibility and language, once per period even when two workers race for it."""

from __future__ import annotations

import datetime as dt
import email
import io
from email import policy

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from baton.accounts.services import create_account
from baton.core.models import ChangeLog
from baton.core.services import create_api_token
from baton.core.testing import free_port, loopback_smtp
from baton.deals.services import create_opportunity
from baton.insights import subscriptions
from baton.insights.models import ReportSubscription, SavedReport
from baton.insights.services import save_report


@pytest.fixture
def smtp_server(settings):
    with loopback_smtp(settings, from_email="reports@baton.test") as collector:
        yield collector


def aware(y, m, d, h=0, minute=0):
    return timezone.make_aware(dt.datetime(y, m, d, h, minute))


def test_next_send_times():
    f = ReportSubscription.Frequency
    wed = aware(2026, 11, 18, 9)  # a Wednesday, after 07:00
    assert subscriptions.next_send_after(f.DAILY, wed) == aware(2026, 11, 19, 7)
    assert subscriptions.next_send_after(f.DAILY, aware(2026, 11, 18, 6)) == aware(2026, 11, 18, 7)
    assert subscriptions.next_send_after(f.WEEKLY, wed) == aware(2026, 11, 23, 7)
    assert subscriptions.next_send_after(f.MONTHLY, wed) == aware(2026, 12, 1, 7)
    assert subscriptions.next_send_after(f.MONTHLY, aware(2026, 12, 31, 8)) == aware(2027, 1, 1, 7)


@pytest.fixture
def shared_report(personas):
    alice, charlie = personas["alice"], personas["charlie"]
    mine = create_account(actor=alice, name="알리스상사")
    theirs = create_account(actor=charlie, name="찰리물산")
    create_opportunity(actor=alice, name="알리스 건", account=mine, amount=1_000_000)
    create_opportunity(actor=charlie, name="찰리 건", account=theirs, amount=2_000_000)
    report = save_report(
        actor=personas["root"],
        name="모든 영업기회",
        definition={"object": "opportunities", "columns": ["name", "amount"]},
        sharing=SavedReport.Sharing.EVERYONE,
    )
    report.name_en = "All opportunities"
    report.save(update_fields=["name_en"])
    return report


def test_subscription_mail_through_real_smtp_with_recipients_visibility_and_language(
    personas, shared_report, smtp_server
):
    alice, charlie = personas["alice"], personas["charlie"]
    alice.language = "en"
    alice.save(update_fields=["language"])
    charlie.language = "ko"
    charlie.save(update_fields=["language"])
    sub_a = subscriptions.subscribe(actor=alice, report=shared_report, frequency="daily")
    subscriptions.subscribe(actor=charlie, report=shared_report, frequency="weekly")
    assert ChangeLog.objects.filter(object_id=sub_a.pk, action=ChangeLog.Action.CREATE).exists()
    due = sub_a.next_send_at + dt.timedelta(days=7)
    counts = subscriptions.send_due(now=due, worker="w1")
    assert counts["sent"] == 2
    mails = {
        m["To"]: m
        for m in (email.message_from_bytes(e.content, policy=policy.default) for e in smtp_server.envelopes)
    }
    to_alice, to_charlie = mails["alice@baton.test"], mails["charlie@baton.test"]
    # Alice reads English and sees only her deal; Charlie reads Korean and sees only his.
    assert "All opportunities" in to_alice["Subject"]
    assert "모든 영업기회" in to_charlie["Subject"]
    text_a = to_alice.get_body(preferencelist=("plain",)).get_content()
    text_c = to_charlie.get_body(preferencelist=("plain",)).get_content()
    assert "알리스 건" in text_a and "찰리 건" not in text_a
    assert "찰리 건" in text_c and "알리스 건" not in text_c
    assert "You subscribed to this report" in text_a
    attachment = next(part for part in to_alice.iter_attachments())
    sheet = load_workbook(io.BytesIO(attachment.get_content())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["알리스 건"]
    # Sent: the next one is a period later, and sending again now finds nothing due.
    sub_a.refresh_from_db()
    assert sub_a.next_send_at > due and sub_a.sent_count == 1
    assert subscriptions.send_due(now=due, worker="w1")["sent"] == 0


def test_two_workers_claim_a_period_once(personas, shared_report, smtp_server):
    alice = personas["alice"]
    sub = subscriptions.subscribe(actor=alice, report=shared_report, frequency="daily")
    now = sub.next_send_at + dt.timedelta(minutes=1)
    seen = sub.next_send_at
    # Both workers read the row as due; only the first conditional UPDATE wins.
    assert subscriptions.claim(sub.pk, seen, "daily", now=now, worker="w1") is True
    assert subscriptions.claim(sub.pk, seen, "daily", now=now, worker="w2") is False
    sub.refresh_from_db()
    assert sub.last_worker == "w1"
    # A full run by a second worker after the first sends nothing more.
    ReportSubscription.objects.filter(pk=sub.pk).update(next_send_at=seen)
    assert subscriptions.send_due(now=now, worker="w1")["sent"] == 1
    assert subscriptions.send_due(now=now, worker="w2")["sent"] == 0
    assert len(smtp_server.envelopes) == 1


def test_subscribing_needs_a_report_one_may_open(personas, shared_report):
    alice, bob = personas["alice"], personas["bob"]
    private = save_report(
        actor=bob,
        name="밥의 보고서",
        definition={"object": "opportunities"},
        sharing=SavedReport.Sharing.PRIVATE,
    )
    with pytest.raises(PermissionDenied):
        subscriptions.subscribe(actor=alice, report=private, frequency="daily")
    assert not ReportSubscription.objects.exists()


def test_recipient_who_lost_access_gets_nothing_and_the_subscription_ends(
    personas, shared_report, smtp_server
):
    alice = personas["alice"]
    sub = subscriptions.subscribe(actor=alice, report=shared_report, frequency="daily")
    shared_report.sharing = SavedReport.Sharing.PRIVATE
    shared_report.save(update_fields=["sharing"])
    counts = subscriptions.send_due(now=sub.next_send_at, worker="w1")
    assert counts == {"sent": 0, "failed": 0, "skipped": 0, "ended": 1}
    assert smtp_server.envelopes == []
    assert not ReportSubscription.objects.exists()


def test_smtp_down_is_recorded_not_raised(personas, shared_report, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    sub = subscriptions.subscribe(actor=personas["alice"], report=shared_report, frequency="daily")
    assert subscriptions.send_due(now=sub.next_send_at, worker="w1")["failed"] == 1
    sub.refresh_from_db()
    assert sub.last_error and sub.sent_count == 0


def test_subscribe_page_and_api(client, personas, shared_report):
    alice = personas["alice"]
    client.force_login(alice)
    response = client.post(f"/insights/reports/{shared_report.pk}/subscribe/", {"frequency": "weekly"})
    assert response.status_code == 302
    assert ReportSubscription.objects.get(user=alice).frequency == "weekly"
    page = client.get(f"/insights/reports/{shared_report.pk}/")
    assert 'data-testid="report-subscribe"' in page.content.decode()
    client.post(f"/insights/reports/{shared_report.pk}/subscribe/", {"frequency": "hourly"})
    assert ReportSubscription.objects.get(user=alice).frequency == "weekly"
    _token, secret = create_api_token(alice, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    api = client.get("/api/v1/insights/subscriptions", **auth)
    assert api.status_code == 200 and api.json()[0]["frequency"] == "weekly"
    put = client.put(
        f"/api/v1/insights/reports/{shared_report.pk}/subscription",
        {"frequency": "monthly"},
        content_type="application/json",
        **auth,
    )
    assert put.status_code == 200 and put.json()["frequency"] == "monthly"
    bad = client.put(
        f"/api/v1/insights/reports/{shared_report.pk}/subscription",
        {"frequency": "hourly"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code in (400, 422)
    url = f"/api/v1/insights/reports/{shared_report.pk}/subscription"
    assert client.delete(url, **auth).status_code == 204
    assert not ReportSubscription.objects.exists()
    client.post(f"/insights/reports/{shared_report.pk}/subscribe/", {"frequency": "none"})
    assert client.post("/insights/reports/999999/subscribe/", {"frequency": "daily"}).status_code == 404
