"""Win/loss: closed opportunities the reader may see, tallied by lost reason, competitor, incumbent,
segment and the stage they reached. "No decision" is an outcome of its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, OuterRef, Subquery, Value, When
from django.utils.translation import gettext as _

from baton.core.choices import CompanySize, Industry
from baton.core.models import User
from baton.deals.models import UNKNOWN_IMPORTED, Opportunity, Stage, localized
from baton.leads.models import Lead, LeadStatus
from baton.process.models import StageHistory
from baton.scoring.models import Disqualification, DisqualifyReason, OpportunityCompetitor

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
    # A stable code for the row (lost reasons: "reason:<id>", "unknown_imported", "none", "won"),
    # so two rows that read the same are never merged and API clients need not match labels.
    code: str = ""
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
            "lost_reason_id",
            "lost_reason__code",
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
        reason_code, reason = reason_bucket(
            r["lost_reason_id"], r["lost_reason__code"], r["lost_reason__name"], r["lost_reason__name_en"]
        )
        if reason_code == "none" and outcome == "won":
            reason_code, reason = "won", _("won")
        tally = groups["reason"].get(reason_code)
        if tally is None:
            tally = groups["reason"][reason_code] = Tally(reason, code=reason_code)
        tally.add(outcome)
        keys = {
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


def reason_bucket(
    reason_id: int | None, code: str | None, name: str | None, name_en: str | None
) -> tuple[str, str]:
    """The bucket of a lost or disqualification reason: (stable code, label). "Unknown (imported)" —
    the reason an import gives a record whose file named none — is its own bucket, by its code, apart
    from "none recorded" and from every real reason, whatever an administrator renamed it to."""
    if reason_id is None:
        return "none", _("none recorded")
    if code == UNKNOWN_IMPORTED:
        return UNKNOWN_IMPORTED, _("Unknown (imported)")
    return f"reason:{reason_id}", localized(name or "", name_en or "")


@dataclass
class ReasonCount:
    code: str
    label: str
    count: int


def disqualified_by_reason(user: User) -> list[ReasonCount]:
    """Disqualified leads the user may see, counted by the reason of their latest disqualification:
    a listed reason, "Unknown (imported)" (imports whose file named none), a reason typed on the lead
    page ("typed on the lead"), or none recorded. Two queries, whatever the number of leads."""
    latest = Disqualification.objects.filter(lead=OuterRef("pk")).order_by("-disqualified_at", "-id")
    rows = (
        Lead.objects.visible_to(user)
        .filter(status=LeadStatus.DISQUALIFIED)
        .annotate(
            reason_id=Subquery(latest.values("reason_id")[:1]),
            has_text=Case(
                When(disqualify_reason="", then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
        .values("reason_id", "has_text")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int | None, bool], int] = {}
    for row in rows:
        key = (row["reason_id"], bool(row["has_text"]) if row["reason_id"] is None else True)
        counts[key] = counts.get(key, 0) + row["n"]
    reasons = {
        r.pk: r for r in DisqualifyReason.objects.filter(pk__in=[k[0] for k in counts if k[0] is not None])
    }
    buckets: dict[str, ReasonCount] = {}
    for (reason_id, has_text), n in counts.items():
        if reason_id is None:
            code, label = ("typed", _("typed on the lead")) if has_text else ("none", _("none recorded"))
        else:
            r = reasons[reason_id]
            code, label = reason_bucket(r.pk, r.code, r.name, r.name_en)
        bucket = buckets.setdefault(code, ReasonCount(code, label, 0))
        bucket.count += n
    return sorted(buckets.values(), key=lambda b: (-b.count, b.label))
