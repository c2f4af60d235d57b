"""When a required custom field is enforced (the decision issue 15 asked for): on a person's create,
on a write that offers the field (a form, an API body carrying it) and on a stage move; not on writes
that touch neither (a rule setting another field, system writes) nor on system creates (web-to-lead)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from baton.core.customfields import services as cf
from baton.core.tests.test_api_support import ApiClient
from baton.leads.models import Lead
from baton.leads.services import create_lead, update_lead


@pytest.fixture
def legacy_lead(personas):
    """A lead created before the field was made required: its value is empty."""
    alice, root = personas["alice"], personas["root"]
    lead = create_lead(actor=alice, name="오래된 리드", company="한빛테크", status="new", source="web_form")
    cf.create_field(
        actor=root,
        object="lead",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="text",
        requirement="always",
    )
    lead.refresh_from_db()
    assert "tier" not in lead.custom_field_data
    return lead


def test_a_persons_create_needs_the_field_a_system_create_does_not(personas, legacy_lead):
    with pytest.raises(ValidationError) as refused:
        create_lead(
            actor=personas["alice"], name="새 리드", company="성동물산", status="new", source="web_form"
        )
    assert refused.value.message_dict == {"cf_tier": ["Tier is required."]}
    # Web-to-lead and the demo create as the system: a visitor's form cannot fill an internal field.
    lead = create_lead(actor=None, name="웹 문의", company="성동물산", status="new", source="web_form")
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_a_write_that_does_not_touch_the_field_or_the_stage_goes_through(personas, legacy_lead):
    alice = personas["alice"]
    # A person (or a rule acting as its author) changing another field of an older record.
    update_lead(legacy_lead, actor=alice, changes={"region": "busan"}, expected_version=legacy_lead.version)
    legacy_lead.refresh_from_db()
    assert legacy_lead.region == "busan"
    # The API's partial update that does not carry custom fields, likewise.
    response = ApiClient(alice).patch(
        f"/leads/{legacy_lead.pk}", {"version": legacy_lead.version, "title": "팀장"}
    )
    assert response.status_code == 200, response.json()


def test_a_write_that_offers_the_field_or_moves_the_status_needs_it(client, personas, legacy_lead):
    alice = personas["alice"]
    api = ApiClient(alice)
    response = api.patch(
        f"/leads/{legacy_lead.pk}", {"version": legacy_lead.version, "custom_fields": {"tier": ""}}
    )
    assert response.status_code == 422 and response.json()["errors"] == {"cf_tier": ["Tier is required."]}
    # A status change is a stage move: the gate applies to it.
    with pytest.raises(ValidationError):
        update_lead(legacy_lead, actor=alice, changes={"status": "working"}, expected_version=None)
    legacy_lead.refresh_from_db()
    assert legacy_lead.status == "new"
    # The edit form offers every field the editor may change: saving it empty is refused.
    client.force_login(alice)
    form = client.get(f"/leads/{legacy_lead.pk}/edit/").content.decode()
    assert 'name="cf_tier"' in form
    response = api.patch(
        f"/leads/{legacy_lead.pk}", {"version": legacy_lead.version, "custom_fields": {"tier": "gold"}}
    )
    assert response.status_code == 200
    legacy_lead.refresh_from_db()
    update_lead(legacy_lead, actor=alice, changes={"status": "working"}, expected_version=None)
    legacy_lead.refresh_from_db()
    assert legacy_lead.status == "working"
