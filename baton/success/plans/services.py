"""Every write of success plans: a plan on an account, its milestones, and marking one done (or not).
One transaction each, with its audit row; refusals raise ValidationError or PermissionDenied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.core.audit import log_change, snapshot
from baton.core.models import User
from baton.core.records import can_edit
from baton.success.plans.models import Milestone, SuccessPlan


@dataclass
class Progress:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        """Milestones done ÷ all, in whole percent (rounded down: 100 only when all are done)."""
        return 0 if self.total == 0 else self.done * 100 // self.total


def progress_of(milestones: list[Milestone], today: dt.date) -> Progress:
    done = sum(1 for m in milestones if m.completed_on is not None)
    overdue = sum(1 for m in milestones if m.completed_on is None and m.due_date < today)
    return Progress(done, len(milestones), overdue)


def _title(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"title": [_("This field is required.")]})
    return value[:200]


@transaction.atomic
def create_plan(
    *, actor: User | None, account: Account, title: str, goal: str = "", owner: User | None = None
) -> SuccessPlan:
    if actor is not None and not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("You cannot change this account."))
    plan = SuccessPlan.objects.create(
        account=account,
        title=_title(title),
        goal=goal or "",
        owner=owner or (actor if actor is not None and actor.pk else None),
    )
    log_change(actor=actor, action="create", instance=plan, after=snapshot(plan))
    return plan


def _require_edit(actor: User | None, plan: SuccessPlan) -> None:
    if actor is not None and not can_edit(actor, plan):
        raise PermissionDenied(_("You cannot change this plan."))


@transaction.atomic
def add_milestone(
    plan: SuccessPlan, *, actor: User | None, title: str, due_date: dt.date, owner: User | None = None
) -> Milestone:
    _require_edit(actor, plan)
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": [_("This user is inactive.")]})
    milestone = Milestone.objects.create(plan=plan, title=_title(title), due_date=due_date, owner=owner)
    log_change(actor=actor, action="create", instance=milestone, after=snapshot(milestone))
    return milestone


@transaction.atomic
def set_milestone_done(milestone: Milestone, *, actor: User | None, done: bool, today: dt.date) -> Milestone:
    _require_edit(actor, milestone.plan)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    before = snapshot(milestone, ["completed_on"])
    milestone.completed_on = today if done else None
    milestone.save(update_fields=["completed_on"])
    log_change(
        actor=actor,
        action="update",
        instance=milestone,
        before=before,
        after=snapshot(milestone, ["completed_on"]),
    )
    return milestone
