"""Small builders for the sales tests (catalog, deals with lines), shared with the delivery tests."""

from __future__ import annotations

from decimal import Decimal

from baton.deals import catalog
from baton.deals.models import PriceList, PriceListEntry, Product, ProductFamily


def make_catalog() -> dict:
    """Two families, three products with KRW prices and costs (written directly: set-up, not under test)."""
    erp = ProductFamily.objects.create(name="ERP", name_en="ERP")
    cloud = ProductFamily.objects.create(name="클라우드", name_en="Cloud")
    krw = PriceList.objects.create(name="표준 가격표", currency="KRW", is_default=True)
    products = {
        "erp": Product.objects.create(
            code="erp-core", name="ERP 코어", name_en="ERP core", family=erp, unit_cost=Decimal("4200000")
        ),
        "seat": Product.objects.create(
            code="erp-seat", name="ERP 사용자", name_en="ERP seat", family=erp, unit_cost=Decimal("33333")
        ),
        "cloud": Product.objects.create(
            code="cloud-std",
            name="클라우드 표준",
            name_en="Cloud standard",
            family=cloud,
            unit_cost=Decimal("700000"),
        ),
    }
    prices = {"erp": 10_000_000, "seat": 99_999, "cloud": 1_500_000}
    for key, price in prices.items():
        PriceListEntry.objects.create(price_list=krw, product=products[key], unit_price=Decimal(price))
    return {"families": {"erp": erp, "cloud": cloud}, "price_list": krw, **products}


def add_lines(opportunity, actor, cat, *, discount="0") -> None:
    catalog.add_line_item(opportunity, actor=actor, product=cat["erp"], quantity=1, discount_percent=discount)
    catalog.add_line_item(
        opportunity, actor=actor, product=cat["seat"], quantity=7, discount_percent=discount
    )
