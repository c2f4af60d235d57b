"""The scoring facts are plain CEL-ready values, registered as a fact provider of the process engine:
stage criteria can use them, and build_facts loads them only when a criterion asks."""

import pytest

from baton.delivery.services import opportunity_readiness, start_package
from baton.process.criteria import evaluate, validate_expression
from baton.process.facts import build_facts
from baton.scoring.facts import FACT_SAMPLES, scoring_facts
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc


@pytest.mark.django_db
def test_scoring_facts_work_in_cel_criteria(world, alice):
    lead = world["lead"]
    set_lead_qualification(lead, "budget", answer=True, evidence="예산 확인", actor=alice)
    facts = build_facts(lead)
    met, evidence, error = evaluate("lead_score >= 5 && budget && qualification_score >= 10", facts)
    assert (met, error) == (True, "")
    assert evidence == {"lead_score": 5, "budget": True, "qualification_score": 12}
    met, _evidence, _error = evaluate("win_probability >= 0.3", facts)
    assert met is False  # no backed model: -1, never a confident number

    opp = world["opportunity"]
    set_meddpicc(opp, "economic_buyer", answer=True, evidence="전무 면담", actor=alice)
    facts = build_facts(opp)
    met, _evidence, _error = evaluate(
        "meddpicc_economic_buyer && !meddpicc_champion && meddpicc_count == 1", facts
    )
    assert met is True
    # Types of the samples (what criteria validation needs) match the real values.
    for kind in ("lead", "opportunity"):
        real = scoring_facts(kind, lead.pk if kind == "lead" else opp.pk)
        assert {k: type(v) for k, v in real.items()} == {k: type(v) for k, v in FACT_SAMPLES[kind].items()}


@pytest.mark.django_db
def test_provided_facts_validate_and_load_only_when_named(world, alice, django_assert_max_num_queries):
    validate_expression("lead_score >= 60 && qualification_gaps <= 2", "lead")
    validate_expression("meddpicc_complete && handoff_readiness >= 80", "opportunity")
    lead = world["lead"]
    with django_assert_max_num_queries(1):  # the open stay only: no score, qualification or package
        facts = build_facts(lead, stay=None, names=["has_email"])
    assert "lead_score" in facts and facts["lead_score"] == 0  # the sample value, not loaded


@pytest.mark.django_db
def test_handoff_readiness_is_a_fact(world, alice):
    opp = world["opportunity"]
    assert build_facts(opp)["handoff_readiness"] == 0
    start_package(opp, actor=alice)
    assert build_facts(opp)["handoff_readiness"] == opportunity_readiness(opp)
