"""The automation engine: events become run rows; the background worker executes them exactly once.

1. A typed event (``core.events``) reaches ``on_record_event`` inside the writer's transaction. It does
   no query there (writes keep their pinned cost): it only asks, with ``transaction.on_commit``, for the
   record's triggers to be looked at once the write is committed (a rolled-back write enqueues nothing).
2. ``enqueue_for`` reads the record's recent ChangeLog rows and, for each enabled rule whose trigger they
   match, inserts a ``Run`` keyed by (rule version, record, occurrence) — the ChangeLog row or the date
   for time-based rules — so a trigger seen twice (two events of one write, two sweeps) is one run.
3. ``process_due`` (the ``run_automation`` task and the periodic sweep) claims runs one at a time with
   ``select_for_update(skip_locked=True)`` plus a conditional update, evaluates the condition and does
   the actions in one savepoint: all of them or none. A failure retries with backoff, then parks.
4. Loops: a run executing its actions marks the thread; the runs its writes trigger carry the chain of
   rules that led to them. A rule met again too often in one chain, a chain too deep, or too many runs
   of one rule on one record within an hour is stopped with a message in the log.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.automation import tasks  # tasks reads this module at call time only
from baton.core.models import ChangeLog
from baton.deals.models import Stage

from .actions import ACTIONS, Context
from .facts import MODELS, STAGE_FIELD, check_condition, facts_of
from .models import Rule, RuleVersion, Run, Trigger

EVENT_TRIGGERS = (
    Trigger.CREATED,
    Trigger.FIELD_CHANGED,
    Trigger.STAGE_ENTERED,
    Trigger.INBOUND_EMAIL,
    Trigger.FORM_SUBMISSION,
)
MAX_ATTEMPTS = 3
BACKOFF = dt.timedelta(minutes=1)  # 1, 4, 16 minutes …
MAX_SELF_REPEATS = 2  # a rule may appear this often in one chain; the next is stopped
MAX_DEPTH = 5
MAX_RUNS_PER_HOUR = 20  # of one rule on one record
CATCH_UP_DAYS = 7  # a time-based rule still fires if the worker was down on the day

_state = threading.local()


def current_chain() -> list[int]:
    return list(getattr(_state, "chain", None) or [])


# --- events → runs --------------------------------------------------------------------------------------


def on_record_event(kind: str, record: Any) -> None:
    """Called by the event subscribers inside the writer's transaction; no query here."""
    if kind not in MODELS or getattr(record, "pk", None) is None:
        return
    chain = current_chain()
    pk = record.pk
    transaction.on_commit(lambda: enqueue_for(kind, pk, chain=chain))


def current_versions(rules: list[Rule]) -> dict[int, RuleVersion]:
    rows = RuleVersion.objects.filter(rule__in=rules, number=models.F("rule__version")).select_related(
        "author"
    )
    return {v.rule_id: v for v in rows}


def _stage_ids(key: str) -> set[int]:
    return set(Stage.objects.filter(key=key).values_list("pk", flat=True))


def occurrences(
    definition: dict[str, Any], kind: str, record: Any, changes: list[ChangeLog]
) -> list[tuple[str, dict]]:
    """The trigger occurrences of ``definition`` among the record's ChangeLog rows (newest first)."""
    trigger = definition["trigger"]
    found: list[tuple[str, dict]] = []
    created = [c for c in changes if c.action == ChangeLog.Action.CREATE]
    if trigger == Trigger.CREATED:
        found = [(f"change:{c.pk}", {"trigger": trigger, "change": c.pk}) for c in created]
    elif trigger == Trigger.FORM_SUBMISSION:
        if kind == "lead" and record.source == "web_form":
            found = [(f"change:{c.pk}", {"trigger": trigger, "change": c.pk}) for c in created]
    elif trigger == Trigger.INBOUND_EMAIL:
        if kind == "activity" and record.kind == "email" and record.direction == "in":
            found = [(f"change:{c.pk}", {"trigger": trigger, "change": c.pk}) for c in created]
    elif trigger == Trigger.FIELD_CHANGED:
        name = definition["trigger_field"]
        for c in changes:
            if (
                c.action != ChangeLog.Action.CREATE
                and name in c.after
                and c.before.get(name) != c.after[name]
            ):
                info = {"trigger": trigger, "change": c.pk, "field": name, "before": c.before.get(name)}
                found.append((f"change:{c.pk}", info | {"after": c.after[name]}))
    elif trigger == Trigger.STAGE_ENTERED and kind in STAGE_FIELD:
        name = STAGE_FIELD[kind]
        wanted: set[Any] = (
            _stage_ids(definition["trigger_value"])
            if kind == "opportunity"
            else {definition["trigger_value"]}
        )
        for c in changes:
            if c.after.get(name) in wanted and c.before.get(name) != c.after.get(name):
                found.append(
                    (
                        f"change:{c.pk}",
                        {"trigger": trigger, "change": c.pk, "stage": definition["trigger_value"]},
                    )
                )
    return found


def _loop_problem(rule: Rule, kind: str, record_id: int, chain: list[int]) -> str:
    repeats = chain.count(rule.pk)
    if repeats >= MAX_SELF_REPEATS:
        return _(
            "Loop stopped: “%(rule)s” was triggered by its own actions %(n)s times in one chain. "
            "Change its actions or condition so that they do not set off its trigger again."
        ) % {"rule": rule.name, "n": repeats}
    if len(chain) >= MAX_DEPTH:
        return _("Loop stopped: %(n)s rules triggered one another in a chain (at most %(max)s).") % {
            "n": len(chain),
            "max": MAX_DEPTH,
        }
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Run.objects.filter(
        rule=rule, record_kind=kind, record_id=record_id, created_at__gte=since
    ).count()
    if recent >= MAX_RUNS_PER_HOUR:
        return _("Loop stopped: “%(rule)s” ran %(n)s times on this record within an hour.") % {
            "rule": rule.name,
            "n": recent,
        }
    return ""


def create_run(
    rule: Rule, version: RuleVersion, kind: str, record_id: int, occurrence: str, info: dict, chain: list[int]
) -> Run | None:
    """Insert the run of one trigger occurrence (None when it already exists: exactly once)."""
    if Run.objects.filter(
        version=version, record_kind=kind, record_id=record_id, occurrence=occurrence
    ).exists():
        return None
    problem = _loop_problem(rule, kind, record_id, chain) if chain else ""
    now = timezone.now()
    try:
        with transaction.atomic():
            return Run.objects.create(
                rule=rule,
                version=version,
                record_kind=kind,
                record_id=record_id,
                occurrence=occurrence[:100],
                status=Run.Status.LOOP_STOPPED if problem else Run.Status.QUEUED,
                error=problem,
                depth=len(chain),
                chain=[*chain, rule.pk],
                inputs={"trigger": info},
                next_attempt_at=None if problem else now,
                finished_at=now if problem else None,
            )
    except IntegrityError:  # another worker inserted it first
        return None


ACTIVE_KINDS_KEY = "automation:active-kinds"
ACTIVE_KINDS_SECONDS = 60


def active_kinds() -> frozenset[str]:
    """The record kinds some enabled event rule watches, cached (shared by the processes when the cache
    is Redis), so a write nobody has a rule for costs no query after its commit either."""
    cached = cache.get(ACTIVE_KINDS_KEY)
    if cached is None:
        rules = Rule.objects.filter(enabled=True, trigger__in=EVENT_TRIGGERS)
        cached = sorted(set(rules.values_list("object_kind", flat=True)))
        cache.set(ACTIVE_KINDS_KEY, cached, ACTIVE_KINDS_SECONDS)
    return frozenset(cached)


def forget_active_kinds() -> None:
    """Called by every rule write, at once and again after its commit (a reader in between may have
    cached the old state)."""
    cache.delete(ACTIVE_KINDS_KEY)
    transaction.on_commit(lambda: cache.delete(ACTIVE_KINDS_KEY))


def enqueue_for(kind: str, record_id: int, *, chain: list[int] | None = None) -> list[Run]:
    """After a committed write: the runs its triggers call for (each at most once)."""
    if kind not in active_kinds():
        return []
    rules = list(Rule.objects.filter(object_kind=kind, enabled=True, trigger__in=EVENT_TRIGGERS))
    if not rules:
        return []
    record = MODELS[kind]._default_manager.filter(pk=record_id).first()
    versions = current_versions(rules)
    if record is None or not versions:
        return []
    since = min(v.created_at for v in versions.values())
    ct = ContentType.objects.get_for_model(MODELS[kind], for_concrete_model=True)
    changes = list(
        ChangeLog.objects.filter(content_type=ct, object_id=record_id, time__gte=since).order_by("-id")[:20]
    )
    created: list[Run] = []
    for rule in rules:
        version = versions.get(rule.pk)
        if version is None:
            continue
        mine = [c for c in changes if c.time >= version.created_at]
        for occurrence, info in occurrences(version.definition, kind, record, mine):
            run = create_run(rule, version, kind, record_id, occurrence, info, chain or [])
            if run is not None:
                created.append(run)
    if any(r.status == Run.Status.QUEUED for r in created):
        wake_worker()
    return created


def wake_worker() -> None:
    transaction.on_commit(lambda: tasks.run_automation.enqueue())


# --- time-based rules ----------------------------------------------------------------------------------


def date_candidates(definition: dict[str, Any], kind: str, today: dt.date, since: dt.date | None = None):
    """Records whose date field plus the offset falls on a day in the catch-up window ending today."""
    name = definition["trigger_field"]
    offset = int(definition.get("offset_days") or 0)
    first = today - dt.timedelta(days=offset + CATCH_UP_DAYS)
    last = today - dt.timedelta(days=offset)
    if since is not None:
        first = max(first, since - dt.timedelta(days=offset))
    model = MODELS[kind]
    lookup = (
        name
        if isinstance(model._meta.get_field(name), models.DateField)
        and not isinstance(model._meta.get_field(name), models.DateTimeField)
        else f"{name}__date"
    )
    return model._default_manager.filter(**{f"{lookup}__gte": first, f"{lookup}__lte": last}).order_by("pk")


def _date_of(record: Any, name: str) -> dt.date:
    value = getattr(record, name)
    return timezone.localdate(value) if isinstance(value, dt.datetime) else value


def sweep_time_rules(today: dt.date | None = None) -> list[Run]:
    today = today or timezone.localdate()
    rules = list(Rule.objects.filter(enabled=True, trigger=Trigger.DATE_RELATIVE))
    versions = current_versions(rules)
    created: list[Run] = []
    for rule in rules:
        version = versions.get(rule.pk)
        if version is None:
            continue
        defn = version.definition
        since = timezone.localdate(version.created_at)
        for record in date_candidates(defn, rule.object_kind, today, since)[:1000]:
            day = _date_of(record, defn["trigger_field"])
            info = {"trigger": Trigger.DATE_RELATIVE, "field": defn["trigger_field"], "date": day.isoformat()}
            run = create_run(rule, version, rule.object_kind, record.pk, f"date:{day.isoformat()}", info, [])
            if run is not None:
                created.append(run)
    return created


# --- executing runs ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    met: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return str(exc) or type(exc).__name__


def plan_actions(definition: dict[str, Any], kind: str, record: Any, ctx_actor: Any, rule_name: str):
    """What the actions would do to ``record``, in order (the dry run; a run stores the same)."""
    ctx = Context(kind=kind, record=record, actor=ctx_actor, rule_name=rule_name)
    planned = []
    for params in definition["actions"]:
        try:
            planned.append({"type": params["type"], "plan": ACTIONS[params["type"]].plan(ctx, params)})
        except (ValidationError, ValueError, LookupError) as exc:
            planned.append({"type": params["type"], "error": _message(exc)})
    return planned


def _execute_actions(run: Run, record: Any) -> list[dict[str, Any]]:
    version = run.version
    actor = version.author
    if actor is None or not actor.is_active:
        raise ValidationError(
            _("The rule's author is no longer active: an administrator must save it again.")
        )
    ctx = Context(kind=run.record_kind, record=record, actor=actor, rule_name=run.rule.name)
    done = []
    for index, params in enumerate(version.definition["actions"], start=1):
        spec = ACTIONS.get(params["type"])
        if spec is None:
            raise ValidationError(
                _("Action %(n)s: unknown type %(type)s.") % {"n": index, "type": params["type"]}
            )
        try:
            plan = spec.plan(ctx, params)
            result = spec.execute(ctx, params, plan)
        except Exception as exc:
            raise ValidationError(
                _("Action %(n)s (%(type)s) failed: %(error)s")
                % {"n": index, "type": spec.key, "error": _message(exc)}
            ) from exc
        done.append({"type": spec.key, "plan": plan, "result": result})
        record.refresh_from_db()
    return done


def execute(run: Run, *, worker: str = "") -> Run:
    """Evaluate and act for one claimed run (inside the caller's transaction)."""
    now = timezone.now()
    kind = run.record_kind
    record = MODELS[kind]._default_manager.filter(pk=run.record_id).first()
    run.worker = worker[:64]
    if record is None:
        run.status, run.error, run.finished_at = Run.Status.SKIPPED, _("The record no longer exists."), now
        run.save()
        return run
    facts = facts_of(kind, record)
    met, evidence, error = check_condition(run.version.definition.get("condition", ""), facts)
    run.inputs = {
        **run.inputs,
        "condition": run.version.definition.get("condition", ""),
        "facts": evidence,
        "met": met,
    }
    if error:
        run.status, run.error, run.finished_at = Run.Status.PARKED, error, now
        run.save()
        return run
    if not met:
        run.status, run.error, run.finished_at = Run.Status.SKIPPED, "", now
        run.save()
        return run
    _state.chain = list(run.chain)
    try:
        with transaction.atomic():
            run.actions_done = _execute_actions(run, record)
    except Exception as exc:
        run.attempts += 1
        run.error = _message(exc)[:2000]
        run.actions_done = []
        if run.attempts >= MAX_ATTEMPTS:
            run.status, run.next_attempt_at, run.finished_at = Run.Status.PARKED, None, now
        else:
            run.status = Run.Status.RETRY
            run.next_attempt_at = now + BACKOFF * (4 ** (run.attempts - 1))
    else:
        run.attempts += 1
        run.status, run.error, run.finished_at = Run.Status.DONE, "", now
    finally:
        _state.chain = None
    run.save()
    return run


def claim_next(worker: str, now: dt.datetime | None = None) -> Run | None:
    """Lock the oldest due run (skipping runs another worker holds); call inside a transaction."""
    now = now or timezone.now()
    due = Run.objects.filter(
        status__in=(Run.Status.QUEUED, Run.Status.RETRY), next_attempt_at__lte=now
    ).order_by("id")
    run = (
        due.select_for_update(skip_locked=True, of=("self",))
        .select_related("version__author", "rule")
        .first()
    )
    if run is None:
        return None
    # SQLite has no row locks: the conditional update lets exactly one worker take the run.
    taken = Run.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts, worker=run.worker).update(
        worker=worker[:64]
    )
    return run if taken else None


def process_due(*, worker: str = "", limit: int = 200, now: dt.datetime | None = None) -> int:
    """Execute due runs one by one (each in its own transaction); returns how many were handled."""
    worker = worker or f"auto-{uuid.uuid4().hex[:10]}"
    handled = 0
    while handled < limit:
        with transaction.atomic():
            run = claim_next(worker, now)
            if run is None:
                break
            execute(run, worker=worker)
        handled += 1
    return handled
