"""Demo campaigns and leads: a year of inquiries, interactions, qualification and conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from baton.accounts.models import Account, Contact
from baton.core.korean import normalize_company
from baton.demo.base import Company, allocate, weighted
from baton.demo.customfields import product_interest
from baton.demo.deals import DealsWorld
from baton.demo.vocab import (
    CALL_NOTES,
    CAMPAIGNS,
    CONTACT_TITLES,
    DISQUALIFY_REASONS,
    INQUIRIES,
    LEAD_STATUS_MIX,
    PRODUCTS,
    WEB_PAGES,
)
from baton.leads.models import Campaign, Lead, LeadInteraction, LeadSource, LeadStatus
from baton.leads.services import convert_lead, create_campaign, create_lead, log_interaction, update_lead


class LeadsWorld(DealsWorld):
    def build_campaigns(self) -> None:
        marketing = self.users["marketing"]
        for name, kind, started_days_ago in CAMPAIGNS:
            starts = (self.now - dt.timedelta(days=started_days_ago)).date()
            length = 0 if kind in (Campaign.Kind.SEMINAR, Campaign.Kind.WEBINAR) else self.rng.randint(2, 30)
            ends = starts + dt.timedelta(days=length)
            if ends < self.now.date():
                status = Campaign.Status.COMPLETED
            elif starts <= self.now.date():
                status = Campaign.Status.ACTIVE
            else:
                status = Campaign.Status.PLANNED
            created = self.now - dt.timedelta(days=max(started_days_ago, 0) + self.rng.randint(14, 40))
            budget = Decimal(self.rng.randrange(3_000_000, 60_000_000, 500_000))
            campaign = create_campaign(
                actor=marketing,
                name=name,
                kind=kind,
                status=status,
                starts_on=starts,
                ends_on=ends,
                budget=budget,
                description="",
            )
            self.stamp(created)
            self.backdate(Campaign, campaign.pk, created_at=created, updated_at=created)
            self.campaigns.append(
                (campaign, dt.datetime.combine(starts, dt.time(14), tzinfo=self.now.tzinfo))
            )

    # -- leads -------------------------------------------------------------------------------------

    def build_leads(self) -> None:
        total = self.n(300, minimum=len(LEAD_STATUS_MIX))
        statuses = allocate(total, LEAD_STATUS_MIX)
        self.rng.shuffle(statuses)
        converted = [i for i, s in enumerate(statuses) if s == LeadStatus.CONVERTED]
        # Most converted leads come from accounts we already know (repeat and cross-sell); the rest
        # become new accounts, bringing the total to ~80.
        attach_to_existing = set(self.rng.sample(converted, k=round(len(converted) * 0.6)))
        for i, status in enumerate(statuses):
            self.make_lead(status, existing=(i in attach_to_existing))

    def lead_window(self, status: str) -> tuple[float, float]:
        windows: dict[str, tuple[float, float]] = {
            LeadStatus.NEW: (0, 21),
            LeadStatus.WORKING: (3, 60),
            LeadStatus.NURTURING: (30, 300),
            LeadStatus.QUALIFIED: (7, 90),
            LeadStatus.DISQUALIFIED: (20, 330),
            LeadStatus.CONVERTED: (40, 350),
        }
        return windows[status]

    def make_lead(self, status: str, *, existing: bool) -> None:
        rng = self.rng
        created = self.days_ago(*self.lead_window(status))
        account: Account | None = None
        if existing or (status != LeadStatus.CONVERTED and rng.random() < 0.15):
            account = rng.choice(self.accounts)
            company = self.companies[account.pk]
            known_since = self.account_created[account.pk] + dt.timedelta(days=1)
            if created < known_since:
                created = self.between(known_since, self.now - dt.timedelta(days=2))
            # People type company names their own way: the duplicate check must still find them.
            shown = rng.choice(
                [company.name, company.core, f"{company.core} 주식회사", f"(주) {company.core}"]
            )
        else:
            company = self.company()
            shown = company.name
        name, local = self.person()
        source = weighted(
            rng,
            [
                (LeadSource.WEB_FORM, 30),
                (LeadSource.EVENT, 25),
                (LeadSource.INBOUND_CALL, 10),
                (LeadSource.BUSINESS_CARD, 10),
                (LeadSource.REFERRAL, 7),
                (LeadSource.PARTNER, 6),
                (LeadSource.OUTBOUND, 8),
                (LeadSource.IMPORT, 4),
            ],
        )
        past = [(c, start) for c, start in self.campaigns if start <= created]
        campaign, campaign_start = (None, None)
        if source in (LeadSource.EVENT, LeadSource.WEB_FORM) and past:
            campaign, campaign_start = (
                max(past, key=lambda pair: pair[1]) if rng.random() < 0.5 else rng.choice(past)
            )
            if campaign_start is not None and campaign_start > created:
                created = campaign_start
        free_mail = rng.random() < 0.12 and status != LeadStatus.CONVERTED
        domain = rng.choice(["naver.com", "gmail.com", "daum.net"]) if free_mail else company.domain
        creator = (
            self.users["marketing"]
            if source in (LeadSource.WEB_FORM, LeadSource.EVENT)
            else self.users["isr"]
        )
        with_brn = status == LeadStatus.CONVERTED or rng.random() < 0.3
        # Stage history is written as of each step's date (a with-block: an error must not leave the
        # clock in the past for whatever runs next).
        lead = create_lead(
            actor=creator,
            owner=self.users["isr"],
            name=name,
            company=shown,
            title=weighted(rng, CONTACT_TITLES),
            email=self.email(local, domain),
            phone=self.mobile(),
            brn=company.brn if with_brn else "",
            website=f"https://www.{company.domain}"
            if rng.random() < 0.7 or status == LeadStatus.CONVERTED
            else "",
            industry=company.industry,
            region=company.region,
            size=company.size,
            source=source,
            campaign=campaign,
            description=rng.choice(INQUIRIES)
            if source in (LeadSource.WEB_FORM, LeadSource.INBOUND_CALL)
            else "",
            custom_field_data={"product_interest": product_interest(shown)},
            at=created,
        )
        self.stamp(created)
        self.summary.leads += 1
        last = self.interactions(lead, source, campaign, created, status)
        last = self.play_lead_process(lead, last, status)
        final = last
        if status in (
            LeadStatus.WORKING,
            LeadStatus.NURTURING,
            LeadStatus.QUALIFIED,
            LeadStatus.DISQUALIFIED,
            LeadStatus.CONVERTED,
        ):
            isr = self.users["isr"]
            step = self.between(last, min(last + dt.timedelta(days=14), self.now))
            if status == LeadStatus.DISQUALIFIED:
                changes: dict[str, Any] = {
                    "status": status,
                    "disqualify_reason": rng.choice(DISQUALIFY_REASONS),
                }
            elif status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
                owner = (
                    self.users[account.owner.username]
                    if account is not None and account.owner
                    else self.ae_for(company)
                )
                changes = {"status": LeadStatus.QUALIFIED, "owner": owner}
            else:
                changes = {"status": status}
            lead = update_lead(lead, actor=isr, changes=changes, expected_version=lead.version, at=step)
            self.stamp(step)
            final = step
            if status == LeadStatus.CONVERTED:
                final = self.convert(lead, account, step)
        self.backdate(Lead, lead.pk, created_at=created, updated_at=final)

    def interactions(
        self, lead: Lead, source: str, campaign: Campaign | None, created: dt.datetime, status: str
    ) -> dt.datetime:
        rng = self.rng
        kinds: list[tuple[str, str]] = []
        if source == LeadSource.EVENT:
            kinds.append((LeadInteraction.Kind.SEMINAR, "세미나 참석, 설문 응답: 도입 검토 중"))
        elif source == LeadSource.WEB_FORM:
            kinds.append((LeadInteraction.Kind.FORM_SUBMIT, "문의 양식 제출"))
        elif source == LeadSource.INBOUND_CALL:
            kinds.append((LeadInteraction.Kind.INBOUND_QUESTION, rng.choice(INQUIRIES)))
        elif source == LeadSource.BUSINESS_CARD:
            kinds.append((LeadInteraction.Kind.MEETING, "전시회 부스 명함 교환"))
        extras: dict[str, int] = {LeadStatus.NEW: 1, LeadStatus.WORKING: 2, LeadStatus.NURTURING: 3}
        extra = extras.get(status, 3)
        for _ in range(rng.randint(0, extra)):
            kind = weighted(
                rng,
                [
                    (LeadInteraction.Kind.WEB_VISIT, 40),
                    (LeadInteraction.Kind.DOWNLOAD, 15),
                    (LeadInteraction.Kind.CALL, 20),
                    (LeadInteraction.Kind.EMAIL_REPLY, 15),
                    (LeadInteraction.Kind.INBOUND_QUESTION, 10),
                ],
            )
            note = {
                LeadInteraction.Kind.WEB_VISIT: f"{rng.choice(WEB_PAGES)} 방문 ({rng.randint(1, 6)}페이지)",
                LeadInteraction.Kind.DOWNLOAD: "도입 사례집 PDF 다운로드",
                LeadInteraction.Kind.CALL: rng.choice(CALL_NOTES),
                LeadInteraction.Kind.EMAIL_REPLY: "자료 잘 받았습니다. 내부 검토 후 연락드리겠습니다.",
                LeadInteraction.Kind.INBOUND_QUESTION: rng.choice(INQUIRIES),
            }[kind]
            kinds.append((kind, note))
        when = created
        for index, (kind, note) in enumerate(kinds):
            if index:
                when = self.between(when, min(when + dt.timedelta(days=20), self.now))
            actor = (
                self.users["isr"]
                if kind in (LeadInteraction.Kind.CALL, LeadInteraction.Kind.EMAIL_REPLY)
                else None
            )
            log_interaction(
                lead,
                actor=actor,
                kind=kind,
                occurred_at=when,
                note=note,
                campaign=campaign if kind == LeadInteraction.Kind.SEMINAR else None,
                at=when,
            )
            self.stamp(when)
            self.summary.interactions += 1
        return when

    def convert(self, lead: Lead, account: Account | None, after: dt.datetime) -> dt.datetime:
        when = self.between(after, min(after + dt.timedelta(days=21), self.now - dt.timedelta(days=1)))
        owner = lead.owner or self.users["ae1"]
        amount, currency = self.amount()
        new_account, contact, opportunity = convert_lead(
            lead,
            actor=owner,
            account=account,
            create_opportunity_too=True,
            opportunity_name=f"{(account.name if account else lead.company)} {self.rng.choice(PRODUCTS)}",
            amount=amount,
            currency=currency,
            owner=owner,
            at=when,
        )
        self.stamp(when)
        self.backdate(Lead, lead.pk, converted_at=when)
        if account is None:
            self.backdate(Account, new_account.pk, created_at=when, updated_at=when)
            self.accounts.append(new_account)
            self.account_created[new_account.pk] = when
            self.companies[new_account.pk] = Company(
                new_account.name,
                normalize_company(new_account.name),
                new_account.domain,
                new_account.industry,
                new_account.region,
                new_account.size,
                new_account.brn,
                new_account.phone,
                "",
            )
        self.backdate(Contact, contact.pk, created_at=when, updated_at=when)
        assert opportunity is not None
        self.play_opportunity(opportunity, when)
        return when
