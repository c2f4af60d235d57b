"""Opportunity pages and the pipeline board: personas, query counts, forms, conflicts, moves."""

from __future__ import annotations

import json

import pytest

from baton.core.testing import assert_audited, audit_rows
from baton.deals.models import LostReason, Opportunity, Stage
from baton.deals.services import create_opportunity

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


def _stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_opportunity_detail_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    assert client.get(f"/deals/{world['opportunity'].pk}/").status_code == status
    assert client.get(f"/deals/{world['opportunity'].pk}/edit/").status_code == status


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_opportunity_list_and_board_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    listed = client.get("/deals/")
    assert listed.status_code == 200
    assert (world["opportunity"].pk in [o.pk for o in listed.context["page"].items]) == (status == 200)
    board = client.get("/deals/board/?scope=all")
    assert board.status_code == 200
    assert (f'data-testid="card-{world["opportunity"].pk}"' in board.content.decode()) == (status == 200)


def test_opportunity_list_query_count(client, alice, world, django_assert_num_queries):
    for i in range(20):
        create_opportunity(actor=alice, name=f"딜 {i}", account=world["account"], amount=1000 * i)
    client.force_login(alice)
    # session, user, teams, totals, count, page (owner, account, stage joined), stage + owner filter choices
    with django_assert_num_queries(8):
        response = client.get("/deals/?ordering=-amount")
    items = response.context["page"].items
    assert items[0].name == "한빛 ERP 교체" and len(items) == 21
    with django_assert_num_queries(6):
        client.get("/deals/?outcome=open", headers={"HX-Request": "true"})


def test_opportunity_list_totals_follow_the_filter(client, alice, world):
    """Totals and the weighted total are over the whole filtered list, computed here by hand:
    120M (world, considering 10 %) + 30M evaluating (30 %) + 10M lost (not weighted) + 1,000 USD deciding."""
    from baton.deals.models import LostReason, Stage

    stages = {s.key: s for s in Stage.objects.filter(pipeline__is_default=True)}
    account = world["account"]
    create_opportunity(actor=alice, name="b", account=account, amount=30_000_000, stage=stages["evaluating"])
    create_opportunity(
        actor=alice,
        name="c",
        account=account,
        amount=10_000_000,
        stage=stages["lost"],
        lost_reason=LostReason.objects.first(),
    )
    create_opportunity(
        actor=alice, name="d", account=account, amount=1000, currency="USD", stage=stages["deciding"]
    )
    client.force_login(alice)
    totals = {t["currency"]: t for t in client.get("/deals/").context["totals"]}
    assert (totals["KRW"]["count"], totals["KRW"]["total"]) == (3, 160_000_000)
    assert totals["KRW"]["weighted"] == 12_000_000 + 9_000_000
    assert (totals["USD"]["count"], totals["USD"]["weighted"]) == (1, 600)
    body = client.get("/deals/?outcome=open").content.decode()
    assert 'data-testid="weighted-KRW">₩21,000,000<' in body
    assert "2 opportunities in this list" in body


def test_opportunity_detail_query_count_and_content(client, alice, world, django_assert_num_queries):
    client.force_login(alice)
    # session, user, teams, opportunity (joined), stages, lost reasons, history, and the deal's kind badges
    # (expansion or upsell, renewal: two queries, from success through deals.board_marks)
    with django_assert_num_queries(9):
        response = client.get(f"/deals/{world['opportunity'].pk}/")
    body = response.content.decode()
    assert "₩120,000,000" in body and "(주)한빛소프트" in body and "김민준" in body
    assert 'data-testid="move-evaluating"' in body and 'data-testid="mark-lost"' in body


def test_board_query_count_and_columns(client, alice, bob, world, django_assert_num_queries):
    create_opportunity(actor=bob, name="밥의 딜", account=world["account"], amount=3_000_000, currency="USD")
    client.force_login(alice)
    stages = Stage.objects.filter(pipeline__is_default=True, is_archived=False).count()
    # session, user, teams, pipeline, stages, four aggregates (two disjoint visibility parts x open/closed
    # stages), one per column, the cards' next activities (board marks), the custom field schema's
    # revision (which fields the cards show: core.customfields.cards), pipelines, lost reasons, and
    # (sec16) which cards the reader may move: a teammate's deal is editable unless the default is
    # private, which the database decides (core.records.editable_ids, one query for all cards), and the
    # cards' kind badges (expansion or upsell, renewal: two queries for all cards)
    with django_assert_num_queries(16 + stages):
        response = client.get("/deals/board/?scope=all")
    body = response.content.decode()
    for key in ("considering", "evaluating", "deciding", "purchasing", "won", "lost", "no_decision"):
        assert f'data-testid="column-{key}"' in body
    assert "₩120,000,000 · $3,000,000.00" in body or "$3,000,000.00 · ₩120,000,000" in body
    considering = response.context["columns"][0]
    assert considering.count == 2
    mine = client.get("/deals/board/?scope=mine").content.decode()
    assert "밥의 딜" not in mine and "한빛 ERP 교체" in mine
    team = client.get("/deals/board/?scope=team").content.decode()
    assert "밥의 딜" in team


def test_board_move_is_persisted_audited_and_returns_fresh_headers(client, alice, world):
    opp = world["opportunity"]
    target = _stage("evaluating")
    client.force_login(alice)
    response = client.post(
        f"/deals/{opp.pk}/move/",
        {"stage": target.pk, "version": opp.version, "scope": "all"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    opp.refresh_from_db()
    assert opp.stage == target and data["version"] == opp.version
    assert_audited(opp, "move", actor=alice)
    assert 'data-testid="column-count-evaluating">1<' in data["headers"][str(target.pk)]
    assert ">0<" in data["headers"][str(_stage("considering").pk)]
    # the card is in the new column after reload
    board = client.get("/deals/board/")
    evaluating = next(c for c in board.context["columns"] if c.stage.key == "evaluating")
    assert [c.pk for c in evaluating.cards] == [opp.pk]


def test_board_move_stale_version_is_409_and_nothing_changes(client, alice, world):
    opp = world["opportunity"]
    client.force_login(alice)
    response = client.post(
        f"/deals/{opp.pk}/move/",
        {"stage": _stage("deciding").pk, "version": opp.version + 3},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in json.loads(response.content)["error"]
    opp.refresh_from_db()
    assert opp.stage.key == "considering"
    assert not audit_rows(opp, "move").exists()


def test_board_move_to_lost_needs_a_reason(client, alice, world):
    opp = world["opportunity"]
    lost = _stage("lost")
    client.force_login(alice)
    refused = client.post(
        f"/deals/{opp.pk}/move/",
        {"stage": lost.pk, "version": opp.version},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400
    assert json.loads(refused.content)["needs_reason"] is True
    opp.refresh_from_db()
    assert opp.stage.key == "considering"
    reason = LostReason.objects.filter(is_no_decision=True).first()
    ok = client.post(
        f"/deals/{opp.pk}/move/",
        {
            "stage": _stage("no_decision").pk,
            "version": opp.version,
            "lost_reason": reason.pk,
            "note": "budget frozen",
        },
        headers={"Accept": "application/json"},
    )
    assert ok.status_code == 200
    opp.refresh_from_db()
    assert opp.stage.key == "no_decision" and opp.lost_reason == reason and opp.closed_at is not None
    assert audit_rows(opp, "move").get().note == "budget frozen"


def test_board_move_by_outsider_is_404(client, charlie, world):
    opp = world["opportunity"]
    client.force_login(charlie)
    response = client.post(
        f"/deals/{opp.pk}/move/",
        {"stage": _stage("won").pk, "version": opp.version},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 404
    opp.refresh_from_db()
    assert opp.stage.key == "considering"


def test_move_requires_post_and_csrf(alice, world):
    from django.test import Client

    opp = world["opportunity"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(f"/deals/{opp.pk}/move/").status_code == 405
    assert (
        client.post(f"/deals/{opp.pk}/move/", {"stage": _stage("won").pk, "version": opp.version}).status_code
        == 403
    )


def test_move_from_detail_page_buttons(client, alice, world):
    opp = world["opportunity"]
    client.force_login(alice)
    response = client.post(f"/deals/{opp.pk}/move/", {"stage": _stage("won").pk, "version": opp.version})
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.stage.key == "won" and opp.forecast_category == "closed"
    stale = client.post(
        f"/deals/{opp.pk}/move/", {"stage": _stage("deciding").pk, "version": opp.version - 1}
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    no_reason = client.post(f"/deals/{opp.pk}/move/", {"stage": _stage("lost").pk, "version": opp.version})
    assert no_reason.status_code == 400
    assert "Say why the deal was lost" in no_reason.content.decode()
    opp.refresh_from_db()
    assert opp.stage.key == "won"


def test_create_opportunity_and_field_errors(client, alice, charlie, world):
    foreign_account = world["account"].__class__.objects.create(
        name="남의 회사", owner=charlie, team=charlie.team
    )
    client.force_login(alice)
    page = client.get(f"/deals/new/?account={world['account'].pk}")
    assert page.status_code == 200
    bad = client.post(
        "/deals/new/",
        {
            "name": "",
            "account": foreign_account.pk,
            "amount": "10.5",
            "currency": "KRW",
            "owner": alice.pk,
            "forecast_category": "pipeline",
        },
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "name" in errors and "account" in errors
    decimals = client.post(
        "/deals/new/",
        {
            "name": "소수점",
            "account": world["account"].pk,
            "amount": "10.5",
            "currency": "KRW",
            "owner": alice.pk,
            "forecast_category": "pipeline",
            "stage": _stage("deciding").pk,
        },
    )
    assert decimals.status_code == 400
    assert (
        "amount" in decimals.context["form"].errors
    )  # KRW has no decimals: the model says so via the service
    ok = client.post(
        "/deals/new/",
        {
            "name": "신규 딜",
            "account": world["account"].pk,
            "primary_contact": world["contact"].pk,
            "amount": "2500000",
            "currency": "KRW",
            "owner": alice.pk,
            "forecast_category": "pipeline",
            "stage": _stage("deciding").pk,
            "expected_close_date": "2026-11-30",
        },
    )
    assert ok.status_code == 302
    opp = Opportunity.objects.get(name="신규 딜")
    assert opp.stage.key == "deciding" and opp.probability == _stage("deciding").probability
    assert_audited(opp, "create")


def test_edit_opportunity_conflict(client, alice, bob, world):
    opp = world["opportunity"]
    data = {
        "name": "한빛 ERP 교체",
        "account": world["account"].pk,
        "amount": "130000000",
        "currency": "KRW",
        "owner": alice.pk,
        "forecast_category": "commit",
        "next_step": "PoC",
        "version": opp.version,
    }
    client.force_login(alice)
    page = client.get(f"/deals/{opp.pk}/edit/")
    assert "stage" not in page.context["form"].fields
    assert client.post(f"/deals/{opp.pk}/edit/", data).status_code == 302
    client.force_login(bob)
    conflict = client.post(f"/deals/{opp.pk}/edit/", {**data, "next_step": "Contract"})
    assert conflict.status_code == 409
    opp.refresh_from_db()
    assert opp.next_step == "PoC" and opp.amount == 130_000_000


def test_board_counts_each_visible_deal_once_and_shows_recent_closes_only(client, alice, charlie, world):
    from datetime import timedelta

    from django.utils import timezone

    from baton.deals.models import Opportunity
    from baton.deals.services import move_opportunity

    opp = world["opportunity"]
    # alice's deal filed under another team (e.g. she moved teams): still hers, counted once.
    Opportunity.objects.filter(pk=opp.pk).update(team=charlie.team)
    old = create_opportunity(actor=alice, name="오래된 수주", account=world["account"], amount=7_000_000)
    move_opportunity(old, actor=alice, stage=_stage("won"), expected_version=old.version)
    Opportunity.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=120))
    recent = create_opportunity(actor=alice, name="최근 수주", account=world["account"], amount=9_000_000)
    move_opportunity(recent, actor=alice, stage=_stage("won"), expected_version=recent.version)
    client.force_login(alice)
    columns = {c.stage.key: c for c in client.get("/deals/board/?scope=all").context["columns"]}
    assert columns["considering"].count == 1 and [c.pk for c in columns["considering"].cards] == [opp.pk]
    assert columns["considering"].totals == {"KRW": 120_000_000}
    assert [c.pk for c in columns["won"].cards] == [recent.pk]
    assert columns["won"].count == 1 and columns["won"].totals == {"KRW": 9_000_000}
    assert columns["won"].closed_window_days == 90 and columns["considering"].closed_window_days is None
    # The deal is filed under charlie's team now, so by the team rule charlie sees it too.
    client.force_login(charlie)
    charlie_cols = {c.stage.key: c for c in client.get("/deals/board/?scope=all").context["columns"]}
    assert charlie_cols["considering"].count == 1


def test_no_decision_stage_reads_korean_on_korean_pages():
    from baton.deals.models import Stage

    stage = Stage.objects.get(pipeline__is_default=True, key="no_decision")
    assert (stage.name, stage.name_en) == ("결정 보류", "No decision")
