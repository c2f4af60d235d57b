"""BANT, The Model's four conditions and MEDDPICC live in one checklist store, and every path writes it
through the same rule (a confirmed item needs evidence)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from baton.process.models import QualificationAnswer
from baton.scoring.qualification.checklists import opportunity_qualification
from baton.scoring.qualification.services import set_meddpicc

BEFORE = ("scoring", "0003_scoring_rule_label_en")
AFTER = ("scoring", "0004_meddpicc_into_the_checklist_store")


@pytest.mark.django_db
def test_meddpicc_answers_are_stored_with_the_other_checklists(world, alice):
    opp = world["opportunity"]
    row = set_meddpicc(opp, "champion", answer=True, evidence="IT팀장이 내부 설득", actor=alice)
    assert isinstance(row, QualificationAnswer)
    assert (row.record_kind, row.record_id, row.item) == ("opportunity", opp.pk, "champion")
    assert opportunity_qualification(opp.pk).count("MEDDPICC") == 1
    with pytest.raises(ValidationError):
        set_meddpicc(opp, "metrics", answer=True, evidence="  ", actor=alice)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_moves_meddpicc_answers_and_reverses(world, alice):
    opp = world["opportunity"]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        old.get_model("scoring", "MeddpiccAnswer").objects.create(
            opportunity_id=opp.pk,
            item="economic_buyer",
            answer=True,
            evidence="김 전무 면담",
            answered_by_id=alice.pk,
            answered_at="2026-11-30T10:00:00+09:00",
        )
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        moved = QualificationAnswer.objects.get(record_kind="opportunity", record_id=opp.pk)
        assert (moved.item, moved.answer, moved.evidence, moved.answered_by_id) == (
            "economic_buyer",
            True,
            "김 전무 면담",
            alice.pk,
        )
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        back = old.get_model("scoring", "MeddpiccAnswer").objects.get(opportunity_id=opp.pk)
        assert (back.item, back.evidence) == ("economic_buyer", "김 전무 면담")
        assert not QualificationAnswer.objects.filter(record_kind="opportunity", record_id=opp.pk).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
