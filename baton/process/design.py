"""Every write to the stage design (admins only): stages, their order, their criteria.

Each change is audited on the changed object and bumps the design version, which keeps a snapshot of
the whole design. Stages and criteria are archived, never deleted, so stage history never changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.process.criteria import validate_expression
from baton.process.models import Channel, Department, DesignVersion, ProcessStage, RecordKind, StageCriterion

STAGE_FIELDS = {
    "name",
    "name_en",
    "description",
    "channels",
    "programs",
    "sla_max_days",
    "sla_accept_days",
    "is_handoff_entry",
    "is_recycle_target",
    "is_qualified_milestone",
    "deal_stage_key",
}


def require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise PermissionDenied(_("Only administrators change the stage design."))


def design_snapshot() -> dict[str, Any]:
    stages = []
    for stage in (
        ProcessStage.objects.select_related("department")
        .prefetch_related("criteria")
        .order_by("department__sequence", "sequence", "id")
    ):
        stages.append(
            {
                "key": stage.key,
                "department": stage.department.key,
                "kind": stage.record_kind,
                "name": stage.name,
                "name_en": stage.name_en,
                "sequence": stage.sequence,
                "archived": stage.is_archived,
                "sla_max_days": stage.sla_max_days,
                "sla_accept_days": stage.sla_accept_days,
                "handoff": stage.is_handoff_entry,
                "criteria": [
                    {"name": c.name, "expression": c.expression, "kind": c.kind, "required": c.required}
                    for c in stage.criteria.all()
                    if not c.is_archived
                ],
            }
        )
    return {"stages": stages}


def _bump(actor: User, summary: str) -> DesignVersion:
    # Lock the latest version row so two admins saving at once get consecutive numbers.
    latest = DesignVersion.objects.select_for_update().order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    return DesignVersion.objects.create(
        number=number, created_by=actor, summary=summary[:300], snapshot=design_snapshot()
    )


def _clean_lists(values: dict[str, Any]) -> None:
    if "channels" in values:
        channels = [c for c in (values["channels"] or []) if c]
        unknown = [c for c in channels if c not in Channel.values]
        if unknown:
            raise ValidationError({"channels": [_("Unknown channel: %(c)s") % {"c": ", ".join(unknown)}]})
        values["channels"] = channels
    if "programs" in values:
        programs = values["programs"]
        if isinstance(programs, str):
            programs = programs.splitlines()
        values["programs"] = [p.strip()[:200] for p in programs or [] if p and p.strip()][:30]


@transaction.atomic
def create_stage(
    *, actor: User, department: Department, record_kind: str, name: str, key: str = "", **values: Any
) -> ProcessStage:
    require_admin(actor)
    if record_kind not in RecordKind.values:
        raise ValidationError({"record_kind": [_("Unknown record kind.")]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the stage a name.")]})
    key = slugify(key or values.get("name_en") or name)[:40].replace("-", "_")
    if not key:
        raise ValidationError({"key": [_("Give the stage a key in Latin letters, e.g. demo_done.")]})
    if ProcessStage.objects.filter(key=key).exists():
        raise ValidationError({"key": [_("Another stage already uses the key %(key)s.") % {"key": key}]})
    unknown = set(values) - STAGE_FIELDS
    if unknown:
        raise ValidationError({"__all__": [_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}]})
    _clean_lists(values)
    last = ProcessStage.objects.filter(department=department).aggregate(m=Max("sequence"))["m"] or 0
    stage = ProcessStage(
        department=department, record_kind=record_kind, key=key, name=name, sequence=last + 10, **values
    )
    stage.full_clean()
    stage.save()
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=stage, after=snapshot(stage))
    _bump(actor, f"+ stage {key}")
    return stage


@transaction.atomic
def update_stage(stage: ProcessStage, *, actor: User, changes: dict[str, Any]) -> ProcessStage:
    """Rename a stage, change its channels, programs, service levels or flags. Key and kind stay."""
    require_admin(actor)
    unknown = set(changes) - STAGE_FIELDS
    if unknown:
        raise ValidationError({"__all__": [_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}]})
    changes = dict(changes)
    _clean_lists(changes)
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError({"name": [_("Give the stage a name.")]})
    locked = ProcessStage.objects.select_for_update().get(pk=stage.pk)
    before = snapshot(locked, list(changes))
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.full_clean()
    after = snapshot(locked, list(changes))
    changed = [k for k in after if after[k] != before.get(k)]
    if not changed:
        return locked
    locked.save(update_fields=changed)
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    _bump(actor, f"~ stage {locked.key}: {', '.join(changed)}")
    return locked


@transaction.atomic
def reorder_stages(*, actor: User, department: Department, stage_ids: list[int]) -> None:
    """Put a department's stages in the given order (ids of all its stages, first to last)."""
    require_admin(actor)
    stages = {s.pk: s for s in ProcessStage.objects.select_for_update().filter(department=department)}
    if sorted(stage_ids) != sorted(stages):
        raise ValidationError({"order": [_("List every stage of the department exactly once.")]})
    before = {stages[pk].key: stages[pk].sequence for pk in stages}
    for position, pk in enumerate(stage_ids, start=1):
        stage = stages[pk]
        if stage.sequence != position * 10:
            stage.sequence = position * 10
            stage.save(update_fields=["sequence"])
    after = {stages[pk].key: stages[pk].sequence for pk in stages}
    if before != after:
        log_change(
            actor=actor, action=ChangeLog.Action.UPDATE, instance=department, before=before, after=after
        )
        _bump(actor, f"~ order of {department.key}")


@transaction.atomic
def archive_stage(stage: ProcessStage, *, actor: User, archived: bool = True) -> ProcessStage:
    """Archive (or restore) a stage. Records in it stay there and keep their history."""
    require_admin(actor)
    locked = ProcessStage.objects.select_for_update().get(pk=stage.pk)
    if locked.is_archived == archived:
        return locked
    locked.is_archived = archived
    locked.save(update_fields=["is_archived"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.ARCHIVE if archived else ChangeLog.Action.UPDATE,
        instance=locked,
        before={"is_archived": not archived},
        after={"is_archived": archived},
    )
    _bump(actor, f"{'archive' if archived else 'restore'} stage {locked.key}")
    return locked


@transaction.atomic
def save_criterion(
    *,
    actor: User,
    stage: ProcessStage,
    name: str,
    expression: str,
    kind: str = StageCriterion.Kind.ENTRY,
    required: bool = True,
    name_en: str = "",
    criterion: StageCriterion | None = None,
) -> StageCriterion:
    """Create or change a criterion. An expression that does not compile over the stage's facts is refused."""
    require_admin(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the criterion a name.")]
    if kind not in StageCriterion.Kind.values:
        errors["kind"] = [_("Choose entry or exit.")]
    try:
        validate_expression(expression, stage.record_kind)
    except ValidationError as exc:
        errors["expression"] = exc.messages
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "name_en": (name_en or "").strip(),
        "expression": expression.strip(),
        "kind": kind,
        "required": bool(required),
    }
    if criterion is None:
        last = stage.criteria.aggregate(m=Max("sequence"))["m"] or 0
        criterion = StageCriterion.objects.create(stage=stage, sequence=last + 10, **fields)
        log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=criterion, after=snapshot(criterion))
        _bump(actor, f"+ criterion on {stage.key}: {name}")
        return criterion
    if criterion.stage_id != stage.pk:
        raise ValidationError({"stage": [_("The criterion belongs to another stage.")]})
    before = snapshot(criterion, list(fields))
    for key, value in fields.items():
        setattr(criterion, key, value)
    after = snapshot(criterion, list(fields))
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        criterion.save(update_fields=changed)
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=criterion,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
        _bump(actor, f"~ criterion on {stage.key}: {name}")
    return criterion


@transaction.atomic
def archive_criterion(criterion: StageCriterion, *, actor: User) -> StageCriterion:
    require_admin(actor)
    if not criterion.is_archived:
        criterion.is_archived = True
        criterion.save(update_fields=["is_archived"])
        log_change(
            actor=actor, action=ChangeLog.Action.ARCHIVE, instance=criterion, after={"is_archived": True}
        )
        _bump(actor, f"- criterion on {criterion.stage.key}: {criterion.name}")
    return criterion
