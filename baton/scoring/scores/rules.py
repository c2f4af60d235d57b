"""Rule scores: fit from the lead's attributes, engagement from its interactions with time decay.

Pure functions over plain values, so one lead (on a fact change) and a million (in bulk) go through
the same code. Every score comes with its reasons: which rule added how many points.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# The lead facts fit rules may test (the interaction kinds are what engagement rules may name).
FIT_ATTRIBUTES: dict[str, Any] = {
    "industry": _("Industry"),
    "region": _("Region"),
    "size": _("Size"),
    "source": _("Source"),
    "title": _("Job title"),
    "status": _("Status"),
    "has_email": _("Has an email"),
    "has_phone": _("Has a phone"),
    "has_company": _("Has a company"),
    "has_brn": _("Has a business registration no."),
    "has_title": _("Has a job title"),
    "has_campaign": _("Came from a campaign"),
}
LEAD_VALUE_FIELDS = ("id", "industry", "region", "size", "source", "title", "status", "email", "phone")
LEAD_VALUE_FIELDS_EXTRA = ("company", "brn", "campaign_id", "custom_field_data")
# Fit rules may also test a lead custom field, as ``cf_<key>`` (``scoring.scores.custom``).
CUSTOM_PREFIX = "cf_"
LEAD_FIELDS = LEAD_VALUE_FIELDS + LEAD_VALUE_FIELDS_EXTRA


@dataclass(frozen=True)
class CompiledRule:
    """A rule reduced to what evaluation needs (no ORM access in the hot loop)."""

    id: int
    category: str
    label: str
    attribute: str
    operator: str
    values: tuple[str, ...]
    points: int
    half_life_days: float
    max_points: int


def compile_rules(rules: Iterable[Any]) -> list[CompiledRule]:
    compiled = []
    for r in rules:
        raw = (r.value or "").strip()
        values = tuple(v.strip().lower() for v in raw.split(",") if v.strip()) if raw else ()
        compiled.append(
            CompiledRule(
                id=r.pk,
                category=r.category,
                label=r.label,
                attribute=r.attribute,
                operator=r.operator,
                values=values,
                points=int(r.points),
                half_life_days=float(max(1, r.half_life_days or 1)),
                max_points=int(r.max_points or 0),
            )
        )
    return compiled


def lead_attributes(row: dict[str, Any]) -> dict[str, Any]:
    """The fit facts of one lead from a ``values()`` row (or a Lead's fields)."""
    return {
        "industry": row.get("industry") or "",
        "region": row.get("region") or "",
        "size": row.get("size") or "",
        "source": row.get("source") or "",
        "title": (row.get("title") or "").lower(),
        "status": row.get("status") or "",
        "has_email": bool(row.get("email")),
        "has_phone": bool(row.get("phone")),
        "has_company": bool(row.get("company")),
        "has_brn": bool(row.get("brn")),
        "has_title": bool(row.get("title")),
        "has_campaign": row.get("campaign_id") is not None,
        **custom_facts(row.get("custom_field_data")),
    }


def custom_facts(data: Any) -> dict[str, Any]:
    """A lead's custom values as fit facts: money by its amount, several choices joined by commas."""
    facts: dict[str, Any] = {}
    for key, value in (data if isinstance(data, dict) else {}).items():
        if isinstance(value, dict):
            value = value.get("amount")
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        facts[f"{CUSTOM_PREFIX}{key}"] = value
    return facts


def _matches(rule: CompiledRule, value: Any) -> bool:
    op = rule.operator
    if op == "true":
        return bool(value)
    if op == "false":
        return not value
    text = str(value).lower() if not isinstance(value, bool) else ("true" if value else "false")
    first = rule.values[0] if rule.values else ""
    if op == "eq":
        return text == first
    if op == "ne":
        return text != first
    if op == "in":
        return text in rule.values
    if op == "contains":
        # Any of the comma-separated words (e.g. "팀장, director, cto").
        return bool(text) and any(v in text for v in rule.values)
    if op in ("gte", "lte"):
        try:
            number, bound = float(value), float(first)
        except (TypeError, ValueError):
            return False
        return number >= bound if op == "gte" else number <= bound
    return False


def fit_score(rules: Sequence[CompiledRule], attrs: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    total = 0
    reasons = []
    for rule in rules:
        if rule.category != "fit":
            continue
        if rule.attribute not in attrs and not rule.attribute.startswith(CUSTOM_PREFIX):
            continue
        if _matches(rule, attrs.get(rule.attribute, "")):  # an empty custom field: no value
            total += rule.points
            reasons.append({"rule": rule.id, "label": rule.label, "points": rule.points, "kind": "fit"})
    return total, reasons


def engagement_score(
    rules: Sequence[CompiledRule], interactions: Iterable[tuple[str, float]], now_ts: float
) -> tuple[int, list[dict[str, Any]]]:
    """``interactions`` are (kind, unix time) pairs; each is worth ``points * 0.5 ** (age / half-life)``."""
    by_kind: dict[str, list[float]] = {}
    for kind, ts in interactions:
        if ts <= now_ts:
            by_kind.setdefault(kind, []).append(ts)
    total = 0
    reasons = []
    for rule in rules:
        if rule.category != "engagement":
            continue
        times = by_kind.get(rule.attribute)
        if not times:
            continue
        hl = rule.half_life_days * 86400.0
        raw = sum(rule.points * math.pow(0.5, (now_ts - ts) / hl) for ts in times)
        if rule.max_points:
            raw = min(raw, float(rule.max_points)) if raw > 0 else max(raw, -float(rule.max_points))
        points = round(raw)
        if points:
            total += points
            reasons.append(
                {
                    "rule": rule.id,
                    "label": rule.label,
                    "points": points,
                    "count": len(times),
                    "kind": "engagement",
                }
            )
    return total, reasons


def score_lead_values(
    rules: Sequence[CompiledRule],
    row: dict[str, Any],
    interactions: Iterable[tuple[str, float]],
    now: dt.datetime,
) -> tuple[int, int, list[dict[str, Any]]]:
    fit, fit_reasons = fit_score(rules, lead_attributes(row))
    engagement, eng_reasons = engagement_score(rules, interactions, now.timestamp())
    reasons = sorted(fit_reasons + eng_reasons, key=lambda r: -abs(r["points"]))
    return fit, engagement, reasons
