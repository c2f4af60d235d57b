"""The sweep reads a chunk of records in a fixed number of queries, also when criteria name facts other apps
provide (scores, qualification, MEDDPICC, hand-off readiness): providers load a chunk at once."""

import pytest
from django.utils import timezone

from baton.deals.models import Opportunity
from baton.delivery.models import HandoffPackage
from baton.leads.models import Lead
from baton.process import services
from baton.process.models import Method, StageCriterion, StageHistory

CHUNK = 200


def _copies(record, count, **unique):
    model = type(record)
    names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    values = {name: getattr(record, name) for name in names}
    return model.objects.bulk_create(
        [model(**{**values, **{k: f"{v}{i}" for k, v in unique.items()}}) for i in range(count)]
    )


def _place(kind, records, stay):
    now = timezone.now()
    StageHistory.objects.bulk_create(
        [
            StageHistory(
                record_kind=kind,
                record_id=r.pk,
                stage_id=stay.stage_id,
                entered_at=now,
                method=Method.INITIAL,
                owner_id=stay.owner_id,
                team_id=stay.team_id,
            )
            for r in records
        ]
    )


@pytest.mark.django_db
def test_a_200_record_sweep_chunk_reads_provider_facts_in_bounded_queries(
    world, django_assert_max_num_queries
):
    lead_stay = services.current_stay("lead", world["lead"].pk)
    opp_stay = services.current_stay("opportunity", world["opportunity"].pk)
    leads = _copies(world["lead"], CHUNK, email="bulk@example.kr", name="벌크 ")
    opps = _copies(world["opportunity"], CHUNK, name="벌크 딜 ")
    _place("lead", leads, lead_stay)
    _place("opportunity", opps, opp_stay)
    HandoffPackage.objects.bulk_create([HandoffPackage(opportunity=o) for o in opps])
    # Exit criteria that name every provider's facts and are never met: the sweep reads, nothing moves.
    StageCriterion.objects.create(
        stage_id=lead_stay.stage_id,
        kind=StageCriterion.Kind.EXIT,
        name="score and checklist",
        expression="lead_score >= 1000 && qualification_score >= 0 && qualification_gaps >= 0",
    )
    StageCriterion.objects.create(
        stage_id=opp_stay.stage_id,
        kind=StageCriterion.Kind.EXIT,
        name="readiness and MEDDPICC",
        expression="handoff_readiness >= 1000 && meddpicc_count >= 0 && competitor_count >= 0",
    )
    services.invalidate_design_cache()
    services.load_design()  # the design is cached per version; not what this test counts
    assert Lead.objects.count() > CHUNK and Opportunity.objects.count() > CHUNK
    with django_assert_max_num_queries(40):
        stats = services.sweep(kinds=["lead", "opportunity"], batch=CHUNK + 10)
    assert stats["checked"] >= 2 * CHUNK and stats["moved"] == 0 and stats["handoffs"] == 0
