"""Sharing a customer record with a user or a team, revoking a share, and the organisation-wide
defaults per kind of record. Who sees what is decided in ``baton.core.records`` (``sharing_q``); this
module writes the rows it reads, each write validated, atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change
from baton.core.models import ChangeLog, RecordShare, ShareAccess, SharingDefault, SharingMode, Team, User
from baton.core.records import can_edit, kind_of, record_kinds

#: The kinds of record that can be shared and have a default (the customer records).
SHARABLE_KINDS = ("account", "contact", "lead", "opportunity")


def record_type(record: models.Model) -> str:
    return record._meta.label_lower


def kind_label(kind: str) -> str:
    return record_kinds()[kind].model._meta.label_lower


def shares_of(record: models.Model) -> QuerySet[RecordShare]:
    """Every share of the record, expired ones included (the panel marks them), newest first."""
    return RecordShare.objects.filter(record_type=record_type(record), record_id=record.pk).select_related(
        "user", "team", "created_by"
    )


def active_shares_of(record: models.Model) -> QuerySet[RecordShare]:
    return shares_of(record).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def _require_editor(actor: User | None, record: models.Model) -> None:
    if actor is not None and not can_edit(actor, record):
        raise PermissionDenied(_("Only those who may edit this record may share it."))


def _snapshot(share: RecordShare) -> dict[str, Any]:
    return {
        "record_type": share.record_type,
        "record_id": share.record_id,
        "user": share.user_id,
        "team": share.team_id,
        "access": share.access,
        "expires_at": share.expires_at.isoformat() if share.expires_at else None,
    }


@transaction.atomic
def share_record(
    record: models.Model,
    *,
    actor: User | None,
    user: User | None = None,
    team: Team | None = None,
    access: str = ShareAccess.READ,
    expires_at: dt.datetime | None = None,
) -> RecordShare:
    """Share ``record`` with one user or one team. Sharing again with the same user or team replaces
    the access and expiry of the earlier share (one row per record and target)."""
    _require_editor(actor, record)
    errors: dict[str, list[str]] = {}
    if kind_of(record) not in SHARABLE_KINDS:
        errors["record"] = [_("This kind of record cannot be shared.")]
    if (user is None) == (team is None):
        errors["user"] = [_("Share with either a user or a team.")]
    elif user is not None and not user.is_active:
        errors["user"] = [_("This user is inactive.")]
    elif user is not None and user.pk == getattr(record, "owner_id", None):
        errors["user"] = [_("The owner already has this record.")]
    if access not in ShareAccess.values:
        errors["access"] = [_("Choose read or edit.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    target = {"user": user} if user is not None else {"team": team}
    share = (
        RecordShare.objects.select_for_update()
        .filter(record_type=record_type(record), record_id=record.pk, **target)
        .first()
    )
    before = _snapshot(share) if share is not None else None
    if share is None:
        share = RecordShare(record_type=record_type(record), record_id=record.pk, **target)
    share.access = access
    share.expires_at = expires_at
    share.created_by = actor if actor is not None and actor.pk else None
    share.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if before is None else ChangeLog.Action.UPDATE,
        instance=share,
        before=before,
        after=_snapshot(share),
        note="record shared",
        parent=record,
    )
    return share


@transaction.atomic
def revoke_share(share: RecordShare, record: models.Model, *, actor: User | None) -> None:
    """End a share now (the row goes; the change log keeps what it was and who revoked it)."""
    if share.record_type != record_type(record) or share.record_id != record.pk:
        raise ValidationError({"share": [_("This share belongs to another record.")]})
    _require_editor(actor, record)
    before = _snapshot(share)
    log_change(
        actor=actor,
        action=ChangeLog.Action.DELETE,
        instance=share,
        before=before,
        note="share revoked",
        parent=record,
    )
    share.delete()


def current_defaults() -> dict[str, str]:
    """The default mode of every sharable kind (``team`` where none was set)."""
    stored = dict(SharingDefault.objects.values_list("record_type", "mode"))
    return {kind: stored.get(kind_label(kind), SharingMode.TEAM) for kind in SHARABLE_KINDS}


@transaction.atomic
def set_default(kind: str, mode: str, *, actor: User | None) -> SharingDefault:
    """Set the organisation-wide default of one kind of record (administrators only)."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators may change the sharing defaults."))
    errors: dict[str, list[str]] = {}
    if kind not in SHARABLE_KINDS:
        errors["kind"] = [_("Choose a kind of record.")]
    if mode not in SharingMode.values:
        errors["mode"] = [_("Choose private, team or read all.")]
    if errors:
        raise ValidationError(errors)
    row, created = SharingDefault.objects.select_for_update().get_or_create(
        record_type=kind_label(kind), defaults={"mode": mode, "updated_by": actor}
    )
    before = {"mode": SharingMode.TEAM if created else row.mode}
    row.mode = mode
    row.updated_by = actor if actor is not None and actor.pk else None
    row.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=row,
        before=before,
        after={"record_type": row.record_type, "mode": mode},
        note="sharing default changed",
    )
    return row
