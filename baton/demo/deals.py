"""Demo opportunities: deals opened on known accounts and walked through the buyer's steps."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from baton.accounts.models import Contact
from baton.deals.models import ForecastCategory, LostReason, Opportunity, Stage
from baton.deals.services import create_opportunity, move_opportunity, update_opportunity
from baton.demo.base import allocate
from baton.demo.history import HistoryWorld
from baton.demo.vocab import (
    LOST_NOTES,
    NEXT_STEPS,
    OPPORTUNITY_MIX,
    PRODUCTS,
)


class DealsWorld(HistoryWorld):
    # -- opportunities -----------------------------------------------------------------------------

    def amount(self) -> tuple[Decimal, str]:
        rng = self.rng
        if rng.random() < 0.06:
            usd = min(max(rng.lognormvariate(math.log(80_000), 0.9), 10_000), 600_000)
            return Decimal(round(usd, -2)), "USD"
        krw = min(max(rng.lognormvariate(math.log(60_000_000), 1.0), 5_000_000), 900_000_000)
        return Decimal(int(round(krw, -4))), "KRW"

    def build_direct_opportunities(self) -> None:
        """Deals opened directly on known accounts: repeat business, upsell, partner-sourced."""
        for _ in range(self.n(80)):
            account = self.rng.choice(self.accounts)
            owner = account.owner or self.users["ae1"]
            if self.rng.random() < 0.07:
                owner = self.users["channel"]
            created = self.days_ago(20, 330)
            known_since = self.account_created[account.pk]
            if created < known_since:
                created = self.between(known_since, self.now - dt.timedelta(days=2))
            contacts = list(Contact.objects.filter(account=account).order_by("id"))
            contact = self.rng.choice(contacts) if contacts else None
            amount, currency = self.amount()
            opportunity = create_opportunity(
                actor=owner,
                owner=owner,
                name=f"{account.name} {self.rng.choice(PRODUCTS)}",
                account=account,
                primary_contact=contact,
                amount=amount,
                currency=currency,
                at=created,
            )
            self.stamp(created)
            self.play_opportunity(opportunity, created)

    def play_opportunity(self, opportunity: Opportunity, created: dt.datetime) -> None:
        """Walk a deal from its first stage to its planned place, with plausible dates for each move."""
        rng = self.rng
        stages = {s.key: s for s in opportunity.pipeline.stages.all()}
        target = self.next_outcome()
        open_keys = ["considering", "evaluating", "deciding", "purchasing"]
        if target in open_keys:
            path = [
                k for k in open_keys[1 : open_keys.index(target) + 1] if k == target or rng.random() > 0.2
            ]
        else:
            reach = open_keys.index(rng.choice(open_keys[1:] if target == "won" else open_keys))
            path = [k for k in open_keys[1 : reach + 1] if rng.random() > 0.25] + [target]
        closed = target in ("won", "lost", "no_decision")
        end = self.now - dt.timedelta(days=rng.uniform(1, 10))
        if closed and created < end:
            end = self.between(created + (end - created) * 0.3, end)
        # About one deal in eight goes back a step on the way (the customer reopens the evaluation).
        forward = [k for k in path if k in open_keys]
        if len(forward) >= 2 and rng.random() < 0.12:
            at = rng.randrange(1, len(forward))
            path.insert(path.index(forward[at]) + 1, forward[at - 1])
            path.insert(path.index(forward[at]) + 2, forward[at])
            path = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        times = sorted(self.between(created, end) for _ in path)
        actor = opportunity.owner
        for key, when in zip(path, times, strict=True):
            stage = stages[key]
            reason = None
            if stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
                reason = self.lost_reason(no_decision=stage.outcome == Stage.Outcome.NO_DECISION)
            opportunity = move_opportunity(
                opportunity,
                actor=actor,
                stage=stage,
                expected_version=opportunity.version,
                lost_reason=reason,
                at=when,
            )
            self.stamp(when)
            if stage.outcome == Stage.Outcome.WON:
                self.play_customer_success(opportunity, when)
        last = times[-1] if times else created
        changes: dict[str, Any] = {}
        if target in ("lost", "no_decision"):
            changes["lost_note"] = rng.choice(LOST_NOTES)
        if not closed:
            changes["next_step"] = rng.choice(NEXT_STEPS)
            changes["expected_close_date"] = (self.now + dt.timedelta(days=rng.randint(10, 150))).date()
            if target == "purchasing":
                changes["forecast_category"] = ForecastCategory.COMMIT
            elif target == "deciding":
                changes["forecast_category"] = ForecastCategory.BEST_CASE
        else:
            changes["expected_close_date"] = last.date()
        opportunity = update_opportunity(
            opportunity, actor=actor, changes=changes, expected_version=opportunity.version, at=last
        )
        self.stamp(last)
        self.backdate(
            Opportunity,
            opportunity.pk,
            created_at=created,
            updated_at=last,
            stage_changed_at=last if path else created,
            closed_at=last if closed else None,
        )

    def next_outcome(self) -> str:
        if not getattr(self, "_outcomes", None):
            planned = allocate(self.n(150, minimum=len(OPPORTUNITY_MIX)), OPPORTUNITY_MIX)
            self.rng.shuffle(planned)
            self._outcomes = planned
        return self._outcomes.pop()

    def lost_reason(self, *, no_decision: bool) -> LostReason:
        reasons = getattr(self, "_reasons", None)
        if reasons is None:
            reasons = list(LostReason.objects.filter(is_archived=False).order_by("id"))
            self._reasons = reasons
        pool = [r for r in reasons if r.is_no_decision == no_decision] or reasons
        return self.rng.choice(pool)
