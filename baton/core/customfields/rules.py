"""Record validation rules in CEL: the facts a rule reads, checking a rule, and running the active ones.

A rule states what a valid record looks like (``stage_key != "lost" || cf_competitor != ""``); a record
that does not meet it is refused with the rule's message on its field. Facts are the record's own
columns (relations as ``<name>_id``), facts the owning app registers (the deal's ``stage_key``), and
custom fields as ``cf_<key>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from baton.core.cel import check_expression, referenced_facts, run_expression
from baton.core.customfields.models import CustomField, FieldType, ValidationRule
from baton.core.records import record_model

# Columns that are bookkeeping, not facts a rule should read.
SKIPPED = frozenset({"custom_field_data", "version", "created_at", "updated_at", "name_key", "company_key"})
NUMERIC = (FieldType.NUMBER, FieldType.MONEY, FieldType.PERCENT)


@dataclass(frozen=True)
class ExtraFacts:
    """Facts an app adds for its record kind (``compute(record)``), with a sample of their types."""

    compute: Callable[[Any], dict[str, Any]]
    sample: dict[str, Any]


_EXTRA: dict[str, ExtraFacts] = {}


def register_rule_facts(kind: str, extra: ExtraFacts) -> None:
    _EXTRA[kind] = extra


def _fact(value: Any, field: models.Field) -> Any:
    if value is None:
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            return 0.0
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def custom_fact(definition: CustomField, value: Any) -> Any:
    if definition.type == FieldType.MONEY:
        return float(value.get("amount", 0)) if isinstance(value, dict) else 0.0
    if definition.type in NUMERIC:
        return float(value) if isinstance(value, int | float) else 0.0
    if definition.type == FieldType.BOOLEAN:
        return bool(value)
    if definition.type == FieldType.MULTI_CHOICE:
        return list(value) if isinstance(value, list) else []
    if definition.type in (FieldType.USER, FieldType.REFERENCE):
        return int(value) if isinstance(value, int) else 0
    return value if isinstance(value, str) else ""


def facts_for(record: models.Model, kind: str, fields: list[CustomField]) -> dict[str, Any]:
    """The facts a rule sees for ``record`` (reads no relation, except what an app's extra facts do)."""
    facts: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        if field.name in SKIPPED or field.primary_key:
            continue
        if field.is_relation:
            facts[field.attname] = getattr(record, field.attname) or 0
        else:
            facts[field.name] = _fact(getattr(record, field.attname), field)
    extra = _EXTRA.get(kind)
    if extra is not None:
        facts.update(extra.compute(record))
    stored = getattr(record, "custom_field_data", None)
    data = stored if isinstance(stored, dict) else {}
    for definition in fields:
        facts[f"cf_{definition.key}"] = custom_fact(definition, data.get(definition.key))
    return facts


def sample_facts(kind: str, fields: list[CustomField]) -> dict[str, Any]:
    model = record_model(kind)
    facts = facts_for(model(), kind, [])
    extra = _EXTRA.get(kind)
    if extra is not None:
        facts.update(extra.sample)
    for definition in fields:
        facts[f"cf_{definition.key}"] = custom_fact(definition, definition.default)
    return facts


def validate_rule_expression(kind: str, expression: str, fields: list[CustomField]) -> None:
    expression = (expression or "").strip()
    if not expression:
        raise ValidationError(_("Write a condition, e.g. %(example)s.") % {"example": 'cf_budget_code != ""'})
    if len(expression) > 1000:
        raise ValidationError(_("The expression is too long (at most 1,000 characters)."))
    sample = sample_facts(kind, fields)
    check_expression(expression, sample, example='cf_budget_code != ""', names_of=lambda: sorted(sample))


def run_rule(expression: str, facts: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """(met, evidence, error); an expression failing at run time is not met."""
    try:
        names = referenced_facts(expression)
        result = run_expression(expression, facts)
    except Exception as exc:
        return False, {}, str(exc)[:200]
    return result is True, {name: facts.get(name) for name in names}, ""


def rule_errors(
    record: models.Model, kind: str, rules: list[ValidationRule], fields: list[CustomField]
) -> dict[str, list[str]]:
    """The messages of the active rules ``record`` does not meet, by the field each names."""
    if not rules:
        return {}
    facts = facts_for(record, kind, fields)
    errors: dict[str, list[str]] = {}
    names = {f.name for f in record._meta.concrete_fields}
    keys = {f.key for f in fields}
    for rule in rules:
        met, _evidence, _error = run_rule(rule.expression, facts)
        if met:
            continue
        target = rule.error_field
        if target in keys:
            target = f"cf_{target}"
        elif target not in names:
            target = NON_FIELD_ERRORS
        errors.setdefault(target, []).append(rule.message)
    return errors
