"""Opportunities, the stage move, pipelines and lost reasons through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import errors_of, make_api
from baton.deals.models import LostReason, Opportunity, Pipeline, Stage
from baton.deals.services import create_opportunity


@pytest.fixture
def api(personas):
    return make_api(personas)


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def test_create_opportunity_starts_in_the_first_open_stage(api, world, alice):
    response = api("alice").post(
        "/opportunities",
        {
            "name": "한빛 그룹웨어",
            "account_id": world["account"].pk,
            "primary_contact_id": world["contact"].pk,
            "amount": "35000000",
            "expected_close_date": "2027-01-15",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"]["key"] == "considering"
    assert body["stage"]["outcome"] == "open"
    assert body["probability"] == 10
    assert body["forecast_category"] == "pipeline"
    assert Decimal(body["amount"]) == 35_000_000
    assert body["currency"] == "KRW"
    assert body["account"] == {"id": world["account"].pk, "name": "(주)한빛소프트"}
    assert body["primary_contact"]["id"] == world["contact"].pk
    assert body["owner"]["id"] == alice.pk
    assert body["expected_close_date"] == "2027-01-15"
    assert ChangeLog.objects.filter(action="create", object_id=body["id"]).exists()


def test_create_opportunity_in_a_chosen_stage(api, world):
    response = api("alice").post(
        "/opportunities", {"name": "x", "account_id": world["account"].pk, "stage_id": stage("deciding").pk}
    )
    assert response.json()["stage"]["key"] == "deciding"
    assert response.json()["probability"] == 60
    lost = api("alice").post(
        "/opportunities", {"name": "x", "account_id": world["account"].pk, "stage_id": stage("lost").pk}
    )
    assert "lost_reason_id" in errors_of(lost)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("100.5", "KRW"),
        (100.5, "KRW"),
        (10, "JPY"),
        (-5, "KRW"),
        (10**20, "KRW"),
        ("1e400", "USD"),
        ("abc", "KRW"),
    ],
)
def test_amounts_are_validated(api, world, amount, currency):
    payload = {"name": "x", "account_id": world["account"].pk, "amount": amount, "currency": currency}
    if currency == "JPY":
        payload["amount"] = "10.25"
    assert "amount" in errors_of(api("alice").post("/opportunities", payload))


def test_usd_cents_are_kept(api, world):
    response = api("alice").post(
        "/opportunities", {"name": "x", "account_id": world["account"].pk, "amount": 99.99, "currency": "USD"}
    )
    assert response.status_code == 201
    assert Opportunity.objects.get(pk=response.json()["id"]).amount == Decimal("99.99")


def test_primary_contact_must_work_at_the_account(api, world, alice):
    from baton.accounts.services import create_account, create_contact

    other = create_account(actor=alice, name="다른회사")
    someone = create_contact(actor=alice, account=other, name="홍길동")
    response = api("alice").post(
        "/opportunities", {"name": "x", "account_id": world["account"].pk, "primary_contact_id": someone.pk}
    )
    assert "primary_contact_id" in errors_of(response)


def test_patch_opportunity(api, world):
    opp = world["opportunity"]
    client = api("dana")
    response = client.patch(
        f"/opportunities/{opp.pk}",
        {"version": opp.version, "probability": 40, "forecast_category": "best_case", "next_step": "PoC"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["probability"], body["forecast_category"], body["next_step"]) == (40, "best_case", "PoC")
    assert "probability" in errors_of(
        client.patch(f"/opportunities/{opp.pk}", {"version": 2, "probability": 101})
    )
    assert "stage_id" in errors_of(client.patch(f"/opportunities/{opp.pk}", {"version": 2, "stage_id": 1}))
    assert "amount" in errors_of(client.patch(f"/opportunities/{opp.pk}", {"version": 2, "amount": "1.5"}))
    assert client.patch(f"/opportunities/{opp.pk}", {"version": 1, "next_step": "x"}).status_code == 409


def test_move_is_audited_and_checks_the_version(api, world, bob):
    opp = world["opportunity"]
    client = api("bob")
    response = client.post(
        f"/opportunities/{opp.pk}/move", {"stage_id": stage("deciding").pk, "version": opp.version}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"]["key"] == "deciding"
    assert body["probability"] == 60
    assert body["version"] == opp.version + 1
    # (The process app may log its own moves of the record; the stage move is the one with a stage id.)
    rows = ChangeLog.objects.filter(
        action="move", object_id=opp.pk, content_type=ContentType.objects.get_for_model(Opportunity)
    )
    [log] = [row for row in rows if "stage_id" in row.after]
    assert log.actor == bob
    assert log.before["stage_id"] == stage("considering").pk
    assert log.after["stage_id"] == stage("deciding").pk
    stale = client.post(
        f"/opportunities/{opp.pk}/move", {"stage_id": stage("won").pk, "version": opp.version}
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == opp.version + 1


def test_moving_to_lost_needs_a_reason(api, world):
    opp = world["opportunity"]
    client = api("alice")
    lost = stage("lost").pk
    response = client.post(f"/opportunities/{opp.pk}/move", {"stage_id": lost, "version": opp.version})
    assert errors_of(response) == {"lost_reason_id": ["Say why the deal was lost."]}
    reason = LostReason.objects.filter(is_archived=False).first()
    response = client.post(
        f"/opportunities/{opp.pk}/move",
        {"stage_id": lost, "version": opp.version, "lost_reason_id": reason.pk},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["lost_reason"]["id"] == reason.pk
    assert body["closed_at"] is not None
    assert body["forecast_category"] == "omitted"


def test_move_refuses_other_pipelines_and_archived_stages(api, world):
    opp = world["opportunity"]
    other = Pipeline.objects.create(name="파트너")
    foreign = Stage.objects.create(pipeline=other, key="a", name="A")
    old = Stage.objects.create(pipeline=opp.pipeline, key="old", name="Old", is_archived=True)
    client = api("alice")
    for target in (foreign.pk, old.pk, 10**12):
        response = client.post(f"/opportunities/{opp.pk}/move", {"stage_id": target, "version": opp.version})
        assert "stage_id" in errors_of(response)
    assert "stage_id" in errors_of(client.post(f"/opportunities/{opp.pk}/move", {"version": opp.version}))
    assert "extra" in errors_of(
        client.post(f"/opportunities/{opp.pk}/move", {"stage_id": foreign.pk, "version": 1, "extra": 1})
    )


def test_pipelines_and_lost_reasons(api, world):
    pipelines = api("charlie").get("/pipelines").json()
    default = pipelines[0]
    assert default["is_default"] is True
    assert [s["key"] for s in default["stages"]] == [
        "considering", "evaluating", "deciding", "purchasing", "won", "lost", "no_decision",
    ]  # fmt: skip
    reasons = api("charlie").get("/lost-reasons").json()
    assert len(reasons) == LostReason.objects.filter(is_archived=False).count()
    assert {"id", "name", "name_en", "is_no_decision", "code", "is_archived"} == set(reasons[0])


@pytest.fixture
def many_opportunities(world, alice, bob):
    opps = [world["opportunity"]]
    for i in range(9):
        opps.append(
            create_opportunity(
                actor=alice if i % 2 else bob,
                name=f"딜{i % 3}",
                account=world["account"],
                amount=(i % 4) * 1_000_000,
                stage=stage("evaluating" if i % 2 else "considering"),
            )
        )
    return opps


@pytest.mark.parametrize(
    "ordering", ["updated", "-updated", "created", "-created", "name", "-name", "amount", "-amount"]
)
def test_opportunity_pagination_walks_every_row_once(api, many_opportunities, ordering):
    items = api("mina").walk("/opportunities", {"ordering": ordering, "limit": 4})
    ids = [o["id"] for o in items]
    assert sorted(ids) == sorted(o.pk for o in many_opportunities)
    key = {"updated": "updated_at", "created": "created_at"}.get(ordering.lstrip("-"), ordering.lstrip("-"))
    expected = sorted(
        Opportunity.objects.all(), key=lambda o: (getattr(o, key), o.pk), reverse=ordering.startswith("-")
    )
    assert ids == [o.pk for o in expected]


def test_opportunity_filters(api, many_opportunities):
    client = api("alice")
    evaluating = client.walk("/opportunities", {"stage": stage("evaluating").pk})
    assert {o["stage"]["key"] for o in evaluating} == {"evaluating"}
    assert len(evaluating) == 4
    assert len(client.walk("/opportunities", {"outcome": "open"})) == 10
    assert client.walk("/opportunities", {"outcome": "won"}) == []
    assert "outcome" in errors_of(client.get("/opportunities", {"outcome": "maybe"}))
    assert "currency" in errors_of(client.get("/opportunities", {"currency": "BTC"}))


def test_opportunity_list_query_count_is_constant(api, many_opportunities, django_assert_max_num_queries):
    client = api("alice")
    client.get("/me")
    with django_assert_max_num_queries(3):
        assert len(client.get("/opportunities").json()["items"]) == 10
    with django_assert_max_num_queries(3):
        assert len(client.get("/pipelines").json()) == 1
