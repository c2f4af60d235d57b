"""The facts of The Model in the words of the business: a label per fact name and its value as a
salesperson reads it ("웹 방문 (30일): 2회" rather than ``web_visit_30d=2``). CEL source stays in the
designer, for administrators."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from baton.leads.models import LeadInteraction
from baton.process.criteria import INTERACTION_KINDS, WINDOWS
from baton.process.models import QualificationItem

# Facts counted in "times", in days, or as money: their values get a unit.
_COUNT_SUFFIXES = ("_30d", "_90d", "_total")
_DAY_FACTS = {"days_in_stage", "days_since_created", "days_to_close", "days_since_first_won"}

FACT_LABELS: dict[str, Any] = {
    "days_in_stage": _("Days in this stage"),
    "days_since_created": _("Days since created"),
    "owner_assigned": _("Owner assigned"),
    "status": _("Status"),
    "source": _("Source"),
    "industry": _("Industry"),
    "region": _("Region"),
    "size": _("Company size"),
    "has_email": _("Has an e-mail address"),
    "has_phone": _("Has a phone number"),
    "has_company": _("Has a company"),
    "has_brn": _("Has a business registration number"),
    "has_title": _("Has a job title"),
    "has_campaign": _("Came from a campaign"),
    "company_seminar_attendees_90d": _("Seminar attendees from the company (90 days)"),
    "touches_30d": _("Touches (30 days)"),
    "touches_90d": _("Touches (90 days)"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "probability": _("Probability (%)"),
    "pipeline_stage": _("Pipeline stage"),
    "forecast_category": _("Forecast category"),
    "has_primary_contact": _("Has a primary contact"),
    "has_close_date": _("Has an expected close date"),
    "days_to_close": _("Days to the expected close"),
    "is_closed": _("Closed"),
    "is_won": _("Won"),
    "has_next_step": _("Has a next step"),
    "from_lead": _("Came from a lead"),
    "contacts": _("Contacts"),
    "open_opportunities": _("Open opportunities"),
    "won_opportunities": _("Won opportunities"),
    "days_since_first_won": _("Days since the first win"),
    "bant_count": _("BANT items confirmed"),
    "model_count": _("The Model's four conditions confirmed"),
    "qualification_complete": _("Qualification complete"),
    # Facts other apps provide (scoring, delivery).
    "fit_score": _("Fit score"),
    "engagement_score": _("Engagement score"),
    "lead_score": _("Lead score"),
    "win_probability": _("Predicted win probability"),
    "qualification_score": _("Qualification score"),
    "qualification_gaps": _("Qualification gaps"),
    "meddpicc_count": _("MEDDPICC items confirmed"),
    "meddpicc_complete": _("MEDDPICC complete"),
    "meddpicc_score": _("MEDDPICC score"),
    "has_incumbent": _("An incumbent competitor"),
    "competitor_count": _("Competitors"),
    "meddpicc_metrics": _("Metrics"),
    "meddpicc_economic_buyer": _("Economic buyer"),
    "meddpicc_decision_criteria": _("Decision criteria"),
    "meddpicc_decision_process": _("Decision process"),
    "meddpicc_paper_process": _("Paper process"),
    "meddpicc_identify_pain": _("Identify pain"),
    "meddpicc_champion": _("Champion"),
    "meddpicc_competition": _("Competition"),
    "handoff_readiness": _("Hand-off readiness (%)"),
} | {item.value: item.label for item in QualificationItem}


def fact_label(name: str) -> str:
    if name in FACT_LABELS:
        return str(FACT_LABELS[name])
    for kind in INTERACTION_KINDS:
        if name.startswith(kind + "_"):
            rest = name[len(kind) + 1 :]
            kinds = LeadInteraction.Kind
            kind_label = str(kinds(kind).label) if kind in kinds.values else kind
            if rest == "total":
                return gettext("%(kind)s (all time)") % {"kind": kind_label}
            for window in WINDOWS:
                if rest == f"{window}d":
                    return gettext("%(kind)s (%(days)s days)") % {"kind": kind_label, "days": window}
    return name.replace("_", " ")


def fact_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value in (None, ""):
        return "–"
    if isinstance(value, int) and name.endswith(_COUNT_SUFFIXES):
        return ngettext("%(n)s time", "%(n)s times", value) % {"n": value}
    if isinstance(value, int) and name in _DAY_FACTS:
        return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def readable_evidence(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """[(label, value)] for a criterion's evidence, in the reader's language."""
    return [(fact_label(name), fact_value(name, value)) for name, value in evidence.items()]
