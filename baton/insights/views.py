"""Forecast pages: the roll-up per period, drill-down to the deals behind a number, managers'
adjustments, weekly snapshots, quotas and exchange rates."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import Team, User
from baton.core.params import text_param
from baton.core.xlsxout import table_response
from baton.insights import protected, services
from baton.insights.forecast import (
    MEASURES,
    Forecast,
    compute_forecast,
    find_row,
    opportunities_behind,
    owners_of,
    scope_team_ids,
    scope_user_ids,
)
from baton.insights.forms import AdjustmentForm, ExchangeRateForm, QuotaForm
from baton.insights.history import forecast_history
from baton.insights.models import ExchangeRate, ForecastAdjustment, PeriodKind, Quota
from baton.insights.periods import Period, parse_period, period_containing

DRILL_LIMIT = 200


def _period(request: AuthedHttpRequest) -> Period:
    today = timezone.localdate()
    raw = text_param(request.GET, "period", max_length=20) or request.POST.get("period")
    if raw:
        period = parse_period(raw, today=today)
        if period is not None:
            return period
        messages.warning(
            request, _("“%(p)s” is not a period (use 2026-12, 2026-Q4 or 2026).") % {"p": raw[:20]}
        )
    return period_containing(PeriodKind.QUARTER, today)


def _period_nav(period: Period) -> dict:
    today = timezone.localdate()
    return {
        "period": period,
        "previous": period.previous(),
        "next": period.next(),
        "kinds": [(k, label, period_containing(k, today)) for k, label in PeriodKind.choices],
    }


@login_required
def forecast_page(request: AuthedHttpRequest) -> HttpResponse:
    period = _period(request)
    if protected.amounts_hidden(request.user):
        # Every number of the forecast is an amount or a ratio of amounts: nothing to show.
        return render(
            request,
            "insights/forecast_hidden.html",
            {**_period_nav(period), "message": protected.hidden_message()},
        )
    forecast = compute_forecast(request.user, period)
    weeks = forecast_history(request.user, period, actual_won=forecast.total.won)
    rows = [row for root in forecast.rows for row in root.flatten()]
    adjustments = (
        ForecastAdjustment.objects.filter(
            period_kind=period.kind, period_start=period.start, subject_id__in=scope_user_ids(request.user)
        )
        .select_related("subject", "adjusted_by")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "insights/forecast.html",
        {
            **_period_nav(period),
            "forecast": forecast,
            "rows": rows,
            "weeks": weeks,
            "adjustments": adjustments,
            "adjust_form": AdjustmentForm(),
            "can_snapshot": services.may_manage_quotas(request.user),
        },
    )


def _drill_scope(request: AuthedHttpRequest, forecast: Forecast) -> tuple[str, list[int], str]:
    kind = text_param(request.GET, "kind", max_length=10)
    measure = text_param(request.GET, "measure", max_length=20)
    if measure not in MEASURES or kind not in ("user", "team", "shared", "all"):
        raise Http404("Not found")
    if kind == "all":
        owners = [r.id for root in forecast.rows for r in root.flatten() if r.kind == "user"]
        return _("Everyone in view"), owners, measure
    try:
        pk = int(text_param(request.GET, "id", max_length=20))
    except ValueError:
        raise Http404("Not found") from None
    row = find_row(forecast, kind, pk)
    if row is None:
        raise Http404("Not found")
    return row.name, owners_of(row), measure


@login_required
def forecast_deals(request: AuthedHttpRequest) -> HttpResponse:
    """The deals behind one number of the forecast (the same filters the number was computed with)."""
    protected.refuse_forecast(request.user)
    period = _period(request)
    forecast = compute_forecast(request.user, period)
    name, owners, measure = _drill_scope(request, forecast)
    qs = opportunities_behind(request.user, period, measure=measure, owner_ids=owners)
    fmt = text_param(request.GET, "format", max_length=10)
    if fmt in ("csv", "xlsx"):
        return table_response(
            fmt,
            [
                _("Opportunity"),
                _("Account"),
                _("Owner"),
                _("Stage"),
                _("Forecast category"),
                _("Amount"),
                _("Currency"),
                _("Expected close date"),
                _("Closed"),
            ],
            (
                [
                    o.name,
                    o.account.name,
                    str(o.owner or ""),
                    str(o.stage),
                    o.get_forecast_category_display(),
                    o.amount,
                    o.currency,
                    o.expected_close_date or "",
                    o.closed_at.date() if o.closed_at else "",
                ]
                for o in qs.iterator(chunk_size=500)
            ),
            filename=f"forecast-{period.key}-{measure}",
            exported_by=request.user,
            what=f"forecast deals {period.key} {measure}",
        )
    labels = {
        "won": _("Closed won"),
        "commit": _("Commit"),
        "best_case": _("Best case"),
        "pipeline": _("Pipeline"),
        "open": _("Open pipeline"),
    }
    deals = list(qs[: DRILL_LIMIT + 1])
    return render(
        request,
        "insights/forecast_deals.html",
        {
            **_period_nav(period),
            "scope_name": name,
            "measure": measure,
            "measure_label": labels[measure],
            "deals": deals[:DRILL_LIMIT],
            "more": len(deals) > DRILL_LIMIT,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def forecast_csv(request: AuthedHttpRequest) -> HttpResponse:
    protected.refuse_forecast(request.user)
    period = _period(request)
    forecast = compute_forecast(request.user, period)
    header = [
        _("Level"),
        _("Name"),
        _("Quota"),
        _("Closed won"),
        _("Commit"),
        _("Manager's commit"),
        _("Best case"),
        _("Manager's best case"),
        _("Pipeline"),
        _("Weighted pipeline"),
        _("Attainment %"),
        _("Gap"),
        _("Coverage"),
    ]

    def fmt(value: Decimal | None, scale: int = 1) -> str:
        return "" if value is None else f"{value * scale:.2f}" if scale != 1 else f"{value:.0f}"

    rows = []
    for root in forecast.rows:
        for row in root.flatten():
            n = row.numbers.rounded()
            rows.append(
                [
                    row.depth,
                    ("  " * row.depth) + row.name,
                    fmt(n.quota),
                    fmt(n.won),
                    fmt(n.commit),
                    fmt(n.commit_call),
                    fmt(n.best_case),
                    fmt(n.best_case_call),
                    fmt(n.pipeline),
                    fmt(n.weighted),
                    fmt(row.numbers.attainment, 100),
                    fmt(row.numbers.gap),
                    fmt(row.numbers.coverage, 1),
                ]
            )
    kind = "xlsx" if text_param(request.GET, "format", max_length=10) == "xlsx" else "csv"
    return table_response(
        kind,
        header,
        rows,
        filename=f"forecast-{period.key}",
        exported_by=request.user,
        what=f"forecast {period.key}",
    )


@login_required
@require_POST
def adjust(request: AuthedHttpRequest) -> HttpResponse:
    period = _period(request)
    form = AdjustmentForm(request.POST)
    target = reverse("insights:forecast") + f"?period={period.key}"
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label or field}: {error}")
        return redirect(target)
    subject = User.objects.filter(
        pk=form.cleaned_data["subject"], pk__in=scope_user_ids(request.user)
    ).first()
    if subject is None:
        raise Http404("Not found")
    try:
        services.adjust_forecast(
            actor=request.user,
            subject=subject,
            period=period,
            category=form.cleaned_data["category"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your call on %(name)s's forecast is saved; their own number is kept.") % {"name": subject},
        )
    return redirect(target)


@login_required
@require_POST
def snapshot_now(request: AuthedHttpRequest) -> HttpResponse:
    period = _period(request)
    if not services.may_manage_quotas(request.user):
        raise PermissionDenied(_("Only managers and administrators take forecast snapshots."))
    services.take_snapshot(period, actor=request.user)
    messages.success(request, _("This week's snapshot of the forecast is recorded."))
    return redirect(reverse("insights:forecast") + f"?period={period.key}")


def _quota_targets(user: User) -> list[tuple[str, str]]:
    teams = Team.objects.filter(pk__in=scope_team_ids(user)).order_by("name")
    people = User.objects.filter(pk__in=scope_user_ids(user), is_active=True).order_by("display_name", "id")
    return [(f"t{t.pk}", _("Team: %(name)s") % {"name": t.name}) for t in teams] + [
        (f"u{p.pk}", str(p)) for p in people
    ]


@login_required
def quotas_page(request: AuthedHttpRequest) -> HttpResponse:
    period = _period(request)
    user = request.user
    targets = _quota_targets(user)
    form = QuotaForm(targets=targets)
    if request.method == "POST":
        form = QuotaForm(request.POST, targets=targets)
        if form.is_valid():
            raw = form.cleaned_data["target"]
            who = Team.objects.filter(pk=int(raw[1:])).first() if raw[0] == "t" else None
            person = User.objects.filter(pk=int(raw[1:])).first() if raw[0] == "u" else None
            try:
                services.set_quota(
                    actor=user, period=period, amount=form.cleaned_data["amount"], user=person, team=who
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Quota saved."))
                return redirect(reverse("insights:quotas") + f"?period={period.key}")
    rows = sorted(
        Quota.objects.filter(period_kind=period.kind, period_start=period.start)
        .filter(Q(user_id__in=scope_user_ids(user)) | Q(team_id__in=scope_team_ids(user)))
        .select_related("user", "team"),
        key=lambda q: (q.user_id is not None, str(q.team or q.user)),
    )
    return render(
        request,
        "insights/quotas.html",
        {**_period_nav(period), "quotas": rows, "form": form, "can_edit": services.may_manage_quotas(user)},
    )


@login_required
def rates_page(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = ExchangeRateForm()
    if request.method == "POST":
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            try:
                services.set_exchange_rate(actor=user, **form.cleaned_data)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Exchange rate saved."))
                return redirect("insights:rates")
    return render(
        request,
        "insights/rates.html",
        {"rates": ExchangeRate.objects.all()[:200], "form": form, "can_edit": user.is_admin},
    )
