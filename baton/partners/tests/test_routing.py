"""The channel team's routing rules of passed leads: tried in order (first match decides: a partner, the
least loaded partner of a tier, or the pool), disabled rules and rules with no partner left skipped, the
built-in routing as the fallback; every write audited, validated and version-checked; pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.services import ConflictError
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import ProductFamily
from baton.leads.services import create_lead
from baton.partners import passing, routing, services
from baton.partners.models import LeadPass, RoutingRule, Tier
from baton.partners.tests.conftest import make_partner

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def lead(owner, n, **extra):
    values = {"name": f"고객{n}", "company": f"미래식품{n}", "email": f"c{n}@mirae.kr", "region": "busan"}
    values.update(extra)
    return create_lead(actor=owner, **values)


@pytest.fixture
def routed(channel):
    """Nuri (silver) covers Busan; Daon (gold) covers Busan and manufacturing; Gaon (silver) nothing."""
    pat = channel["pat"]
    services.update_partner(channel["nuri"], actor=pat, changes={"regions": ["busan"]})
    services.update_partner(
        channel["daon"], actor=pat, changes={"regions": ["busan"], "industries": ["manufacturing"]}
    )
    gaon = make_partner("가온테크", Tier.SILVER, pat, "gina")
    family = ProductFamily.objects.create(name="ERP")
    return {**channel, "gaon": gaon["partner"], "family": family}


def test_rules_apply_in_order_and_fall_back_to_the_built_in_routing(routed):
    alice, pat = routed["alice"], routed["pat"]
    nuri, daon, gaon, family = routed["nuri"], routed["daon"], routed["gaon"], routed["family"]
    # no rule: the built-in routing (Busan: gold Daon before silver Nuri)
    assert passing.route(lead(alice, 1, source="event"))[0] == daon

    events = routing.create_rule(
        actor=pat, name="부산 세미나", region="busan", lead_source="event", target="partner", partner=nuri
    )
    factories = routing.create_rule(actor=pat, name="제조는 풀로", industry="manufacturing", target="pool")
    erp = routing.create_rule(
        actor=pat, name="ERP는 실버", product_family=family, target="tier", tier="silver"
    )
    assert [r.position for r in (events, factories, erp)] == [1, 2, 3]

    # the first matching rule decides
    partner, reason = passing.route(lead(alice, 2, source="event"))
    assert partner == nuri and "부산 세미나" in reason
    maker = lead(alice, 3, source="event", industry="manufacturing")
    assert passing.route(maker)[0] == nuri  # rule 1 matches first
    assert passing.route(lead(alice, 4, source="web_form", industry="manufacturing"))[0] is None  # rule 2
    # reordered: the pool rule comes first
    routing.reorder_rules([factories.pk, events.pk, erp.pk], actor=pat)
    partner, reason = passing.route(maker)
    assert partner is None and "제조는 풀로" in reason
    # disabled: skipped
    routing.update_rule(factories, actor=pat, changes={"is_active": False})
    assert passing.route(maker)[0] == nuri

    # a tier: the silver partner with the fewest offers waiting (a tie goes by name: 가온 before 누리)
    jeju = lead(alice, 5, region="jeju")
    assert passing.route(jeju)[0] is None  # the product family is not named: no rule, no specialist
    partner, reason = passing.route(jeju, product_family=family)
    assert partner == gaon and "ERP는 실버" in reason
    passing.pass_lead(lead(alice, 6, region="jeju"), actor=alice, to="partner", partner=gaon, now=NOW)
    assert passing.route(jeju, product_family=family)[0] == nuri  # Gaon has one offer waiting
    # a rule whose partners are all passed over is skipped: the built-in routing decides
    busan = lead(alice, 7, source="other")
    assert passing.route(busan, product_family=family, skip=[nuri.pk, gaon.pk])[0] == daon
    # a rule's partner made inactive is skipped too
    services.update_partner(nuri, actor=pat, changes={"is_active": False})
    assert passing.route(lead(alice, 8, source="event"))[0] == daon

    # passing by the rules records the rule in the offer's reason
    lp = passing.pass_lead(jeju, actor=alice, to="rules", product_family=family, now=NOW)
    assert (lp.status, lp.partner) == (LeadPass.Status.OFFERED, gaon)
    assert "ERP는 실버" in lp.reason


def test_rule_writes_are_validated_audited_and_version_checked(routed):
    pat, alice, nuri = routed["pat"], routed["alice"], routed["nuri"]
    with pytest.raises(PermissionDenied):
        routing.create_rule(actor=alice, name="x", target="pool")
    with pytest.raises(ValidationError) as partner_missing:
        routing.create_rule(actor=pat, name="x", target="partner")
    assert "partner" in partner_missing.value.message_dict
    with pytest.raises(ValidationError) as tier_missing:
        routing.create_rule(actor=pat, name="x", target="tier")
    assert "tier" in tier_missing.value.message_dict
    with pytest.raises(ValidationError):
        routing.create_rule(actor=pat, name="x", target="pool", tier="gold")
    with pytest.raises(ValidationError):
        routing.create_rule(actor=pat, name="x", target="pool", region="atlantis")
    assert not RoutingRule.objects.exists()

    first = routing.create_rule(actor=pat, name="누리", target="partner", partner=nuri)
    assert_audited(first, "create", actor=pat, name="누리", target="partner", partner=nuri.pk, position=1)
    second = routing.create_rule(actor=pat, name="풀", target="pool")
    changed = routing.update_rule(
        first, actor=pat, changes={"target": "tier", "partner": None, "tier": "gold"}, expected_version=1
    )
    assert (changed.target, changed.partner, changed.tier, changed.version) == ("tier", None, "gold", 2)
    assert_audited(changed, "update", actor=pat, target="tier", tier="gold")
    with pytest.raises(ConflictError):
        routing.update_rule(first, actor=pat, changes={"name": "늦음"}, expected_version=1)
    with pytest.raises(ValidationError):
        routing.reorder_rules([second.pk], actor=pat)  # every rule, once
    with pytest.raises(ValidationError):
        routing.reorder_rules([second.pk, second.pk], actor=pat)
    routing.move_rule(second, actor=pat, up=True)
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["풀", "누리"]
    assert_audited(second, "update", actor=pat, position=1)
    routing.move_rule(second, actor=pat, up=True)  # first already: nothing moves
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["풀", "누리"]


def test_routing_pages(client, routed):
    pat, nuri = routed["pat"], routed["nuri"]
    client.force_login(pat)
    assert "nav-routing" in client.get("/partners/").content.decode()
    assert client.get("/partners/routing/").status_code == 200
    # field errors, nothing saved
    bad = client.post("/partners/routing/new/", {"name": "누리", "target": "partner"})
    assert bad.status_code == 200 and "partner" in bad.context["form"].errors
    assert not RoutingRule.objects.exists()
    made = client.post(
        "/partners/routing/new/",
        {
            "name": "부산은 누리",
            "region": "busan",
            "target": "partner",
            "partner": nuri.pk,
            "is_active": "on",
        },
    )
    assert made.status_code == 302
    pool = client.post("/partners/routing/new/", {"name": "나머지 풀", "target": "pool", "is_active": "on"})
    assert pool.status_code == 302
    first, second = RoutingRule.objects.all()
    page = client.get("/partners/routing/").content.decode()
    assert "부산은 누리" in page and "누리시스템" in page
    # move the second up, disable it, edit the first (the form's version guards it)
    client.post(f"/partners/routing/{second.pk}/move/", {"direction": "up"})
    assert list(RoutingRule.objects.values_list("pk", flat=True)) == [second.pk, first.pk]
    client.post(f"/partners/routing/{second.pk}/toggle/")
    second.refresh_from_db()
    assert second.is_active is False
    assert_audited(second, "update", actor=pat, is_active=False)
    edit = client.get(f"/partners/routing/{first.pk}/").content.decode()
    assert 'name="version"' in edit
    saved = client.post(
        f"/partners/routing/{first.pk}/",
        {
            "name": "부산은 골드",
            "region": "busan",
            "target": "tier",
            "tier": "gold",
            "partner": nuri.pk,
            "version": 1,
        },
    )
    assert saved.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.target, first.tier, first.partner, first.is_active) == (
        "부산은 골드",
        "tier",
        "gold",
        None,  # a tier rule names no partner
        False,  # the box was not ticked
    )
    stale = client.post(f"/partners/routing/{first.pk}/", {"name": "늦음", "target": "pool", "version": 1})
    assert stale.status_code == 200 and RoutingRule.objects.get(pk=first.pk).name == "부산은 골드"
    assert client.get("/partners/routing/999999/").status_code == 404
    # not the channel team: 403
    client.force_login(routed["alice"])
    assert client.get("/partners/routing/").status_code == 403
    assert client.post(f"/partners/routing/{first.pk}/toggle/").status_code == 403
    # the lead page's pass form names the product family for the rules
    client.force_login(routed["alice"])
    mine = lead(routed["alice"], 9, region="jeju")
    routing.create_rule(
        actor=pat, name="ERP", product_family=routed["family"], target="partner", partner=nuri
    )
    client.post(
        f"/partners/lead/{mine.pk}/pass/", {"to": "rules", "days": 3, "product_family": routed["family"].pk}
    )
    assert LeadPass.objects.get(lead=mine).partner == nuri


def test_routing_api(routed):
    pat, alice, nuri, family = routed["pat"], routed["alice"], routed["nuri"], routed["family"]
    api = ApiClient(pat)
    assert api.post("/partners/routing-rules", {"name": "x", "target": "partner"}).status_code == 422
    assert api.post("/partners/routing-rules", {"name": "x", "target": "sea"}).status_code == 422
    assert api.post("/partners/routing-rules", {"name": "x", "target": "pool", "bogus": 1}).status_code == 422
    assert (
        api.post(
            "/partners/routing-rules", {"name": "x", "target": "partner", "partner_id": 10**9}
        ).status_code
        == 422
    )
    made = api.post(
        "/partners/routing-rules",
        {"name": "ERP는 누리", "product_family_id": family.pk, "target": "partner", "partner_id": nuri.pk},
    )
    assert made.status_code == 201, made.content
    rule = made.json()
    assert (rule["position"], rule["partner_id"], rule["version"]) == (1, nuri.pk, 1)
    pool = api.post("/partners/routing-rules", {"name": "풀", "target": "pool"}).json()
    # a new target drops the partner; a stale version is a 409
    changed = api.patch(
        f"/partners/routing-rules/{rule['id']}", {"version": 1, "target": "tier", "tier": "gold"}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["partner_id"], changed.json()["tier"], changed.json()["version"]) == (
        None,
        "gold",
        2,
    )
    assert (
        api.patch(f"/partners/routing-rules/{rule['id']}", {"version": 1, "name": "늦음"}).status_code == 409
    )
    assert api.patch("/partners/routing-rules/999999", {"version": 1}).status_code == 404
    # reorder: every rule once
    assert api._send("put", "/partners/routing-rules/order", {"ids": [pool["id"]]}).status_code == 422
    ordered = api._send("put", "/partners/routing-rules/order", {"ids": [pool["id"], rule["id"]]})
    assert [r["id"] for r in ordered.json()] == [pool["id"], rule["id"]]
    assert [r["name"] for r in api.get("/partners/routing-rules").json()] == ["풀", "ERP는 누리"]
    # passing through the API names the product family
    api.patch(f"/partners/routing-rules/{pool['id']}", {"version": 1, "is_active": False})
    api.patch(
        f"/partners/routing-rules/{rule['id']}",
        {"version": 2, "target": "partner", "partner_id": nuri.pk},
    )
    jeju = lead(alice, 10, region="jeju")
    passed = ApiClient(alice).post(
        f"/partners/leads/{jeju.pk}/pass", {"to": "rules", "product_family_id": family.pk}
    )
    assert passed.status_code == 200 and passed.json()["partner"]["id"] == nuri.pk
    assert (
        ApiClient(alice).post(f"/partners/leads/{jeju.pk}/pass", {"product_family_id": 10**9}).status_code
        == 422
    )
    # not the channel team: 403
    assert ApiClient(alice).get("/partners/routing-rules").status_code == 403
    assert ApiClient(routed["paul"]).get("/partners/routing-rules").status_code == 403
