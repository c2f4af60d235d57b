"""Report builder pages: build a report from the query string, see its table and chart, save and share
it, export it as CSV."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.params import text_param
from baton.core.xlsxout import table_response
from baton.insights import services
from baton.insights.models import ReportSubscription, SavedReport
from baton.insights.reports import (
    AGGREGATE_LABELS,
    OBJECTS,
    OPERATOR_LABELS,
    RELATIVE,
    Amounts,
    Definition,
    Result,
    display,
    parse_definition,
    record_rows,
    run_report,
    scalar,
)
from baton.insights.reports.parallel import run_reports
from baton.insights.reports.table import grid, result_table

EXPORT_FORMATS = ("csv", "xlsx")


def definition_from_query(query: QueryDict) -> dict[str, Any]:
    """The report in the page's query string: object, columns, f=field:op:value filters, group, agg."""
    filters = []
    for raw in query.getlist("f")[:20]:
        field, _sep, rest = raw.partition(":")
        op, _sep, value = rest.partition(":")
        filters.append({"field": field, "op": op or "eq", "value": value})
    # The builder's form sends each filter as three inputs (field, operator, value); blank rows are skipped.
    triples = zip(query.getlist("ff")[:20], query.getlist("fo")[:20], query.getlist("fv")[:20], strict=False)
    filters += [{"field": f, "op": o or "eq", "value": v} for f, o, v in triples if f]
    return {
        "object": query.get("object", "opportunities"),
        "columns": [c for c in query.getlist("col") if c][:20],
        "filters": filters,
        "group_by": [g for g in (query.get("group1", ""), query.get("group2", "")) if g],
        "aggregate": query.get("agg", "count"),
        "measure": query.get("measure", ""),
        "sort": query.get("sort", "-value"),
    }


def query_from_definition(data: dict[str, Any]) -> str:
    q = QueryDict(mutable=True)
    q["object"] = data["object"]
    q.setlist("col", data.get("columns", []))
    q.setlist("f", [f"{f['field']}:{f['op']}:{_flat(f.get('value'))}" for f in data.get("filters", [])])
    groups = data.get("group_by", [])
    if groups:
        q["group1"] = groups[0]
    if len(groups) > 1:
        q["group2"] = groups[1]
    q["agg"] = data.get("aggregate", "count")
    if data.get("measure"):
        q["measure"] = data["measure"]
    q["sort"] = data.get("sort", "-value")
    return q.urlencode()


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(display(v)) for v in value)
    return "" if value is None else str(display(value))


_grid = grid


def _count(value: Decimal | int | Amounts | None) -> Decimal:
    """A count of a ready-made report (a count is never per currency)."""
    return Decimal(value) if isinstance(value, Decimal | int) else Decimal(0)


def _export(result: Result, name: str, fmt: str, user: object = None) -> HttpResponse:
    header, rows = result_table(result)
    what = f"{name} ({result.definition.object.key})"
    return table_response(fmt, header, rows, filename=name, exported_by=user, what=what)


def _page(request: AuthedHttpRequest, definition: Definition, result: Result, report: SavedReport | None):
    definition = result.definition  # without what is protected from this user
    data = definition.as_data()
    chart = None
    if definition.group_by and not (isinstance(result.total, Amounts) and len(result.total) > 1):
        # Amounts in several currencies are not drawn on one axis.
        chart = {
            "labels": [result.label(0, r) for r in result.row_keys[:30]],
            "values": [scalar(result.row_totals.get(r)) or 0 for r in result.row_keys[:30]],
        }
    return render(
        request,
        "insights/report.html",
        {
            "objects": OBJECTS.values(),
            "obj": definition.object,
            "report_fields": definition.object.fields_for(request.user),
            "definition": definition,
            "data": data,
            "selected_columns": [c.key for c in definition.columns],
            "group_keys": [f"{f.key}:{b}" if b else f.key for f, b in definition.group_by],
            "result": result,
            "grid": _grid(result) if definition.group_by else [],
            "col_labels": [result.label(1, c) for c in result.col_keys]
            if len(definition.group_by) == 2
            else [],
            "col_totals": [display(result.col_totals.get(c)) for c in result.col_keys],
            "records": list(record_rows(result)) if not definition.group_by else [],
            "record_ids": [r["pk"] for r in result.records],
            "total": display(result.total),
            "aggregates": list(AGGREGATE_LABELS.items()),
            "aggregate_label": AGGREGATE_LABELS[definition.aggregate],
            "operators": list(OPERATOR_LABELS.items()),
            "data_json": json.dumps(data, ensure_ascii=False, default=str),
            "filter_rows": [
                {"field": f["field"], "op": f["op"], "value": _flat(f["value"])} for f in data["filters"]
            ],
            "relative": RELATIVE.items(),
            "query": query_from_definition(data),
            "report": report,
            "sharing": SavedReport.Sharing.choices,
            "chart": chart,
            "subscription": ReportSubscription.objects.filter(report=report, user=request.user).first()
            if report
            else None,
            "frequencies": ReportSubscription.Frequency.choices,
        },
    )


@login_required
def builder(request: AuthedHttpRequest) -> HttpResponse:
    try:
        definition = parse_definition(definition_from_query(request.GET))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        definition = parse_definition({"object": "opportunities"})
    result = run_report(definition, request.user)
    fmt = text_param(request.GET, "format", max_length=10)
    if fmt in EXPORT_FORMATS:
        return _export(result, f"report-{definition.object.key}", fmt, request.user)
    return _page(request, definition, result, None)


def _report_for(request: AuthedHttpRequest, pk: int) -> SavedReport:
    report = services.reports_for(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404("Not found")
    return report


@login_required
def saved(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    definition = parse_definition(report.definition)
    result = run_report(definition, request.user)
    fmt = text_param(request.GET, "format", max_length=10)
    if fmt in EXPORT_FORMATS:
        return _export(result, f"report-{report.pk}", fmt, request.user)
    return _page(request, definition, result, report)


@login_required
def report_list(request: AuthedHttpRequest) -> HttpResponse:
    reports = list(services.reports_for(request.user).order_by("-is_builtin", "name", "id"))
    for r in reports:
        r.query = query_from_definition(r.definition)  # type: ignore[attr-defined]
    return render(request, "insights/reports.html", {"reports": reports, "objects": OBJECTS.values()})


@login_required
@require_POST
def save(request: AuthedHttpRequest) -> HttpResponse:
    try:
        definition = json.loads(request.POST.get("definition", ""))
    except ValueError:
        definition = None
    pk = request.POST.get("report")
    report = _report_for(request, int(pk)) if pk and pk.isdigit() else None
    try:
        report = services.save_report(
            actor=request.user,
            name=request.POST.get("name", ""),
            definition=definition if isinstance(definition, dict) else {},
            sharing=request.POST.get("sharing", SavedReport.Sharing.PRIVATE),
            report=report,
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("insights:reports")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("insights:report_builder") + "?" + query_from_definition_safe(definition))
    messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
    return redirect("insights:report", pk=report.pk)


def query_from_definition_safe(definition: Any) -> str:
    try:
        return query_from_definition(parse_definition(definition).as_data())
    except (ValidationError, KeyError, TypeError, AttributeError):
        return ""


@login_required
@require_POST
def delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    try:
        services.delete_report(report, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("insights:report", pk=pk)
    messages.success(request, _("Report deleted."))
    return redirect("insights:reports")


# The seven questions of seed 003, in the reader's words, and what each ready-made report measures.
QUESTIONS = {
    1: (
        gettext_lazy("Is good opportunity being created continuously?"),
        gettext_lazy("New opportunities per month over the last year, by amount."),
    ),
    2: (
        gettext_lazy("What is our win rate?"),
        gettext_lazy(
            "Deals closed in the last 90 days. Win rate = won ÷ (won + lost + no decision); "
            "the competitive win rate leaves no decision out."
        ),
    ),
    3: (
        gettext_lazy("Why do we win or lose against competitors?"),
        gettext_lazy("Lost and no-decision deals of the last year by their reason."),
    ),
    4: (
        gettext_lazy("What would raise the win rate?"),
        gettext_lazy(
            "Closed deals of the last year by industry and outcome: where we win, and where we do not."
        ),
    ),
    5: (
        gettext_lazy("Which strategy do we take?"),
        gettext_lazy("Won revenue of the last year by company size: which customers our wins come from."),
    ),
    6: (
        gettext_lazy("Are revenue trends by region, product and service healthy?"),
        gettext_lazy(
            "Won revenue by region and quarter over the last year (by product family: the home page)."
        ),
    ),
    7: (
        gettext_lazy("Do we evaluate reps on activity as well as revenue?"),
        gettext_lazy("Activities done in the last 90 days per rep and type, next to what they won."),
    ),
}


@login_required
def seven_questions(request: AuthedHttpRequest) -> HttpResponse:
    """All seven questions with their current answers, each read from its ready-made report."""
    answers = []
    reports = list(SavedReport.objects.filter(is_builtin=True, question__isnull=False).order_by("question"))
    definitions = [parse_definition(report.definition) for report in reports]
    results = run_reports(definitions, request.user)
    for report, result in zip(reports, results, strict=True):
        question, meaning = QUESTIONS.get(report.question or 0, (str(report), ""))
        headline = None
        if report.question == 2:
            counts = {key: _count(result.row_totals.get(key)) for key in ("won", "lost", "no_decision")}
            closed = sum(counts.values())
            if closed:
                headline = {
                    "win_rate": Decimal(counts["won"]) / closed,
                    "competitive": (
                        Decimal(counts["won"]) / (counts["won"] + counts["lost"])
                        if counts["won"] + counts["lost"]
                        else None
                    ),
                    "no_decision": Decimal(counts["no_decision"]) / closed,
                }
        answers.append(
            {
                "number": report.question,
                "question": question,
                "meaning": meaning,
                "report": report,
                "result": result,
                "grid": _grid(result)[:8],
                "col_labels": [result.label(1, c) for c in result.col_keys]
                if len(result.definition.group_by) == 2
                else [],
                "total": display(result.total),
                "headline": headline,
            }
        )
    return render(request, "insights/seven_questions.html", {"answers": answers})
