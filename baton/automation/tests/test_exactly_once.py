"""Two workers at once never run a rule twice for one trigger (PostgreSQL: row locks, skip locked)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from baton.activities.models import Activity
from baton.automation import engine
from baton.automation.models import Run
from baton.leads.services import create_lead

from .helpers import make_rule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_run_each_trigger_exactly_once(personas, root, alice):
    rule = make_rule(
        root,
        object_kind="lead",
        trigger="created",
        actions=[{"type": "create_task", "subject": "한 번만", "assignee": "owner"}],
    )
    leads = [create_lead(actor=alice, name=f"리드 {i}", company="누리") for i in range(24)]
    # transaction=True: on_commit ran after each create; both workers also look at the triggers again.
    assert Run.objects.filter(rule=rule, status=Run.Status.QUEUED).count() == 24
    barrier = threading.Barrier(2)
    handled: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for lead in leads:
                engine.enqueue_for("lead", lead.pk)
            barrier.wait()
            handled[name] = engine.process_due(worker=name)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert handled["w1"] + handled["w2"] == 24
    assert Run.objects.filter(rule=rule).count() == 24
    assert Run.objects.filter(rule=rule, status=Run.Status.DONE, attempts=1).count() == 24
    tasks = Activity.objects.filter(subject="한 번만")
    assert tasks.count() == 24
    assert sorted(tasks.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in leads)
