"""The scoring facts are plain CEL-ready values: merged into the process engine's facts they can be
used in stage criteria (the process app needs a small hook to merge them; see scoring_facts)."""

import pytest

from baton.process.criteria import evaluate
from baton.process.facts import build_facts
from baton.scoring.qualification import FACT_SAMPLES, scoring_facts
from baton.scoring.services import set_lead_qualification, set_meddpicc


@pytest.mark.django_db
def test_scoring_facts_work_in_cel_criteria(world, alice):
    lead = world["lead"]
    set_lead_qualification(lead, "budget", answer=True, evidence="예산 확인", actor=alice)
    facts = build_facts(lead) | scoring_facts("lead", lead.pk)
    met, evidence, error = evaluate("lead_score >= 5 && budget && qualification_score >= 10", facts)
    assert (met, error) == (True, "")
    assert evidence == {"lead_score": 5, "budget": True, "qualification_score": 12}
    met, _evidence, _error = evaluate("win_probability >= 0.3", facts)
    assert met is False  # no backed model: -1, never a confident number

    opp = world["opportunity"]
    set_meddpicc(opp, "economic_buyer", answer=True, evidence="전무 면담", actor=alice)
    facts = build_facts(opp) | scoring_facts("opportunity", opp.pk)
    met, _evidence, _error = evaluate(
        "meddpicc_economic_buyer && !meddpicc_champion && meddpicc_count == 1", facts
    )
    assert met is True
    # Types of the samples (what criteria validation needs) match the real values.
    for kind in ("lead", "opportunity"):
        real = scoring_facts(kind, lead.pk if kind == "lead" else opp.pk)
        assert {k: type(v) for k, v in real.items()} == {k: type(v) for k, v in FACT_SAMPLES[kind].items()}
