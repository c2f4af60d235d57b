"""Passing leads to partners: routing by specialisation or the pool, the acceptance deadline, accept,
decline, pick from the pool, and the periodic task that brings lapsed offers back. A partner sees only
the leads passed to them (others → 404), the pool without contact data, and nothing once it lapsed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.activities.models import PeriodicRun
from baton.activities.periodic import claim as claim_period
from baton.core.services import ServiceError
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.leads.models import Lead
from baton.leads.services import create_lead
from baton.partners import passing, services, tasks
from baton.partners.models import LeadPass

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def lead(owner, **extra):
    values = {"name": "최유진", "company": "미래식품", "email": "yujin@mirae.kr", "region": "busan"}
    values.update(extra)
    return create_lead(actor=owner, **values)


@pytest.fixture
def routed(channel):
    """Nuri (silver) covers Busan; Daon (gold) covers Busan and manufacturing."""
    services.update_partner(channel["nuri"], actor=channel["pat"], changes={"regions": ["busan"]})
    services.update_partner(
        channel["daon"], actor=channel["pat"], changes={"regions": ["busan"], "industries": ["manufacturing"]}
    )
    return channel


def test_routing_rules_choose_by_specialisation_then_tier_else_the_pool(routed):
    alice = routed["alice"]
    # both cover Busan: gold Daon first; a manufacturing lead in Busan matches Daon twice
    assert passing.route(lead(alice))[0] == routed["daon"]
    assert passing.route(lead(alice, email="a@b.kr", industry="manufacturing"))[0] == routed["daon"]
    # Daon passed over: Nuri
    assert passing.route(lead(alice, email="c@d.kr"), skip=[routed["daon"].pk])[0] == routed["nuri"]
    # nobody covers Jeju: the pool
    jeju = lead(alice, email="e@f.kr", region="jeju")
    lp = passing.pass_lead(jeju, actor=alice, to="rules", now=NOW)
    assert (lp.status, lp.partner, lp.deadline) == ("pool", None, None)
    assert_audited(lp, "create", actor=alice)


def test_offer_accept_decline_and_the_deadline(routed):
    alice, dora, paul = routed["alice"], routed["dora"], routed["paul"]
    first = lead(alice)
    with pytest.raises(PermissionDenied):
        passing.pass_lead(first, actor=routed["charlie"], now=NOW)  # cannot edit alice's lead
    with pytest.raises(ValidationError):
        passing.pass_lead(first, actor=alice, days=0, now=NOW)
    lp = passing.pass_lead(first, actor=alice, to="rules", days=2, now=NOW)
    assert (lp.status, lp.partner, lp.deadline) == ("offered", routed["daon"], NOW + dt.timedelta(days=2))
    # only the partner it was offered to may accept; after the deadline nobody may
    with pytest.raises(ServiceError):
        passing.accept(lp, actor=paul, now=NOW)
    with pytest.raises(ServiceError):
        passing.accept(lp, actor=dora, now=NOW + dt.timedelta(days=2, seconds=1))
    done = passing.accept(lp, actor=dora, now=NOW + dt.timedelta(days=1))
    assert (done.status, done.accepted_at) == ("accepted", NOW + dt.timedelta(days=1))
    assert_audited(done, "update", actor=dora)
    with pytest.raises(ServiceError):
        passing.pass_lead(first, actor=alice, to="pool", now=NOW)  # Daon has it now

    # a decline puts it in the pool, hidden from the partner that declined
    second = lead(alice, email="second@mirae.kr")
    lp2 = passing.pass_lead(second, actor=alice, to="partner", partner=routed["nuri"], now=NOW)
    passing.decline(lp2, actor=paul, reason="No capacity")
    lp2.refresh_from_db()
    assert (lp2.status, lp2.partner, lp2.passed_over) == ("pool", None, [routed["nuri"].pk])
    assert "No capacity" in lp2.reason
    assert lp2 not in passing.pool_for(routed["nuri"]) and lp2 in passing.pool_for(routed["daon"])
    with pytest.raises(ServiceError):
        passing.claim(lp2, actor=paul)
    picked = passing.claim(lp2, actor=dora, now=NOW)
    assert (picked.status, picked.partner) == ("accepted", routed["daon"])
    with pytest.raises(ServiceError):
        passing.claim(lp2, actor=dora)


def test_the_periodic_task_returns_lapsed_offers_to_the_pool(routed):
    alice = routed["alice"]
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    old = passing.pass_lead(
        lead(alice), actor=alice, to="partner", partner=routed["nuri"], days=1, now=two_days_ago
    )
    fresh = passing.pass_lead(
        lead(alice, email="fresh@mirae.kr"), actor=alice, to="partner", partner=routed["nuri"], days=3
    )
    # as the worker does: claim the period through PeriodicRun, then run the task
    job = "baton.partners.tasks.return_lapsed_lead_offers"
    assert claim_period(job, dt.timedelta(minutes=15), worker="w1") is True
    assert claim_period(job, dt.timedelta(minutes=15), worker="w2") is False  # one worker per period
    assert PeriodicRun.objects.get(job=job).last_worker == "w1"
    assert tasks.return_lapsed_lead_offers.call() == {"returned": 1}
    assert tasks.return_lapsed_lead_offers.call() == {"returned": 0}
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.partner, old.passed_over) == ("pool", None, [routed["nuri"].pk])
    assert "누리시스템" in old.reason
    assert fresh.status == "offered"
    assert_audited(old, "update")
    # Nuri no longer sees the lapsed lead, not even by its id
    paul = ApiClient(routed["paul"])
    assert [p["lead_id"] for p in paul.get("/partners/portal/leads").json()] == [fresh.lead_id]
    assert paul.post(f"/partners/portal/leads/{old.lead_id}/accept").status_code == 404


def test_portal_pages_and_the_fence(client, routed, world):
    alice, dora, paul = routed["alice"], routed["dora"], routed["paul"]
    mine = lead(alice)
    pooled = lead(alice, email="pool@mirae.kr", company="바다물류", region="jeju")
    client.force_login(alice)
    panel = client.get(f"/partners/lead/{mine.pk}/panel/").content.decode()
    assert 'data-testid="lead-pass-form"' in panel
    client.post(f"/partners/lead/{mine.pk}/pass/", {"to": "partner", "partner": routed["nuri"].pk, "days": 3})
    client.post(f"/partners/lead/{pooled.pk}/pass/", {"to": "rules", "days": 3})
    assert LeadPass.objects.get(lead=mine).partner == routed["nuri"]
    assert LeadPass.objects.get(lead=pooled).status == "pool"
    assert "누리시스템" in client.get(f"/partners/lead/{mine.pk}/panel/").content.decode()

    client.force_login(paul)
    page = client.get("/portal/leads/").content.decode()
    assert "미래식품" in page and "바다물류" in page and "pool@mirae.kr" not in page
    assert client.get(f"/portal/leads/{mine.pk}/").status_code == 200
    # other records by id: the pooled lead (not theirs yet), alice's world lead → 404
    for other in (pooled.pk, world["lead"].pk):
        assert client.get(f"/portal/leads/{other}/").status_code == 404
        assert client.post(f"/portal/leads/{other}/accept/").status_code == 404
    assert client.get(f"/leads/{mine.pk}/").status_code == 403  # the fence: internal pages
    assert client.post(f"/portal/leads/{mine.pk}/accept/").status_code == 302
    assert LeadPass.objects.get(lead=mine).status == "accepted"

    # Daon does not see Nuri's lead; it picks the pooled one
    client.force_login(dora)
    assert "미래식품" not in client.get("/portal/leads/").content.decode()
    assert client.get(f"/portal/leads/{mine.pk}/").status_code == 404
    entry = LeadPass.objects.get(lead=pooled)
    assert client.post(f"/portal/pool/{entry.pk}/claim/").url == f"/portal/leads/{pooled.pk}/"
    assert client.get(f"/portal/leads/{pooled.pk}/").status_code == 200
    # the channel team's list
    client.force_login(routed["pat"])
    assert client.get("/partners/leads/").status_code == 200


def test_passing_api(routed, world):
    alice = routed["alice"]
    first = lead(alice)
    api = ApiClient(alice)
    assert api.post(f"/partners/leads/{first.pk}/pass", {"to": "partner"}).status_code == 422
    assert api.post(f"/partners/leads/{first.pk}/pass", {"days": 31}).status_code == 422
    made = api.post(f"/partners/leads/{first.pk}/pass", {"to": "partner", "partner_id": routed["nuri"].pk})
    assert made.status_code == 200, made.content
    assert made.json()["partner"]["id"] == routed["nuri"].pk
    assert ApiClient(routed["charlie"]).post(f"/partners/leads/{first.pk}/pass", {}).status_code == 404
    paul, dora = ApiClient(routed["paul"]), ApiClient(routed["dora"])
    assert dora.post(f"/partners/portal/leads/{first.pk}/decline", {}).status_code == 404
    assert paul.get("/partners/portal/leads").json()[0]["email"] == "yujin@mirae.kr"
    answer = paul.post(f"/partners/portal/leads/{first.pk}/decline", {"reason": "지역 밖"})
    assert answer.status_code == 200 and answer.json()["status"] == "pool"
    assert paul.get("/partners/portal/pool").json() == []
    pool = dora.get("/partners/portal/pool").json()
    assert [(p["company"], p["region"]) for p in pool] == [("미래식품", "busan")]
    assert "email" not in pool[0] and "name" not in pool[0]
    assert dora.post(f"/partners/portal/pool/{pool[0]['id']}/claim").json()["status"] == "accepted"
    assert paul.post(f"/partners/portal/pool/{pool[0]['id']}/claim").status_code == 404
    # a partner user cannot pass leads, and internal people cannot use the portal
    assert paul.post(f"/partners/leads/{first.pk}/pass", {}).status_code == 403
    assert api.get("/partners/portal/leads").status_code == 403
    assert ApiClient(routed["pat"]).get("/partners/passes").status_code == 200
    assert api.get("/partners/passes").status_code == 403
    assert Lead.objects.filter(pk=first.pk).exists()
