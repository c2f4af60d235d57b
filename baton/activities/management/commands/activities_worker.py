"""``baton activities_worker``: deliver reminders and overdue alerts, and optionally receive mail
for inbound logging. Safe to run on several machines at once (reminders are claimed)."""

from __future__ import annotations

import signal
import time
import uuid

from django.core.management.base import BaseCommand

from baton.activities import reminders
from baton.core.audit import audit_context, new_job_id


class Command(BaseCommand):
    help = "Deliver activity reminders and overdue alerts; optionally run the inbound mail receiver."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=30, help="seconds between passes (default 30)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=None,
            help="also receive logging mail on this port (default: BATON_INBOUND_SMTP_PORT; 0 = off)",
        )
        parser.add_argument(
            "--smtp-host", default=None, help="address to listen on (BATON_INBOUND_SMTP_HOST)"
        )

    def handle(self, *args, interval: int, once: bool, smtp_port: int | None, smtp_host: str | None, **opts):
        from django.conf import settings

        worker = f"{uuid.uuid4().hex[:8]}"
        port = smtp_port if smtp_port is not None else getattr(settings, "BATON_INBOUND_SMTP_PORT", 0)
        host = smtp_host or getattr(settings, "BATON_INBOUND_SMTP_HOST", "127.0.0.1")
        receiver = None
        if port and not once:
            from baton.activities.inbound import start_receiver

            receiver = start_receiver(host, port)
            self.stdout.write(f"receiving logging mail on {host}:{port}")
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                with audit_context(job_id=new_job_id(), source="task"):
                    sent = reminders.run_once(worker)
                if sent:
                    self.stdout.write(f"delivered {sent} reminder(s)")
                if once or stopping:
                    break
                for _ in range(interval):
                    if stopping:
                        break
                    time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            if receiver is not None:
                receiver.stop()
