"""Pages of The Model: the factory floor, the records behind a number, the record panel, the queues, the
stage design editor. Views are thin: they parse input, call one service, render."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.choices import CompanySize, Industry
from baton.core.http import AuthedHttpRequest
from baton.core.models import Team, User
from baton.core.params import date_param, text_param
from baton.core.records import can_edit, record_url
from baton.core.services import ServiceError
from baton.core.views_generic import run_action
from baton.deals.models import LostReason
from baton.deals.queries import offered_lost_reasons
from baton.leads.models import LeadSource
from baton.process import design as design_services
from baton.process import services
from baton.process.criteria import fact_names
from baton.process.fact_labels import readable_evidence
from baton.process.facts import kind_of
from baton.process.metrics import DRILLDOWN_METRICS, drilldown, flow_metrics
from baton.process.metrics_io import metrics_csv, parse_filters, parse_period
from baton.process.models import (
    Channel,
    Department,
    DesignVersion,
    HandOff,
    ProcessStage,
    QualificationAnswer,
    QualificationItem,
    Recycle,
    StageCriterion,
)
from baton.process.queries import (
    attach_records,
    follow_up_queue,
    get_record_for_user,
    handoff_queue,
    stage_history,
)

PERIODS = (7, 30, 90, 365)
CHART_MIN_ARRIVALS = 3


# --- the factory floor ------------------------------------------------------------------------------


@login_required
def floor(request: AuthedHttpRequest) -> HttpResponse:
    try:
        start, end, period = parse_period(request.GET)
        filters = parse_filters(request.GET)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("process:floor")
    metrics = flow_metrics(start, end, filters=filters, user=request.user)
    by_stage = {m.stage.pk: m for m in metrics.stages}
    departments: list[dict[str, Any]] = []
    for dept in Department.objects.filter(is_archived=False).order_by("sequence", "id"):
        cards = [
            m
            for m in metrics.stages
            if m.stage.department_id == dept.pk and (not m.stage.is_archived or m.wip)
        ]
        departments.append({"department": dept, "stages": cards})
    # The arrow after each stage: the flow to the next stage of the drawing.
    flat = [m for d in departments for m in d["stages"]]
    arrows = {}
    for a, b in itertools.pairwise(flat):
        t = metrics.transition(a.stage.key, b.stage.key)
        arrows[a.stage.pk] = t
    for m in flat:
        m.arrow = arrows.get(m.stage.pk)
    other_transitions = [
        t for t in metrics.transitions if arrows.get(t.from_stage.pk) is not t and (t.flow or t.conversions)
    ]
    query = request.GET.copy()
    chart = {
        "labels": [str(m.stage) for m in flat if m.dwell_median_days is not None],
        "median": [round(m.dwell_median_days, 2) for m in flat if m.dwell_median_days is not None],
        "p90": [round(m.dwell_p90_days or 0, 2) for m in flat if m.dwell_median_days is not None],
    }
    # Conversion over time: one line per open stage, % of each week's arrivals that moved forward. Weeks
    # with fewer than CHART_MIN_ARRIVALS arrivals are left out (a rate of 1 of 1 is noise); the five
    # busiest stages are shown, the others one click away in the legend.
    series: list[dict[str, Any]] = []
    for m in flat:
        if m.stage.is_terminal or m.stage.pk not in metrics.weekly:
            continue
        cells = metrics.weekly[m.stage.pk]
        series.append(
            {
                "label": str(m.stage),
                "data": [round(c * 100 / n, 1) if n >= CHART_MIN_ARRIVALS else None for n, c in cells],
                "arrivals": [n for n, _c in cells],
                "total": sum(n for n, _c in cells),
            }
        )
    busiest = sorted(series, key=lambda s: -s["total"])[:5]
    for item in series:
        item["hidden"] = item not in busiest
    conversion_chart = {"labels": [w.strftime("%m-%d") for w in metrics.weeks], "series": series}
    return render(
        request,
        "process/floor.html",
        {
            "metrics": metrics,
            "departments": departments,
            "arrows": arrows,
            "by_stage": by_stage,
            "other_transitions": other_transitions,
            "period": period,
            "periods": PERIODS,
            "filters": filters,
            "teams": Team.objects.order_by("name"),
            "owners": User.objects.filter(is_active=True).order_by("username")[:500],
            "sources": LeadSource.choices,
            "sizes": CompanySize.choices,
            "industries": Industry.choices,
            "querystring": query.urlencode(),
            "chart": chart,
            "conversion_chart": conversion_chart,
        },
    )


@login_required
def floor_csv(request: AuthedHttpRequest) -> HttpResponse:
    try:
        start, end, _period = parse_period(request.GET)
        filters = parse_filters(request.GET)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain")
    return metrics_csv(flow_metrics(start, end, filters=filters, user=request.user))


@login_required
def drill(request: AuthedHttpRequest, key: str, metric: str) -> HttpResponse:
    if metric not in DRILLDOWN_METRICS:
        raise Http404("Not found")
    stage = get_object_or_404(ProcessStage, key=key)
    to_stage = None
    to_key = text_param(request.GET, "to", max_length=60)
    if to_key:
        to_stage = get_object_or_404(ProcessStage, key=to_key)
    try:
        start, end, period = parse_period(request.GET)
        filters = parse_filters(request.GET)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("process:floor")
    qs = drilldown(stage, metric, start, end, filters=filters, user=request.user, to_stage=to_stage)
    rows = attach_records(list(qs[:200]))
    for row in rows:
        row.url = record_url(row.record_kind, row.record_id)
    return render(
        request,
        "process/drill.html",
        {
            "stage": stage,
            "metric": metric,
            "to_stage": to_stage,
            "rows": rows,
            "period": period,
            "querystring": request.GET.urlencode(),
            "truncated": len(rows) == 200,
        },
    )


# --- the per-record panel -----------------------------------------------------------------------------


def panel_context(user: User, record: Any) -> dict[str, Any]:
    design = services.load_design()
    kind = kind_of(record)
    stay, checks = services.next_stage_checks(record, design=design)
    answers = {
        a.item: a
        for a in QualificationAnswer.objects.filter(record_kind=kind, record_id=record.pk).select_related(
            "answered_by"
        )
    }
    items = [(value, label, answers.get(value)) for value, label in QualificationItem.choices]
    lost_reasons = []
    if kind == "opportunity":
        lost_reasons = list(offered_lost_reasons())
    current = stay.stage if stay else None
    by_stage = {check.stage.pk: check for check in checks}
    for check in checks:
        for result in check.results:
            result.readable = readable_evidence(result.evidence)
    # Every stage in process order, the current one marked; outcomes (won, lost) are decisions,
    # never "criteria met" while the record is open.
    steps = [
        {
            "stage": stage,
            "current": current is not None and stage.pk == current.pk,
            "check": by_stage.get(stage.pk),
            "outcome": stage.is_terminal,
        }
        for stage in sorted(design.active(kind), key=design.order)
    ]
    return {
        "kind": kind,
        "record": record,
        "stay": stay,
        "checks": checks,
        "steps": steps,
        # On a deal the pipeline stage buttons move it (and the process stage with it): one control.
        "move_here": kind != "opportunity",
        "history": list(stage_history(kind, record.pk)),
        "pending": services.pending_handoff(kind, record.pk),
        "items": items if kind != "account" else [],
        "can_move": can_edit(user, record),
        "lost_reasons": lost_reasons,
        "can_recycle": kind == "lead" or (current is not None and current.outcome in ("lost", "no_decision")),
        "default_follow_up": timezone.localdate() + dt.timedelta(days=services.DEFAULT_FOLLOW_UP_DAYS),
        "open_recycle": Recycle.objects.filter(
            record_kind=kind, record_id=record.pk, followed_up_at__isnull=True
        )
        .order_by("-recycled_at")
        .first(),
    }


def _panel_response(
    request: AuthedHttpRequest, record: Any, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {"panel": panel_context(request.user, record), "panel_error": error}
    template = "process/partials/_record_stage.html" if _is_htmx(request) else "process/record.html"
    return render(request, template, context, status=status)


def _is_htmx(request: AuthedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def record_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, kind, pk)
    return _panel_response(request, record)


def _act(request: AuthedHttpRequest, kind: str, pk: int, action: Any) -> HttpResponse:
    record = get_record_for_user(request.user, kind, pk)
    try:
        message = action(record)
    except ValidationError as exc:
        return _panel_response(request, record, status=422, error=" ".join(exc.messages))
    except (ServiceError, PermissionDenied) as exc:
        return _panel_response(
            request, record, status=403 if isinstance(exc, PermissionDenied) else 409, error=str(exc)
        )
    if message and not _is_htmx(request):
        messages.success(request, message)
    return _panel_response(request, record)


@login_required
@require_POST
def record_move(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    def action(record: Any) -> str:
        stage = ProcessStage.objects.filter(pk=_int(request.POST.get("stage"))).first()
        if stage is None:
            raise ValidationError({"stage": [_("Choose a stage.")]})
        lost_reason = None
        if request.POST.get("lost_reason"):
            lost_reason = LostReason.objects.filter(pk=_int(request.POST.get("lost_reason"))).first()
        result = services.move_record(
            record,
            stage,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            override=request.POST.get("override") in ("1", "on", "true"),
            lost_reason=lost_reason,
        )
        if isinstance(result, HandOff):
            return _("Handed off to %(dept)s; waiting for acceptance.") % {"dept": stage.department}
        return _("Moved to %(stage)s.") % {"stage": stage}

    return _act(request, kind, pk, action)


@login_required
@require_POST
def record_qualify(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    def action(record: Any) -> str:
        services.set_qualification(
            record,
            request.POST.get("item", ""),
            answer=request.POST.get("answer") in ("1", "on", "true"),
            evidence=request.POST.get("evidence", ""),
            actor=request.user,
        )
        return _("Checklist saved.")

    return _act(request, kind, pk, action)


@login_required
@require_POST
def record_recycle(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    def action(record: Any) -> str:
        services.recycle_record(
            record,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            follow_up_on=date_param(request.POST, "follow_up_on"),
        )
        return _("Recycled to nurture.")

    return _act(request, kind, pk, action)


def _int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


# --- queues: follow-ups and hand-offs ---------------------------------------------------------------


@login_required
def queues(request: AuthedHttpRequest) -> HttpResponse:
    followups = attach_records(list(follow_up_queue(request.user)[:200]))
    handoffs = attach_records(list(handoff_queue(request.user)[:200]))
    for row in followups + handoffs:
        row.url = reverse("process:record", args=[row.record_kind, row.record_id])
        row.can_decide = isinstance(row, HandOff) and services.can_act_for(
            request.user, row.to_stage.department
        )
    return render(
        request,
        "process/queues.html",
        {
            "followups": followups,
            "handoffs": handoffs,
            "reasons": HandOff.RejectReason.choices,
            "now": timezone.now(),
            "return_choices": HandOff.ReturnTo.choices,
        },
    )


@login_required
@require_POST
def followup_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    recycle = follow_up_queue(request.user, today=dt.date.max).filter(pk=pk).first()
    if recycle is None:
        raise Http404("Not found")
    run_action(
        request,
        lambda: services.complete_follow_up(recycle, actor=request.user, note=request.POST.get("note", "")),
        success=_("Follow-up done."),
    )
    return redirect("process:queues")


@login_required
@require_POST
def handoff_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    handoff = handoff_queue(request.user).filter(pk=pk).first()
    if handoff is None:
        raise Http404("Not found")
    if request.POST.get("decision") == "accept":
        run_action(
            request,
            lambda: services.accept_handoff(
                handoff,
                actor=request.user,
                note=request.POST.get("note", ""),
                take_ownership=not request.POST.get("keep_owner"),
            ),
            success=_("Hand-off accepted."),
        )
    else:
        run_action(
            request,
            lambda: services.reject_handoff(
                handoff,
                actor=request.user,
                reason_code=request.POST.get("reason_code", ""),
                return_to=request.POST.get("return_to") or HandOff.ReturnTo.NURTURE,
                note=request.POST.get("note", ""),
            ),
            success=_("Hand-off rejected."),
        )
    return redirect("process:queues")


# --- the stage design editor (admins) ---------------------------------------------------------------


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators change the stage design."))


@login_required
def design_page(request: AuthedHttpRequest, errors: dict | None = None, status: int = 200) -> HttpResponse:
    _require_admin(request)
    departments = list(Department.objects.prefetch_related("stages__criteria").order_by("sequence", "id"))
    for dept in departments:
        stage_list = sorted(dept.stages.all(), key=lambda s: (s.sequence, s.pk))
        dept.stage_list = stage_list  # type: ignore[attr-defined]  # read by the template only
        for stage in stage_list:
            stage.active_criteria = [c for c in stage.criteria.all() if not c.is_archived]  # type: ignore[attr-defined]  # template only

    return render(
        request,
        "process/design.html",
        {
            "departments": departments,
            "channels": Channel.choices,
            "errors": errors or {},
            "versions": DesignVersion.objects.select_related("created_by")[:10],
            "facts": {kind: fact_names(kind) for kind in ("lead", "opportunity", "account")},
            "kinds": [("lead", _("Lead")), ("opportunity", _("Opportunity")), ("account", _("Account"))],
        },
        status=status,
    )


def _design_action(request: AuthedHttpRequest, key: str, fn: Any) -> HttpResponse:
    _require_admin(request)
    try:
        fn()
    except ValidationError as exc:
        return design_page(request, errors={key: exc.messages}, status=422)
    messages.success(request, _("Design saved."))
    return redirect(reverse("process:design") + f"#{key}")


def _opt_int(raw: Any) -> int | None:
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Days must be a whole number.")) from None
    if value < 0 or value > 3650:
        raise ValidationError(_("Days must be between 0 and 3650."))
    return value


@login_required
@require_POST
def design_stage(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(ProcessStage, pk=pk)
    post = request.POST
    op = post.get("op", "save")

    def run() -> None:
        if op == "archive":
            design_services.archive_stage(stage, actor=request.user, archived=True)
        elif op == "restore":
            design_services.archive_stage(stage, actor=request.user, archived=False)
        elif op in ("up", "down"):
            ids = list(
                ProcessStage.objects.filter(department=stage.department_id)
                .order_by("sequence", "id")
                .values_list("id", flat=True)
            )
            i = ids.index(stage.pk)
            j = i - 1 if op == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
                design_services.reorder_stages(actor=request.user, department=stage.department, stage_ids=ids)
        else:
            design_services.update_stage(
                stage,
                actor=request.user,
                changes={
                    "name": post.get("name", ""),
                    "name_en": post.get("name_en", ""),
                    "sla_max_days": _opt_int(post.get("sla_max_days")),
                    "sla_accept_days": _opt_int(post.get("sla_accept_days")),
                    "channels": post.getlist("channels"),
                    "programs": post.get("programs", ""),
                    "is_handoff_entry": post.get("is_handoff_entry") == "on",
                },
            )

    return _design_action(request, f"stage-{stage.pk}", run)


@login_required
@require_POST
def design_stage_create(request: AuthedHttpRequest, dept: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=dept)
    post = request.POST
    return _design_action(
        request,
        f"dept-{department.pk}",
        lambda: design_services.create_stage(
            actor=request.user,
            department=department,
            record_kind=post.get("record_kind", ""),
            name=post.get("name", ""),
            name_en=post.get("name_en", ""),
            key=post.get("key", ""),
        ),
    )


@login_required
@require_POST
def design_criterion(request: AuthedHttpRequest, stage_pk: int) -> HttpResponse:
    stage = get_object_or_404(ProcessStage, pk=stage_pk)
    post = request.POST
    criterion = None
    if post.get("criterion"):
        criterion = get_object_or_404(StageCriterion, pk=_int(post.get("criterion")), stage=stage)

    def run() -> None:
        if criterion is not None and post.get("op") == "archive":
            design_services.archive_criterion(criterion, actor=request.user)
            return
        design_services.save_criterion(
            actor=request.user,
            stage=stage,
            criterion=criterion,
            name=post.get("name", ""),
            name_en=post.get("name_en", ""),
            expression=post.get("expression", ""),
            kind=post.get("kind", StageCriterion.Kind.ENTRY),
            required=post.get("required") == "on",
        )

    key = f"criterion-{criterion.pk}" if criterion else f"stage-{stage.pk}-new"
    return _design_action(request, key, run)
