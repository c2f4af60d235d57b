"""Weekly snapshots (immutable, once per week, movement between weeks), the pages and the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from baton.core.services import create_api_token
from baton.deals.models import Opportunity
from baton.deals.services import update_opportunity
from baton.insights import services
from baton.insights.forecast import compute_forecast
from baton.insights.history import forecast_history
from baton.insights.models import ForecastAdjustment, ForecastSnapshot, ForecastSnapshotLine, Quota
from baton.insights.tests.test_forecast import Q4, TODAY, M, deals  # noqa: F401 (fixture)


def test_a_snapshot_is_taken_once_a_week_and_never_changes(personas, deals):  # noqa: F811
    alice = personas["alice"]
    week1 = services.take_snapshot(Q4, today=dt.date(2026, 11, 2))
    again = services.take_snapshot(Q4, today=dt.date(2026, 11, 4))  # same week (Monday 2 Nov)
    assert again.pk == week1.pk and ForecastSnapshot.objects.count() == 1
    a2_line = ForecastSnapshotLine.objects.get(snapshot=week1, opportunity_id=deals["A2"].pk)
    assert (a2_line.category, a2_line.amount_krw) == ("commit", 50 * M)
    # The deal changes afterwards: the snapshot keeps what was forecast.
    update_opportunity(deals["A2"], actor=alice, changes={"amount": Decimal(55 * M)}, expected_version=None)
    a2_line.refresh_from_db()
    assert a2_line.amount_krw == 50 * M


def test_history_shows_accuracy_slippage_additions_and_amount_changes(personas, deals):  # noqa: F811
    alice, bob, mina = personas["alice"], personas["bob"], personas["mina"]
    services.take_snapshot(Q4, today=dt.date(2026, 11, 2))
    # Week 2: A2 grows by 5M, B2 slips into next year, A4 is pulled into this quarter.
    update_opportunity(deals["A2"], actor=alice, changes={"amount": Decimal(55 * M)}, expected_version=None)
    update_opportunity(
        deals["B2"], actor=bob, changes={"expected_close_date": dt.date(2027, 2, 1)}, expected_version=None
    )
    update_opportunity(
        deals["A4"],
        actor=alice,
        changes={"expected_close_date": dt.date(2026, 12, 20)},
        expected_version=None,
    )
    services.take_snapshot(Q4, today=dt.date(2026, 11, 9))
    actual = compute_forecast(mina, Q4, today=TODAY).total.won
    assert actual == 165 * M
    weeks = forecast_history(mina, Q4, actual_won=actual)
    assert [w.week for w in weeks] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    first, second = weeks
    assert first.won == 165 * M and first.commit == 60 * M and first.pipeline == 60 * M
    assert first.accuracy == Decimal(225) / Decimal(165)  # (won 165M + commit 60M) / actual 165M
    assert second.commit == 65 * M
    assert second.slipped == [deals["B2"].pk]
    assert second.added == [deals["A4"].pk]
    assert second.removed == []
    assert second.amount_change == 5 * M
    assert second.pipeline == 20 * M  # A4 in, B2 out
    # A reader sees only their own people's lines.
    charlie_weeks = forecast_history(personas["charlie"], Q4, actual_won=Decimal(25 * M))
    assert charlie_weeks[0].won == 25 * M and charlie_weeks[0].commit == 10 * M


@pytest.fixture
def q4(settings):
    return {"period": "2026-Q4"}


def test_forecast_page_renders_numbers_and_links(client, personas, deals, q4):  # noqa: F811
    client.force_login(personas["mina"])
    page = client.get(reverse("insights:forecast"), q4)
    assert page.status_code == 200
    html = page.content.decode()
    fs1 = personas["teams"]["fs1"].pk
    assert f'data-testid="forecast-row-team-{fs1}"' in html
    assert "₩140,000,000" in html  # fs1's closed won
    assert f'data-testid="adjust-form-{personas["alice"].pk}"' in html


def test_forecast_page_with_a_bad_period_falls_back_with_a_message(client, personas):
    client.force_login(personas["alice"])
    page = client.get(reverse("insights:forecast"), {"period": "2026-99"})
    assert page.status_code == 200
    assert "is not a period" in page.content.decode()


def test_drill_down_and_csv(client, personas, deals, q4):  # noqa: F811
    client.force_login(personas["alice"])
    fs1 = personas["teams"]["fs1"].pk
    page = client.get(reverse("insights:forecast_deals"), {**q4, "kind": "team", "id": fs1, "measure": "won"})
    assert page.status_code == 200
    html = page.content.decode()
    assert ">A1<" in html and ">B1<" in html and ">C1<" not in html
    csv = client.get(
        reverse("insights:forecast_deals"),
        {**q4, "kind": "team", "id": fs1, "measure": "won", "format": "csv"},
    )
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines()[1].startswith("A1,")
    # A team the reader may not see is a 404, not an empty list.
    fs2 = personas["teams"]["fs2"].pk
    assert (
        client.get(
            reverse("insights:forecast_deals"), {**q4, "kind": "team", "id": fs2, "measure": "won"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("insights:forecast_deals"), {**q4, "kind": "x", "measure": "won"}).status_code
        == 404
    )
    whole = client.get(reverse("insights:forecast_csv"), q4)
    lines = whole.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 4  # header, fs1, alice, bob, dana


def test_csv_cells_that_start_a_formula_are_neutralised(client, personas, deals, q4):  # noqa: F811
    alice = personas["alice"]
    update_opportunity(deals["A1"], actor=alice, changes={"name": '=HYPERLINK("x")'}, expected_version=None)
    client.force_login(alice)
    csv = client.get(
        reverse("insights:forecast_deals"),
        {**q4, "kind": "user", "id": alice.pk, "measure": "won", "format": "csv"},
    )
    assert "'=HYPERLINK" in csv.content.decode("utf-8-sig")


def test_adjust_through_the_page(client, personas, deals, q4):  # noqa: F811
    dana, alice = personas["dana"], personas["alice"]
    client.force_login(dana)
    url = reverse("insights:adjust")
    response = client.post(
        url, {**q4, "subject": alice.pk, "category": "commit", "amount": "40000000", "note": "slip"}
    )
    assert response.status_code == 302
    adj = ForecastAdjustment.objects.get()
    assert (adj.subject, adj.adjusted_by, adj.amount, adj.comment) == (alice, dana, 40 * M, "slip")
    # Without a note nothing is saved; an outsider's subject is a 404.
    client.post(url, {**q4, "subject": alice.pk, "category": "commit", "amount": "1", "note": ""})
    assert ForecastAdjustment.objects.count() == 1
    assert (
        client.post(
            url, {**q4, "subject": personas["charlie"].pk, "category": "commit", "amount": "1", "note": "x"}
        ).status_code
        == 404
    )
    client.force_login(personas["bob"])
    client.post(url, {**q4, "subject": alice.pk, "category": "commit", "amount": "1", "note": "x"})
    assert ForecastAdjustment.objects.count() == 1


def test_quota_page(client, personas, q4):
    client.force_login(personas["dana"])
    alice = personas["alice"]
    response = client.post(
        reverse("insights:quotas") + "?period=2026-Q4", {"target": f"u{alice.pk}", "amount": "150000000"}
    )
    assert response.status_code == 302
    assert Quota.objects.get(user=alice).amount == 150 * M
    bad = client.post(
        reverse("insights:quotas") + "?period=2026-Q4", {"target": f"u{alice.pk}", "amount": "-5"}
    )
    assert bad.status_code == 200 and Quota.objects.get(user=alice).amount == 150 * M
    client.force_login(personas["charlie"])
    page = client.get(reverse("insights:quotas"), q4)
    assert "150,000,000" not in page.content.decode()


def test_snapshot_button_is_for_managers(client, personas, q4):
    client.force_login(personas["alice"])
    assert client.post(reverse("insights:snapshot"), q4).status_code == 403
    client.force_login(personas["mina"])
    assert client.post(reverse("insights:snapshot"), q4).status_code == 302
    assert ForecastSnapshot.objects.count() == 1


def _bearer(user):
    _token, secret = create_api_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_forecast_matches_the_page_numbers(client, personas, deals):  # noqa: F811
    data = client.get("/api/v1/insights/forecast?period=2026-Q4", **_bearer(personas["mina"])).json()
    rows = {(r["kind"], r["id"]): r for r in data["rows"]}
    fs1 = rows[("team", personas["teams"]["fs1"].pk)]
    assert Decimal(fs1["numbers"]["won"]) == 140 * M
    assert rows[("user", personas["alice"].pk)]["parent"] == f"team:{personas['teams']['fs1'].pk}"
    assert Decimal(data["total"]["won"]) == 165 * M
    assert client.get("/api/v1/insights/forecast?period=nope", **_bearer(personas["mina"])).status_code == 422
    drill = client.get(
        f"/api/v1/insights/forecast/deals?period=2026-Q4&measure=won&kind=team&id={personas['teams']['fs1'].pk}",
        **_bearer(personas["alice"]),
    ).json()
    assert sorted(d["name"] for d in drill) == ["A1", "B1"]
    hidden = client.get(
        f"/api/v1/insights/forecast/deals?period=2026-Q4&measure=won&kind=team&id={personas['teams']['fs2'].pk}",
        **_bearer(personas["alice"]),
    )
    assert hidden.status_code == 404


def test_api_adjustments_quotas_snapshots(client, personas, deals):  # noqa: F811
    dana, alice, charlie = personas["dana"], personas["alice"], personas["charlie"]
    body = {
        "subject_id": alice.pk,
        "period": "2026-Q4",
        "category": "commit",
        "amount": 40_000_000,
        "note": "slip",
    }
    created = client.post(
        "/api/v1/insights/forecast/adjustments",
        json.dumps(body),
        content_type="application/json",
        **_bearer(dana),
    )
    assert created.status_code == 201, created.content
    assert created.json()["note"] == "slip"
    denied = client.post(
        "/api/v1/insights/forecast/adjustments",
        json.dumps({**body, "subject_id": charlie.pk}),
        content_type="application/json",
        **_bearer(dana),
    )
    assert denied.status_code == 404
    unknown = client.post(
        "/api/v1/insights/forecast/adjustments",
        json.dumps({**body, "extra": 1}),
        content_type="application/json",
        **_bearer(dana),
    )
    assert unknown.status_code == 422
    quota = client.put(
        "/api/v1/insights/quotas",
        json.dumps({"user_id": alice.pk, "period": "2026-Q4", "amount": 150_000_000}),
        content_type="application/json",
        **_bearer(dana),
    )
    assert quota.status_code == 200 and Decimal(quota.json()["amount"]) == 150 * M
    assert (
        client.put(
            "/api/v1/insights/quotas",
            json.dumps({"user_id": alice.pk, "period": "2026-Q4", "amount": 1}),
            content_type="application/json",
            **_bearer(alice),
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/insights/forecast/snapshots",
            json.dumps({"period": "2026-Q4"}),
            content_type="application/json",
            **_bearer(alice),
        ).status_code
        == 403
    )
    snap = client.post(
        "/api/v1/insights/forecast/snapshots",
        json.dumps({"period": "2026-Q4"}),
        content_type="application/json",
        **_bearer(dana),
    )
    assert snap.status_code == 201
    weeks = client.get("/api/v1/insights/forecast/snapshots?period=2026-Q4", **_bearer(dana)).json()
    assert len(weeks) == 1
    rate = client.put(
        "/api/v1/insights/exchange-rates",
        json.dumps({"currency": "EUR", "valid_from": "2026-01-01", "krw_per_unit": "1500"}),
        content_type="application/json",
        **_bearer(dana),
    )
    assert rate.status_code == 403
    rate = client.put(
        "/api/v1/insights/exchange-rates",
        json.dumps({"currency": "EUR", "valid_from": "2026-01-01", "krw_per_unit": "1500"}),
        content_type="application/json",
        **_bearer(personas["root"]),
    )
    assert rate.status_code == 200
    assert Opportunity.objects.filter(forecast_category_by_rep=True).exists()


def test_the_weekly_job_snapshots_month_quarter_and_year_once(personas, deals):  # noqa: F811
    from baton.insights.tasks import snapshot_forecasts

    first = services.take_current_snapshots(today=TODAY)
    assert sorted(s.period_kind for s in first) == ["month", "quarter", "year"]
    again = services.take_current_snapshots(today=TODAY - dt.timedelta(days=1))  # the same week
    assert [s.pk for s in again] == [s.pk for s in first]
    assert snapshot_forecasts.func() == {"snapshots": 3}
