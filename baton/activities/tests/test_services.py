"""Activities, "?" questions, feed, follows, mentions, notifications and requests, by persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.accounts.services import update_account
from baton.activities import queries, services
from baton.activities.models import Activity, FeedEntry, Notification, OpenQuestion
from baton.core.testing import assert_audited, audit_rows

pytestmark = pytest.mark.django_db


def soon(hours=2):
    return timezone.now() + dt.timedelta(hours=hours)


def test_create_event_on_contact_shows_on_account_and_is_audited(alice, world):
    act = services.create_activity(
        actor=alice,
        record=world["contact"],
        kind=Activity.Kind.EVENT,
        event_type=Activity.EventType.VISIT,
        subject="Visit Hanbit",
        start_at=soon(),
        end_at=soon(3),
    )
    assert act.account == world["account"] and act.contact == world["contact"]
    assert act.team_id == alice.team_id
    assert_audited(act, "create", subject="Visit Hanbit")
    assert list(queries.record_activities(world["account"], user=alice)) == [act]
    assert FeedEntry.objects.filter(account=world["account"], kind="activity").count() == 1


@pytest.mark.parametrize(
    ("who", "sees"), [("alice", True), ("bob", True), ("charlie", False), ("mina", True), ("root", True)]
)
def test_activity_visibility_by_persona(personas, world, who, sees):
    act = services.create_activity(actor=personas["alice"], record=world["opportunity"], subject="Call back")
    assert queries.activities_for(personas[who]).filter(pk=act.pk).exists() is sees


def test_assignee_outsider_sees_activity_assigned_to_them(alice, charlie, world):
    act = services.create_activity(
        actor=alice, record=world["account"], subject="Tech answer", assignees=[charlie]
    )
    assert queries.activities_for(charlie).filter(pk=act.pk).exists()
    assert Notification.objects.filter(recipient=charlie, kind="assignment").exists()


def test_outsider_cannot_link_to_invisible_record(charlie, world):
    with pytest.raises(ValidationError) as exc:
        services.create_activity(actor=charlie, record=world["account"], subject="Sneaky")
    assert "record" in exc.value.message_dict
    assert not Activity.objects.exists()


def test_outsider_cannot_edit(alice, charlie, bob, world):
    act = services.create_activity(actor=alice, record=world["account"], subject="Prep")
    with pytest.raises(PermissionDenied):
        services.update_activity(act, actor=charlie, changes={"subject": "x"})
    services.update_activity(act, actor=bob, changes={"subject": "Prep deck"})
    act.refresh_from_db()
    assert act.subject == "Prep deck"


def test_bad_times_save_nothing(alice, world):
    with pytest.raises(ValidationError) as exc:
        services.create_activity(
            actor=alice, record=world["account"], kind="event", subject="x", start_at=soon(3), end_at=soon(1)
        )
    assert "end_at" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_activity(actor=alice, record=world["account"], kind="event", subject="no start")
    with pytest.raises(ValidationError):
        services.create_activity(
            actor=alice, record=world["account"], kind="task", subject="x", due_at="tomorrow"
        )
    with pytest.raises(ValidationError):
        services.create_activity(actor=alice, record=world["account"], kind="bogus", subject="x")
    assert not Activity.objects.exists() and not FeedEntry.objects.exists()


def test_minutes_question_lines_become_open_questions_until_answered(alice, bob, world):
    minutes = services.create_activity(
        actor=alice,
        record=world["opportunity"],
        kind=Activity.Kind.MINUTES,
        subject="Kick-off minutes",
        attendees=[bob],
        attendees_external="김민준 IT팀장",
        agenda="Scope",
        body="Discussed ERP scope.\n? Budget approved by CFO\n?  Go-live date\n",
        decisions="PoC in March",
    )
    qs = list(queries.record_open_questions(world["account"], user=alice))
    assert [q.question for q in qs] == ["Budget approved by CFO", "Go-live date"]
    assert list(queries.record_open_questions(world["opportunity"], user=alice)) == qs
    assert queries.questions_for(alice).count() == 2
    answered = services.answer_question(qs[0], actor=bob, answer="Yes, 1.2억")
    assert answered.status == OpenQuestion.Status.ANSWERED and answered.answered_by == bob
    assert queries.record_open_questions(world["account"], user=alice).count() == 1
    assert FeedEntry.objects.filter(kind="answer", opportunity=world["opportunity"]).exists()
    assert Notification.objects.filter(recipient=alice, kind="answer").exists()
    assert audit_rows(answered).filter(after__status="answered").exists()
    with pytest.raises(ValidationError):
        services.answer_question(answered, actor=alice, answer="again")
    # Editing the minutes adds new "?" lines only once.
    services.update_activity(minutes, actor=alice, changes={"next_steps": "? Who signs\n? Go-live date"})
    assert minutes.questions.count() == 3


def test_outsider_cannot_answer(alice, charlie, world):
    m = services.create_activity(
        actor=alice, record=world["account"], kind="minutes", subject="m", body="? x"
    )
    with pytest.raises(PermissionDenied):
        services.answer_question(m.questions.get(), actor=charlie, answer="y")


def test_comment_sanitised_mentions_and_follower_notifications(alice, bob, charlie, personas, world):
    services.set_following(world["account"], user=bob, follow=True)
    entry = services.post_comment(
        world["opportunity"],
        actor=personas["mina"],
        text='Hi @alice and @charlie <script>alert(1)</script><b onclick="x()">bold</b>',
    )
    assert "<script" not in entry.text and "onclick" not in entry.text and "<b>bold</b>" in entry.text
    assert entry.account == world["account"]
    kinds = dict(Notification.objects.values_list("recipient__username", "kind"))
    # alice: mentioned (and owner-follower: one notification only); charlie can't see it: none;
    # bob follows the account, so hears about its opportunity.
    assert kinds == {"alice": "mention", "bob": "change"}
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_plain_comment_is_escaped(alice, world):
    entry = services.post_comment(world["lead"], actor=alice, text="a < b & c\nnext")
    assert entry.text == "a &lt; b &amp; c<br>next"


def test_comment_rejects_empty_and_invisible(alice, charlie, world):
    with pytest.raises(ValidationError):
        services.post_comment(world["lead"], actor=alice, text="   ")
    with pytest.raises(ValidationError):
        services.post_comment(world["lead"], actor=charlie, text="hi")
    assert not FeedEntry.objects.exists()


def test_reply_notifies_parent_author(alice, bob, world):
    parent = services.post_comment(world["account"], actor=bob, text="Question?")
    services.post_comment(world["account"], actor=alice, text="Answer", parent=parent)
    assert Notification.objects.filter(recipient=bob, kind="reply").count() == 1


def test_owner_follows_by_default_and_can_unfollow(alice, bob, world):
    assert services.is_following(alice, world["account"])
    services.set_following(world["account"], user=alice, follow=False)
    assert not services.is_following(alice, world["account"])
    services.post_comment(world["account"], actor=bob, text="hello")
    assert not Notification.objects.filter(recipient=alice).exists()
    assert queries.my_feed(alice).count() == 0
    services.set_following(world["account"], user=alice, follow=True)
    assert queries.my_feed(alice).count() == 1


def test_my_feed_only_followed_and_visible(alice, charlie, world):
    services.post_comment(world["account"], actor=alice, text="note")
    assert [e.kind for e in queries.my_feed(alice)] == ["comment"]
    assert list(queries.my_feed(charlie)) == []
    with pytest.raises(ValidationError):
        services.set_following(world["account"], user=charlie, follow=True)


def test_record_feed_merges_changes_newest_first_and_paginates(alice, world):
    acc = world["account"]
    for i in range(3):
        services.post_comment(acc, actor=alice, text=f"c{i}")
    update_account(acc, actor=alice, changes={"phone": "0212345678"}, expected_version=acc.version)
    items, cursor = queries.record_feed(acc, user=alice, limit=3)
    assert [i.kind for i in items] == ["change", "comment", "comment"]
    assert cursor is not None
    rest, cursor2 = queries.record_feed(acc, user=alice, before=cursor, limit=10)
    assert [i.kind for i in rest] == ["comment", "change"]  # the last comment, then "created"
    assert cursor2 is None


def test_request_becomes_task_of_colleague_and_feed_item(alice, bob, world):
    req = services.create_request(
        world["account"], actor=alice, assignee=bob, subject="Company profile please", due_at=soon(48)
    )
    assert list(queries.my_tasks(bob)) == [req]
    assert Notification.objects.filter(recipient=bob, kind="request").exists()
    assert FeedEntry.objects.filter(kind="request", account=world["account"]).exists()
    services.complete_activity(req, actor=bob, outcome="Sent")
    assert Notification.objects.filter(recipient=alice, kind="reply").exists()
    assert list(queries.my_tasks(bob)) == []
    with pytest.raises(ValidationError):
        services.create_request(world["account"], actor=alice, assignee=bob, subject="no due")


def test_mark_read(alice, bob, world):
    services.post_comment(world["account"], actor=bob, text="@alice look")
    assert queries.unread_count(alice) == 1
    assert services.mark_read(alice) == 1
    assert queries.unread_count(alice) == 0


def test_reschedule_keeps_length_and_moves_reminder(alice, world):
    start = soon(24)
    act = services.create_activity(
        actor=alice,
        record=world["account"],
        kind="event",
        subject="Visit",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        remind_minutes=30,
    )
    assert act.reminders.get().fire_at == start - dt.timedelta(minutes=30)
    new = start + dt.timedelta(days=1)
    services.reschedule_activity(act, actor=alice, start_at=new, expected_version=act.version)
    act.refresh_from_db()
    assert act.end_at - act.start_at == dt.timedelta(hours=1)
    assert act.reminders.get().fire_at == new - dt.timedelta(minutes=30)
