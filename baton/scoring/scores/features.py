"""Features of a lead *as known at a snapshot time*, for the predictive score and its baseline.

Leakage is prevented by construction: only the lead's firmographics and the interactions that happened
before the snapshot are read. The lead's status, owner, conversion, disqualification and anything
logged after the snapshot (e.g. the kick-off meeting after a win) never reach the model.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import models
from django.utils.translation import gettext as _

from baton.core.choices import CompanySize, Industry, Region
from baton.leads.models import Lead, LeadInteraction, LeadSource

CATEGORICAL: dict[str, list[str]] = {
    "industry": ["", *Industry.values],
    "region": ["", *Region.values],
    "size": ["", *CompanySize.values],
    "source": list(LeadSource.values),
}
BINARY = ("has_title", "has_email", "has_phone", "has_brn")
COUNT_KINDS = (
    "web_visit",
    "form_submit",
    "seminar",
    "inbound_question",
    "email_reply",
    "call",
    "meeting",
    "download",
)
COUNT_WINDOW_DAYS = 90
# Fields a model must never see: they are decided by (or after) the outcome.
FORBIDDEN = frozenset({"status", "converted_at", "converted_opportunity", "disqualify_reason", "owner"})

# The behavioural "stage reached" the baseline counts cumulatively (Odoo counts pipeline stages so).
STAGE_OF_KIND = {
    "web_visit": 1,
    "download": 1,
    "form_submit": 2,
    "seminar": 3,
    "inbound_question": 4,
    "email_reply": 4,
    "call": 4,
    "meeting": 5,
}
STAGE_COUNT = 6


def feature_names() -> list[str]:
    names = [f"{field}={value}" for field, values in CATEGORICAL.items() for value in values]
    names += list(BINARY)
    names += [f"{kind}_{COUNT_WINDOW_DAYS}d" for kind in COUNT_KINDS]
    names += ["days_since_last_touch"]
    return names


NUMERIC_START = sum(len(v) for v in CATEGORICAL.values())


def feature_label(name: str) -> str:
    """A readable label for a reason line."""
    if "=" in name:
        field, value = name.split("=", 1)
        model_field = Lead._meta.get_field(field)
        assert isinstance(model_field, models.Field)  # a column of the lead, never a relation
        choices = dict(model_field.flatchoices)
        shown = str(choices.get(value, value)) if value else _("not set")
        return f"{model_field.verbose_name}: {shown}"
    if name.endswith(f"_{COUNT_WINDOW_DAYS}d"):
        kind = name[: -len(f"_{COUNT_WINDOW_DAYS}d")]
        label = dict(LeadInteraction.Kind.choices).get(kind, kind)
        return _("%(kind)s in the last %(days)s days") % {"kind": label, "days": COUNT_WINDOW_DAYS}
    labels = {
        "has_title": _("Has a job title"),
        "has_email": _("Has an email"),
        "has_phone": _("Has a phone"),
        "has_brn": _("Has a business registration no."),
        "days_since_last_touch": _("Days since the last touch"),
    }
    return str(labels.get(name, name))


@dataclass
class Snapshot:
    """One lead at one moment: its fields and the interactions before that moment."""

    lead_id: int
    at: float  # unix time of the snapshot
    row: dict[str, Any]
    interactions: list[tuple[str, float]]


def vectorize(snapshots: Sequence[Snapshot]) -> np.ndarray:
    names = feature_names()
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(snapshots), len(names)), dtype=np.float64)
    window = COUNT_WINDOW_DAYS * 86400.0
    for r, snap in enumerate(snapshots):
        row = snap.row
        for field in CATEGORICAL:
            key = f"{field}={row.get(field) or ''}"
            col = index.get(key)
            if col is not None:
                x[r, col] = 1.0
        x[r, index["has_title"]] = 1.0 if row.get("title") else 0.0
        x[r, index["has_email"]] = 1.0 if row.get("email") else 0.0
        x[r, index["has_phone"]] = 1.0 if row.get("phone") else 0.0
        x[r, index["has_brn"]] = 1.0 if row.get("brn") else 0.0
        counts: dict[str, int] = {}
        last = None
        for kind, ts in snap.interactions:
            if ts >= snap.at:  # the future of the snapshot is never a feature
                continue
            if snap.at - ts <= window:
                counts[kind] = counts.get(kind, 0) + 1
            if last is None or ts > last:
                last = ts
        for kind in COUNT_KINDS:
            x[r, index[f"{kind}_{COUNT_WINDOW_DAYS}d"]] = math.log1p(counts.get(kind, 0))
        days = 365.0 if last is None else min(365.0, (snap.at - last) / 86400.0)
        x[r, index["days_since_last_touch"]] = math.log1p(days)
    return x


def stage_reached(snap: Snapshot) -> int:
    best = 0
    for kind, ts in snap.interactions:
        if ts < snap.at:
            best = max(best, STAGE_OF_KIND.get(kind, 0))
    return best


def interactions_by_lead(lead_ids: Iterable[int], *, before: dt.datetime | None = None) -> dict[int, list]:
    """(kind, unix time) of every interaction of these leads, one query."""
    ids = list(lead_ids)
    result: dict[int, list[tuple[str, float]]] = {i: [] for i in ids}
    if not ids:
        return result
    qs = LeadInteraction.objects.filter(lead_id__in=ids)
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    for lead_id, kind, at in qs.values_list("lead_id", "kind", "occurred_at").iterator(chunk_size=20000):
        result[lead_id].append((kind, at.timestamp()))
    return result
