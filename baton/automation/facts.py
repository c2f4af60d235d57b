"""What a rule's condition sees (facts per record kind) and which fields its triggers and actions name.

Conditions are CEL, checked and evaluated by the process engine's criteria module (one expression
language across criteria and automation). Leads, accounts and opportunities get the process facts
(``process.facts.build_facts``) plus a few of their own; contacts and activities get a small set here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account, Contact
from baton.activities.models import Activity
from baton.core.cel import check_expression
from baton.deals.models import Opportunity
from baton.leads.models import Lead
from baton.process import criteria
from baton.process.facts import build_facts
from baton.scoring.models import LeadScore

MODELS: dict[str, Any] = {
    "lead": Lead,
    "account": Account,
    "contact": Contact,
    "opportunity": Opportunity,
    "activity": Activity,
}

# Fields a "field changed" trigger and a "set field" action may name (plain values only).
FIELDS: dict[str, tuple[str, ...]] = {
    "lead": ("status", "source", "industry", "region", "size", "title", "description"),
    "account": ("industry", "region", "size", "description", "phone", "address"),
    "contact": ("title", "department", "buyer_role", "notes", "phone"),
    "opportunity": ("next_step", "description", "probability", "expected_close_date", "amount"),
    "activity": ("status", "outcome", "body", "location"),
}
# Date fields a time-based trigger may be relative to.
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "lead": ("created_at",),
    "account": ("created_at",),
    "contact": ("created_at",),
    "opportunity": ("expected_close_date", "created_at"),
    "activity": ("due_at", "start_at"),
}
# Where "stage entered" looks: the deal's stage (by key) or the lead's status.
STAGE_FIELD = {"opportunity": "stage_id", "lead": "status"}

_EXTRA_SAMPLES: dict[str, dict[str, Any]] = {
    "lead": {"score": 0},
    "opportunity": {"stage": ""},
    "account": {},
    "contact": {
        "title": "",
        "buyer_role": "",
        "has_email": False,
        "has_phone": False,
        "has_account": False,
        "days_since_created": 0,
        "owner_assigned": False,
    },
    "activity": {
        "kind": "",
        "status": "",
        "direction": "",
        "subject": "",
        "has_due": False,
        "on_record": False,
        "days_since_created": 0,
    },
}


def sample(kind: str) -> dict[str, Any]:
    base = dict(criteria.FACT_SAMPLES.get(kind, {}))
    return base | _EXTRA_SAMPLES[kind]


def fact_names(kind: str) -> list[str]:
    return sorted(sample(kind))


def validate_condition(expression: str, kind: str) -> None:
    """Raise ValidationError unless ``expression`` is empty or a true/false CEL expression over the
    kind's facts (same checks as the process criteria: cost, known functions, known facts, type)."""
    expression = (expression or "").strip()
    if not expression:
        return
    if len(expression) > 1000:
        raise ValidationError(_("The expression is too long (at most 1,000 characters)."))
    check_expression(
        expression, sample(kind), example="amount >= 10000000", names_of=lambda: fact_names(kind)
    )


def _days(delta: Any) -> int:
    return int(delta.total_seconds() // 86400)


def facts_of(kind: str, record: Any) -> dict[str, Any]:
    """The facts of one record as the condition sees them (JSON-safe values)."""
    now = timezone.now()
    facts: dict[str, Any] = {}
    if kind in ("lead", "account", "opportunity"):
        facts = build_facts(record, now=now)
    facts |= {k: v for k, v in _EXTRA_SAMPLES[kind].items() if k not in facts}
    if kind == "lead":
        facts["score"] = (
            LeadScore.objects.filter(lead_id=record.pk).values_list("total", flat=True).first() or 0
        )
    elif kind == "opportunity":
        facts["stage"] = record.stage.key if record.stage_id else ""
    elif kind == "contact":
        facts |= {
            "title": record.title,
            "buyer_role": record.buyer_role,
            "has_email": bool(record.email),
            "has_phone": bool(record.phone or record.mobile),
            "has_account": record.account_id is not None,
            "days_since_created": _days(now - record.created_at),
            "owner_assigned": record.owner_id is not None,
        }
    elif kind == "activity":
        facts |= {
            "kind": record.kind,
            "status": record.status,
            "direction": record.direction,
            "subject": record.subject,
            "has_due": record.due_at is not None,
            "on_record": any(
                getattr(record, f"{name}_id", None) for name in ("lead", "account", "contact", "opportunity")
            ),
            "days_since_created": _days(now - record.created_at),
        }
    return {k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in facts.items()}


def check_condition(expression: str, facts: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """(met, evidence, error); an empty condition is always met."""
    if not (expression or "").strip():
        return True, {}, ""
    return criteria.evaluate(expression, facts)
