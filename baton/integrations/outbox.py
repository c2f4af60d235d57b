"""Turning core's typed events into webhook deliveries, inside the transaction of the write.

A delivery row is written in the same transaction as the change it reports (so it exists exactly when the
change was committed) and the worker is asked to send it after the commit. Which event types have any
subscriber is cached, so a write nobody listens to costs no query.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils import timezone

from baton.activities.jobs import enqueue_on_commit
from baton.core import events
from baton.core.audit import snapshot
from baton.integrations import tasks
from baton.integrations.models import Delivery, Endpoint, EventType

CACHE_KEY = "integrations:webhook-subscriptions"
CACHE_SECONDS = 60


def subscribed_events() -> frozenset[str]:
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = sorted(
            {
                e
                for evs in Endpoint.objects.filter(is_active=True).values_list("events", flat=True)
                for e in evs
            }
        )
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return frozenset(cached)


def forget_subscriptions() -> None:
    """Called by every endpoint write (the cache is shared by the processes when it is Redis)."""
    cache.delete(CACHE_KEY)


def record_data(instance: models.Model) -> dict[str, Any]:
    return {"type": instance._meta.model_name, "id": instance.pk, **snapshot(instance)}


def queue(event: str, data: dict[str, Any]) -> list[Delivery]:
    """Write one delivery per active endpoint subscribed to ``event``; send them after the commit."""
    if event not in subscribed_events():
        return []
    endpoints = [e for e in Endpoint.objects.filter(is_active=True) if event in e.events]
    now = timezone.now()
    rows = [Delivery(endpoint=e, event=event, next_attempt_at=now) for e in endpoints]
    for row in rows:
        row.payload = {"id": str(row.uid), "event": event, "occurred_at": now.isoformat(), "data": data}
    created = Delivery.objects.bulk_create(rows)
    for row in created:
        enqueue_on_commit(tasks.deliver_webhook, row.pk)
    return created


def on_lead_changed(change: events.LeadChange) -> None:
    event = EventType.LEAD_CREATED if change.created else EventType.LEAD_CHANGED
    if event in subscribed_events():
        queue(event, record_data(change.lead))


def on_record_changed(change: events.RecordChange) -> None:
    if EventType.RECORD_CHANGED in subscribed_events():
        data = record_data(change.instance)
        if change.change is not None:
            data["change"] = {"action": change.change.action, "changed": sorted(change.change.after)}
        queue(EventType.RECORD_CHANGED, data)


def on_lead_converted(conversion: events.LeadConversion) -> None:
    if EventType.LEAD_CONVERTED in subscribed_events():
        data = record_data(conversion.lead)
        data["opportunity_id"] = conversion.opportunity.pk if conversion.opportunity is not None else None
        queue(EventType.LEAD_CONVERTED, data)


def on_stage_changed(change: events.OpportunityStageChange) -> None:
    wanted = subscribed_events() & {
        EventType.STAGE_CHANGED,
        EventType.OPPORTUNITY_WON,
        EventType.OPPORTUNITY_LOST,
    }
    deal = change.opportunity
    if not wanted or change.previous_stage_id == deal.stage_id:
        return  # an edit that left the stage alone
    stage = deal.stage
    data = record_data(deal)
    data["stage"] = {"id": stage.pk, "key": stage.key, "outcome": stage.outcome}
    data["previous_stage_id"] = change.previous_stage_id
    queue(EventType.STAGE_CHANGED, data)
    if stage.outcome == "won":
        queue(EventType.OPPORTUNITY_WON, data)
    elif stage.outcome == "lost":
        queue(EventType.OPPORTUNITY_LOST, data)
