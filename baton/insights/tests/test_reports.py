"""The report builder: grouped results against values worked out by hand, relative dates, strict input,
and shared reports that show each reader only their own rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from baton.accounts.services import create_account
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.insights import services
from baton.insights.models import SavedReport
from baton.insights.reports import parse_definition, relative_range, run_report

M = 1_000_000


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


@pytest.fixture
def book(personas):
    """alice: 10M + 30M considering, 50M won (manufacturing); bob: 20M considering, 40M won (finance);
    charlie (another team): 70M won."""
    alice, bob, charlie = personas["alice"], personas["bob"], personas["charlie"]
    maker = create_account(actor=alice, name="제조사", industry="manufacturing")
    bank = create_account(actor=bob, name="은행", industry="finance")
    other = create_account(actor=charlie, name="기타")
    for owner, account, amount, key in [
        (alice, maker, 10 * M, "considering"),
        (alice, maker, 30 * M, "considering"),
        (alice, maker, 50 * M, "won"),
        (bob, bank, 20 * M, "considering"),
        (bob, bank, 40 * M, "won"),
        (charlie, other, 70 * M, "won"),
    ]:
        create_opportunity(
            actor=owner, name=f"{owner}-{amount}", account=account, amount=Decimal(amount), stage=stage(key)
        )


def test_two_level_grouping_by_hand(personas, book):
    d = parse_definition(
        {
            "object": "opportunities",
            "group_by": ["owner", "stage_outcome"],
            "aggregate": "sum",
            "measure": "amount",
        }
    )
    result = run_report(d, personas["mina"])  # mina manages both teams
    alice, bob, charlie = personas["alice"].pk, personas["bob"].pk, personas["charlie"].pk
    assert result.cells[(alice, "open")] == 40 * M and result.cells[(alice, "won")] == 50 * M
    assert result.cells[(bob, "open")] == 20 * M and result.cells[(bob, "won")] == 40 * M
    assert result.row_totals[charlie] == 70 * M
    assert result.col_totals["won"] == 160 * M
    assert result.total == 220 * M
    assert result.row_keys == [alice, charlie, bob]  # largest first: 90M, 70M, 60M
    assert result.label(1, "won") == "Won"


def test_aggregates_by_hand(personas, book):
    mina = personas["mina"]

    def value(agg):
        d = parse_definition(
            {"object": "opportunities", "group_by": ["industry"], "aggregate": agg, "measure": "amount"}
        )
        return run_report(d, mina).row_totals["manufacturing"]

    assert value("count") == 3
    assert value("sum") == 90 * M
    assert value("avg") == 30 * M
    assert value("median") == 30 * M
    assert (value("min"), value("max")) == (10 * M, 50 * M)


def test_a_shared_report_shows_each_reader_only_their_rows(client, personas, book):
    mina, alice, charlie = personas["mina"], personas["alice"], personas["charlie"]
    report = services.save_report(
        actor=mina,
        name="Won by owner",
        definition={
            "object": "opportunities",
            "group_by": ["owner"],
            "aggregate": "sum",
            "measure": "amount",
            "filters": [{"field": "stage_outcome", "op": "eq", "value": "won"}],
        },
        sharing="everyone",
    )
    client.force_login(mina)
    assert client.get(reverse("insights:report", args=[report.pk])).context["result"].total == 160 * M
    client.force_login(alice)
    assert (
        client.get(reverse("insights:report", args=[report.pk])).context["result"].total == 90 * M
    )  # her team
    client.force_login(charlie)
    page = client.get(reverse("insights:report", args=[report.pk]))
    assert page.context["result"].total == 70 * M
    assert "Alice" not in page.content.decode()
    private = services.save_report(actor=mina, name="Mine", definition={"object": "leads"}, sharing="private")
    assert client.get(reverse("insights:report", args=[private.pk])).status_code == 404


def test_only_the_owner_changes_a_report(personas):
    mina, alice = personas["mina"], personas["alice"]
    report = services.save_report(actor=mina, name="R", definition={"object": "accounts"}, sharing="everyone")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_report(
            actor=alice, name="x", definition={"object": "accounts"}, sharing="private", report=report
        )
    with pytest.raises(PermissionDenied):
        services.delete_report(report, actor=alice)


@pytest.mark.parametrize(
    "bad",
    [
        {"object": "users"},
        {"object": "opportunities", "columns": ["password"]},
        {"object": "opportunities", "filters": [{"field": "amount", "op": "gt", "value": "lots"}]},
        {
            "object": "opportunities",
            "filters": [{"field": "owner", "op": "eq", "value": "99999999999999999999999"}],
        },
        {
            "object": "opportunities",
            "filters": [{"field": "closed_at", "op": "relative", "value": "yesterday"}],
        },
        {"object": "opportunities", "filters": [{"field": "amount", "op": "drop table", "value": "1"}]},
        {"object": "opportunities", "group_by": ["amount"]},
        {"object": "opportunities", "aggregate": "sum", "measure": "name"},
        {"object": "opportunities", "aggregate": "explode"},
    ],
)
def test_bad_definitions_are_refused_with_a_message(bad):
    with pytest.raises(ValidationError):
        parse_definition(bad)


def test_relative_dates():
    today = dt.date(2026, 11, 18)
    assert relative_range("this_quarter", today) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert relative_range("last_quarter", today) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert relative_range("last_90_days", today) == (dt.date(2026, 8, 21), dt.date(2026, 11, 19))
    assert relative_range("this_week", today) == (dt.date(2026, 11, 16), dt.date(2026, 11, 23))
    assert relative_range("last_year", today) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def test_relative_date_filter_and_month_buckets(personas, book):
    mina = personas["mina"]
    old = Opportunity.objects.get(name__endswith="-70000000")
    Opportunity.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    d = parse_definition(
        {
            "object": "opportunities",
            "filters": [{"field": "created_at", "op": "relative", "value": "last_90_days"}],
            "group_by": ["created_at:year"],
        }
    )
    result = run_report(d, mina)
    assert result.total == 5  # the 200-day-old deal is out


def test_builder_page_csv_and_bad_query(client, personas, book):
    client.force_login(personas["alice"])
    url = reverse("insights:report_builder")
    page = client.get(url, {"object": "opportunities", "group1": "owner", "agg": "sum", "measure": "amount"})
    assert page.status_code == 200
    assert page.context["result"].total == 150 * M
    csv = client.get(
        url,
        {"object": "opportunities", "group1": "owner", "agg": "sum", "measure": "amount", "format": "csv"},
    )
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Owner,") and len(lines) == 3
    listing = client.get(
        url,
        {
            "object": "opportunities",
            "col": ["name", "amount"],
            "ff": ["amount"],
            "fo": ["gte"],
            "fv": ["30000000"],
        },
    )
    assert len(listing.context["records"]) == 3  # 30M, 50M, 40M
    bad = client.get(url, {"object": "opportunities", "ff": ["amount"], "fo": ["gt"], "fv": ["lots"]})
    assert bad.status_code == 200 and "is not a valid value" in bad.content.decode()


def test_save_through_the_page(client, personas):
    client.force_login(personas["alice"])
    definition = json.dumps({"object": "leads", "group_by": ["source"]})
    response = client.post(
        reverse("insights:report_save"),
        {"name": "Leads by source", "sharing": "team", "definition": definition},
    )
    report = SavedReport.objects.get(is_builtin=False)
    assert response.status_code == 302 and report.team == personas["alice"].team
    assert report.definition["group_by"] == ["source"]
    client.post(reverse("insights:report_save"), {"name": "x", "sharing": "team", "definition": "{not json"})
    assert SavedReport.objects.filter(is_builtin=False).count() == 1
    client.force_login(personas["bob"])
    mine = [r.name for r in client.get(reverse("insights:reports")).context["reports"] if not r.is_builtin]
    assert mine == ["Leads by source"]
    client.force_login(personas["charlie"])
    assert [r for r in client.get(reverse("insights:reports")).context["reports"] if not r.is_builtin] == []


def test_report_api(client, personas, book):
    from baton.core.services import create_api_token

    _t, secret = create_api_token(personas["alice"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {
        "definition": {
            "object": "opportunities",
            "group_by": ["owner"],
            "aggregate": "sum",
            "measure": "amount",
        }
    }
    run = client.post(
        "/api/v1/insights/reports/run", json.dumps(body), content_type="application/json", **auth
    )
    assert run.status_code == 200, run.content
    data = run.json()
    assert data["total"] == 150 * M
    assert {g["key"]: g["value"] for g in data["groups"]} == {
        str(personas["alice"].pk): 90 * M,
        str(personas["bob"].pk): 60 * M,
    }
    bad = {"definition": {"object": "opportunities", "group_by": ["amount"]}}
    assert (
        client.post(
            "/api/v1/insights/reports/run", json.dumps(bad), content_type="application/json", **auth
        ).status_code
        == 422
    )
    saved = client.post(
        "/api/v1/insights/reports",
        json.dumps({"name": "mine", "definition": {"object": "leads"}}),
        content_type="application/json",
        **auth,
    )
    assert saved.status_code == 201
    rid = saved.json()["id"]
    assert client.get(f"/api/v1/insights/reports/{rid}/result", **auth).json()["count"] == 0
    listed = client.get("/api/v1/insights/reports", **auth).json()
    assert [r["question"] for r in listed if r["is_builtin"]] != [] and rid in [r["id"] for r in listed]
    _t, other = create_api_token(personas["charlie"], name="t")
    assert (
        client.get(f"/api/v1/insights/reports/{rid}/result", HTTP_AUTHORIZATION=f"Bearer {other}").status_code
        == 404
    )


def test_seven_questions_answer_from_the_ready_made_reports(client, personas):
    """Win rate by hand: alice's team closed 3 won, 1 lost, 1 no decision -> 3/5 = 60 %, competitive
    3/4 = 75 %, no decision 1/5 = 20 %; charlie's win in another team is not counted for alice."""
    from baton.deals.models import LostReason

    alice, charlie = personas["alice"], personas["charlie"]
    account = create_account(actor=alice, name="제조사")
    reason = LostReason.objects.first()
    for key in ("won", "won", "won", "lost", "no_decision"):
        create_opportunity(
            actor=alice,
            name=key,
            account=account,
            amount=Decimal(M),
            stage=stage(key),
            lost_reason=reason if key != "won" else None,
        )
    create_opportunity(
        actor=charlie, name="c", account=create_account(actor=charlie, name="x"), stage=stage("won")
    )
    assert SavedReport.objects.filter(is_builtin=True).count() == 7
    client.force_login(alice)
    page = client.get(reverse("insights:seven_questions"))
    assert page.status_code == 200
    answers = {a["number"]: a for a in page.context["answers"]}
    assert sorted(answers) == [1, 2, 3, 4, 5, 6, 7]
    headline = answers[2]["headline"]
    assert headline["win_rate"] == Decimal("0.6")
    assert headline["competitive"] == Decimal("0.75")
    assert headline["no_decision"] == Decimal("0.2")
    assert answers[3]["result"].total == 2  # the lost and the no-decision deal, by reason
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # ready-made reports are nobody's to change
        services.save_report(
            actor=personas["root"],
            name="x",
            definition={"object": "leads"},
            sharing="private",
            report=answers[1]["report"],
        )
