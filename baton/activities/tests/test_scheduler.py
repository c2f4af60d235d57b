"""The worker's scheduler enqueues the other apps' periodic tasks on their own clocks."""

import datetime as dt
from unittest import mock

import pytest

from baton.activities.management.commands.activities_worker import Scheduler


@pytest.mark.django_db
def test_periodic_tasks_run_on_their_own_clocks(world):
    scheduler = Scheduler(interval=30)
    calls: list[str] = []

    def fake_import(module):
        class Task:
            def __init__(self, name):
                self.name = name

            def enqueue(self):
                calls.append(self.name)

        return mock.Mock(
            sweep_process=Task(f"{module}.sweep_process"),
            rescore_all=Task(f"{module}.rescore_all"),
            retrain_and_rescore=Task(f"{module}.retrain_and_rescore"),
        )

    with mock.patch("importlib.import_module", side_effect=fake_import):
        scheduler._enqueue_periodic()
        assert calls == ["baton.process.tasks.sweep_process"]  # heavy jobs wait a full period
        scheduler._enqueue_periodic()
        assert calls == ["baton.process.tasks.sweep_process"]  # not again within the hour
        later = {
            path: at - dt.timedelta(days=8).total_seconds() for path, at in scheduler._periodic_at.items()
        }
        scheduler._periodic_at = later
        scheduler._enqueue_periodic()
    assert sorted(calls[1:]) == [
        "baton.process.tasks.sweep_process",
        "baton.scoring.tasks.rescore_all",
        "baton.scoring.tasks.retrain_and_rescore",
    ]


@pytest.mark.django_db
def test_process_sweep_task_runs(world):
    from baton.process.tasks import sweep_process

    result = sweep_process.call()
    # The world's lead waits in a stage with automatic successors, so the sweep looks at it.
    assert set(result) == {"checked", "moved", "handoffs"} and result["checked"] >= 1
    again = sweep_process.call()  # idempotent: nothing left to move on a second run
    assert again["checked"] >= 1 and again["moved"] == 0 and again["handoffs"] == 0
