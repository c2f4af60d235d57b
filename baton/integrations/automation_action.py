"""The automation rules' "call a webhook" action: the rule's record goes to one chosen endpoint.

Registered into ``automation.actions`` from this app's ``ready()`` (integrations sits above automation).
The delivery is an ordinary outbox row of event ``automation.rule``: signed, retried, parked and shown in
the endpoint's delivery log like every other; the run itself only writes the row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.activities.jobs import enqueue_on_commit
from baton.automation.actions import ALL, ActionType, Context, Param, register_action
from baton.integrations import tasks
from baton.integrations.models import Delivery, Endpoint, EventType
from baton.integrations.outbox import record_data


def _endpoint(params: dict[str, Any]) -> Endpoint:
    try:
        pk = int(params.get("endpoint") or 0)
    except (TypeError, ValueError):
        pk = 0
    endpoint = Endpoint.objects.filter(pk=pk, is_active=True).first()
    if endpoint is None:
        raise ValidationError(_("Choose an active webhook endpoint (its number) for this action."))
    return endpoint


def _plan(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = _endpoint(params)
    return {"endpoint": endpoint.pk, "url": endpoint.url}


def _execute(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    endpoint = _endpoint({"endpoint": plan["endpoint"]})
    now = timezone.now()
    delivery = Delivery(endpoint=endpoint, event=EventType.AUTOMATION, next_attempt_at=now)
    delivery.payload = {
        "id": str(delivery.uid),
        "event": EventType.AUTOMATION.value,
        "occurred_at": now.isoformat(),
        "data": {"rule": ctx.rule_name, "record": {"kind": ctx.kind, **record_data(ctx.record)}},
    }
    delivery.save()
    enqueue_on_commit(tasks.deliver_webhook, delivery.pk)
    return {"delivery": delivery.pk}


def _endpoints() -> list[tuple[Any, Any]]:
    return [(e.pk, e.name) for e in Endpoint.objects.filter(is_active=True).order_by("name")]


def register() -> None:
    endpoint = Param("endpoint", gettext_lazy("Webhook endpoint"), "choice", _endpoints)
    register_action(ActionType("webhook", gettext_lazy("Call a webhook"), ALL, _plan, _execute, (endpoint,)))
