"""Every write to webhook endpoints (administrators), and redelivery. Audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.activities.jobs import enqueue_on_commit
from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.integrations import tasks
from baton.integrations.models import Delivery, Endpoint, EventType, new_secret
from baton.integrations.outbox import forget_subscriptions
from baton.integrations.ssrf import check_target

AUDITED = ["name", "url", "events", "is_active"]  # never the secret


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Only administrators manage integrations."))


def _clean(endpoint: Endpoint) -> None:
    errors: dict[str, list[str]] = {}
    unknown = [e for e in endpoint.events if e not in EventType.values]
    if unknown:
        errors["events"] = [_("Unknown event: %(names)s") % {"names": ", ".join(map(str, unknown))}]
    elif not endpoint.events:
        errors["events"] = [_("Choose at least one event.")]
    try:
        endpoint.full_clean(exclude=["events"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "url" not in errors:
        try:
            check_target(endpoint.url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_endpoint(endpoint: Endpoint | None, *, actor: User, values: dict[str, Any]) -> Endpoint:
    require_admin(actor)
    creating = endpoint is None
    endpoint = endpoint or Endpoint(created_by=actor, secret=new_secret())
    before = {} if creating else snapshot(endpoint, AUDITED)
    for name in ("name", "url", "events", "is_active"):
        if name in values:
            setattr(endpoint, name, values[name])
    endpoint.events = sorted(set(endpoint.events or []))
    _clean(endpoint)
    endpoint.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if creating else ChangeLog.Action.UPDATE,
        instance=endpoint,
        before=before,
        after=snapshot(endpoint, AUDITED),
    )
    transaction.on_commit(forget_subscriptions)
    forget_subscriptions()
    return endpoint


@transaction.atomic
def rotate_secret(endpoint: Endpoint, *, actor: User) -> Endpoint:
    require_admin(actor)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=endpoint, note="secret rotated")
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: Endpoint, *, actor: User) -> None:
    require_admin(actor)
    log_change(
        actor=actor, action=ChangeLog.Action.DELETE, instance=endpoint, before=snapshot(endpoint, AUDITED)
    )
    endpoint.delete()
    transaction.on_commit(forget_subscriptions)
    forget_subscriptions()


@transaction.atomic
def redeliver(delivery: Delivery, *, actor: User) -> Delivery:
    """Send a delivery again now (a parked one, or a delivered one the receiver lost); its attempts go on."""
    require_admin(actor)
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == Delivery.Status.SENDING:
        raise ValidationError(_("This delivery is being sent right now."))
    before = {"status": locked.status}
    locked.status = Delivery.Status.PENDING
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "next_attempt_at"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before=before,
        after={"status": locked.status},
        note="redeliver",
    )
    enqueue_on_commit(tasks.deliver_webhook, locked.pk)
    return locked
