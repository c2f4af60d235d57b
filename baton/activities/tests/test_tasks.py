"""Background work through the Django tasks API: the database backend and its worker, follower
notifications for changes made in other apps, inbound mail attachments."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage as Mime

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from baton.accounts import services as accounts
from baton.activities import changes, mail, services, tasks
from baton.activities.models import Attachment, EmailMessage, Follow, Notification
from baton.deals import services as deals
from baton.deals.models import Stage
from baton.leads import services as leads
from conftest import login

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_database_backend_worker_runs_the_sweep(personas, world, settings):
    settings.TASKS = DB_TASKS
    alice = personas["alice"]
    services.create_activity(
        actor=alice, record=world["account"], subject="late", due_at=timezone.now() - dt.timedelta(hours=2)
    )
    tasks.sweep_reminders.enqueue()
    tasks.sweep_reminders.enqueue()  # twice: the second finds nothing left to deliver
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert Notification.objects.filter(kind="overdue", recipient=alice).count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_queued_mail(personas, world, settings):
    """`baton activities_worker --once`: one sweep, then the queued tasks (here a mail)."""
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    stored = mail.send_record_email(
        world["contact"], actor=personas["alice"], to="minjun@hanbit.co.kr", subject="Hi", body="Hello"
    )
    assert EmailMessage.objects.get(pk=stored.pk).status == "queued" and not outbox.outbox
    call_command("activities_worker", "--once")
    assert EmailMessage.objects.get(pk=stored.pk).status == "sent" and len(outbox.outbox) == 1


def test_stale_queued_mail_is_picked_up_by_the_sweep(db, alice, world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    stored = mail.send_record_email(world["contact"], actor=alice, to="a@b.kr", subject="s", body="b")
    # The enqueue after commit was lost (never captured here); two minutes later the sweep re-sends.
    later = timezone.now() + mail.REQUEUE_AFTER + dt.timedelta(seconds=5)
    assert mail.stale_queued_ids(later) == [stored.pk]
    EmailMessage.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    tasks.sweep_reminders.call()
    assert EmailMessage.objects.get(pk=stored.pk).status == "sent"


def test_followers_notified_of_stage_move_owner_and_amount(
    db, personas, world, django_capture_on_commit_callbacks
):
    alice, bob, mina = personas["alice"], personas["bob"], personas["mina"]
    opp = world["opportunity"]
    services.set_following(opp, user=bob, follow=True)
    services.set_following(opp, user=mina, follow=True)
    target = Stage.objects.filter(pipeline=opp.pipeline).exclude(pk=opp.stage_id).order_by("sequence").first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deals.move_opportunity(opp, actor=alice, stage=target, expected_version=opp.version)
    assert len(callbacks) >= 1
    notes = Notification.objects.filter(kind="change").order_by("recipient__username")
    assert [n.recipient.username for n in notes] == ["bob", "mina"]  # never the actor
    assert str(target) in notes[0].text and "moved" in notes[0].text
    change_id = notes[0].change_id
    # Idempotent: the task running again notifies no one twice.
    changes.notify_followers(change_id)
    assert Notification.objects.filter(kind="change").count() == 2

    opp.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        deals.update_opportunity(
            opp, actor=bob, changes={"amount": 123_000_000}, expected_version=opp.version
        )
    assert Notification.objects.filter(recipient=alice, kind="change", text__contains="amount").exists()
    # An edit of an untracked field notifies no one.
    opp.refresh_from_db()
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        deals.update_opportunity(opp, actor=bob, changes={"next_step": "call"}, expected_version=opp.version)
    assert Notification.objects.count() == before


def test_follower_who_cannot_see_the_record_is_not_told(
    db, personas, world, django_capture_on_commit_callbacks
):
    alice, charlie, bob = personas["alice"], personas["charlie"], personas["bob"]
    account = world["account"]
    Follow.objects.create(user=charlie, account=account)  # e.g. followed before a team change
    with django_capture_on_commit_callbacks(execute=True):
        accounts.update_account(account, actor=bob, changes={"owner": bob}, expected_version=account.version)
    recipients = set(Notification.objects.filter(kind="change").values_list("recipient__username", flat=True))
    assert recipients == {"alice"}  # the previous owner; not charlie (outsider), not bob (actor)
    assert "owner" in Notification.objects.get(recipient=alice).text


def test_lead_conversion_notifies_followers(db, personas, world, django_capture_on_commit_callbacks):
    alice, bob = personas["alice"], personas["bob"]
    lead = world["lead"]
    services.set_following(lead, user=bob, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        leads.convert_lead(lead, actor=alice, expected_version=lead.version)
    note = Notification.objects.get(recipient=bob, kind="change")
    assert "converted" in note.text


def _mail_with_files(sender: str, files: list[tuple[str, bytes]]) -> bytes:
    msg = Mime()
    msg["From"], msg["To"], msg["Subject"] = sender, "alice@baton.test", "Specs"
    msg["Message-ID"] = f"<{sender}-{len(files)}@x>"
    msg.set_content("see attached")
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def test_inbound_attachments_kept_limited_and_permission_checked(client, personas, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BATON_INBOUND_DOMAIN = "log.baton.test"
    settings.BATON_MAX_ATTACHMENT_MB = 1
    alice, charlie, root = personas["alice"], personas["charlie"], personas["root"]
    world["contact"].refresh_from_db()
    big = b"x" * (1024 * 1024 + 1)
    raw = _mail_with_files(world["contact"].email, [("../../etc/spec.pdf", b"%PDF-1"), ("huge.bin", big)])
    stored = mail.log_inbound_email(raw, rcpt_tos=[mail.logging_address(alice)])
    assert stored.status == "logged"
    files = list(Attachment.objects.filter(email=stored))
    assert [(f.name, f.size) for f in files] == [("spec.pdf", 6)]  # the oversized file is left out
    assert files[0].activity == stored.activity and stored.error
    url = reverse("activities:attachment", args=[files[0].pk])
    login(client, charlie)
    assert client.get(url).status_code == 404
    login(client, alice)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1"

    # Unknown sender: the file waits with the mail in the review queue, visible to its owner only.
    raw = _mail_with_files("stranger@else.kr", [("brief.txt", b"hello")])
    queued = mail.log_inbound_email(raw, rcpt_tos=[mail.logging_address(alice)])
    att = Attachment.objects.get(email=queued)
    assert queued.status == "review" and att.activity is None
    url = reverse("activities:attachment", args=[att.pk])
    assert client.get(url).status_code == 200
    login(client, root)
    assert client.get(url).status_code == 404
    mail.resolve_review(queued, actor=alice, record=world["contact"])
    att.refresh_from_db()
    assert att.activity == EmailMessage.objects.get(pk=queued.pk).activity
