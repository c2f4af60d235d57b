"""Validation skips the existence query only for foreign keys whose row is already loaded
(``core.services.full_clean_known_relations``, issue 17 "cheap writes"); every other key is still
checked, and a key to a missing row is still refused with a field error, never a database error."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baton.core.services import _known_relations, full_clean_known_relations
from baton.leads.models import Lead, LeadInteraction
from baton.leads.services import create_lead, log_interaction
from baton.process.models import StageHistory


def _lookups(ctx, table: str) -> list[str]:
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    return [sql for sql in selects if f'"{table}"' in sql]


@pytest.mark.django_db
def test_loaded_rows_are_not_looked_up_again(alice):
    lead = create_lead(actor=alice, name="김하늘", company="누리소프트")
    interaction = LeadInteraction(lead=lead, kind="call", occurred_at=timezone.now(), actor=alice)
    assert _known_relations(interaction) == {"lead", "actor"}
    with CaptureQueriesContext(connection) as ctx:
        full_clean_known_relations(interaction)
    assert not _lookups(ctx, "leads_lead") and not _lookups(ctx, "core_user")


@pytest.mark.django_db
def test_keys_given_as_ids_are_still_checked(alice):
    lead = create_lead(actor=alice, name="김하늘", company="누리소프트")
    interaction = LeadInteraction(lead_id=lead.pk, kind="call", occurred_at=timezone.now(), actor_id=alice.pk)
    assert _known_relations(interaction) == set()
    with CaptureQueriesContext(connection) as ctx:
        full_clean_known_relations(interaction)
    assert _lookups(ctx, "leads_lead") and _lookups(ctx, "core_user")

    missing = LeadInteraction(lead_id=lead.pk + 10_000, kind="call", occurred_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        full_clean_known_relations(missing)
    assert "lead" in refused.value.message_dict


@pytest.mark.django_db
def test_an_unsaved_or_different_related_object_is_checked(alice, bob):
    unsaved = Lead(name="저장 안 됨", company="누리")
    interaction = LeadInteraction(lead=unsaved, kind="call", occurred_at=timezone.now())
    assert "lead" not in _known_relations(interaction)
    lead = Lead(name="박하늘", company="누리", owner=alice)
    lead.team_id = bob.team_id if bob.team_id != alice.team_id else None  # not the owner's team
    assert "owner" in _known_relations(lead) and "team" not in _known_relations(lead)


@pytest.mark.django_db
def test_a_missing_owner_is_a_field_error(alice):
    lead = Lead(name="주인 없음", company="누리", owner_id=alice.pk + 10_000, team_id=alice.team_id)
    with pytest.raises(ValidationError) as refused:
        full_clean_known_relations(lead)
    assert "owner" in refused.value.message_dict


@pytest.mark.django_db
def test_other_errors_are_reported_together_as_before(alice):
    lead = create_lead(actor=alice, name="김하늘", company="누리소프트")
    with pytest.raises(ValidationError) as refused:
        log_interaction(lead, actor=alice, kind="no-such-kind")
    assert "kind" in refused.value.message_dict
    assert not LeadInteraction.objects.filter(lead=lead).exists()


@pytest.mark.django_db
def test_a_new_lead_is_placed_as_a_full_evaluation_would_place_it(alice):
    """The create's hook places the lead without reading its stay, interactions or answers (it has
    none yet); the stay it opens is the one placing the same lead the long way opens."""
    from baton.process import services

    lead = create_lead(actor=alice, name="김하늘", company="누리소프트", email="sky@nuri.kr")
    fresh = StageHistory.objects.get(record_kind="lead", record_id=lead.pk)
    StageHistory.objects.filter(pk=fresh.pk).delete()
    again = services.place_record(lead, actor=alice, at=fresh.entered_at)  # reads everything
    assert (again.stage_id, again.method, again.rule, again.evidence) == (
        fresh.stage_id,
        fresh.method,
        fresh.rule,
        fresh.evidence,
    )
