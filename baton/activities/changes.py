"""Notifications to the followers of a record about one change made in another app (stage moves,
owner, amount and status changes, conversion), run by the ``notify_record_change`` task.

Bounded work: one ChangeLog row, one record, at most ``MAX_RECIPIENTS`` followers; idempotent
through the (recipient, change_id) unique constraint on Notification.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from baton.activities.models import Notification, visible_records
from baton.activities.services import followers_of
from baton.core.i18n_text import Bilingual, Msg
from baton.core.models import ChangeLog, User
from baton.core.records import record_url
from baton.deals.models import Stage

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 200
RECORD_MODELS = {"lead", "account", "contact", "opportunity"}
# Field changes worth a notification; edits of a phone number or a description are not.
TRACKED = {"owner_id", "stage_id", "amount", "status", "expected_close_date", "forecast_category"}
ANNOUNCED_ACTIONS = {ChangeLog.Action.MOVE, ChangeLog.Action.CONVERT, ChangeLog.Action.ARCHIVE}


def _label(field: str, value: Any) -> str | Bilingual:
    """A readable value for a notification (stage and owner names instead of ids)."""
    if value in (None, ""):
        return "—"
    if field == "stage_id":
        stage = Stage.objects.filter(pk=value).first()
        return Bilingual(stage.name, stage.name_en) if stage else str(value)
    if field == "owner_id":
        user = User.objects.filter(pk=value).first()
        return str(user) if user else str(value)
    return str(value)


def _field_label(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name.removesuffix("_id")).verbose_name
    except Exception:  # FieldDoesNotExist: a logged key that is not a field
        return name.removesuffix("_id")


def describe(change: ChangeLog, record: Any) -> Msg | None:
    """The notification for a change, as a message translated when read, or None when not announced."""
    who: str | Msg = change.actor_label or Msg(gettext_noop("Someone"))
    after = change.after or {}
    if change.action == ChangeLog.Action.CONVERT:
        return Msg(gettext_noop("%(user)s converted %(record)s"), user=who, record=record)
    if change.action == ChangeLog.Action.ARCHIVE:
        return Msg(gettext_noop("%(user)s archived %(record)s"), user=who, record=record)
    if "stage_id" in after:
        return Msg(
            gettext_noop("%(user)s moved %(record)s to %(stage)s"),
            user=who,
            record=record,
            stage=_label("stage_id", after["stage_id"]),
        )
    if "owner_id" in after:
        return Msg(
            gettext_noop("%(user)s changed the owner of %(record)s to %(owner)s"),
            user=who,
            record=record,
            owner=_label("owner_id", after["owner_id"]),
        )
    if "amount" in after:
        return Msg(
            gettext_noop("%(user)s changed the amount of %(record)s to %(amount)s"),
            user=who,
            record=record,
            amount=_label("amount", after["amount"]),
        )
    tracked = sorted(set(after) & TRACKED)
    if tracked:
        return Msg(
            gettext_noop("%(user)s updated %(record)s (%(fields)s)"),
            user=who,
            record=record,
            fields=[_field_label(type(record), name) for name in tracked],
        )
    return None


def _announced(change: ChangeLog) -> bool:
    if change.action in ANNOUNCED_ACTIONS:
        return True
    if change.action in (ChangeLog.Action.UPDATE, ChangeLog.Action.ASSIGN):
        return bool(set(change.after or {}) & TRACKED)
    return False


def notify_followers(change_id: int) -> int:
    """Create the notifications for one ChangeLog row; running it again creates none."""
    change = ChangeLog.objects.select_related("content_type").filter(pk=change_id).first()
    if change is None or change.content_type.model not in RECORD_MODELS or not _announced(change):
        return 0
    model = change.content_type.model_class()
    record = model._default_manager.filter(pk=change.object_id).first() if model else None
    if model is None or record is None:
        return 0
    recipients = followers_of(record) - {change.actor_id}
    previous_owner = (change.before or {}).get("owner_id")
    if isinstance(previous_owner, int):  # the rep who lost the record hears about it too
        recipients.add(previous_owner)
    recipients.discard(None)  # type: ignore[arg-type]
    users = list(User.objects.filter(pk__in=sorted(recipients)[:MAX_RECIPIENTS], is_active=True))
    visible = [u for u in users if visible_records(model, u).filter(pk=record.pk).exists()]
    if previous_owner in recipients and previous_owner not in {u.pk for u in visible}:
        visible += [u for u in users if u.pk == previous_owner]
    url = record_url(record)
    rows = []
    message = describe(change, record)
    for user in visible if message is not None else []:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text = str(message)  # the stored copy; pages render ``message`` in the reader's language
        if text and message is not None:
            rows.append(
                Notification(
                    recipient=user,
                    actor_id=change.actor_id,
                    kind=Notification.Kind.CHANGE,
                    text=text[:300],
                    message=message.as_json(),
                    url=url[:300],
                    change_id=change.pk,
                )
            )
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
