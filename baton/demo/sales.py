"""The demo world's catalogue, price lists, approval rules and quotes, so a quote can be shown end to end:
one demo deal has a quote waiting for the approver, another an approved quote.

Written through the catalogue, quoting and approval services (audited like real use). Idempotent
across ``seed_demo --reset``: the catalogue and rules are not CRM data, so they are reused by code and
name, and only the rules' approvers (demo users, made anew) are set again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from baton.core.models import User
from baton.deals import approvals, catalog, quoting
from baton.deals.models import (
    ApprovalRule,
    ApprovalStep,
    Opportunity,
    PriceList,
    PriceListEntry,
    Product,
    ProductFamily,
    Quote,
    Stage,
)


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    name_en: str
    family: str
    unit: str
    unit_cost: int
    krw: int
    usd: Decimal
    vat_exempt: bool = False


# (name, English name)
FAMILIES = [("ERP", "ERP"), ("클라우드", "Cloud"), ("보안", "Security"), ("서비스", "Services")]

PRODUCTS = [
    DemoProduct(
        "erp-core", "ERP 코어 라이선스", "ERP core licence", "ERP", "식", 4_200_000, 10_000_000, Decimal(7500)
    ),
    DemoProduct(
        "erp-user", "ERP 사용자 라이선스", "ERP user licence", "ERP", "명", 30_000, 90_000, Decimal(70)
    ),
    DemoProduct(
        "cloud-std",
        "클라우드 표준 (연간)",
        "Cloud standard (annual)",
        "클라우드",
        "년",
        7_000_000,
        15_000_000,
        Decimal(11500),
    ),
    DemoProduct(
        "sec-ngfw",
        "차세대 방화벽",
        "Next-generation firewall",
        "보안",
        "대",
        9_000_000,
        18_000_000,
        Decimal(14000),
    ),
    DemoProduct(
        "svc-impl", "구축 서비스", "Implementation services", "서비스", "인일", 500_000, 900_000, Decimal(700)
    ),
    DemoProduct(
        "svc-training",
        "사용자 교육",
        "User training",
        "서비스",
        "회",
        300_000,
        800_000,
        Decimal(600),
        vat_exempt=True,
    ),
]

# (name, field, operator, threshold, approver usernames in order)
RULES = [
    ("할인율 15% 초과", ApprovalRule.Field.DISCOUNT, ApprovalRule.Operator.GT, Decimal(15), ["approver"]),
    (
        "마진율 20% 미만",
        ApprovalRule.Field.MARGIN,
        ApprovalRule.Operator.LT,
        Decimal(20),
        ["manager", "approver"],
    ),
    ("결제 조건 60일 초과", ApprovalRule.Field.PAYMENT_TERMS, ApprovalRule.Operator.GT, Decimal(60), ["ops"]),
    (
        "비표준 조항 (법무 검토)",
        ApprovalRule.Field.NONSTANDARD,
        ApprovalRule.Operator.PRESENT,
        Decimal(0),
        ["ops"],
    ),
]


def seed_catalog(admin: User) -> dict[str, Product]:
    families = {}
    for name, name_en in FAMILIES:
        family = ProductFamily.objects.filter(name=name).first()
        families[name] = family or catalog.create_family(actor=admin, name=name, name_en=name_en)
    lists = {}
    for name, currency in (("2026 표준 가격표", "KRW"), ("2026 USD Price List", "USD")):
        price_list = PriceList.objects.filter(name=name).first()
        lists[currency] = price_list or catalog.create_price_list(
            actor=admin, name=name, currency=currency, is_default=True
        )
    products = {}
    for spec in PRODUCTS:
        product = Product.objects.filter(code=spec.code).first()
        if product is None:
            product = catalog.create_product(
                actor=admin,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                family=families[spec.family],
                unit=spec.unit,
                unit_cost=Decimal(spec.unit_cost),
                vat_exempt=spec.vat_exempt,
            )
        for currency, price in (("KRW", Decimal(spec.krw)), ("USD", spec.usd)):
            if not PriceListEntry.objects.filter(price_list=lists[currency], product=product).exists():
                catalog.set_price(lists[currency], product, price, actor=admin)
        products[spec.code] = product
    return products


def seed_rules(admin: User, users: dict[str, User]) -> None:
    for name, field, operator, threshold, approvers in RULES:
        rule = ApprovalRule.objects.filter(name=name).first()
        values = {"name": name, "field": field, "operator": operator, "threshold": threshold}
        approvals.save_rule(actor=admin, approvers=[users[u] for u in approvers], rule=rule, **values)


def _open_deals(owner: User) -> list[Opportunity]:
    return list(
        Opportunity.objects.filter(owner=owner, stage__outcome=Stage.Outcome.OPEN, currency="KRW")
        .exclude(quotes__isnull=False)
        .select_related("account")
        .order_by("-amount", "id")[:2]
    )


def seed_quotes(users: dict[str, User], products: dict[str, Product]) -> list[Quote]:
    """ae1's two biggest open deals: one quote awaiting the approver (20 % off), one approved."""
    rep = users["ae1"]
    made: list[Quote] = []
    valid = timezone.localdate() + dt.timedelta(days=30)
    for index, deal in enumerate(_open_deals(rep)):
        # 20 % off everything needs the approver (discount rule); 10 % off only the margin rule's two steps.
        # (Quantities keep the totals in whole ten-thousands of won, like the demo's other deal amounts.)
        discount = "20" if index == 0 else "10"
        for code, quantity in (("erp-core", 1), ("erp-user", 200), ("svc-impl", 40), ("svc-training", 2)):
            catalog.add_line_item(
                deal, actor=rep, product=products[code], quantity=quantity, discount_percent=discount
            )
        catalog.add_effort(
            deal, actor=rep, role="delivery", person_days=40, day_rate=450_000, note="구축 PM·개발"
        )
        quote = quoting.create_quote(
            deal,
            actor=rep,
            language="ko",
            valid_until=valid,
            payment_terms_days=30,
            notes="납품 후 30일 이내 현금 지급 조건입니다.\n본 견적은 유효기한까지 유효합니다.",
        )
        approvals.submit_quote(quote, actor=rep)
        if index == 1:
            # The margin rule asks the manager, then the approver; both approve.
            for _ in range(3):
                step = (
                    ApprovalStep.objects.filter(request__quote=quote, status=ApprovalStep.Status.PENDING)
                    .select_related("approver")
                    .first()
                )
                if step is None:
                    break
                approvals.decide(step, actor=step.approver, approve=True, reason="조건 확인, 승인합니다.")
        quote.refresh_from_db()
        made.append(quote)
    return made


def seed_sales(users: dict[str, User]) -> list[Quote]:
    admin = users["admin"]
    products = seed_catalog(admin)
    seed_rules(admin, users)
    return seed_quotes(users, products)
