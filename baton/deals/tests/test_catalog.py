"""Products, line items and margin arithmetic in KRW: exact Decimals, rounded once per line, no drift."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.models import ChangeLog
from baton.core.testing import assert_audited
from baton.deals import catalog
from baton.deals.models import LineItem, line_amounts
from baton.deals.tests.factories import make_catalog


@pytest.fixture
def cat(db):
    return make_catalog()


def test_line_amounts_round_once_per_line_in_krw():
    # 3 × ₩99,999 = 299,997; at 33.33 % off: 299,997 × 0.6667 = 200,007.9999 → ₩200,008 (whole won)
    amounts = line_amounts(Decimal(3), Decimal(99_999), Decimal("33.33"), Decimal(33_333), "KRW")
    assert amounts == {
        "gross": Decimal(299_997),
        "discount": Decimal(99_989),
        "net": Decimal(200_008),
        "cost": Decimal(99_999),
        "margin": Decimal(100_009),
    }


def test_economics_totals_are_sums_of_rounded_lines(world, alice, cat):
    opp = world["opportunity"]
    catalog.add_line_item(opp, actor=alice, product=cat["erp"], quantity=1, discount_percent="12.5")
    catalog.add_line_item(opp, actor=alice, product=cat["seat"], quantity=7, discount_percent="33.33")
    catalog.add_line_item(opp, actor=alice, product=cat["cloud"], quantity="2.5", discount_percent="0")
    catalog.add_effort(opp, actor=alice, role="solution_architect", person_days="12.5", day_rate=800_000)
    catalog.add_effort(opp, actor=alice, role="delivery", person_days=20, day_rate=650_000)
    eco = catalog.economics(opp)
    # By hand: ERP 10,000,000 − 12.5 % = 8,750,000; seats 7 × 99,999 = 699,993, −33.33 % = 466,685.33…
    # → 466,685; cloud 2.5 × 1,500,000 = 3,750,000.
    assert [a["net"] for _, a in eco.lines] == [Decimal(8_750_000), Decimal(466_685), Decimal(3_750_000)]
    assert eco.net_total == Decimal(12_966_685)
    assert eco.list_total == Decimal(10_000_000 + 699_993 + 3_750_000)
    assert eco.discount_total == eco.list_total - eco.net_total == Decimal(1_483_308)
    assert eco.product_cost == Decimal(4_200_000 + 233_331 + 1_750_000)
    assert eco.delivery_cost == Decimal(10_000_000 + 13_000_000)
    assert eco.person_days == Decimal("32.5")
    assert eco.margin == Decimal(12_966_685 - 6_183_331 - 23_000_000)
    assert eco.margin_percent == Decimal("-125.06")
    assert eco.product_margin_percent == Decimal("52.31")
    assert eco.discount_percent == Decimal("10.27")
    # Every amount is whole won: nothing fractional survives.
    for _, a in eco.lines:
        for value in a.values():
            assert value == value.to_integral_value()


def test_many_small_lines_do_not_drift(world, alice, cat):
    opp = world["opportunity"]
    for _ in range(30):
        catalog.add_line_item(opp, actor=alice, product=cat["seat"], quantity=1, discount_percent="33.33")
    eco = catalog.economics(opp)
    assert eco.net_total == 30 * Decimal(66_669)  # 99,999 × 0.6667 = 66,669.33 → 66,669 per line
    assert sum(a["net"] for _, a in eco.lines) == eco.net_total


def test_line_item_validation_and_audit(world, alice, cat):
    opp = world["opportunity"]
    with pytest.raises(ValidationError) as exc:
        catalog.add_line_item(opp, actor=alice, product=cat["erp"], quantity=0, discount_percent=120)
    assert set(exc.value.message_dict) == {"quantity", "discount_percent"}
    with pytest.raises(ValidationError) as exc:
        catalog.add_line_item(opp, actor=alice, product=cat["erp"], list_price="10.5")
    assert "list_price" in exc.value.message_dict  # KRW has no decimals
    with pytest.raises(ValidationError):
        catalog.add_line_item(opp, actor=alice, product=cat["erp"], quantity="abc")
    assert not LineItem.objects.exists()
    line = catalog.add_line_item(opp, actor=alice, product=cat["erp"])
    assert line.list_price == Decimal(10_000_000) and line.unit_cost == Decimal(4_200_000)
    assert ChangeLog.objects.filter(
        object_id=line.pk, action="create", object_repr__startswith="ERP"
    ).exists()
    catalog.update_line_item(line, actor=alice, changes={"discount_percent": "20"})
    assert_audited(line, "update")


def test_only_editors_change_lines_and_only_admins_the_catalog(world, bob, charlie, root, cat):
    opp = world["opportunity"]
    catalog.add_line_item(opp, actor=bob, product=cat["erp"])  # teammate may
    with pytest.raises(PermissionDenied):
        catalog.add_line_item(opp, actor=charlie, product=cat["erp"])
    with pytest.raises(PermissionDenied):
        catalog.create_family(actor=bob, name="X")
    assert catalog.create_family(actor=root, name="보안", name_en="Security").pk


def test_signed_money():
    from baton.deals.templatetags.deals_tags import signed_money

    assert signed_money(Decimal(-873_337), "KRW") == "−₩873,337"
    assert signed_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert signed_money(None) == ""
