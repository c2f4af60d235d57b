"""The process hooks run inside the CRM write's transaction, and they are cheap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baton.leads.models import Lead, LeadInteraction
from baton.leads.services import create_lead, log_interaction, update_lead
from baton.process import services
from baton.process.design import save_criterion
from baton.process.facts import build_facts
from baton.process.models import ProcessStage, StageHistory
from baton.process.services import hooks, transitions


def sql(ctx):
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def boom(*args, **kwargs):
    raise RuntimeError("process store unavailable")


@pytest.mark.django_db
def test_a_failing_hook_rolls_the_crm_write_back(alice, monkeypatch):
    monkeypatch.setattr(hooks, "place_record", boom)
    with pytest.raises(RuntimeError):
        create_lead(actor=alice, name="Never saved", email="n@example.kr")
    assert not Lead.objects.filter(name="Never saved").exists()
    assert not StageHistory.objects.exists()


@pytest.mark.django_db
def test_a_failing_advance_rolls_the_interaction_back(alice, monkeypatch):
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    monkeypatch.setattr(transitions, "transition", boom)
    with pytest.raises(RuntimeError):
        log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    assert not LeadInteraction.objects.filter(lead=lead).exists()
    assert services.current_stay("lead", lead.pk).stage.key == "lead_acquired"
    monkeypatch.setattr(hooks, "recycle_record", boom)
    with pytest.raises(RuntimeError):
        update_lead(
            lead,
            actor=alice,
            changes={"status": "disqualified", "disqualify_reason": "no fit"},
            expected_version=lead.version,
        )
    lead.refresh_from_db()
    assert lead.status != "disqualified"


@pytest.mark.django_db
def test_design_is_cached_until_the_version_changes(admin_user):
    first = services.load_design()
    assert services.load_design() is first
    with CaptureQueriesContext(connection) as ctx:
        services.load_design()
    assert len(sql(ctx)) == 1  # only the version check
    mql = ProcessStage.objects.get(key="mql")
    save_criterion(actor=admin_user, stage=mql, name="Two calls", expression="call_30d >= 2")
    second = services.load_design()
    assert second is not first and second.version == first.version + 1
    assert "call_30d" in second.facts_needed(second.by_key["nurturing"])


@pytest.mark.django_db
def test_only_the_facts_the_next_criteria_need_are_built(alice):
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    design = services.load_design()
    needed = design.facts_needed(design.by_key["lead_acquired"])
    assert "web_visit_90d" in needed and "bant_count" not in needed
    stay = services.current_stay("lead", lead.pk)
    with CaptureQueriesContext(connection) as ctx:
        facts = build_facts(lead, stay=stay, names=needed)
    assert len(sql(ctx)) == 1  # one aggregate over the interactions
    assert facts["web_visit_90d"] == 0 and facts["bant_count"] == 0  # unasked facts keep sample values
    # Every fact, and the same values as asking for only some.
    full = build_facts(lead)
    assert {k: full[k] for k in needed} == {k: facts[k] for k in needed}


@pytest.mark.django_db
def test_the_hook_costs_a_bounded_number_of_queries(alice):
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    services.load_design()
    LeadInteraction.objects.create(lead=lead, kind=LeadInteraction.Kind.NOTE, occurred_at=lead.created_at)
    with CaptureQueriesContext(connection) as ctx:
        services.on_lead_changed(lead, actor=alice)
    # design version, open stay, pending hand-off, recycles, one aggregate for the facts needed.
    assert len(sql(ctx)) <= 5, sql(ctx)
    LeadInteraction.objects.create(lead=lead, kind=LeadInteraction.Kind.SEMINAR, occurred_at=lead.created_at)
    with CaptureQueriesContext(connection) as ctx:
        services.on_lead_changed(lead, actor=alice)
    assert services.current_stay("lead", lead.pk).stage.key == "mql"
    assert len(sql(ctx)) <= 25, sql(ctx)


@pytest.mark.django_db
def test_sweep_reads_in_chunks_with_a_fixed_number_of_queries(alice):
    from django.utils import timezone

    leads = [create_lead(actor=alice, name=f"L{i}", email=f"l{i}@example.kr") for i in range(12)]
    # Facts change without a hook (an import wrote the interactions directly): the sweep catches up.
    for lead in leads[:5]:
        LeadInteraction.objects.create(
            lead=lead, kind=LeadInteraction.Kind.WEB_VISIT, occurred_at=timezone.now()
        )
    services.load_design()
    with CaptureQueriesContext(connection) as ctx:
        stats = services.sweep(kinds=["lead"], batch=100)
    assert stats == {"checked": 12, "moved": 5, "handoffs": 0}
    assert {services.current_stay("lead", lead.pk).stage.key for lead in leads[:5]} == {"nurturing"}
    assert services.current_stay("lead", leads[5].pk).stage.key == "lead_acquired"
    reads = [q for q in sql(ctx) if q.startswith("SELECT")]
    # Per chunk: stays, hand-offs, recycles, leads, interactions; then one empty read ends the walk.
    # The 5 moves each lock and re-read their stay (a handful of queries per move).
    assert len(reads) - 5 * 4 <= 8, reads
    # A bounded run stops at the limit.
    assert services.sweep(kinds=["lead"], batch=5, limit=7)["checked"] == 7
