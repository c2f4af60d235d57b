"""Notifications, history and times read in the reader's current language, time zone and format
(issue 9, "Screens for salespeople"): the text is translated when read, not when written."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from baton.activities import services
from baton.activities.changes import notify_followers
from baton.activities.models import Notification
from baton.core.audit import history_for
from baton.core.i18n_text import render_message
from baton.core.models import ChangeLog
from baton.core.services import create_api_token, set_user_time_zone
from baton.core.timefmt import relative
from baton.deals.models import Stage
from baton.leads.models import Lead
from conftest import login

pytestmark = pytest.mark.django_db


def visible(html: str) -> str:
    """The text a reader sees (tags and their attributes removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_comment_notification_follows_the_readers_current_language(client, alice, bob, world):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    services.set_following(world["account"], user=bob, follow=True)
    with translation.override("ko"):  # written while the writer and the reader read Korean
        services.post_comment(world["account"], actor=alice, text="견적 확인 부탁드립니다")
    note = Notification.objects.get(recipient=bob, kind=Notification.Kind.CHANGE)
    bob.language = "en"
    bob.save(update_fields=["language"])
    page = login(client, bob).get(reverse("activities:notifications")).content.decode()
    assert f"Alice commented on {world['account'].name}" in page
    assert "댓글" not in page
    bell = client.get(reverse("activities:bell")).content.decode()
    assert f"Alice commented on {world['account'].name}" in bell
    _token, secret = create_api_token(bob, name="test")
    api = client.get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert api[0]["text"] == f"Alice commented on {world['account'].name}"
    bob.language = "ko"
    bob.save(update_fields=["language"])
    page = client.get(reverse("activities:notifications")).content.decode()
    assert "commented on" not in page
    assert note.message["m"] == "%(user)s commented on %(record)s"


def test_stage_change_notification_names_the_stage_in_the_readers_language(client, alice, bob, world):
    deal = world["opportunity"]
    stage = (
        Stage.objects.filter(pipeline_id=deal.pipeline_id)
        .exclude(pk=deal.stage_id)
        .exclude(name_en="")
        .first()
    )
    assert stage is not None and stage.name != stage.name_en
    bob.language = "ko"
    bob.save(update_fields=["language"])
    services.set_following(deal, user=bob, follow=True)
    change = ChangeLog.objects.create(
        actor=alice,
        actor_label="Alice",
        action=ChangeLog.Action.MOVE,
        content_type_id=ContentType.objects.get_for_model(deal).pk,
        object_id=deal.pk,
        object_repr=str(deal),
        before={"stage_id": deal.stage_id},
        after={"stage_id": stage.pk},
    )
    Notification.objects.filter(change_id=change.pk).delete()
    notify_followers(change.pk)
    bob.language = "en"
    bob.save(update_fields=["language"])
    page = login(client, bob).get(reverse("activities:notifications")).content.decode()
    assert f"Alice moved {deal.name} to {stage.name_en}" in page
    assert stage.name not in page


def test_following_in_history_reads_in_the_readers_language(client, alice, world):
    services.set_following(world["account"], user=alice, follow=False)
    with translation.override("ko"):
        rows = history_for(world["account"])
        readable = [r for row in rows for r in row.readable]
        notes = [getattr(row, "note_display", row.note) for row in rows]
    assert ("팔로우 중", "아니요") in [(label, new) for label, _old, new in readable]
    assert not any(label == "following" or new is False for label, _o, new in readable)
    assert "unfollow" not in notes


def test_converted_lead_history_has_translated_field_labels(alice, world):
    field = Lead._meta.get_field("converted_account")
    with translation.override("ko"):
        assert str(field.verbose_name) != "converted account"


def test_history_shows_local_relative_times_not_iso(client, alice, world):
    account = world["account"]
    ct = ContentType.objects.get_for_model(account).pk
    ChangeLog.objects.create(
        actor=alice,
        actor_label="Alice",
        action=ChangeLog.Action.UPDATE,
        content_type_id=ct,
        object_id=account.pk,
        object_repr=str(account),
        before={"updated_at": None},
        after={"name": account.name, "last_contacted_at": "2026-12-01T07:03:00.498606+00:00"},
    )
    page = visible(login(client, alice).get(reverse("accounts:detail", args=[account.pk])).content.decode())
    assert "+00:00" not in page
    assert "T07:03" not in page
    assert "just now" in page or "minute" in page  # the change just written reads relative


@override_settings(TIME_ZONE="Asia/Seoul")
def test_relative_and_absolute_times_in_both_languages():
    now = timezone.now()
    with translation.override("en"):
        assert relative(now - dt.timedelta(minutes=3), now) == "3 minutes ago"
        assert relative(now - dt.timedelta(hours=1), now) == "1 hour ago"
    with translation.override("ko"):
        assert relative(now - dt.timedelta(minutes=3), now) == "3분 전"
        assert relative(now - dt.timedelta(days=2), now) == "2일 전"


def test_a_users_time_zone_applies_to_their_pages(client, alice, world):
    set_user_time_zone(alice, "America/New_York")
    ct = ContentType.objects.get_for_model(world["account"]).pk
    ChangeLog.objects.filter(content_type_id=ct, object_id=world["account"].pk).update(
        time=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    )
    page = login(client, alice).get(reverse("accounts:detail", args=[world["account"].pk])).content.decode()
    assert "Mar 1, 2026, 07:00" in page  # 12:00 UTC in New York, in the tooltip
    assert ChangeLog.objects.filter(object_id=alice.pk, after={"time_zone": "America/New_York"}).exists()


def test_time_zone_setting_refuses_unknown_zones(client, alice):
    response = login(client, alice).post(reverse("core:profile_time_zone"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.time_zone == ""
    response = client.post(reverse("core:profile_time_zone"), {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Berlin"


def test_the_migration_recovers_existing_notifications_as_messages(alice):
    """Rows written before the message column existed: the migration's matcher recovers the code and
    parameters from Korean or English text, so old notifications follow the reader's language too."""
    migration = importlib.import_module("baton.activities.migrations.0003_notification_message")
    old = Notification.objects.create(
        recipient=alice, kind="change", text="Bob 님이 (주)한빛소프트에 댓글을 남겼습니다"
    )
    odd = Notification.objects.create(
        recipient=alice, kind="change", text="free text nobody wrote a message for"
    )
    migration.recover(apps, None)
    old.refresh_from_db()
    odd.refresh_from_db()
    with translation.override("en"):
        assert render_message(old.message, fallback=old.text) == "Bob commented on (주)한빛소프트"
    assert odd.message == {} and odd.display_text == "free text nobody wrote a message for"
