"""The "Asked X: ..." feed entry of a request reads in the reader's language, not the writer's
(issue 9 leftover): it is stored as a message code and parameters, rendered when the feed is read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from baton.activities import services
from baton.activities.models import FeedEntry
from conftest import login

pytestmark = pytest.mark.django_db


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("writer", "reader", "expected", "foreign"),
    [
        ("ko", "en", "Asked Bob: 견적서 검토", "님에게 요청"),
        ("en", "ko", "Bob 님에게 요청: 견적서 검토", "Asked Bob"),
    ],
)
def test_request_feed_entry_is_read_in_the_readers_language(
    client, alice, bob, world, writer, reader, expected, foreign
):
    deal = world["opportunity"]
    with translation.override(writer):  # the asker's screen language when asking
        services.create_request(
            deal,
            actor=alice,
            assignee=bob,
            subject="견적서 검토",
            due_at=timezone.now() + dt.timedelta(days=2),
        )
    entry = FeedEntry.objects.get(kind=FeedEntry.Kind.REQUEST, opportunity=deal)
    assert entry.message["m"] == "Asked %(user)s: %(subject)s"
    alice.language = reader
    alice.save(update_fields=["language"])
    login(client, alice)
    panel = visible(client.get(reverse("activities:panel", args=["opportunity", deal.pk])).content.decode())
    assert expected in panel
    assert foreign not in panel
    my_feed = visible(client.get(reverse("activities:my_feed")).content.decode())
    assert expected in my_feed
    assert foreign not in my_feed
