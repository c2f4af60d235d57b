"""Converting a lead that matches existing records: the strongest match is preselected, creating new
ones anyway is recorded, and the API does not create a duplicate silently."""

from __future__ import annotations

import pytest

from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import make_api
from baton.leads.models import Lead
from baton.leads.services import create_lead


@pytest.fixture
def twin_lead(world, alice):
    """A lead from the company of world's account (same BRN), by the contact's e-mail."""
    return create_lead(
        actor=alice, name="김민준", company="한빛소프트", brn="2208162517", email="minjun@hanbit.co.kr"
    )


def test_conversion_screen_preselects_the_strongest_matches(client, alice, world, twin_lead):
    client.force_login(alice)
    page = client.get(f"/leads/{twin_lead.pk}/convert/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["account_choice"].value() == str(world["account"].pk)
    assert form["contact_choice"].value() == str(world["contact"].pk)
    html = page.content.decode()
    assert f'value="{world["account"].pk}" checked' in html
    assert 'value="new" checked' not in html
    assert 'data-testid="account-new-recorded"' in html


def test_without_matches_new_records_stay_the_choice(client, alice, world):
    client.force_login(alice)
    page = client.get(f"/leads/{world['lead'].pk}/convert/")
    assert page.context["form"]["account_choice"].value() == "new"


def test_choosing_create_new_over_matches_is_recorded(client, alice, world, twin_lead):
    client.force_login(alice)
    response = client.post(
        f"/leads/{twin_lead.pk}/convert/",
        {
            "account_choice": "new",
            "contact_choice": "new",
            "currency": "KRW",
            "version": twin_lead.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ChangeLog.objects.get(action="convert", object_id=twin_lead.pk)
    assert row.after["new_despite_account_matches"] == [world["account"].pk]
    assert row.after["new_despite_contact_matches"] == [world["contact"].pk]


def test_api_conversion_refuses_a_silent_duplicate(personas, world, twin_lead):
    client = make_api(personas)("alice")
    refused = client.post(f"/leads/{twin_lead.pk}/convert", {"create_opportunity": False})
    assert refused.status_code == 409
    kinds = {(m["kind"], m["id"]) for m in refused.json()["matches"]}
    assert kinds == {("account", world["account"].pk), ("contact", world["contact"].pk)}
    assert Lead.objects.get(pk=twin_lead.pk).converted_at is None
    attached = client.post(
        f"/leads/{twin_lead.pk}/convert",
        {"account_id": world["account"].pk, "contact_id": world["contact"].pk, "create_opportunity": False},
    )
    assert attached.status_code == 200, attached.content
    assert attached.json()["account_id"] == world["account"].pk


def test_api_conversion_with_allow_duplicate_creates_new(personas, world, twin_lead):
    client = make_api(personas)("alice")
    response = client.post(
        f"/leads/{twin_lead.pk}/convert", {"create_opportunity": False, "allow_duplicate": True}
    )
    assert response.status_code == 200, response.content
    assert response.json()["account_id"] != world["account"].pk
    row = ChangeLog.objects.get(action="convert", object_id=twin_lead.pk)
    assert row.after["new_despite_account_matches"] == [world["account"].pk]
