"""``baton activities_worker``: the background worker of a Baton installation, in one process.

- a scheduler that enqueues the ``sweep_reminders`` task every ``--interval`` seconds (reminders
  before events, overdue alerts, mail whose enqueue was lost);
- with the database task backend (``BATON_TASKS_BACKEND=database``, the default), the
  django-tasks-db worker that runs every enqueued task (reminder sweeps, outbound mail, follower
  notifications); with another backend its own workers run them and ``--no-tasks`` is implied;
- optionally the SMTP receiver for inbound mail logging (``--smtp-port`` / BATON_INBOUND_SMTP_PORT).

Safe to run on several machines at once: tasks claim their rows, so nothing is delivered twice.
More task-only workers: ``baton db_worker``. ``--once`` runs one sweep and the queued tasks, then
exits (for cron, or to check an installation).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import signal
import threading
import time
import uuid

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks import TaskResult
from django_tasks_db.backend import DatabaseBackend

from baton.activities import periodic, tasks
from baton.activities.inbound import start_receiver

log = logging.getLogger(__name__)


def uses_database_backend() -> bool:
    return isinstance(tasks.sweep_reminders.get_backend(), DatabaseBackend)


class Scheduler(threading.Thread):
    """Enqueues a reminder sweep every ``interval`` seconds, skipping a beat while the previous
    sweep still waits in the queue (so a stopped worker does not pile sweeps up)."""

    PRUNE_EVERY = dt.timedelta(hours=6)
    # Other apps' periodic tasks: (dotted task, every, run at start). Their schedule lives in the database
    # (``PeriodicRun``): each period one worker of the fleet claims and enqueues a job, and a restart
    # keeps the schedule. Heavy ones are first due a full period after the first worker ever started.
    PERIODIC = [
        ("baton.process.tasks.sweep_process", dt.timedelta(hours=1), True),
        # The factory floor's daily snapshots: closed days, dirty days, stays moved since the last run.
        ("baton.process.tasks.refresh_floor_snapshots", dt.timedelta(hours=1), True),
        ("baton.scoring.tasks.rescore_all", dt.timedelta(days=1), False),
        ("baton.scoring.tasks.retrain_and_rescore", dt.timedelta(days=7), False),
        # Idempotent per week: the first run of a week records it, later runs find it taken.
        ("baton.insights.tasks.snapshot_forecasts", dt.timedelta(hours=6), True),
        ("baton.privacy.tasks.apply_retention_rules", dt.timedelta(days=1), False),
        # Report subscriptions: each due one is claimed per row, so two workers never mail it twice.
        ("baton.insights.tasks.send_report_subscriptions", dt.timedelta(minutes=15), True),
        # Won-revenue month sums: only missing or changed months are summed again (idempotent).
        ("baton.insights.tasks.refresh_insights_aggregates", dt.timedelta(minutes=30), True),
        # Renewals due and D-90/-30/-7 reminders; each is claimed by a unique row, so reruns do nothing.
        ("baton.success.tasks.open_due_renewals", dt.timedelta(hours=6), True),
        # Webhook retries whose backoff has passed (and claims a crashed worker left behind).
        ("baton.integrations.tasks.sweep_webhooks", dt.timedelta(minutes=1), True),
        # Automation: time-based rules and retries whose backoff passed; runs are claimed row by row.
        ("baton.automation.tasks.sweep_automation", dt.timedelta(minutes=5), True),
        # Support case SLA warnings and breaches; each is claimed by a conditional update.
        ("baton.success.tasks.sweep_case_slas", dt.timedelta(minutes=5), True),
        # Dunning steps of overdue invoices; each step on each invoice is claimed by a unique row.
        ("baton.success.tasks.run_dunning", dt.timedelta(hours=6), True),
        # Daily health snapshots of the customer accounts (a rerun the same day replaces its rows).
        ("baton.success.tasks.snapshot_customer_health", dt.timedelta(hours=6), True),
        # Partner deal registrations whose protection period is over expire (audited, once each).
        ("baton.partners.tasks.expire_partner_registrations", dt.timedelta(hours=6), True),
        # Leads offered to a partner and not accepted by their deadline return to the pool (audited).
        ("baton.partners.tasks.return_lapsed_lead_offers", dt.timedelta(minutes=15), True),
    ]

    def __init__(self, interval: int, prune: bool = False, worker: str = ""):
        super().__init__(name="baton-scheduler", daemon=True)
        self.interval = interval
        self.prune = prune
        self.worker = worker or f"scheduler-{uuid.uuid4().hex[:12]}"
        self.stopping = threading.Event()
        self._last: TaskResult[int] | None = None
        self._pruned_at = 0.0

    def _enqueue_periodic(self) -> None:
        for path, every, at_start in self.PERIODIC:
            if not periodic.claim(path, every, run_at_start=at_start, worker=self.worker):
                continue
            module, name = path.rsplit(".", 1)
            getattr(importlib.import_module(module), name).enqueue()

    def _previous_pending(self) -> bool:
        if self._last is None:
            return False
        try:
            self._last.refresh()
        except Exception:  # backends without results: always enqueue
            return False
        return not self._last.is_finished

    def tick(self) -> None:
        close_old_connections()
        try:
            if not self._previous_pending():
                self._last = tasks.sweep_reminders.enqueue()
            self._enqueue_periodic()
            if self.prune and time.monotonic() - self._pruned_at > self.PRUNE_EVERY.total_seconds():
                # Finished task rows (a sweep every 30 s) are kept a week, failed ones a month.
                call_command("prune_db_task_results", min_age_days=7, failed_min_age_days=30, verbosity=0)
                self._pruned_at = time.monotonic()
        except Exception:
            log.exception("could not enqueue the reminder sweep")
        finally:
            connection.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.tick()
            self.stopping.wait(self.interval)


class Command(BaseCommand):
    help = (
        "Run Baton's background worker: the reminder scheduler, the task worker (database backend) "
        "and optionally the inbound mail receiver."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="seconds between reminder sweeps (default: BATON_REMINDER_INTERVAL, 30)",
        )
        parser.add_argument(
            "--once", action="store_true", help="run one sweep and the queued tasks, then exit"
        )
        parser.add_argument(
            "--no-tasks",
            action="store_true",
            help="do not run tasks here (scheduler and mail receiver only; tasks run on other workers)",
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=None,
            help="also receive logging mail on this port (default: BATON_INBOUND_SMTP_PORT; 0 = off)",
        )
        parser.add_argument(
            "--smtp-host", default=None, help="address to listen on (BATON_INBOUND_SMTP_HOST)"
        )

    def handle(
        self,
        *args,
        interval: int | None,
        once: bool,
        no_tasks: bool,
        smtp_port: int | None,
        smtp_host: str | None,
        **opts,
    ):
        run_tasks = uses_database_backend() and not no_tasks
        if once:
            sent = tasks.sweep_reminders.call()
            self.stdout.write(f"delivered {sent} reminder(s)")
            if run_tasks:
                call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
            return
        interval = max(5, interval or getattr(settings, "BATON_REMINDER_INTERVAL", 30))
        port = smtp_port if smtp_port is not None else getattr(settings, "BATON_INBOUND_SMTP_PORT", 0)
        host = smtp_host or str(getattr(settings, "BATON_INBOUND_SMTP_HOST", "127.0.0.1"))
        receiver = None
        if port:
            receiver = start_receiver(host, port)
            self.stdout.write(f"receiving logging mail on {host}:{port}")
        scheduler = Scheduler(interval, prune=uses_database_backend())
        scheduler.start()
        self.stdout.write(
            f"reminder sweep every {interval}s; tasks {'run here' if run_tasks else 'run elsewhere'}"
        )
        try:
            if run_tasks:
                call_command(
                    "db_worker",
                    reload=False,
                    worker_id=f"baton-{uuid.uuid4().hex[:12]}",
                    verbosity=opts.get("verbosity", 1),
                )
            else:
                stop = threading.Event()
                signal.signal(signal.SIGTERM, lambda *_a: stop.set())
                while not stop.is_set():
                    time.sleep(1)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            scheduler.stopping.set()
            if receiver is not None:
                receiver.stop()
