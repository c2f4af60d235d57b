"""Board marks (too long in stage, no next activity), the mark filter and the board's weighted totals,
checked against values worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from baton.activities.models import Activity
from baton.deals import board_marks
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity

M = 1_000_000


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def test_board_marks_filter_and_weighted_totals(client, alice, world):
    now = timezone.now()
    considering = stage("considering")  # stale after 30 days, probability from the stage
    fresh = world["opportunity"]  # 120M, entered its stage just now
    old = create_opportunity(actor=alice, name="오래된 딜", account=world["account"], amount=30 * M)
    Opportunity.objects.filter(pk=old.pk).update(stage_changed_at=now - dt.timedelta(days=31))
    edge = create_opportunity(actor=alice, name="경계 딜", account=world["account"], amount=10 * M)
    Opportunity.objects.filter(pk=edge.pk).update(stage_changed_at=now - dt.timedelta(days=30, hours=1))
    # The fresh deal has a call planned tomorrow; the other two have no next activity.
    Activity.objects.create(
        kind=Activity.Kind.CALL,
        subject="후속 통화",
        opportunity=fresh,
        owner=alice,
        due_at=now + dt.timedelta(days=1),
    )
    Activity.objects.create(  # overdue: not a *next* activity
        kind=Activity.Kind.TASK,
        subject="지난 할 일",
        opportunity=old,
        owner=alice,
        due_at=now - dt.timedelta(days=1),
    )
    client.force_login(alice)
    response = client.get("/deals/board/?scope=mine")
    cards = {o.pk: o for c in response.context["columns"] for o in c.cards}
    assert [k for k, _t in cards[fresh.pk].board_marks] == []
    assert [k for k, _t in cards[old.pk].board_marks] == ["stale", "no_next"]  # 31 days > 30
    assert [k for k, _t in cards[edge.pk].board_marks] == ["no_next"]  # 30 whole days is not > 30
    body = response.content.decode()
    assert f'data-testid="card-marks-{old.pk}"' in body
    # Weighted: (120M + 30M + 10M) × the stage's probability.
    summary = response.context["summary"]
    assert summary.count == 3
    assert summary.totals == {"KRW": Decimal(160 * M)}
    assert summary.weighted == {"KRW": Decimal(160 * M) * considering.probability / 100}
    stale = client.get("/deals/board/?scope=mine&mark=stale")
    assert {o.pk for c in stale.context["columns"] for o in c.cards} == {old.pk}
    assert stale.context["summary"].totals == {"KRW": Decimal(30 * M)}
    no_next = client.get("/deals/board/?scope=mine&mark=no_next")
    assert {o.pk for c in no_next.context["columns"] for o in c.cards} == {old.pk, edge.pk}
    assert no_next.context["summary"].count == 2
    any_mark = client.get("/deals/board/?scope=mine&mark=any")
    assert {o.pk for c in any_mark.context["columns"] for o in c.cards} == {old.pk, edge.pk}
    assert client.get("/deals/board/?mark=bogus").status_code == 302  # ignored with a message


def test_marks_respect_visibility(client, charlie, world):
    client.force_login(charlie)
    response = client.get("/deals/board/?mark=any")
    assert all(not c.cards for c in response.context["columns"])
    assert response.context["summary"].count == 0
    assert board_marks.mark_choices()[0][0] == "stale"
