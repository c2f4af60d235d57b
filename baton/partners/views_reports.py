"""The channel's reports page (win rate and cycle with vs without a partner, delivery quality per
partner: ``?days=`` is the window after go-live in which support cases count), with a CSV of each table
(``?csv=win`` or ``?csv=delivery``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from baton.core.csvout import csv_response
from baton.core.http import AuthedHttpRequest
from baton.core.params import ParameterError, choice_param, date_param, int_param, note_ignored
from baton.partners import reports
from baton.partners.views import _channel


def _dates(request: AuthedHttpRequest) -> dict:
    out = {}
    for name in ("since", "until"):
        try:
            out[name] = date_param(request.GET, name)
        except ParameterError as exc:
            note_ignored(request, exc)
            out[name] = None
    return out


@login_required
def channel_reports(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    period = _dates(request)
    try:
        export = choice_param(request.GET, "csv", ("win", "delivery"))
    except ParameterError as exc:
        note_ignored(request, exc)
        export = ""
    try:
        days = int_param(request.GET, "days", minimum=1, maximum=reports.MAX_CASE_WINDOW_DAYS)
    except ParameterError as exc:
        note_ignored(request, exc)
        days = None
    days = days or reports.CASE_WINDOW_DAYS
    split = reports.with_and_without(request.user, **period)
    quality = reports.delivery_quality(request.user, window_days=days)
    if export == "win":
        labels = {"with": _("With a partner"), "without": _("Without a partner")}
        return csv_response(
            [_("Deals"), _("Won"), _("Lost"), _("Win rate %"), _("Sales cycle (days)")],
            [
                [
                    labels[key],
                    row.won,
                    row.lost,
                    row.win_rate if row.win_rate is not None else "",
                    row.cycle_days or "",
                ]
                for key, row in split.items()
            ],
            filename="partner-win-rate.csv",
            exported_by=request.user,
            what="partner win rate",
        )
    if export == "delivery":
        return csv_response(
            [
                _("Partner"),
                _("Deals"),
                _("Accepted hand-offs"),
                _("First time right"),
                _("First-time-right rate %"),
                _("Times sent back"),
                _("Delivery projects"),
                _("Projects done"),
                _("Live customers"),
                _("Cases within %(days)s days of go-live") % {"days": days},
                _("Renewals won"),
                _("Renewals lost"),
            ],
            [
                [
                    q.partner.account.name,
                    q.deals,
                    q.handoffs,
                    q.first_time_right,
                    q.first_time_right_rate if q.first_time_right_rate is not None else "",
                    q.send_backs,
                    q.projects,
                    q.projects_done,
                    *("" if value is None else value for value in _after(q)),
                ]
                for q in quality
            ],
            filename="partner-delivery-quality.csv",
            exported_by=request.user,
            what="partner delivery quality",
        )
    return render(
        request,
        "partners/reports.html",
        {"split": split, "quality": quality, "days": days, **period},
    )


def _after(q: reports.DeliveryQuality) -> tuple[int | None, ...]:
    return (q.live, q.cases, q.renewals_won, q.renewals_lost)
