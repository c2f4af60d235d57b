"""Import pages (administrators): upload, map columns and values, dry run, run with progress,
pause/resume, error file, rollback."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.params import choice_param, int_param
from baton.transfer import services
from baton.transfer.fields import NEW_CHOICE, ChoiceIndex, all_fields, fields_of, is_custom_choice
from baton.transfer.forms import UploadForm
from baton.transfer.models import DuplicatePolicy, ImportJob, Outcome

ROWS_PER_PAGE = 100
ACTIVE = (
    ImportJob.Status.CHECKING,
    ImportJob.Status.QUEUED,
    ImportJob.Status.RUNNING,
    ImportJob.Status.PAUSING,
)


def _admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators import data."))


def _job(request: AuthedHttpRequest, pk: int) -> ImportJob:
    _admin(request)
    return get_object_or_404(ImportJob, pk=pk)


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    _admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_job(
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                source=form.cleaned_data["source"],
                duplicates=form.cleaned_data["duplicates"],
                mapping=form.cleaned_data["mapping"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("transfer:job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:50]
    return render(request, "transfer/home.html", {"form": form, "jobs": jobs})


def _mapping_rows(job: ImportJob) -> list[dict]:
    fields = all_fields(job.kind)
    return [{"header": h, "current": job.columns.get(h, ""), "fields": fields} for h in job.headers]


def _unknown_rows(job: ImportJob) -> list[dict]:
    known = fields_of(job.kind)
    rows = []
    for name, raws in (job.unknown_values or {}).items():
        f = known.get(name)
        if f is None:
            continue
        if is_custom_choice(f):
            options = [*f.custom.active_choices(), (NEW_CHOICE, _("add as a new choice"))]
        else:
            options = [(c, c) for c in ChoiceIndex(f, {}).allowed()]
        rows.append(
            {
                "field": f,
                "values": [(raw, (job.values or {}).get(name, {}).get(raw, "")) for raw in raws],
                "options": options,
            }
        )
    return rows


@login_required
def job_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    outcome = choice_param(request.GET, "outcome", Outcome.values)
    rows = job.rows.order_by("number")
    if outcome:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(int_param(request.GET, "page", minimum=1) or 1)
    return render(
        request,
        "transfer/job.html",
        {
            "job": job,
            "mapping": _mapping_rows(job),
            "unknown": _unknown_rows(job),
            "policies": DuplicatePolicy.choices,
            "page": page,
            "outcome": outcome,
            "outcomes": Outcome.choices,
            "active": job.status in ACTIVE,
            "editable": job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED),
        },
    )


@login_required
def progress(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = render(request, "transfer/_progress.html", {"job": job, "active": job.status in ACTIVE})
    if job.status not in ACTIVE and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # finished: reload the page for the report
    return response


@login_required
@require_POST
def mapping(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    columns = {h: request.POST.get(f"col-{i}", "") for i, h in enumerate(job.headers)}
    values: dict[str, dict[str, str]] = {name: dict(pairs) for name, pairs in (job.values or {}).items()}
    for name, raws in (job.unknown_values or {}).items():
        for i, raw in enumerate(raws):
            target = request.POST.get(f"val-{name}-{i}", "")
            if target:
                values.setdefault(name, {})[raw] = target
    try:
        services.set_mapping(
            job,
            actor=request.user,
            columns=columns,
            values=values,
            duplicates=request.POST.get("duplicates") or None,
            save_as=request.POST.get("save_as", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Mapping saved. Run a dry run to see what it does."))
    return redirect("transfer:job", pk=job.pk)


def _act(request: AuthedHttpRequest, pk: int, action, done: str) -> HttpResponse:
    job = _job(request, pk)
    try:
        action(job, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("transfer:job", pk=job.pk)


@login_required
@require_POST
def dry_run(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.start_dry_run, _("Dry run started."))


@login_required
@require_POST
def run(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.start_run, _("Import started."))


@login_required
@require_POST
def pause(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.pause, _("The import pauses after the current batch."))


@login_required
@require_POST
def resume(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resume, _("Import resumed."))


@login_required
@require_POST
def rollback(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.rollback, _("The import was rolled back."))


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def errors(request: AuthedHttpRequest, pk: int) -> StreamingHttpResponse:
    """The refused rows as CSV (UTF-8 with BOM, so Excel opens Korean text), streamed."""
    job = _job(request, pk)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in services.error_rows(job):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
