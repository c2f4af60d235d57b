# mypy: disable-error-code="valid-type"
"""REST endpoints of imports, mounted under /api/v1/transfer/ by baton/api.py (administrators only).

Upload: ``POST /transfer/jobs?kind=lead&source=oldcrm&file_name=leads.csv`` with the file itself as the
request body (any content type), read in chunks to a file, never whole into memory. Then map
(``PUT …/mapping``), ``POST …/dry-run``, read the report (``GET …/rows``), ``POST …/run``, poll
``GET /transfer/jobs/{id}``, pause/resume, fetch the refused rows, roll back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from baton.core.api import InputSchema, Text, actor, choice, path_id, responses
from baton.transfer import services
from baton.transfer.models import DuplicatePolicy, ImportJob, Kind, Outcome

router = Router()
CHUNK = 1 << 20


class JobOut(Schema):
    id: int
    job_id: str
    kind: str
    source: str
    file_name: str
    encoding: str
    headers: list[str]
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    unknown_values: dict[str, list[str]]
    duplicates: str
    status: str
    is_dry_run: bool
    total_rows: int
    next_row: int
    progress_percent: int
    counts: dict[str, int]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class RowOut(Schema):
    number: int
    outcome: str
    message: str
    external_id: str
    record_type: str | None
    record_id: int | None

    @staticmethod
    def resolve_record_type(obj: Any) -> str | None:
        return obj.content_type.model if obj.content_type_id else None

    @staticmethod
    def resolve_record_id(obj: Any) -> int | None:
        return obj.object_id


class UploadQuery(Schema):
    """Checked after the caller's role (a non-administrator gets 403 whatever they send)."""

    kind: str = Field("", max_length=20, description="|".join(Kind.values))
    source: str = Field("", max_length=200)
    file_name: str = Field("", max_length=200)
    duplicates: str = Field(
        DuplicatePolicy.MATCH.value, max_length=20, description="|".join(DuplicatePolicy.values)
    )


class MappingIn(InputSchema):
    """``columns``: {file column: field}; ``values``: {field: {file value: stored value}}. For a custom
    choice field (``cf_<key>``) the stored value is one of its choices, or ``__new__`` to add the file's
    value as a new choice when the import runs."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = {}
    duplicates: choice(DuplicatePolicy.values) | None = None
    save_as: Text(100) = ""


class RowsQuery(Schema):
    outcome: str = Field("", pattern="^(|created|updated|matched|merged|refused)$")
    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(100, ge=1, le=1000)


class RollbackOut(Schema):
    undone: int
    kept: int


def _admin(request: HttpRequest) -> Any:
    user = actor(request)
    if not user.is_admin:
        raise PermissionDenied("Only administrators import data.")
    return user


def _job(request: HttpRequest, id: int) -> ImportJob:
    _admin(request)
    return get_object_or_404(ImportJob, pk=id)


class _Body:
    """The request body as an upload: read in chunks."""

    def __init__(self, request: HttpRequest, name: str):
        self.request = request
        self.name = name

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.request.read(CHUNK):
            yield chunk


@router.get("/jobs", response=responses({200: list[JobOut]}), tags=["transfer"], summary="Import jobs")
def list_jobs(request: HttpRequest):
    _admin(request)
    return list(ImportJob.objects.order_by("-created_at", "-id")[:100])


@router.post("/jobs", response=responses({201: JobOut}), tags=["transfer"], summary="Upload a file to import")
def upload(request: HttpRequest, query: Query[UploadQuery]):
    """The request body is the CSV or XLSX file. The answer has the columns found and the guessed mapping."""
    user = _admin(request)
    job = services.create_job(
        actor=user,
        upload=_Body(request, query.file_name),  # type: ignore[arg-type]
        kind=query.kind,
        source=query.source,
        duplicates=query.duplicates,
    )
    return Status(201, job)


@router.get("/jobs/{id}", response=responses({200: JobOut}), tags=["transfer"], summary="An import job")
def get_job(request: HttpRequest, id: int = path_id()):
    return _job(request, id)


@router.put(
    "/jobs/{id}/mapping",
    response=responses({200: JobOut}),
    tags=["transfer"],
    summary="Map columns and values",
)
def set_mapping(request: HttpRequest, payload: MappingIn, id: int = path_id()):
    job = _job(request, id)
    return services.set_mapping(
        job,
        actor=actor(request),
        columns=payload.columns,
        values=payload.values,
        duplicates=payload.duplicates,
        save_as=payload.save_as,
    )


@router.post(
    "/jobs/{id}/dry-run", response=responses({202: JobOut}), tags=["transfer"], summary="Start a dry run"
)
def dry_run(request: HttpRequest, id: int = path_id()):
    return Status(202, services.start_dry_run(_job(request, id), actor=actor(request)))


@router.post(
    "/jobs/{id}/run", response=responses({202: JobOut}), tags=["transfer"], summary="Start the import"
)
def run(request: HttpRequest, id: int = path_id()):
    return Status(202, services.start_run(_job(request, id), actor=actor(request)))


@router.post(
    "/jobs/{id}/pause", response=responses({200: JobOut}), tags=["transfer"], summary="Pause the import"
)
def pause(request: HttpRequest, id: int = path_id()):
    return services.pause(_job(request, id), actor=actor(request))


@router.post(
    "/jobs/{id}/resume", response=responses({202: JobOut}), tags=["transfer"], summary="Resume the import"
)
def resume(request: HttpRequest, id: int = path_id()):
    return Status(202, services.resume(_job(request, id), actor=actor(request)))


@router.post(
    "/jobs/{id}/rollback",
    response=responses({200: RollbackOut}),
    tags=["transfer"],
    summary="Roll the import back",
)
def rollback(request: HttpRequest, id: int = path_id()):
    return services.rollback(_job(request, id), actor=actor(request))


@router.get(
    "/jobs/{id}/rows", response=responses({200: list[RowOut]}), tags=["transfer"], summary="Row results"
)
def rows(request: HttpRequest, query: Query[RowsQuery], id: int = path_id()):
    """What each row did (or, after a dry run, would do) and why, in file order."""
    job = _job(request, id)
    qs = job.rows.select_related("content_type").order_by("number")
    if query.outcome:
        qs = qs.filter(outcome=query.outcome)
    return list(qs[query.offset : query.offset + query.limit])


__all__ = ["Outcome", "router"]
