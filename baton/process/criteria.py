"""Transition criteria in CEL (Common Expression Language): validated on save, evaluated with evidence.

Criteria are user-written, so they are never run through Python's ``eval``: CEL is side-effect free,
terminates, and only sees the facts we hand it. Facts are a flat namespace per record kind
(``web_visit_30d``, ``budget``, ``days_in_stage``...), so the names an expression reads are exactly the
evidence we show: ``evidence`` lists each referenced fact with its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from baton.core.cel import check_expression, cost_problem, referenced_facts, run_expression
from baton.process.models import BANT_ITEMS, MODEL_ITEMS, RecordKind

INTERACTION_KINDS = (
    "web_visit",
    "form_submit",
    "seminar",
    "inbound_question",
    "email_reply",
    "call",
    "meeting",
    "note",
    "download",
)
WINDOWS = (30, 90)

QUALIFICATION_FACTS = {name: False for name in (*BANT_ITEMS, *MODEL_ITEMS)} | {
    "bant_count": 0,
    "model_count": 0,
    "qualification_complete": False,
}

COMMON_FACTS: dict[str, Any] = {"days_in_stage": 0, "days_since_created": 0, "owner_assigned": False}


def _lead_sample() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "status": "new",
        "source": "web_form",
        "industry": "",
        "region": "",
        "size": "",
        "has_email": False,
        "has_phone": False,
        "has_company": False,
        "has_brn": False,
        "has_title": False,
        "has_campaign": False,
        "company_seminar_attendees_90d": 0,
        "touches_30d": 0,
        "touches_90d": 0,
    }
    for kind in INTERACTION_KINDS:
        for window in WINDOWS:
            facts[f"{kind}_{window}d"] = 0
        facts[f"{kind}_total"] = 0
    return facts | COMMON_FACTS | QUALIFICATION_FACTS


FACT_SAMPLES: dict[str, dict[str, Any]] = {
    RecordKind.LEAD: _lead_sample(),
    RecordKind.OPPORTUNITY: {
        "amount": 0.0,
        "currency": "KRW",
        "probability": 0,
        "pipeline_stage": "",
        "forecast_category": "",
        "has_primary_contact": False,
        "has_close_date": False,
        "days_to_close": 0,
        "is_closed": False,
        "is_won": False,
        "has_next_step": False,
        "from_lead": False,
    }
    | COMMON_FACTS
    | QUALIFICATION_FACTS,
    RecordKind.ACCOUNT: {
        "industry": "",
        "region": "",
        "size": "",
        "has_brn": False,
        "contacts": 0,
        "open_opportunities": 0,
        "won_opportunities": 0,
        "days_since_first_won": -1,
    }
    | COMMON_FACTS,
}


def fact_names(kind: str) -> list[str]:
    return sorted(FACT_SAMPLES[kind])


def validate_expression(expression: str, kind: str) -> None:
    """Raise ValidationError with a readable message unless the expression is a boolean over known facts."""
    expression = (expression or "").strip()
    if not expression:
        raise ValidationError(_("Write an expression, e.g. web_visit_30d >= 3."))
    if len(expression) > 1000:
        raise ValidationError(_("The expression is too long (at most 1,000 characters)."))
    check_expression(
        expression, FACT_SAMPLES[kind], example="web_visit_30d >= 3", names_of=lambda: fact_names(kind)
    )


@dataclass
class CriterionResult:
    criterion_id: int | None
    name: str
    expression: str
    kind: str
    required: bool
    met: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    # (label, value) pairs of the evidence in the reader's words; filled by pages that show it.
    readable: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.criterion_id,
            "name": self.name,
            "expression": self.expression,
            "kind": self.kind,
            "required": self.required,
            "met": self.met,
            "evidence": self.evidence,
            "error": self.error,
        }


def evaluate(expression: str, facts: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """(met, evidence, error). An expression that fails at run time counts as not met, with the error."""
    problem = cost_problem(expression)
    if problem:
        return False, {}, problem
    try:
        names = referenced_facts(expression)
        result = run_expression(expression, facts)
    except Exception as exc:
        return False, {}, str(exc)[:200]
    evidence = {name: facts.get(name) for name in names}
    return result is True, evidence, ""


def evaluate_criteria(criteria: list, facts: dict[str, Any]) -> list[CriterionResult]:
    results = []
    for criterion in criteria:
        met, evidence, error = evaluate(criterion.expression, facts)
        results.append(
            CriterionResult(
                criterion.pk,
                str(criterion),
                criterion.expression,
                criterion.kind,
                criterion.required,
                met,
                evidence,
                error,
            )
        )
    return results
