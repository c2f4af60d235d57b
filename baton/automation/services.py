"""Every write of the automation app: rules (each save a new version), switching on and off, the
order, and an administrator's retry of a parked run. All audited; only administrators may."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.deals.models import Stage

from .actions import validate_actions
from .engine import date_candidates, forget_active_kinds, plan_actions, wake_worker
from .facts import DATE_FIELDS, FIELDS, MODELS, STAGE_FIELD, check_condition, facts_of, validate_condition
from .models import ObjectKind, Rule, RuleVersion, Run, Trigger

DEFINITION_FIELDS = (
    "name",
    "object_kind",
    "trigger",
    "trigger_field",
    "trigger_value",
    "offset_days",
    "condition",
    "actions",
)


def require_admin(user: User | None) -> None:
    if user is None or not user.is_authenticated or not user.is_admin:
        raise PermissionDenied(_("Only administrators may manage automation rules."))


def clean_definition(values: dict[str, Any]) -> dict[str, Any]:
    """The definition as stored in a version; every problem as a field error."""
    errors: dict[str, list[str]] = {}
    kind = values.get("object_kind")
    trigger = values.get("trigger")
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    if kind not in ObjectKind.values:
        raise ValidationError({"object_kind": [_("Choose the kind of record.")]})
    if trigger not in Trigger.values:
        raise ValidationError({"trigger": [_("Choose a trigger.")]})
    field_name = str(values.get("trigger_field") or "").strip()
    stage = str(values.get("trigger_value") or "").strip()
    offset = int(values.get("offset_days") or 0)
    if trigger == Trigger.FIELD_CHANGED and field_name not in FIELDS[kind]:
        errors["trigger_field"] = [_("Choose one of: %(fields)s.") % {"fields": ", ".join(FIELDS[kind])}]
    if trigger == Trigger.DATE_RELATIVE and field_name not in DATE_FIELDS[kind]:
        errors["trigger_field"] = [_("Choose one of: %(fields)s.") % {"fields": ", ".join(DATE_FIELDS[kind])}]
    if trigger == Trigger.STAGE_ENTERED:
        if kind not in STAGE_FIELD:
            errors["trigger"] = [_("Only deals and leads have stages.")]
        elif kind == "opportunity" and not Stage.objects.filter(key=stage).exists():
            errors["trigger_value"] = [_("No stage has the key “%(key)s”.") % {"key": stage}]
        elif kind == "lead" and stage not in [
            v for v, _label in MODELS["lead"]._meta.get_field("status").flatchoices
        ]:
            errors["trigger_value"] = [_("Give a lead status.")]
    if trigger == Trigger.INBOUND_EMAIL and kind != "activity":
        errors["trigger"] = [_("Inbound e-mail is logged as an activity: choose the activity object.")]
    if trigger == Trigger.FORM_SUBMISSION and kind != "lead":
        errors["trigger"] = [_("A web form creates leads: choose the lead object.")]
    if not -365 <= offset <= 365:
        errors["offset_days"] = [_("Between -365 and 365 days.")]
    condition = str(values.get("condition") or "").strip()
    try:
        validate_condition(condition, kind)
    except ValidationError as exc:
        errors["condition"] = list(exc.messages)
    try:
        actions = validate_actions(kind, values.get("actions"))
    except ValidationError as exc:
        errors["actions"] = list(exc.messages)
        actions = []
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:120],
        "object_kind": kind,
        "trigger": trigger,
        "trigger_field": field_name if trigger in (Trigger.FIELD_CHANGED, Trigger.DATE_RELATIVE) else "",
        "trigger_value": stage if trigger == Trigger.STAGE_ENTERED else "",
        "offset_days": offset if trigger == Trigger.DATE_RELATIVE else 0,
        "condition": condition,
        "actions": actions,
    }


@transaction.atomic
def save_rule(rule: Rule | None, *, actor: User | None, values: dict[str, Any]) -> Rule:
    """Create or change a rule: a new version with the whole definition (runs keep theirs)."""
    require_admin(actor)
    definition = clean_definition(values)
    if rule is not None:
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule) if rule is not None else {}
    rule = rule or Rule(created_by=actor)
    for key, value in definition.items():
        setattr(rule, key, value)
    if "sequence" in values and values["sequence"] is not None:
        rule.sequence = int(values["sequence"])
    if "enabled" in values and values["enabled"] is not None:
        rule.enabled = bool(values["enabled"])
    rule.version += 1
    rule.full_clean()
    rule.save()
    RuleVersion.objects.create(
        rule=rule, number=rule.version, definition=definition, author=actor, created_at=timezone.now()
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE,
        instance=rule,
        before=before,
        after=snapshot(rule),
        note=f"version {rule.version}",
    )
    forget_active_kinds()
    return rule


@transaction.atomic
def set_enabled(rule: Rule, *, actor: User | None, enabled: bool) -> Rule:
    require_admin(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.enabled != enabled:
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=rule,
            before={"enabled": not enabled},
            after={"enabled": enabled},
        )
        forget_active_kinds()
    return rule


@transaction.atomic
def retry_run(run: Run, *, actor: User | None) -> Run:
    """Put a parked (or loop-stopped) run back in the queue, attempts reset."""
    require_admin(actor)
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.status not in (Run.Status.PARKED, Run.Status.LOOP_STOPPED):
        raise ValidationError(_("Only a failed or stopped run can be retried."))
    before = {"status": run.status, "attempts": run.attempts, "error": run.error}
    run.status, run.attempts, run.next_attempt_at, run.finished_at = (
        Run.Status.QUEUED,
        0,
        timezone.now(),
        None,
    )
    run.chain = run.chain[-1:]  # an administrator's retry starts a new chain
    run.save(update_fields=["status", "attempts", "next_attempt_at", "finished_at", "chain"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=run,
        before=before,
        after={"status": run.status, "attempts": 0},
        note="retry",
    )
    wake_worker()
    return run


# --- dry run ---------------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    record: Any
    evidence: dict[str, Any]
    actions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def record_id(self) -> int:
        return int(self.record.pk)


@dataclass
class DryRun:
    scanned: int
    hits: list[Hit]
    errors: list[str] = field(default_factory=list)


DRY_RUN_SCAN = 200


def dry_run(definition: dict[str, Any], *, actor: User | None, today: Any = None) -> DryRun:
    """Which existing records the rule would act on now, and what it would do to each (nothing is
    written). Time-based rules: the records whose date falls on the rule's day; event rules: the records
    whose condition holds now (they would be acted on at their next trigger)."""
    require_admin(actor)
    kind = definition["object_kind"]
    if definition["trigger"] == Trigger.DATE_RELATIVE:
        candidates = date_candidates(definition, kind, today or timezone.localdate())
    else:
        candidates = MODELS[kind]._default_manager.order_by("-pk")
    hits: list[Hit] = []
    scanned = 0
    for record in candidates[:DRY_RUN_SCAN]:
        scanned += 1
        met, evidence, error = check_condition(definition.get("condition", ""), facts_of(kind, record))
        if error:
            return DryRun(scanned, hits, [error])
        if met:
            plans = plan_actions(definition, kind, record, actor, definition.get("name", ""))
            hits.append(Hit(kind, record, evidence, plans))
    return DryRun(scanned, hits)
