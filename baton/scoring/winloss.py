"""Win/loss: closed opportunities the reader may see, tallied by lost reason, competitor, incumbent,
segment and the stage they reached. "No decision" is an outcome of its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from baton.core.choices import CompanySize, Industry
from baton.core.models import User
from baton.deals.models import Opportunity, Stage, localized
from baton.process.models import StageHistory
from baton.scoring.models import OpportunityCompetitor

WIN_LOSS_LIMIT = 20000


def outcome_of(stage_outcome: str, lost_reason_no_decision: bool | None) -> str:
    """ "No decision" is its own outcome: a no-decision stage, or lost with a no-decision reason."""
    if stage_outcome == Stage.Outcome.WON:
        return "won"
    if stage_outcome == Stage.Outcome.NO_DECISION or (
        stage_outcome == Stage.Outcome.LOST and lost_reason_no_decision
    ):
        return "no_decision"
    if stage_outcome == Stage.Outcome.LOST:
        return "lost"
    return "open"


@dataclass
class Tally:
    key: str
    won: int = 0
    lost: int = 0
    no_decision: int = 0

    @property
    def total(self) -> int:
        return self.won + self.lost + self.no_decision

    @property
    def win_rate(self) -> float | None:
        """Wins over every decided-or-not outcome (no decision counts against us)."""
        return self.won / self.total if self.total else None

    @property
    def competitive_win_rate(self) -> float | None:
        """Wins over wins + losses to a competitor (no decision left out)."""
        return self.won / (self.won + self.lost) if (self.won + self.lost) else None

    @property
    def no_decision_rate(self) -> float | None:
        return self.no_decision / self.total if self.total else None

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class WinLoss:
    overall: Tally
    groups: dict[str, list[Tally]] = field(default_factory=dict)


def win_loss(user: User, *, limit: int = WIN_LOSS_LIMIT) -> WinLoss:
    """Closed opportunities the user may see, newest ``limit`` first, tallied overall and by lost
    reason, competitor, incumbent, segment and the furthest open stage they reached."""
    rows = list(
        Opportunity.objects.visible_to(user)
        .filter(stage__outcome__in=[Stage.Outcome.WON, Stage.Outcome.LOST, Stage.Outcome.NO_DECISION])
        .order_by("-closed_at", "-id")
        .values(
            "id",
            "stage__outcome",
            "lost_reason__name",
            "lost_reason__name_en",
            "lost_reason__is_no_decision",
            "account__industry",
            "account__size",
        )[:limit]
    )
    ids = [r["id"] for r in rows]
    comps: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for opp_id, name, incumbent in OpportunityCompetitor.objects.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "competitor__name", "is_incumbent"
    ):
        comps[opp_id].append((name, incumbent))
    reached: dict[int, tuple[int, str]] = {}
    for rid, seq, name, name_en in StageHistory.objects.filter(
        record_kind="opportunity", record_id__in=ids, stage__outcome="open"
    ).values_list("record_id", "stage__sequence", "stage__name", "stage__name_en"):
        if rid not in reached or seq > reached[rid][0]:
            reached[rid] = (seq, localized(name, name_en))
    industries = dict(Industry.choices)
    sizes = dict(CompanySize.choices)
    overall = Tally(_("All closed opportunities"))
    groups: dict[str, dict[str, Tally]] = {
        k: {} for k in ("reason", "competitor", "incumbent", "industry", "size", "stage")
    }
    none = _("none recorded")
    for r in rows:
        outcome = outcome_of(r["stage__outcome"], r["lost_reason__is_no_decision"])
        overall.add(outcome)
        reason = (
            localized(r["lost_reason__name"] or "", r["lost_reason__name_en"] or "")
            if r["lost_reason__name"]
            else ""
        )
        keys = {
            "reason": [reason or (_("won") if outcome == "won" else none)],
            "competitor": [n for n, inc in comps.get(r["id"], []) if not inc] or [none],
            "incumbent": [n for n, inc in comps.get(r["id"], []) if inc] or [none],
            "industry": [str(industries.get(r["account__industry"], r["account__industry"] or none))],
            "size": [str(sizes.get(r["account__size"], r["account__size"] or none))],
            "stage": [reached[r["id"]][1] if r["id"] in reached else none],
        }
        for group, values in keys.items():
            for v in values:
                groups[group].setdefault(v, Tally(v)).add(outcome)
    return WinLoss(
        overall, {g: sorted(t.values(), key=lambda t: (-t.total, t.key)) for g, t in groups.items()}
    )
