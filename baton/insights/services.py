"""Every write of the insights app: quotas, exchange rates, managers' adjustments and snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, Team, User
from baton.core.services import create_record, update_record
from baton.deals.models import ForecastCategory, Opportunity, Stage
from baton.insights.forecast import Rates, can_adjust, krw, managed_team_ids, period_filter
from baton.insights.models import (
    ExchangeRate,
    ForecastAdjustment,
    ForecastSnapshot,
    ForecastSnapshotLine,
    Quota,
    SavedReport,
)
from baton.insights.periods import Period, period_containing, week_start
from baton.insights.reports import parse_definition


def may_manage_quotas(user: User) -> bool:
    """Administrators set every quota; a manager sets the quotas of the people and teams they manage."""
    return user.is_authenticated and user.is_active and (user.is_admin or user.role == "sales_manager")


def _check_quota_target(actor: User, user: User | None, team: Team | None) -> None:
    if actor.is_admin:
        return
    managed = managed_team_ids(actor)
    if user is not None and user.team_id in managed and user.pk != actor.pk:
        return
    if team is not None and team.pk in managed and team.manager_id != actor.pk:
        return
    if team is not None and team.parent_id in managed:
        return
    raise PermissionDenied(_("You may set quotas only for the people and sub-teams you manage."))


@transaction.atomic
def set_quota(
    *,
    actor: User,
    period: Period,
    amount: Decimal,
    user: User | None = None,
    team: Team | None = None,
    expected_version: int | None = None,
) -> Quota:
    """Create or change the quota of one person or one team for a period (KRW, whole won)."""
    if (user is None) == (team is None):
        raise ValidationError({"user": [_("Give either a person or a team.")]})
    if amount is None or amount < 0:
        raise ValidationError({"amount": [_("A quota is zero or more.")]})
    if amount != amount.quantize(Decimal(1)):
        raise ValidationError({"amount": [_("A quota in KRW has no decimals.")]})
    _check_quota_target(actor, user, team)
    existing = (
        Quota.objects.select_for_update()
        .filter(user=user, team=team, period_kind=period.kind, period_start=period.start)
        .first()
    )
    if existing is None:
        return create_record(
            Quota,
            actor=actor,
            user=user,
            team=team,
            period_kind=period.kind,
            period_start=period.start,
            amount=amount,
        )
    return update_record(existing, actor=actor, changes={"amount": amount}, expected_version=expected_version)


@transaction.atomic
def delete_quota(quota: Quota, *, actor: User) -> None:
    _check_quota_target(actor, quota.user, quota.team)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=quota, before=snapshot(quota))
    quota.delete()


@transaction.atomic
def set_exchange_rate(
    *, actor: User, currency: str, valid_from: dt.date, krw_per_unit: Decimal
) -> ExchangeRate:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators maintain exchange rates."))
    if currency == "KRW":
        raise ValidationError({"currency": [_("KRW is the base currency; it has no rate.")]})
    existing = ExchangeRate.objects.filter(currency=currency, valid_from=valid_from).first()
    if existing is None:
        return create_record(
            ExchangeRate, actor=actor, currency=currency, valid_from=valid_from, krw_per_unit=krw_per_unit
        )
    return update_record(existing, actor=actor, changes={"krw_per_unit": krw_per_unit})


@transaction.atomic
def adjust_forecast(
    *, actor: User, subject: User, period: Period, category: str, amount: Decimal, note: str
) -> ForecastAdjustment:
    """A manager's own call on a subordinate's number. The rep's deals and numbers are not touched."""
    if not can_adjust(actor, subject):
        raise PermissionDenied(_("You may adjust only the forecast of people in the teams you manage."))
    errors: dict[str, list[str]] = {}
    if category not in ForecastAdjustment.Category.values:
        errors["category"] = [_("Adjust the commit or the best case.")]
    if amount is None or amount < 0 or amount != amount.quantize(Decimal(1)):
        errors["amount"] = [_("Give a whole amount in KRW, zero or more.")]
    if not (note or "").strip():
        errors["note"] = [_("Say why you adjust the number.")]
    if errors:
        raise ValidationError(errors)
    return create_record(
        ForecastAdjustment,
        actor=actor,
        subject=subject,
        period_kind=period.kind,
        period_start=period.start,
        category=category,
        amount=amount,
        comment=note.strip(),
        adjusted_by=actor,
    )


@transaction.atomic
def take_snapshot(
    period: Period, *, today: dt.date | None = None, actor: User | None = None
) -> ForecastSnapshot:
    """Record the period's forecast as it stands this week (once per week: a second call in the same week
    returns the snapshot already taken). Lines cover the deals in the period now and every deal of the
    previous snapshot, so slipped deals are seen leaving with their new date."""
    today = today or timezone.localdate()
    week = week_start(today)
    existing = ForecastSnapshot.objects.filter(
        period_kind=period.kind, period_start=period.start, week_start=week
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            snap = ForecastSnapshot.objects.create(
                period_kind=period.kind, period_start=period.start, week_start=week
            )
    except IntegrityError:
        # Another worker took this week's snapshot a moment ago.
        return ForecastSnapshot.objects.get(
            period_kind=period.kind, period_start=period.start, week_start=week
        )
    previous = (
        ForecastSnapshot.objects.filter(
            period_kind=period.kind, period_start=period.start, week_start__lt=week
        )
        .order_by("-week_start")
        .first()
    )
    earlier_ids = (
        list(ForecastSnapshotLine.objects.filter(snapshot=previous).values_list("opportunity_id", flat=True))
        if previous
        else []
    )
    rates = Rates()
    qs = Opportunity.objects.filter(period_filter(period) | Q(pk__in=earlier_ids)).values_list(
        "pk",
        "owner_id",
        "team_id",
        "forecast_category",
        "amount",
        "currency",
        "stage__probability",
        "stage__outcome",
        "expected_close_date",
        "closed_at",
    )
    lines = []
    for (
        pk,
        owner_id,
        team_id,
        category,
        amount,
        currency,
        probability,
        outcome,
        close_date,
        closed_at,
    ) in qs.iterator(chunk_size=2000):
        day = timezone.localdate(closed_at) if (outcome == Stage.Outcome.WON and closed_at) else today
        amount_krw = krw(rates.to_krw(amount, currency, day))
        is_won = outcome == Stage.Outcome.WON
        if outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
            category = ForecastCategory.OMITTED
        elif is_won:
            category = ForecastCategory.CLOSED
        if is_won and closed_at and not period.contains(timezone.localdate(closed_at)):
            # Won in another period: it leaves this period's forecast.
            category = ForecastCategory.OMITTED
        weighted = Decimal(0) if outcome != Stage.Outcome.OPEN else krw(amount_krw * probability / 100)
        lines.append(
            ForecastSnapshotLine(
                snapshot=snap,
                opportunity_id=pk,
                owner_id=owner_id,
                team_id=team_id,
                category=category,
                amount_krw=amount_krw,
                weighted_krw=weighted,
                expected_close_date=close_date,
                is_won=is_won,
            )
        )
    ForecastSnapshotLine.objects.bulk_create(lines, batch_size=2000)
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=snap,
        after={"lines": len(lines), "period": period.key, "week": week.isoformat()},
    )
    return snap


def take_current_snapshots(*, today: dt.date | None = None) -> list[ForecastSnapshot]:
    """The weekly job: snapshot this month, this quarter and this year."""
    today = today or timezone.localdate()
    return [
        take_snapshot(period_containing(kind, today), today=today) for kind in ("month", "quarter", "year")
    ]


# --- saved reports -----------------------------------------------------------------------------------


def reports_for(user: User):
    """The saved reports a user may open: their own, their team's shared ones, and everyone's."""
    return SavedReport.objects.filter(
        Q(is_builtin=True)
        | Q(owner=user)
        | Q(sharing=SavedReport.Sharing.EVERYONE)
        | Q(sharing=SavedReport.Sharing.TEAM, team_id=user.team_id, team__isnull=False)
    ).select_related("owner")


@transaction.atomic
def save_report(
    *,
    actor: User,
    name: str,
    definition: dict,
    sharing: str,
    report=None,
    expected_version: int | None = None,
):
    """Create or change a saved report (its definition validated first); only the owner changes it."""
    clean = parse_definition(definition).as_data()
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the report a name.")]})
    if sharing not in SavedReport.Sharing.values:
        raise ValidationError({"sharing": [_("Choose who sees the report.")]})
    team = actor.team if sharing == SavedReport.Sharing.TEAM else None
    if sharing == SavedReport.Sharing.TEAM and team is None:
        raise ValidationError({"sharing": [_("You are in no team to share it with.")]})
    values: dict[str, Any] = {
        "name": name.strip()[:150],
        "definition": clean,
        "sharing": sharing,
        "team": team,
    }
    if report is None:
        return create_record(SavedReport, actor=actor, owner=actor, **values)
    if report.is_builtin or (report.owner_id != actor.pk and not actor.is_admin):
        raise PermissionDenied(_("Only the owner changes a saved report."))
    return update_record(report, actor=actor, changes=values, expected_version=expected_version)


@transaction.atomic
def delete_report(report, *, actor: User) -> None:
    if report.is_builtin or (report.owner_id != actor.pk and not actor.is_admin):
        raise PermissionDenied(_("Only the owner deletes a saved report."))
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=report, before=snapshot(report))
    report.delete()
