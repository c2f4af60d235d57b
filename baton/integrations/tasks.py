"""Background work of webhooks, run by the task worker (``baton activities_worker`` / ``db_worker``)."""

from __future__ import annotations

from django_tasks import task

from baton.integrations import sending
from baton.integrations.models import Delivery


@task()
def deliver_webhook(delivery_pk: int) -> str:
    """Send one delivery if it is due (claimed by a conditional update: two workers never both send).
    A failed attempt is retried by a deferred task when the backend can defer, else by the sweep."""
    status = sending.send(delivery_pk)
    if status == Delivery.Status.PENDING and deliver_webhook.get_backend().supports_defer:
        retry_at = Delivery.objects.filter(pk=delivery_pk).values_list("next_attempt_at", flat=True).first()
        if retry_at is not None:
            deliver_webhook.using(run_after=retry_at).enqueue(delivery_pk)
    return status


@task()
def sweep_webhooks() -> int:
    """Send the deliveries whose retry is due (and those a crashed worker left claimed)."""
    return sending.sweep()
