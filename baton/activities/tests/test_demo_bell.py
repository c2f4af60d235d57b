"""A freshly seeded demo user does not face dozens of unread notifications about the demo world's
year of history: notifications about changes older than a day arrive read, today's stay unread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baton.activities import services
from baton.activities.changes import notify_followers
from baton.activities.management.commands.seed_activities import settle_history
from baton.activities.models import Notification
from baton.core.models import ChangeLog
from baton.deals.services import update_opportunity

pytestmark = pytest.mark.django_db


def change_amount(deal, actor, amount):
    update_opportunity(deal, actor=actor, changes={"amount": amount}, expected_version=None)
    return ChangeLog.objects.filter(object_id=deal.pk, after__has_key="amount").latest("id")


def test_seeded_history_older_than_a_day_arrives_read(alice, bob, world):
    deal = world["opportunity"]
    services.set_following(deal, user=bob, follow=True)
    now = timezone.now()
    last_month = change_amount(deal, alice, 130_000_000)
    last_week = change_amount(deal, alice, 140_000_000)
    this_morning = change_amount(deal, alice, 150_000_000)
    for change, age in ((last_month, dt.timedelta(days=30)), (last_week, dt.timedelta(days=7))):
        ChangeLog.objects.filter(pk=change.pk).update(time=now - age)  # the demo back-dates its history
    # One follower task already ran (an immediate backend); the others still wait in the queue.
    notify_followers(last_month.pk)
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1

    assert settle_history(now) == 2

    for change_id in (last_month.pk, last_week.pk, this_morning.pk):  # the worker runs the queue
        notify_followers(change_id)
    notes = {n.change_id: n for n in Notification.objects.filter(recipient=bob)}
    assert set(notes) == {last_month.pk, last_week.pk, this_morning.pk}
    assert notes[last_month.pk].read_at is not None
    assert notes[last_week.pk].read_at is not None  # delivered by the seeding, already read
    assert notes[this_morning.pk].read_at is None  # today's news stays unread
    assert settle_history(now) == 0  # a second run changes nothing
