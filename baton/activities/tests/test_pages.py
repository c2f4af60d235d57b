"""Pages by persona: 404 for what one may not see, pinned query counts, forms that save nothing on
bad input, and the iCalendar feed parsed back with the icalendar package."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baton.activities import services
from baton.activities.models import Activity, FeedEntry, Notification, OpenQuestion, PersonalKeys
from baton.deals import services as deals
from conftest import login

pytestmark = pytest.mark.django_db


def at(days=0, hours=0):
    """A time relative to now, except that late in the evening "now" is taken as 19:00, so that the
    day's events (up to four hours ahead) stay on today's agenda whatever hour the suite runs at."""
    now = timezone.localtime()
    base = min(now, now.replace(hour=19, minute=0, second=0, microsecond=0))
    return (base + dt.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def busy(alice, bob, world):
    """A few activities of every kind on alice's records."""
    acts = [
        services.create_activity(
            actor=alice,
            record=world["contact"],
            kind="event",
            subject=f"Visit {i}",
            start_at=at(hours=1 + i),
            end_at=at(hours=2 + i),
            remind_minutes=30,
        )
        for i in range(3)
    ]
    acts.append(
        services.create_activity(actor=alice, record=world["account"], subject="Overdue", due_at=at(-2))
    )
    acts.append(
        services.create_activity(actor=alice, record=world["opportunity"], subject="Due", due_at=at(1))
    )
    acts.append(
        services.create_activity(
            actor=alice,
            record=world["opportunity"],
            kind="minutes",
            subject="Minutes",
            body="? Budget\n? Timeline",
        )
    )
    services.create_request(world["account"], actor=bob, assignee=alice, subject="Profile", due_at=at(2))
    for i in range(3):
        services.post_comment(world["account"], actor=bob, text=f"@alice comment {i}")
    return acts


def test_my_day_lists_the_day_with_pinned_queries(client, alice, busy, django_assert_num_queries):
    login(client, alice)
    client.get(reverse("activities:my_day"))  # warm caches (content types, session)
    # + the departments the reader receives hand-offs for (overdue hand-offs) and the teams the
    # reader sees (notifications about activities they may no longer see are hidden)
    with django_assert_num_queries(9):
        response = client.get(reverse("activities:my_day"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Visit 0" in body and "Overdue" in body and "Budget" in body and "Profile" in body


def test_record_panel_by_persona(client, personas, world, busy):
    url = reverse("activities:panel", args=["account", world["account"].pk])
    for who, status in [("alice", 200), ("bob", 200), ("charlie", 404), ("mina", 200), ("root", 200)]:
        login(client, personas[who])
        assert client.get(url).status_code == status, who
    assert client.get(reverse("activities:panel", args=["bogus", 1])).status_code == 404


def test_record_panel_pinned_queries(client, alice, world, busy, django_assert_num_queries):
    login(client, alice)
    url = reverse("activities:panel", args=["account", world["account"].pk])
    client.get(url)
    with django_assert_num_queries(11):
        response = client.get(url)
    body = response.content.decode()
    assert 'data-testid="open-question-count">2<' in body
    assert "Visit 2" in body and "comment 2" in body


def test_activity_detail_by_persona_and_queries(client, personas, busy, django_assert_num_queries):
    minutes = busy[-1]
    url = reverse("activities:detail", args=[minutes.pk])
    for who, status in [("alice", 200), ("bob", 200), ("charlie", 404), ("mina", 200), ("root", 200)]:
        login(client, personas[who])
        assert client.get(url).status_code == status, who
    login(client, personas["alice"])
    client.get(url)
    with django_assert_num_queries(9):  # + the mail row of an email activity
        assert client.get(url).status_code == 200


def test_create_activity_form_saves_and_links(client, alice, world):
    login(client, alice)
    response = client.post(
        reverse("activities:create"),
        {
            "record": f"account:{world['account'].pk}",
            "kind": "minutes",
            "subject": "Workshop",
            "body": "Went well\n? Who approves",
        },
    )
    assert response.status_code == 302
    act = Activity.objects.get(subject="Workshop")
    assert act.account == world["account"] and act.questions.count() == 1


def test_create_activity_bad_input_saves_nothing(client, alice, charlie, world):
    login(client, alice)
    response = client.post(
        reverse("activities:create"),
        {
            "kind": "event",
            "subject": "Bad",
            "start_at": "2026-13-45T99:00",
            "record": f"account:{world['account'].pk}",
        },
    )
    assert response.status_code == 200 and b"error-start_at" in response.content
    response = client.post(
        reverse("activities:create"),
        {
            "kind": "event",
            "subject": "Reversed",
            "start_at": "2026-05-02T10:00",
            "end_at": "2026-05-02T09:00",
        },
    )
    assert b"error-end_at" in response.content
    login(client, charlie)
    response = client.post(
        reverse("activities:create"),
        {"kind": "task", "subject": "x", "record": f"account:{world['account'].pk}"},
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_oversized_attachment_refused(client, alice, world, settings):
    settings.BATON_MAX_ATTACHMENT_MB = 1
    login(client, alice)
    big = SimpleUploadedFile("rec.m4a", b"x" * (1024 * 1024 + 1))
    response = client.post(
        reverse("activities:create"),
        {
            "kind": "minutes",
            "subject": "With recording",
            "attachment": big,
            "record": f"account:{world['account'].pk}",
        },
    )
    assert response.status_code == 200 and b"too large" in response.content
    assert not Activity.objects.exists()


def test_answer_question_and_outsider_404(client, alice, charlie, busy):
    q = OpenQuestion.objects.get(question="Budget")
    login(client, charlie)
    assert client.post(reverse("activities:question_answer", args=[q.pk]), {"answer": "x"}).status_code == 404
    login(client, alice)
    response = client.post(reverse("activities:question_answer", args=[q.pk]), {"answer": "3억"})
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.status == "answered" and q.answer == "3억"


def test_state_changes_need_post_and_csrf(alice, busy, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = reverse("activities:comment", args=["account", world["account"].pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"text": "x"}).status_code == 403


def test_comment_via_htmx_returns_panel_and_escapes(client, alice, world):
    login(client, alice)
    url = reverse("activities:comment", args=["account", world["account"].pk])
    response = client.post(url, {"text": "<img src=x onerror=alert(1)>hello"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "onerror" not in body and "hello" in body
    response = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert FeedEntry.objects.filter(kind="comment").count() == 1


def test_follow_toggle_and_my_feed(client, bob, world):
    login(client, bob)
    url = reverse("activities:follow", args=["account", world["account"].pk])
    client.post(url, {"follow": "1"})
    services.post_comment(world["account"], actor=world["account"].owner, text="news for followers")
    response = client.get(reverse("activities:my_feed"))
    assert "news for followers" in response.content.decode()


def test_my_feed_merges_changes_of_followed_records(client, alice, bob, charlie, world):
    login(client, bob)
    client.post(reverse("activities:follow", args=["opportunity", world["opportunity"].pk]), {"follow": "1"})
    opp = world["opportunity"]
    deals.update_opportunity(
        opp, actor=alice, changes={"next_step": "Send the ROI sheet"}, expected_version=1
    )
    services.post_comment(opp, actor=alice, text="newest comment")
    page = client.get(reverse("activities:my_feed")).content.decode()
    assert 'data-kind="change"' in page and "Send the ROI sheet" in page
    assert page.index("newest comment") < page.index("Send the ROI sheet")  # newest first
    # Paginated by time: a cursor before everything gives an empty page, a bad one the first page.
    assert (
        'data-kind="change"'
        not in client.get(
            reverse("activities:my_feed"), {"before": "2000-01-01T00:00:00+00:00"}
        ).content.decode()
    )
    assert client.get(reverse("activities:my_feed"), {"before": "2030-02-31T00:00"}).status_code == 200
    login(client, charlie)  # follows nothing, sees nothing of alice's
    assert "Send the ROI sheet" not in client.get(reverse("activities:my_feed")).content.decode()


def test_request_form(client, alice, bob, world):
    login(client, alice)
    url = reverse("activities:request", args=["opportunity", world["opportunity"].pk])
    client.post(url, {"assignee": bob.pk, "subject": "SA answer", "due_at": "2030-01-01T10:00"})
    assert Activity.objects.filter(subject="SA answer", assignees=bob, requested_by=alice).exists()
    client.post(url, {"assignee": bob.pk, "subject": "No date"})
    assert not Activity.objects.filter(subject="No date").exists()


def test_bell_and_mark_read(client, alice, busy, django_assert_num_queries):
    login(client, alice)
    client.get(reverse("activities:bell"))
    with django_assert_num_queries(5):  # + the teams the reader sees (visibility of notifications)
        response = client.get(reverse("activities:bell"))
    assert b'data-testid="bell-count">4<' in response.content  # 3 mentions + 1 request
    client.post(reverse("activities:notifications_read"))
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_calendar_pages_and_reschedule(client, alice, bob, charlie, busy, django_assert_num_queries):
    login(client, alice)
    for view in ("day", "week", "month"):
        response = client.get(reverse("activities:calendar"), {"view": view})
        assert response.status_code == 200 and b"Visit 0" in response.content
    with django_assert_num_queries(4):
        client.get(reverse("activities:calendar"), {"view": "week"})
    login(client, bob)
    assert b"Visit 0" not in client.get(reverse("activities:calendar")).content
    assert b"Visit 0" in client.get(reverse("activities:calendar"), {"team": "1"}).content
    event = busy[0]
    target = (timezone.localtime(event.start_at) + dt.timedelta(days=2)).date()
    response = client.post(reverse("activities:reschedule", args=[event.pk]), {"date": target.isoformat()})
    assert response.status_code == 200
    event.refresh_from_db()
    assert timezone.localtime(event.start_at).date() == target
    assert client.post(reverse("activities:reschedule", args=[event.pk]), {"date": "nope"}).status_code == 422
    # Drop on a time slot of the week grid: the new day and time, checked against the version shown.
    event.refresh_from_db()
    url = reverse("activities:reschedule", args=[event.pk])
    length = event.end_at - event.start_at if event.end_at else None
    response = client.post(url, {"date": target.isoformat(), "time": "14:00", "version": event.version})
    assert response.status_code == 200 and response.json()["version"] == event.version + 1
    moved = Activity.objects.get(pk=event.pk)
    local = timezone.localtime(moved.start_at)
    assert (local.date(), local.hour, local.minute) == (target, 14, 0)
    assert length is None or moved.end_at - moved.start_at == length
    stale = client.post(url, {"date": target.isoformat(), "time": "09:00", "version": event.version})
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["errors"]["version"][0]
    assert client.post(url, {"date": target.isoformat(), "time": "25:99"}).status_code == 422
    assert client.post(url, {"date": target.isoformat(), "time": "9:00", "version": "x"}).status_code == 422
    assert Activity.objects.get(pk=event.pk).start_at == moved.start_at  # nothing half-saved
    week = client.get(reverse("activities:calendar"), {"view": "week", "date": target.isoformat()})
    assert f'data-testid="slot-{target.isoformat()}-14:00"'.encode() in week.content
    login(client, charlie)
    assert (
        client.post(
            reverse("activities:reschedule", args=[event.pk]), {"date": target.isoformat()}
        ).status_code
        == 404
    )


def test_team_page_counts_by_rep(client, personas, busy, django_assert_num_queries):
    login(client, personas["mina"])
    client.get(reverse("activities:team"))
    # session, user, the teams managed, their members, people, counts by rep and type, overdue, "?" items
    with django_assert_num_queries(8):
        response = client.get(reverse("activities:team"))
    assert response.status_code == 200
    chart = response.context["chart"]
    assert "Alice" in chart["labels"] and len(chart["series"]) == len(Activity.Kind.choices)
    assert b'id="team-chart-data"' in response.content
    rows = {r["user"].username: r for r in response.context["rows"]}
    assert rows["alice"]["overdue"] == 1 and rows["alice"]["questions"] == 2
    assert "charlie" in rows
    login(client, personas["charlie"])
    rows = {r["user"].username for r in client.get(reverse("activities:team")).context["rows"]}
    assert rows == {"charlie"}


def test_ical_feed_parses_back(client, alice, busy):
    login(client, alice)
    client.get(reverse("activities:calendar"))
    token = PersonalKeys.objects.get(user=alice).calendar_token
    client.logout()
    response = client.get(reverse("activities:ical", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert {"Visit 0", "Visit 1", "Visit 2", "Overdue", "Due", "Profile"} <= set(events)
    visit = events["Visit 0"]
    assert visit.decoded("DTSTART") == busy[0].start_at
    assert visit.decoded("DTEND") == busy[0].end_at
    assert str(visit["UID"]).startswith(f"activity-{busy[0].pk}@")
    assert visit.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(minutes=30)
    # Every line is CRLF-terminated and folded at 75 octets (RFC 5545 3.1).
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert client.get(reverse("activities:ical", args=["wrong"])).status_code == 404
    services.rotate_calendar_token(alice)
    assert client.get(reverse("activities:ical", args=[token])).status_code == 404


def test_feed_and_notification_pages_pinned(client, alice, busy, django_assert_num_queries):
    login(client, alice)
    client.get(reverse("activities:my_feed"))
    # session, user, teams (visibility), the feed entries, the change log of followed records
    with django_assert_num_queries(5):
        response = client.get(reverse("activities:my_feed"))
    assert response.content.decode().count('class="list-group-item small"') >= 5
    with django_assert_num_queries(4):  # + the teams the reader sees (visibility of notifications)
        response = client.get(reverse("activities:notifications"))
    assert response.content.decode().count('data-testid="notification"') == 4


def test_edit_page_by_persona(client, personas, busy):
    event = busy[0]
    url = reverse("activities:edit", args=[event.pk])
    login(client, personas["charlie"])
    assert client.get(url).status_code == 404
    login(client, personas["bob"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "subject": "Visit moved",
            "start_at": "2031-01-05T09:00",
            "end_at": "2031-01-05T10:00",
            "version": event.version,
        },
    )
    assert response.status_code == 302, response.content
    event.refresh_from_db()
    assert event.subject == "Visit moved" and event.kind == "event"
    # A stale version is refused with a message, nothing changes.
    response = client.post(url, {"subject": "Stale", "start_at": "2031-01-05T09:00", "version": 1})
    assert response.status_code == 200 and b"changed by someone else" in response.content
    event.refresh_from_db()
    assert event.subject == "Visit moved"
