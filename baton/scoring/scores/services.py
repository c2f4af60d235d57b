"""Writes of the lead score: rescore one lead (on a fact change) or every lead (in bulk), train the
predictive model, and edit the scoring rules (administrators)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.scoring.access import require_admin
from baton.scoring.models import LeadScore, PredictiveModel, ScoringRule
from baton.scoring.scores import predictive
from baton.scoring.scores.custom import custom_attributes
from baton.scoring.scores.features import Snapshot, interactions_by_lead, vectorize
from baton.scoring.scores.rules import (
    FIT_ATTRIBUTES,
    LEAD_FIELDS,
    CompiledRule,
    compile_rules,
    score_lead_values,
)

logger = logging.getLogger("baton.scoring")
# Bounded work per fact change: only the most recent interactions of a lead are read.
MAX_INTERACTIONS_PER_LEAD = 500
# Tests set this so hook failures surface; in production a scoring hiccup must not block a CRM write.
STRICT_HOOKS = False


# --- scores ------------------------------------------------------------------------------------------


def active_rules() -> list[CompiledRule]:
    return compile_rules(ScoringRule.objects.filter(is_active=True).order_by("category", "sequence", "id"))


def active_model() -> tuple[PredictiveModel | None, predictive.LinearModel | None]:
    row = PredictiveModel.objects.filter(status=PredictiveModel.Status.ACTIVE).order_by("-version").first()
    if row is None or not row.params:
        return None, None
    return row, predictive.LinearModel.from_params(row.params)


def _score_row(
    lead_row: dict[str, Any], interactions: list, now: dt.datetime, rules: list, model: Any
) -> dict:
    fit, engagement, reasons = score_lead_values(rules, lead_row, interactions, now)
    values: dict[str, Any] = {
        "fit": fit,
        "engagement": engagement,
        "total": fit + engagement,
        "reasons": reasons,
        "probability": None,
        "predicted_reasons": [],
        "model_version": None,
        "computed_at": now,
    }
    if model is not None:
        row, linear = model
        x = vectorize([Snapshot(lead_row["id"], now.timestamp(), lead_row, interactions)])
        values["probability"] = round(float(linear.predict(x)[0]), 4)
        values["predicted_reasons"] = linear.reasons(x[0])
        values["model_version"] = row.version
    return values


def rescore_lead(lead: Lead | int, *, now: dt.datetime | None = None) -> LeadScore:
    """Recompute one lead's scores: one lead row, its latest interactions, one upsert."""
    now = now or timezone.now()
    lead_id = lead.pk if isinstance(lead, Lead) else int(lead)
    row = Lead.objects.filter(pk=lead_id).values(*LEAD_FIELDS).get()
    interactions = [
        (kind, at.timestamp())
        for kind, at in LeadInteraction.objects.filter(lead_id=lead_id, occurred_at__lte=now)
        .order_by("-occurred_at")
        .values_list("kind", "occurred_at")[:MAX_INTERACTIONS_PER_LEAD]
    ]
    model_row, linear = active_model()
    values = _score_row(row, interactions, now, active_rules(), (model_row, linear) if linear else None)
    existing = LeadScore.objects.filter(lead_id=lead_id).values_list("qualified_at", flat=True).first()
    if row["status"] == LeadStatus.QUALIFIED:
        values["qualified_at"] = existing or now
    else:
        values["qualified_at"] = None
    score, _created = LeadScore.objects.update_or_create(lead_id=lead_id, defaults=values)
    return score


def on_lead_facts_changed(lead: Lead | int) -> None:
    """Rescore a lead whose facts changed (after the write, see ``deferred.py``); a scoring failure is
    logged, not raised, in production."""
    if STRICT_HOOKS:
        with transaction.atomic():
            rescore_lead(lead)
        return
    try:
        with transaction.atomic():
            rescore_lead(lead)
    except Exception:
        logger.exception("rescoring lead %s failed", lead if isinstance(lead, int) else lead.pk)


def _batches(batch: int, limit: int | None) -> Iterator[list[dict[str, Any]]]:
    last = 0
    seen = 0
    while True:
        size = batch if limit is None else min(batch, limit - seen)
        if size <= 0:
            return
        rows = list(Lead.objects.filter(pk__gt=last).order_by("pk").values(*LEAD_FIELDS)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]
        seen += len(rows)


def _write_scores(rows: list[tuple]) -> None:
    """Upsert a batch of scores: COPY into a temporary table and one INSERT ... ON CONFLICT on
    PostgreSQL; bulk_create with update_conflicts elsewhere."""
    fields = [
        "fit",
        "engagement",
        "total",
        "reasons",
        "probability",
        "predicted_reasons",
        "model_version",
        "qualified_at",
        "computed_at",
    ]
    if connection.vendor == "postgresql":
        table = LeadScore._meta.db_table
        cols = ["lead_id", *fields]
        with connection.cursor() as cur:
            cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS _score_batch (LIKE "{table}") ON COMMIT DROP')
            cur.execute("TRUNCATE _score_batch")
            with cur.cursor.copy(f"COPY _score_batch ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(
                        (
                            r[0],
                            r[1],
                            r[2],
                            r[3],
                            json.dumps(r[4], ensure_ascii=False),
                            r[5],
                            json.dumps(r[6], ensure_ascii=False),
                            r[7],
                            r[8],
                            r[9],
                        )
                    )
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in fields if c != "qualified_at")
            # Table and column names are ours; the values went in through COPY.
            sql = (
                f'INSERT INTO "{table}" ({", ".join(cols)}) SELECT {", ".join(cols)} FROM _score_batch '  # noqa: S608
                f"ON CONFLICT (lead_id) DO UPDATE SET {updates}, "
                f"qualified_at = CASE WHEN EXCLUDED.qualified_at IS NULL THEN NULL "
                f'ELSE COALESCE("{table}".qualified_at, EXCLUDED.qualified_at) END'
            )
            cur.execute(sql)
        return
    objs = [LeadScore(lead_id=r[0], **dict(zip(fields, r[1:], strict=True))) for r in rows]
    LeadScore.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["lead_id"], update_fields=fields, batch_size=500
    )


def score_all_leads(
    *,
    batch: int = 20000,
    limit: int | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rescore every lead in keyset batches: one lead query, one interaction query, one upsert per batch."""
    now = now or timezone.now()
    rules = active_rules()
    model_row, linear = active_model()
    done = 0
    for rows in _batches(batch, limit):
        ids = [r["id"] for r in rows]
        by_lead = interactions_by_lead(ids, before=now)
        out = []
        xs = (
            vectorize([Snapshot(r["id"], now.timestamp(), r, by_lead[r["id"]]) for r in rows])
            if linear
            else None
        )
        probs = linear.predict(xs) if linear is not None and xs is not None else None
        all_reasons = linear.reasons_batch(xs) if linear is not None and xs is not None else None
        for i, r in enumerate(rows):
            fit, engagement, reasons = score_lead_values(rules, r, by_lead[r["id"]], now)
            qualified = now if r["status"] == LeadStatus.QUALIFIED else None
            prob = round(float(probs[i]), 4) if probs is not None else None
            pred_reasons = all_reasons[i] if all_reasons is not None else []
            out.append(
                (
                    r["id"],
                    fit,
                    engagement,
                    fit + engagement,
                    reasons,
                    prob,
                    pred_reasons,
                    model_row.version if model_row else None,
                    qualified,
                    now,
                )
            )
        with transaction.atomic():
            _write_scores(out)
        done += len(rows)
        if progress:
            progress(done)
    return done


# --- the predictive model ------------------------------------------------------------------------------


@transaction.atomic
def train_model(
    *,
    actor: User | None = None,
    window_days: int = 180,
    snapshot_days: int = 14,
    now: dt.datetime | None = None,
    max_examples: int = predictive.MAX_EXAMPLES,
) -> PredictiveModel:
    """Evaluate on a time split, then (if the history backs it) fit on everything and activate."""
    data = predictive.build_dataset(
        window_days=window_days, snapshot_days=snapshot_days, now=now, max_examples=max_examples
    )
    result = predictive.evaluate(data)
    version = (PredictiveModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    metrics = {"model": result.model, "baseline": result.baseline}
    status = PredictiveModel.Status.INSUFFICIENT
    params: dict[str, Any] = {}
    note = ""
    if not result.enough:
        note = _(
            "%(n)s labelled leads with %(won)s wins; "
            "at least %(min_n)s leads and %(min_won)s wins are needed."
        ) % {
            "n": len(data),
            "won": result.positives,
            "min_n": predictive.MIN_EXAMPLES,
            "min_won": predictive.MIN_POSITIVES,
        }
    elif (result.model.get("auc") or 0) < predictive.MIN_AUC:
        status = PredictiveModel.Status.REJECTED
        note = _("Test AUC %(auc).3f is below %(min).2f: the rule score stays in charge.") % {
            "auc": result.model.get("auc") or 0,
            "min": predictive.MIN_AUC,
        }
    else:
        status = PredictiveModel.Status.ACTIVE
        params = predictive.fit_final(data).to_params()
    if status == PredictiveModel.Status.ACTIVE:
        PredictiveModel.objects.filter(status=PredictiveModel.Status.ACTIVE).update(
            status=PredictiveModel.Status.RETIRED
        )
    row = PredictiveModel.objects.create(
        version=version,
        status=status,
        trained_at=now or timezone.now(),
        window_days=window_days,
        snapshot_days=snapshot_days,
        algorithm="logistic regression + sigmoid calibration",
        n_train=result.n_train,
        n_test=result.n_test,
        positives=result.positives,
        metrics=_json_safe(metrics),
        params=params,
        note=note[:300],
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=row,
        after={"version": version, "status": status, "auc": result.model.get("auc")},
    )
    return row


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- rules (admins) -----------------------------------------------------------------------------------


def _validate_rule(values: dict[str, Any]) -> None:
    category = values.get("category")
    attribute = values.get("attribute", "")
    if category == ScoringRule.Category.FIT and attribute not in {**FIT_ATTRIBUTES, **custom_attributes()}:
        raise ValidationError({"attribute": [_("Choose a lead attribute.")]})
    if category == ScoringRule.Category.ENGAGEMENT and attribute not in LeadInteraction.Kind.values:
        raise ValidationError({"attribute": [_("Choose an interaction type.")]})


@transaction.atomic
def save_rule(rule: ScoringRule | None, *, actor: User | None, values: dict[str, Any]) -> ScoringRule:
    require_admin(actor)
    _validate_rule(values)
    before = snapshot(rule) if rule else {}
    rule = rule or ScoringRule()
    for key, value in values.items():
        setattr(rule, key, value)
    rule.full_clean()
    rule.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE,
        instance=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule
