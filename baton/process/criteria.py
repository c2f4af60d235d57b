"""Transition criteria in CEL (Common Expression Language): validated on save, evaluated with evidence.

Criteria are user-written, so they are never run through Python's ``eval``: CEL is side-effect free,
terminates, and only sees the facts we hand it. Facts are a flat namespace per record kind
(``web_visit_30d``, ``budget``, ``days_in_stage``...), so the names an expression reads are exactly the
evidence we show: ``evidence`` lists each referenced fact with its value.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from typing import Any

import cel
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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

ALLOWED_FUNCTIONS = frozenset({
    "size", "has", "int", "uint", "double", "string", "bool", "contains", "startsWith", "endsWith", "matches",
    "all", "exists", "exists_one", "map", "filter", "in", "min", "max", "lowerAscii", "upperAscii",
})  # fmt: skip
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MACRO_BOUND = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")


# Cost limits: CEL always terminates, but a user-written expression could still be deep, long or slow
# (nested comprehensions over lists multiply). Checked before an expression is saved and before it runs.
MAX_DEPTH = 12  # nesting of (), [] and {}
MAX_TOKENS = 250
MAX_MACROS = 3  # all/exists/exists_one/map/filter calls in one expression
MAX_EVAL_SECONDS = 0.5
_STRING_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|&&|\|\||[=!<>]=|\S")
_MACRO_CALL = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(")


def cost_problem(expression: str) -> str:
    """A readable reason the expression is too costly to run, or ''."""
    bare = _STRING_LITERAL.sub('""', expression)
    depth = deepest = 0
    for char in bare:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        return _("The expression is nested too deeply (at most %(max)d levels).") % {"max": MAX_DEPTH}
    if len(_TOKEN.findall(bare)) > MAX_TOKENS:
        return _("The expression has too many parts (at most %(max)d).") % {"max": MAX_TOKENS}
    if len(_MACRO_CALL.findall(bare)) > MAX_MACROS:
        return _("The expression uses too many list functions (at most %(max)d).") % {"max": MAX_MACROS}
    return ""


def _timed_execute(expression: str, facts: dict[str, Any]) -> Any:
    """Run the expression; one that takes longer than the budget counts as an error (CEL cannot be
    interrupted mid-run, so the budget is enforced on the result, and validation rejects slow ones)."""
    started = time.perf_counter()
    result = _compile(expression).execute(facts)
    if time.perf_counter() - started > MAX_EVAL_SECONDS:
        raise TimeoutError(_("The expression took too long to evaluate."))
    return result


def fact_names(kind: str) -> list[str]:
    return sorted(FACT_SAMPLES[kind])


@functools.lru_cache(maxsize=512)
def _compile(expression: str) -> Any:
    return cel.compile(expression)


def referenced_facts(expression: str) -> list[str]:
    program = _compile(expression)
    bound = set(_MACRO_BOUND.findall(expression))
    return [name for name in program.variables() if name not in bound]


def validate_expression(expression: str, kind: str) -> None:
    """Raise ValidationError with a readable message unless the expression is a boolean over known facts."""
    expression = (expression or "").strip()
    if not expression:
        raise ValidationError(_("Write an expression, e.g. web_visit_30d >= 3."))
    if len(expression) > 1000:
        raise ValidationError(_("The expression is too long (at most 1,000 characters)."))
    problem = cost_problem(expression)
    if problem:
        raise ValidationError(problem)
    try:
        names = referenced_facts(expression)
    except ValueError as exc:
        detail = str(exc).split("ERROR:", 1)[-1].strip().splitlines()[0] if "ERROR:" in str(exc) else str(exc)
        raise ValidationError(
            _("The expression cannot be parsed: %(detail)s") % {"detail": detail[:200]}
        ) from None
    functions = [
        f for f in _compile(expression).functions() if _IDENT.fullmatch(f) and f not in ALLOWED_FUNCTIONS
    ]
    if functions:
        raise ValidationError(
            _("Unknown function %(names)s. Use comparisons, && || !, size(), has() or contains().")
            % {"names": ", ".join(functions)}
        )
    sample = FACT_SAMPLES[kind]
    unknown = [n for n in names if n not in sample]
    if unknown:
        raise ValidationError(
            _("Unknown fact %(names)s. Facts of this record kind: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(fact_names(kind))}
        )
    try:
        result = _timed_execute(expression, dict(sample))
    except TimeoutError as exc:
        raise ValidationError(str(exc)) from None
    except Exception as exc:  # the library raises TypeError/KeyError/RuntimeError for type errors
        raise ValidationError(
            _("The expression does not fit the facts' types: %(detail)s")
            % {"detail": str(exc).split(".")[0][:200]}
        ) from None
    if not isinstance(result, bool):
        raise ValidationError(
            _("The expression must be true or false, not a %(type)s; compare it, e.g. %(example)s.")
            % {"type": type(result).__name__, "example": "web_visit_30d >= 3"}
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
        result = _timed_execute(expression, facts)
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
