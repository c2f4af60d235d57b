"""The dry run shows the records a rule would act on and what it would do; the real run does that."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baton.automation import engine, services
from baton.automation.models import Run
from baton.deals.models import Opportunity
from baton.deals.services import create_opportunity

from .helpers import drain, make_rule


def test_dry_run_equals_the_real_run(personas, root, world, django_capture_on_commit_callbacks):
    alice = personas["alice"]
    today = timezone.localdate()
    in_three = today + dt.timedelta(days=3)
    account = world["account"]
    big = world["opportunity"]  # 120,000,000
    small = create_opportunity(actor=alice, name="작은 건", account=account, amount=5_000_000)
    other_day = create_opportunity(actor=alice, name="다른 날", account=account, amount=300_000_000)
    Opportunity.objects.filter(pk__in=[big.pk, small.pk]).update(expected_close_date=in_three)
    Opportunity.objects.filter(pk=other_day.pk).update(expected_close_date=in_three + dt.timedelta(days=9))
    values = {
        "name": "마감 3일 전",
        "object_kind": "opportunity",
        "trigger": "date_relative",
        "trigger_field": "expected_close_date",
        "offset_days": -3,
        "condition": "amount >= 100000000.0",
        "actions": [
            {"type": "create_task", "subject": "마감 점검", "assignee": "manager", "due_in_days": 1},
            {"type": "set_field", "field": "next_step", "value": "마감 점검"},
        ],
    }
    dry = services.dry_run(services.clean_definition(values), actor=root)
    assert [h.record_id for h in dry.hits] == [big.pk]
    dana = personas["dana"]
    expected = [
        {
            "type": "create_task",
            "plan": {
                "subject": "마감 점검",
                "assignee": dana.pk,
                "due": (today + dt.timedelta(days=1)).isoformat(),
            },
        },
        {"type": "set_field", "plan": {"field": "next_step", "value": "마감 점검"}},
    ]
    assert dry.hits[0].actions == expected
    assert dry.hits[0].evidence == {"amount": 120000000.0}
    assert not Run.objects.exists()  # the dry run wrote nothing

    make_rule(root, **values)
    engine.sweep_time_rules(today)
    drain(django_capture_on_commit_callbacks)
    done = {
        r.record_id: [{"type": a["type"], "plan": a["plan"]} for a in r.actions_done]
        for r in Run.objects.filter(status="done")
    }
    assert done == {h.record_id: h.actions for h in dry.hits}
    assert set(Run.objects.filter(status="skipped").values_list("record_id", flat=True)) == {small.pk}
    big.refresh_from_db()
    assert big.next_step == "마감 점검"
