"""Undoing a job: delete what it created, restore what it updated, from each row's record of changes.

Rows are undone newest first, each in its own savepoint: a row whose records are now used by others
(an account a later deal of another job belongs to) is left as it is and reported.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.activities.touches import refresh_first_touch
from baton.core.audit import audit_context, log_change
from baton.core.models import ChangeLog, User
from baton.process.models import HandOff, QualificationAnswer, RecordKind, Recycle, StageHistory
from baton.transfer.models import ImportJob, ImportRow

# Rows whose removal can change a lead's first sales touch.
TOUCH_MODELS = {"activities.activity", "leads.leadinteraction"}

PROCESS_KINDS = {
    "leads.lead": RecordKind.LEAD,
    "deals.opportunity": RecordKind.OPPORTUNITY,
    "accounts.account": RecordKind.ACCOUNT,
}


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _undo_change(change: dict[str, Any], actor: User | None) -> None:
    model = _model(change["model"])
    op = change["op"]
    if op == "create":
        record = model._default_manager.filter(pk=change["id"]).first()
        if record is None:
            return
        kind = PROCESS_KINDS.get(change["model"])
        if kind is not None:
            for process_model in (StageHistory, HandOff, Recycle, QualificationAnswer):
                process_model.objects.filter(record_kind=kind, record_id=record.pk).delete()  # type: ignore[attr-defined]
        if change["model"] != "transfer.externalid":
            log_change(
                actor=actor, action=ChangeLog.Action.DELETE, instance=record, note="import rolled back"
            )
        lead_id = getattr(record, "lead_id", None) if change["model"] in TOUCH_MODELS else None
        record.delete()
        if lead_id:  # a touch went: the lead's first touch may be later now
            refresh_first_touch([lead_id])
    elif op == "update":
        before = change["before"]
        record = model._default_manager.filter(pk=change["id"]).first()
        if record is None:
            return
        for name, value in before.items():
            field = next(f for f in model._meta.concrete_fields if f.attname == name)
            setattr(record, name, field.to_python(value) if value is not None else None)
        model._default_manager.filter(pk=record.pk).update(**{n: getattr(record, n) for n in before})
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=record,
            after={k: v for k, v in before.items()},
            note="import rolled back",
        )
    elif op == "delete":
        row = dict(change["row"])
        model._default_manager.create(**row)


def rollback(job: ImportJob, *, actor: User | None) -> dict[str, int]:
    """Undo every row of the job's real run; returns {"undone": n, "kept": n}."""
    result = {"undone": 0, "kept": 0}
    with audit_context(job_id=job.job_id, source="import"):
        rows = job.rows.exclude(changes=[]).order_by("-number")
        for row in rows.iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    for change in reversed(row.changes):
                        _undo_change(change, actor)
                    ImportRow.objects.filter(pk=row.pk).update(
                        changes=[], message=_("Rolled back.") + (" " + row.message if row.message else "")
                    )
                result["undone"] += 1
            except ProtectedError:
                ImportRow.objects.filter(pk=row.pk).update(
                    message=_("Not rolled back: later records use what this row created.")
                )
                result["kept"] += 1
    job.status = ImportJob.Status.ROLLED_BACK
    job.rolled_back_at = timezone.now()
    job.save(update_fields=["status", "rolled_back_at"])
    return result
