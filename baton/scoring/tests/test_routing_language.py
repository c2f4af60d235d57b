"""The routing notification reads in the reader's language, not the router's (issue 9 leftover):
it is stored as message codes and parameters and translated when the bell or the page shows it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from baton.activities.models import Notification
from baton.core.models import Role, User
from baton.leads.services import create_lead
from baton.scoring.routing import route_lead, save_routing_rule, set_capacity
from conftest import login

pytestmark = pytest.mark.django_db


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def rep(personas):
    rep = User.objects.create_user(
        username="rep", role=Role.FIELD_SALES, team=personas["teams"]["fs2"], display_name="Rep"
    )
    set_capacity(rep, actor=personas["root"], values={"weekly_capacity": 3})
    save_routing_rule(None, actor=personas["root"], values={"name": "All"}, members=[rep])
    return rep


@pytest.mark.parametrize(
    ("writer", "reader", "expected", "foreign"),
    [
        (
            "ko",
            "en",
            ["Lead assigned to you: 리드A", "Rule “All” applies.", "Assigned to Rep (next in turn;"],
            ["배정"],
        ),
        (
            "en",
            "ko",
            ["리드가 배정되었습니다: 리드A", "규칙 “All”이(가) 적용됩니다."],
            ["Lead assigned", "next in turn"],
        ),
    ],
)
def test_routing_notification_is_read_in_the_readers_language(
    client, alice, root, rep, writer, reader, expected, foreign
):
    lead = create_lead(actor=alice, name="리드A", company="회사")
    with translation.override(writer):  # the router's screen language when routing
        route_lead(lead, actor=root)
    note = Notification.objects.get(recipient=rep, kind="assignment")
    rep.language = reader
    rep.save(update_fields=["language"])
    page = visible(login(client, rep).get(reverse("activities:notifications")).content.decode())
    bell = visible(client.get(reverse("activities:bell")).content.decode())
    for text in expected:
        assert text in page
        assert text in bell
    for text in foreign:
        assert text not in page
    with translation.override(reader):
        assert all(text in note.display_text for text in expected)
