"""The demo's channel: three partners of different tiers (an SI, a reseller, a referral partner) with
specialisations, certified people and agreements; their people (the ``partner`` logins); registrations
in every state (approved into protected deals, one waiting with a conflict, one rejected with its
reason); the partner-sourced deals of the channel manager; won deals the SI delivered; the channel
team's routing rules of passed leads; and leads passed to the gold partner (accepted, offered) and to
the shared pool.
Idempotent: does nothing once the partners exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from baton.accounts.models import Account
from baton.accounts.services import create_account
from baton.core.audit import audit_context, new_job_id
from baton.core.korean import brn_check_digit
from baton.core.models import Role, User
from baton.deals.models import Opportunity, PriceList, ProductFamily, Stage
from baton.leads.services import create_lead
from baton.partners import passing, resources, routing, services
from baton.partners.models import OpportunityPartner, Partner, PartnerKind, Registration, Tier

PARTNERS = [
    # (company, BRN, tier, kind, industries, regions, login, certified people)
    (
        "(주)누리시스템",
        "1048156784",
        Tier.GOLD,
        PartnerKind.SI,
        ["manufacturing", "finance"],
        ["seoul", "gyeonggi"],
        "partner",
        [("정하늘", "ERP 구축 전문가"), ("김도윤", "클라우드 아키텍트"), ("이채원", "보안 컨설턴트")],
    ),
    (
        "다온정보기술 주식회사",
        "2148701235",
        Tier.SILVER,
        PartnerKind.RESELLER,
        ["retail", "it"],
        ["seoul", "busan"],
        "partner2",
        [("배수아", "솔루션 영업 인증")],
    ),
    (
        "한결솔루션",
        "3058112341",
        Tier.REGISTERED,
        PartnerKind.REFERRAL,
        ["public"],
        ["daejeon", "sejong"],
        "partner3",
        [],
    ),
]


def _brn(first_nine: str) -> str:
    """A 사업자등록번호 with its check digit (the demo's accounts all have a valid one)."""
    return first_nine + str(brn_check_digit(first_nine))


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text)


@transaction.atomic
def seed(out: Any = None) -> None:
    if Partner.objects.exists():
        _say(out, "partners demo: partners exist, nothing to do")
        return
    channel = User.objects.filter(role=Role.PARTNER_MANAGER, is_active=True).order_by("pk").first()
    manager = User.objects.filter(role=Role.SALES_MANAGER, is_active=True).order_by("pk").first()
    rep = User.objects.filter(role=Role.FIELD_SALES, is_active=True).order_by("username").first()
    if channel is None or rep is None:
        _say(out, "partners demo: no partner manager or rep, nothing to do")
        return
    today = timezone.localdate()
    families = list(ProductFamily.objects.filter(is_archived=False).order_by("pk")[:3])
    with audit_context(job_id=f"seed_partners_demo-{new_job_id()}", source="import"):
        made: list[Partner] = []
        for i, (name, brn, tier, kind, industries, regions, login, certified) in enumerate(PARTNERS):
            account = create_account(actor=channel, owner=channel, name=name, brn=brn)
            partner = services.create_partner(
                actor=channel,
                account=account,
                tier=tier,
                manager=channel,
                product_families=families[i : i + 2],
                industries=industries,
                regions=regions,
            )
            for person, title in certified:
                services.add_certification(
                    partner,
                    actor=channel,
                    person=person,
                    title=title,
                    expires_on=today + dt.timedelta(days=300),
                )
            services.add_agreement(
                partner,
                actor=channel,
                kind=kind,
                discount_pct=Decimal({"gold": 30, "silver": 20}.get(tier, 10)),
                margin_pct=Decimal(10 if kind == PartnerKind.REFERRAL else 0),
                payment_terms_days=90 if kind == PartnerKind.SI else 60,
                starts_on=today - dt.timedelta(days=200),
            )
            user = User.objects.filter(username=login).first()
            if user is not None:
                services.add_member(partner, user, actor=channel)
            made.append(partner)
        nuri, daon, hangyeol = made
        _registrations(
            nuri, daon, hangyeol, channel=channel, manager=manager or channel, rep=rep, today=today
        )
        _deals(nuri, daon, channel=channel)
        _routing_rules(daon, channel=channel)
        _passed_leads(nuri, rep=rep)
        _resources(nuri, channel=channel)
    _say(out, f"partners demo: {len(made)} partners, {Registration.objects.count()} registrations")


def _register(partner: Partner, today: dt.date, **values: Any) -> Registration | None:
    member = partner.members.select_related("user").first()
    if member is None:
        return None
    values.setdefault("close_date", today + dt.timedelta(days=75))
    values.setdefault("evidence", "고객사 IT팀과 요구사항 워크숍 2회, 데모 1회 진행")
    return services.submit_registration(actor=member.user, today=today, **values)


def _registrations(
    nuri: Partner,
    daon: Partner,
    hangyeol: Partner,
    *,
    channel: User,
    manager: User,
    rep: User,
    today: dt.date,
) -> None:
    approved = _register(
        nuri,
        today,
        customer="(주)세움정밀",
        brn=_brn("125810447"),
        contact_name="최민호",
        contact_email="minho.choi@seumprecision.co.kr",
        product_interest="ERP 클라우드 전환",
        amount="180000000",
    )
    if approved is not None:
        services.approve_registration(approved, actor=channel, owner=rep, today=today)
    # Another partner's claim on the same customer, written differently: the conflict waits for review.
    _register(
        daon,
        today,
        customer="세움정밀 주식회사",
        contact_name="최민호",
        contact_email="minho.choi@seumprecision.co.kr",
        product_interest="그룹웨어",
        amount="45000000",
    )
    # A known customer of ours: the check finds the account.
    known = Account.objects.exclude(partner_profile__isnull=False).order_by("pk").first()
    if known is not None:
        _register(
            nuri,
            today,
            customer=known.name,
            contact_name="담당자",
            product_interest="보안 솔루션",
            amount="60000000",
        )
    rejected = _register(
        daon,
        today,
        customer="(주)바른유통",
        contact_name="오세린",
        product_interest="POS 연동",
        amount="30000000",
    )
    if rejected is not None:
        services.reject_registration(
            rejected, actor=channel, reason="고객사가 이미 직접 구매 계약을 진행 중입니다."
        )
    small = _register(
        hangyeol,
        today,
        customer="대전시설공단",
        brn=_brn("305830112"),
        contact_name="유지훈",
        product_interest="민원 포털",
        amount="25000000",
    )
    if small is not None:
        services.approve_registration(small, actor=manager, owner=rep, today=today)


def _deals(nuri: Partner, daon: Partner, *, channel: User) -> None:
    """The channel manager's deals came from partners; the SI delivered some won deals."""
    for i, deal in enumerate(Opportunity.objects.filter(owner=channel).order_by("pk")[:6]):
        partner = daon if i % 2 else nuri
        services.link_partner(deal, partner, actor=channel, role=PartnerKind.RESELLER, sourced=True)
    taken = OpportunityPartner.objects.values("opportunity_id")
    won = (
        Opportunity.objects.filter(stage__outcome=Stage.Outcome.WON).exclude(pk__in=taken).order_by("pk")[:4]
    )
    for deal in won:
        services.link_partner(
            deal, nuri, actor=None, role=PartnerKind.SI, influenced=True, contact_name="김도윤"
        )


PASSED_LEADS = [
    # (name, company, e-mail, region, industry, what happens to it)
    ("윤서준", "(주)한강정밀", "seojun.yoon@hangang-p.co.kr", "gyeonggi", "manufacturing", "accepted"),
    ("장하린", "청솔제약 주식회사", "harin.jang@cheongsol.kr", "seoul", "manufacturing", "offered"),
    ("문지호", "제주바이오텍", "jiho.moon@jejubio.kr", "jeju", "", "pool"),
]


def _passed_leads(gold: Partner, *, rep: User) -> None:
    """Leads the rep passed to the channel: one the gold partner accepted, one offered to it (three
    days to accept), one waiting in the shared pool (no partner covers Jeju)."""
    member = gold.members.select_related("user").first()
    for name, company, email, region, industry, outcome in PASSED_LEADS:
        lead = create_lead(
            actor=rep, name=name, company=company, email=email, region=region, industry=industry
        )
        if outcome == "pool":
            passing.pass_lead(lead, actor=rep, to="pool")
            continue
        offer = passing.pass_lead(lead, actor=rep, to="partner", partner=gold)
        if outcome == "accepted" and member is not None:
            passing.accept(offer, actor=member.user)


def _routing_rules(silver: Partner, *, channel: User) -> None:
    """Three rules tried before the built-in routing: Busan retail to the silver reseller, public
    sector to the registered tier, Jeju into the pool (and one kept but disabled)."""
    routing.create_rule(
        actor=channel,
        name="부산 유통은 다온",
        region="busan",
        industry="retail",
        target="partner",
        partner=silver,
    )
    routing.create_rule(
        actor=channel, name="공공은 등록 파트너", industry="public", target="tier", tier=Tier.REGISTERED
    )
    routing.create_rule(actor=channel, name="제주는 공유 풀", region="jeju", target="pool")
    routing.create_rule(
        actor=channel, name="세미나 리드는 풀 (보류)", lead_source="event", target="pool", is_active=False
    )


GUIDE = """누리시스템 파트너 제안 가이드
1. 고객사 요구사항 워크숍 결과를 딜 등록의 근거로 첨부합니다.
2. 공급가는 포털의 가격표(골드 등급)를 따릅니다.
3. 대금 지급 조건은 계약의 결제 기한(90일)을 따릅니다.
"""


def _resources(gold: Partner, *, channel: User) -> None:
    """The catalogue's default price list for gold partners and a proposal guide for the gold partner."""
    price_list = PriceList.objects.filter(is_archived=False).order_by("-is_default", "pk").first()
    if price_list is not None:
        resources.publish_price_list(
            actor=channel, price_list=price_list, title="골드 파트너 가격표", tiers=[Tier.GOLD]
        )
    guide = ContentFile(GUIDE.encode("utf-8"), name="partner-proposal-guide.txt")
    resources.publish_file(actor=channel, upload=guide, title="파트너 제안 가이드", tiers=[], partner=gold)
