"""Links between activities and customer records, and who may see or change what."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from baton.activities.models import LINK_FIELDS, Activity, visible_records
from baton.core.models import User
from baton.core.records import can_edit


def record_link_name(record: models.Model) -> str:
    name = record._meta.model_name
    if name not in LINK_FIELDS:
        raise ValueError(f"not a linkable record: {record!r}")
    return name


def links_for(record: models.Model | None) -> dict[str, Any]:
    """The link columns for a record; contacts and opportunities also link their account, so that
    everything shows on the account's 360° page too."""
    if record is None:
        return {}
    name = record_link_name(record)
    links: dict[str, Any] = {name: record}
    account = getattr(record, "account", None) if name in ("contact", "opportunity") else None
    if account is not None:
        links["account"] = account
    return links


def check_visible(actor: User, record: models.Model | None, field: str = "record") -> None:
    """Refuse links to records the actor cannot see, with the same message as for unknown ones."""
    if record is None:
        return
    if not visible_records(type(record), actor).filter(pk=record.pk).exists():
        raise ValidationError({field: [_("Unknown record.")]})


def can_edit_activity(user: User, activity: Activity) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin or activity.owner_id == user.pk or activity.requested_by_id == user.pk:
        return True
    if activity.assignees.filter(pk=user.pk).exists():
        return True
    if can_edit(user, activity):
        return True
    record = activity.record
    return record is not None and can_edit(user, record)


def require_edit(user: User, activity: Activity) -> None:
    if not can_edit_activity(user, activity):
        raise PermissionDenied(_("You may not change this activity."))


def activity_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])
