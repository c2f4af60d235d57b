"""The Model's history in the demo: hand-offs accepted and rejected, qualification, recycling."""

from __future__ import annotations

import datetime as dt

from baton.accounts.models import Account
from baton.deals.models import Opportunity
from baton.demo.accounts import AccountsWorld
from baton.demo.vocab import (
    BANT_EVIDENCE,
    CALL_NOTES,
    INQUIRIES,
)
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.leads.services import log_interaction
from baton.process import services as process
from baton.process.models import HandOff, ProcessStage


class HistoryWorld(AccountsWorld):
    # -- The Model: hand-offs, qualification, rejections and recycling, back-dated -------------------

    def later(self, when: dt.datetime, *, hours: float = 0, days: float = 0) -> dt.datetime:
        """A moment after ``when`` (at most ``hours``/``days`` later), never in the future."""
        ceiling = self.now - dt.timedelta(hours=1)
        end = min(when + dt.timedelta(hours=hours, days=days), ceiling)
        return max(when, self.between(when, end))

    def play_lead_process(self, lead: Lead, last: dt.datetime, status: str) -> dt.datetime:
        """Inside sales accepts (or rejects) marketing's hand-offs, calls and checks BANT, as of each date.

        New leads keep their hand-offs waiting; some hand-offs are rejected back to nurture and come
        back after new activity (recycle yield); some are accepted late (SLA breaches)."""
        rng = self.rng
        isr = self.users["isr"]
        progress = status in (LeadStatus.WORKING, LeadStatus.QUALIFIED, LeadStatus.CONVERTED)
        if status == LeadStatus.NEW:
            return last
        when = last
        handoff = process.pending_handoff("lead", lead.pk)
        if handoff is None and not progress:
            return last
        if handoff is None:
            # An inbound lead inside sales takes straight from marketing: a manual move with a reason.
            when = self.later(when, days=2)
            outcome = process.move_record(
                lead,
                ProcessStage.objects.get(key="accepted"),
                actor=isr,
                override=True,
                reason="영업 요청으로 직접 이관 (문의 전화)",
                at=when,
            )
            self.stamp(when)
            handoff = outcome if isinstance(outcome, HandOff) else None
            if handoff is None:
                return when
        reject = rng.random() < (0.2 if progress else 0.5)
        if reject:
            when = self.later(when, hours=30)
            process.reject_handoff(
                handoff,
                actor=isr,
                reason_code=rng.choice(["not_qualified", "timing", "bad_data", "no_budget"]),
                return_to="nurture",
                note="담당자 연락 불가, 재육성 후 재검토",
                follow_up_on=(when + dt.timedelta(days=rng.randint(14, 45))).date(),
                at=when,
            )
            self.stamp(when)
            if not progress:
                return when
            # Back after new activity: a question resumes the flow, marketing offers the lead again.
            again = self.later(when + dt.timedelta(days=3), days=30)
            if again <= when + dt.timedelta(days=3):
                return when
            log_interaction(
                lead,
                actor=None,
                kind=LeadInteraction.Kind.INBOUND_QUESTION,
                occurred_at=again,
                note=rng.choice(INQUIRIES),
                at=again,
            )
            self.stamp(again)
            when = again
            handoff = process.pending_handoff("lead", lead.pk)
            if handoff is None:
                return when
        # Accepted, mostly within the working day, one in five late.
        when = self.later(when, hours=rng.uniform(30, 100) if rng.random() < 0.2 else rng.uniform(1, 20))
        process.accept_handoff(handoff, actor=isr, note="접수 확인", at=when)
        self.stamp(when)
        if not progress:
            return when
        when = self.later(when, days=3)
        log_interaction(
            lead,
            actor=isr,
            kind=LeadInteraction.Kind.CALL,
            occurred_at=when,
            note=rng.choice(CALL_NOTES),
            at=when,
        )
        self.stamp(when)
        if status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
            when = self.later(when, days=10)
            for item, evidence in BANT_EVIDENCE:
                process.set_qualification(lead, item, answer=True, evidence=evidence, actor=isr, at=when)
            self.stamp(when)
        return when

    def play_customer_success(self, opportunity: Opportunity, won_at: dt.datetime) -> None:
        """Customer success accepts the won account (some late, some still waiting) and onboards it."""
        rng = self.rng
        handoff = process.pending_handoff("account", opportunity.account_id)
        if handoff is None or rng.random() < 0.15:
            return
        when = won_at + dt.timedelta(hours=rng.uniform(60, 120) if rng.random() < 0.2 else rng.uniform(2, 40))
        if when >= self.now:
            return
        process.accept_handoff(
            handoff, actor=self.users["csm"], note="킥오프 일정 확정", take_ownership=False, at=when
        )
        self.stamp(when)
        adopted = when + dt.timedelta(days=rng.uniform(30, 55))
        if adopted < self.now:
            process.auto_advance(Account.objects.get(pk=opportunity.account_id), rule="sweep", at=adopted)
            self.stamp(adopted)
