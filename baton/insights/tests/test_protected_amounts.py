"""A protected deal amount (core.fieldaccess) cannot be derived from the insights either.

Persona walk with sentinel amounts: the rep's open deal (777,313,000) and won deal (555,919,000) in
the current quarter. Before the rule the rep and the manager see them on every path; with the amount
protected for everyone but administrators, the forecast page is withheld (its drill-down and CSV are
a 403, as the forecast API operations are), the home pages and dashboards API keep their counts and
leave every amount-based figure out, report sums become counts; the administrator still sees them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baton.core import fieldaccess
from baton.core.models import FieldProtection
from baton.core.tests.test_api_support import make_api
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.insights.models import Quota
from baton.insights.periods import period_containing

NEEDLES = ("777,313", "777313", "555,919", "555919")


def _has(text: str) -> bool:
    return any(n in text for n in NEEDLES)


@pytest.fixture
def sentinel(world, personas):
    alice = personas["alice"]
    today = timezone.localdate()
    stage = Stage.objects.get(pipeline__is_default=True, key="purchasing")
    world["opportunity"].delete()  # the world's own deal (120,000,000) would only add noise
    open_deal = create_opportunity(
        actor=alice,
        name="센티널 오픈",
        account=world["account"],
        amount=Decimal(777_313_000),
        stage=stage,
        expected_close_date=today,
    )
    won = create_opportunity(
        actor=alice,
        name="센티널 수주",
        account=world["account"],
        amount=Decimal(555_919_000),
        stage=Stage.objects.get(pipeline__is_default=True, key="won"),
        expected_close_date=today,
    )
    Opportunity.objects.filter(pk=won.pk).update(closed_at=timezone.now() - dt.timedelta(minutes=5))
    quarter = period_containing("quarter", today)
    Quota.objects.create(user=alice, period_kind="quarter", period_start=quarter.start, amount=1_000_000_000)
    return {"open": open_deal, "won": won, "period": quarter.key}


def _protect(roles: list[str]) -> None:
    FieldProtection.objects.create(model_label="deals.opportunity", field_name="amount", roles=roles)
    fieldaccess.rules_changed()


def _walk(user, period: str) -> dict[str, tuple[int, str]]:
    client = Client()
    client.force_login(user)
    api = make_api({"u": user})("u")
    pages = {
        "home": reverse("home"),
        "forecast": reverse("insights:forecast") + f"?period={period}",
        "forecast csv": reverse("insights:forecast_csv") + f"?period={period}",
        "forecast drill": reverse("insights:forecast_deals") + f"?period={period}&kind=all&measure=open",
        "forecast drill csv": reverse("insights:forecast_deals")
        + f"?period={period}&kind=all&measure=won&format=csv",
        "seven questions": reverse("insights:seven_questions"),
        "report sum csv": reverse("insights:report_builder")
        + "?object=opportunities&group1=owner&agg=sum&measure=amount&format=csv",
    }
    out = {}
    for name, url in pages.items():
        response = client.get(url)
        out[name] = (response.status_code, response.content.decode())
    for name, path in {
        "api forecast": "/insights/forecast",
        "api forecast deals": "/insights/forecast/deals?measure=open",
        "api snapshots": "/insights/forecast/snapshots",
        "api rep": "/insights/dashboards/rep",
        "api manager": "/insights/dashboards/manager",
    }.items():
        response = api.get(path)
        out[name] = (response.status_code, response.content.decode())
    return out


def test_a_protected_amount_cannot_be_read_or_derived_from_the_insights(sentinel, personas, root):
    alice, mina = personas["alice"], personas["mina"]
    period = sentinel["period"]

    before = _walk(alice, period)
    for name in ("home", "forecast", "forecast csv", "forecast drill", "api forecast", "api rep"):
        assert before[name][0] == 200 and _has(before[name][1]), name
    assert 'data-testid="home-quarter"' in before["home"][1]
    manager_before = _walk(mina, period)
    assert _has(manager_before["api manager"][1]) and _has(manager_before["home"][1])

    _protect([])  # only administrators see deal amounts
    for user in (alice, mina):
        seen = _walk(user, period)
        for name, (status, text) in seen.items():
            assert status < 500 and not _has(text), (user.username, name, status)
        assert seen["forecast"][0] == 200 and 'data-testid="forecast-hidden"' in seen["forecast"][1]
        for name in ("forecast csv", "forecast drill", "forecast drill csv"):
            assert seen[name][0] == 403, name
        for name in ("api forecast", "api forecast deals", "api snapshots"):
            assert seen[name][0] == 403 and "protected" in seen[name][1], name
        home = seen["home"][1]
        assert 'data-testid="home-amounts-hidden"' in home and 'data-testid="home-quarter"' not in home
        assert "센티널 오픈" in home  # the deal itself is still listed, without its amount
        rep = make_api({"u": user})("u").get("/insights/dashboards/rep").json()
        assert rep["amounts_hidden"] is True and rep["numbers"] is None
        assert all(s["amounts"] == [] and s["count"] for s in rep["pipeline_by_stage"])
        assert all(d["amount"] is None for d in rep["closing_this_month"])
    manager = make_api({"u": mina})("u").get("/insights/dashboards/manager").json()
    assert manager["amounts_hidden"] is True and manager["team_forecast"] == []
    cells = [c for row in manager["pipeline_by_rep_and_stage"] for c in row["cells"]]
    assert cells and all(c["amount_krw"] is None and c["count"] for c in cells)
    assert all(r["win"]["won_amount_krw"] is None for r in manager["reps"])
    assert sum(r["win"]["won"] for r in manager["reps"]) == 1  # counts stay

    # The administrator still sees every figure.
    admin = _walk(root, period)
    assert _has(admin["forecast"][1]) and _has(admin["api forecast"][1]) and _has(admin["forecast csv"][1])


def test_the_role_the_amount_stays_visible_to_keeps_every_figure(sentinel, personas):
    from baton.core.models import Role

    _protect([Role.SALES_MANAGER])
    seen = _walk(personas["mina"], sentinel["period"])
    for name in ("home", "forecast", "forecast csv", "api forecast", "api manager"):
        assert seen[name][0] == 200 and _has(seen[name][1]), name
    rep = _walk(personas["alice"], sentinel["period"])
    assert rep["forecast"][0] == 200 and not _has(rep["forecast"][1])
