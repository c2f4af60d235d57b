"""Competitors: the admin-edited list, and the incumbent and other bidders recorded on an opportunity
(they feed the win/loss analysis and the ``has_incumbent`` / ``competitor_count`` facts)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import create_record, update_record
from baton.deals.models import Opportunity
from baton.scoring.access import require_admin, require_edit
from baton.scoring.models import Competitor, OpportunityCompetitor


def competitors_on(opportunity: Opportunity) -> QuerySet[OpportunityCompetitor]:
    """The competitors recorded on an opportunity the caller already may see, incumbent first."""
    return OpportunityCompetitor.objects.filter(opportunity=opportunity).select_related("competitor")


@transaction.atomic
def save_competitor(
    competitor: Competitor | None, *, actor: User | None, values: dict[str, Any]
) -> Competitor:
    require_admin(actor)
    if competitor is None:
        return create_record(Competitor, actor=actor, **values)
    return update_record(competitor, actor=actor, changes=values)


@transaction.atomic
def add_opportunity_competitor(
    opportunity: Any,
    *,
    actor: User | None,
    competitor: Competitor | None = None,
    name: str = "",
    is_incumbent: bool = False,
    won_deal: bool = False,
    note: str = "",
) -> OpportunityCompetitor:
    """Record the incumbent or another bidder; a new name creates the competitor."""
    require_edit(actor, opportunity)
    if competitor is None:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"competitor": [_("Choose or name a competitor.")]})
        competitor = Competitor.objects.filter(name__iexact=name).first()
        if competitor is None:
            competitor = Competitor.objects.create(name=name[:120])
            log_change(
                actor=actor, action=ChangeLog.Action.CREATE, instance=competitor, after=snapshot(competitor)
            )
    row, created = OpportunityCompetitor.objects.update_or_create(
        opportunity=opportunity,
        competitor=competitor,
        defaults={
            "is_incumbent": is_incumbent,
            "won_deal": won_deal,
            "note": (note or "")[:300],
            "added_by": actor if actor is not None and actor.pk else None,
        },
    )
    if won_deal:
        OpportunityCompetitor.objects.filter(opportunity=opportunity).exclude(pk=row.pk).update(
            won_deal=False
        )
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE,
        instance=row,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def remove_opportunity_competitor(row: OpportunityCompetitor, *, actor: User | None) -> None:
    require_edit(actor, row.opportunity)
    before = snapshot(row)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=row, before=before)
    row.delete()
