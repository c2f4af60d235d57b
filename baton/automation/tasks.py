"""Background work of the automation app (Django tasks API).

``run_automation`` is enqueued after a commit that queued runs; ``sweep_automation`` runs periodically
from the activities worker (time-based rules, retries whose backoff has passed, runs whose wake-up was
lost). Both only call the engine, which claims each run so that several workers never run one twice.
"""

from __future__ import annotations

from django_tasks import task

from baton.automation import engine


@task()
def run_automation() -> int:
    return engine.process_due(worker="task")


@task()
def sweep_automation() -> dict[str, int]:
    queued = engine.sweep_time_rules()
    handled = engine.process_due(worker="sweep")
    return {"queued": len(queued), "handled": handled}
