"""Money, multiple-choice and reference custom fields in the report builder, against values counted
by hand: money sums per currency (never across), a record with two chosen values is in both groups but
once in every total, and a reference groups by the referenced record's name only when the reader may
see that record (otherwise in one "hidden" group)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from baton.accounts.models import Account
from baton.accounts.services import create_account
from baton.core.customfields import services as cf
from baton.core.services import create_api_token
from baton.deals.services import create_opportunity
from baton.insights.reports import Amounts, parse_definition, record_rows, run_report

TAGS = [
    {"value": "cloud", "label_ko": "클라우드", "label_en": "Cloud"},
    {"value": "onprem", "label_ko": "설치형", "label_en": "On-premises"},
]

SUM_BY_TAGS = {"group_by": ["cf_tags"], "aggregate": "sum", "measure": "cf_value"}
BAD_FILTER = {"field": "cf_tags", "op": "gt", "value": "a"}


@pytest.fixture
def deals(personas, world):
    """A: cloud + on-premises, ₩1,000,000, partner: the world's account (alice's).
    B: cloud, ₩2,500,000, partner: one of charlie's accounts (alice may not see it).
    C: no tags, $300.50, partner: another of charlie's accounts.
    The world's deal: none of the fields."""
    root, alice, charlie = personas["root"], personas["alice"], personas["charlie"]
    for key, label, extra in (
        ("value", "Contract value", {"type": "money"}),
        ("tags", "Tags", {"type": "multi_choice", "choices": TAGS}),
        ("partner", "Partner", {"type": "reference", "reference_kind": "account"}),
    ):
        cf.create_field(actor=root, object="opportunity", key=key, label_ko=label, label_en=label, **extra)
    far = create_account(actor=charlie, name="멀리상사")
    farther = create_account(actor=charlie, name="더멀리상사")
    assert not Account.objects.visible_to(alice).filter(pk__in=[far.pk, farther.pk]).exists()
    made = {}
    for name, tags, value, partner in (
        ("A", ["cloud", "onprem"], {"amount": 1_000_000, "currency": "KRW"}, world["account"]),
        ("B", ["cloud"], {"amount": 2_500_000}, far),
        ("C", [], {"amount": "300.50", "currency": "USD"}, farther),
    ):
        made[name] = create_opportunity(
            actor=root,
            owner=alice,
            name=name,
            account=world["account"],
            amount=1,
            custom_field_data={"tags": tags, "value": value, "partner": partner.pk},
        )
    return {"far": far, "farther": farther, **made}


def _run(user, **data):
    return run_report(parse_definition({"object": "opportunities", **data}), user)


def _by_label(result, index=0):
    keys = result.row_keys if index == 0 else result.col_keys
    totals = result.row_totals if index == 0 else result.col_totals
    return {result.label(index, k): totals[k] for k in keys}


def test_money_sums_per_currency_never_across(personas, deals):
    alice = personas["alice"]
    result = _run(alice, group_by=["owner"], aggregate="sum", measure="cf_value")
    # By hand: KRW 1,000,000 + 2,500,000 = 3,500,000; USD 300.50 alone; the world's deal has no value.
    assert result.total == Amounts({"KRW": Decimal(3_500_000), "USD": Decimal("300.50")})
    assert result.row_totals[alice.pk] == result.total
    assert str(result.total) == "₩3,500,000 · $300.50"
    average = _run(alice, group_by=["owner"], aggregate="avg", measure="cf_value").total
    assert average == {"KRW": Decimal(1_750_000), "USD": Decimal("300.50")}  # (1.0M + 2.5M) / 2
    median = _run(alice, group_by=["owner"], aggregate="median", measure="cf_value").total
    assert median == {"KRW": Decimal(1_750_000), "USD": Decimal("300.50")}
    assert _run(alice, group_by=["owner"], aggregate="max", measure="cf_value").total == {
        "KRW": Decimal(2_500_000),
        "USD": Decimal("300.50"),
    }
    # A filter compares the amount: only A and B are above 1,000 (C is 300.50).
    assert _run(alice, filters=[{"field": "cf_value", "op": "gt", "value": "1000"}]).count == 2


def test_multiple_choice_counts_in_each_group_and_once_in_totals(personas, deals):
    alice = personas["alice"]
    counted = _run(alice, group_by=["cf_tags"])
    # cloud: A, B; on-premises: A; no value: C and the world's deal. Four deals, not five.
    assert _by_label(counted) == {"Cloud": 2, "On-premises": 1, "–": 2}
    assert counted.total == 4 and counted.count == 4 and counted.overlapping
    summed = _run(alice, group_by=["cf_tags"], aggregate="sum", measure="cf_value")
    assert _by_label(summed) == {
        "Cloud": {"KRW": Decimal(3_500_000)},
        "On-premises": {"KRW": Decimal(1_000_000)},
        "–": {"USD": Decimal("300.50")},
    }
    # A is in both groups but its ₩1,000,000 is in the total once.
    assert summed.total == {"KRW": Decimal(3_500_000), "USD": Decimal("300.50")}

    def count(*filters):
        return _run(alice, filters=list(filters)).count

    assert count({"field": "cf_tags", "op": "eq", "value": "cloud"}) == 2
    assert count({"field": "cf_tags", "op": "in", "value": "onprem"}) == 1
    assert count({"field": "cf_tags", "op": "ne", "value": "cloud"}) == 2  # C and the world's deal
    assert count({"field": "cf_tags", "op": "empty"}) == 2


def test_reference_groups_by_visible_name_else_hidden(personas, deals, world):
    alice, root = personas["alice"], personas["root"]
    result = _run(alice, group_by=["cf_partner"])
    # A → the world's account; B and C → charlie's accounts, which alice may not see: one group.
    assert _by_label(result) == {"(주)한빛소프트": 1, "(hidden)": 2, "–": 1}
    assert "hidden" in result.row_keys
    by_root = _run(root, group_by=["cf_partner"])
    assert _by_label(by_root) == {"(주)한빛소프트": 1, "멀리상사": 1, "더멀리상사": 1, "–": 1}


def test_two_groupings_keep_row_and_column_totals_deduplicated(personas, deals):
    result = _run(personas["alice"], group_by=["cf_tags", "cf_partner"])
    cells = {(result.label(0, r), result.label(1, c)): v for (r, c), v in result.cells.items()}
    assert cells == {
        ("Cloud", "(주)한빛소프트"): 1,
        ("On-premises", "(주)한빛소프트"): 1,
        ("Cloud", "(hidden)"): 1,
        ("–", "(hidden)"): 1,
        ("–", "–"): 1,
    }
    # A is in two rows but once in its column's total.
    assert _by_label(result, 1) == {"(주)한빛소프트": 1, "(hidden)": 2, "–": 1}
    assert result.total == 4


def test_list_columns_show_money_choices_and_visible_names(personas, deals):
    result = _run(personas["alice"], columns=["name", "cf_value", "cf_tags", "cf_partner"])
    rows = {row[0]: row[1:] for row in record_rows(result)}
    assert rows["A"] == ["₩1,000,000", "Cloud, On-premises", "(주)한빛소프트"]
    assert rows["B"] == ["₩2,500,000", "Cloud", "(hidden)"]
    assert rows["C"] == ["$300.50", "", "(hidden)"]


def test_page_and_api_show_amounts_per_currency(client, personas, deals):
    client.force_login(personas["alice"])
    query = {"object": "opportunities", "group1": "cf_partner", "agg": "sum", "measure": "cf_value"}
    body = client.get(reverse("insights:report_builder"), query).content.decode()
    assert "₩3,500,000 · $300.50" in body and "(hidden)" in body
    assert "멀리상사" not in body
    csv = client.get(reverse("insights:report_builder"), {**query, "format": "csv"}).content.decode()
    assert "₩2,500,000 · $300.50" in csv  # the hidden group: B's won and C's dollars, side by side
    grouped = client.get(reverse("insights:report_builder"), {"object": "opportunities", "group1": "cf_tags"})
    assert 'data-testid="report-overlapping"' in grouped.content.decode()
    _token, secret = create_api_token(personas["alice"], name="test")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answer = client.post(
        "/api/v1/insights/reports/run",
        {"definition": {"object": "opportunities", **SUM_BY_TAGS}},
        content_type="application/json",
        **bearer,
    )
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["total"] == {"KRW": 3_500_000.0, "USD": 300.5} and data["overlapping"] is True
    assert {g["key"]: g["value"] for g in data["groups"]}["cloud"] == {"KRW": 3_500_000.0}
    bad = client.post(
        "/api/v1/insights/reports/run",
        {"definition": {"object": "opportunities", "filters": [BAD_FILTER]}},
        content_type="application/json",
        **bearer,
    )
    assert bad.status_code == 422 and "filtered by its values" in bad.content.decode()
