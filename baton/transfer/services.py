"""Every write of the transfer app: jobs, mappings, starting, pausing, resuming and rolling back."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from baton.activities.tasks import enqueue_on_commit
from baton.core.audit import new_job_id
from baton.core.customfields.imports import known_choice
from baton.core.models import User
from baton.transfer import rollback as rollback_module
from baton.transfer.fields import (
    NEW_CHOICE,
    ChoiceIndex,
    Field,
    all_fields,
    fields_of,
    guess_mapping,
    is_custom_choice,
    new_choice_value,
)
from baton.transfer.models import DuplicatePolicy, ImportJob, Kind, Outcome, SavedMapping
from baton.transfer.reading import FileError, open_table
from baton.transfer.tasks import run_import

MAX_SOURCE = 60
MAX_CHOICE_LENGTH = 60  # as customfields.services keeps choice values


def require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise PermissionDenied(_("Only administrators import data."))


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "transfer"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_job(
    *,
    actor: User,
    upload: UploadedFile,
    kind: str,
    source: str,
    duplicates: str = DuplicatePolicy.MATCH,
    mapping: SavedMapping | None = None,
) -> ImportJob:
    """Store the upload (streamed to a file under MEDIA_ROOT, chunk by chunk), check its header and
    guess the column mapping (or take a saved one). A file that cannot be read is refused here."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose what the file holds.")]
    source = (source or "").strip()
    if not source:
        errors["source"] = [_("Name the system the file comes from (e.g. salesforce).")]
    elif len(source) > MAX_SOURCE:
        errors["source"] = [_("At most %(n)s characters.") % {"n": MAX_SOURCE}]
    if duplicates not in DuplicatePolicy.values:
        errors["duplicates"] = [_("Choose how to treat duplicates.")]
    name = Path(upload.name or "upload").name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        errors["file"] = [_("Upload a .csv or .xlsx file.")]
    if errors:
        raise ValidationError(errors)
    path = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    size = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
            size += len(chunk)
    try:
        table = open_table(path)
    except FileError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": [str(exc)]}) from exc
    if mapping is not None and mapping.kind == kind:
        columns = {c: f for c, f in mapping.columns.items() if c in table.headers}
        values = dict(mapping.values)
    else:
        columns, values = guess_mapping(kind, table.headers), {}
    return ImportJob.objects.create(
        job_id=new_job_id(),
        kind=kind,
        source=source,
        file_name=name,
        file_path=str(path),
        file_size=size,
        encoding=table.encoding,
        headers=table.headers,
        columns=columns,
        values=values,
        duplicates=duplicates,
        created_by=actor,
    )


def _editable(job: ImportJob) -> None:
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED):
        raise ValidationError(_("The import has started; its mapping can no longer change."))


@transaction.atomic
def set_mapping(
    job: ImportJob,
    *,
    actor: User,
    columns: dict[str, str],
    values: dict[str, dict[str, str]] | None = None,
    duplicates: str | None = None,
    save_as: str = "",
) -> ImportJob:
    """Which column fills which field, what unknown choice values stand for; optionally kept by name."""
    require_admin(actor)
    _editable(job)
    known = fields_of(job.kind)
    errors: dict[str, list[str]] = {}
    clean_columns: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, target in columns.items():
        if not target:
            continue
        if column not in job.headers:
            errors.setdefault("columns", []).append(_("The file has no column “%(c)s”.") % {"c": column})
        elif target not in known:
            errors.setdefault("columns", []).append(_("Unknown field “%(f)s”.") % {"f": target})
        elif target in used:
            errors.setdefault("columns", []).append(
                _("“%(a)s” and “%(b)s” both fill %(f)s.")
                % {"a": used[target], "b": column, "f": known[target].label}
            )
        else:
            clean_columns[column], used[target] = target, column
    clean_values: dict[str, dict[str, str]] = {}
    for name, pairs in (values or {}).items():
        if name not in known or not (known[name].type in ("choice", "user") or is_custom_choice(known[name])):
            errors.setdefault("values", []).append(_("%(f)s takes no value mapping.") % {"f": name})
            continue
        clean_values[name] = {str(k)[:200]: str(v)[:200] for k, v in pairs.items() if str(v).strip()}
        if is_custom_choice(known[name]):
            errors_of = _custom_value_mapping(known[name], clean_values[name])
            if errors_of:
                errors.setdefault("values", []).extend(errors_of)
            continue
        if known[name].type == "choice":
            index = ChoiceIndex(known[name], {})
            for raw, target in clean_values[name].items():
                resolved = index.resolve(target)
                if resolved is None:
                    errors.setdefault("values", []).append(
                        _("%(f)s: “%(v)s” is not one of the choices.") % {"f": known[name].label, "v": target}
                    )
                else:
                    clean_values[name][raw] = resolved
    if duplicates is not None and duplicates not in DuplicatePolicy.values:
        errors["duplicates"] = [_("Choose how to treat duplicates.")]
    save_as = (save_as or "").strip()[:100]
    if errors:
        raise ValidationError(errors)
    job.columns = clean_columns
    job.values = clean_values
    if duplicates:
        job.duplicates = duplicates
    job.status = ImportJob.Status.UPLOADED
    job.save(update_fields=["columns", "values", "duplicates", "status"])
    if save_as:
        SavedMapping.objects.update_or_create(
            kind=job.kind,
            name=save_as,
            defaults={"columns": clean_columns, "values": clean_values, "created_by": actor},
        )
    return job


def _custom_value_mapping(f: Field, pairs: dict[str, str]) -> list[str]:
    """Check (and normalise in place) a custom choice field's value mapping: each file value maps to
    one of the field's active choices (by value or label) or is to be added as a new choice."""
    errors = []
    for raw, target in pairs.items():
        if target == NEW_CHOICE:
            if not 0 < len(new_choice_value(raw)) <= MAX_CHOICE_LENGTH:
                errors.append(
                    _("%(f)s: “%(v)s” cannot be a choice (1 to %(n)s characters).")
                    % {"f": f.label, "v": raw[:80], "n": MAX_CHOICE_LENGTH}
                )
            continue
        found = known_choice(f.custom, target)
        if found is None or found not in dict(f.custom.active_choices()):
            errors.append(_("%(f)s: “%(v)s” is not one of the choices.") % {"f": f.label, "v": target})
        else:
            pairs[raw] = found
    return errors


@transaction.atomic
def start_dry_run(job: ImportJob, *, actor: User) -> ImportJob:
    require_admin(actor)
    _editable(job)
    job.status = ImportJob.Status.CHECKING
    job.save(update_fields=["status"])
    enqueue_on_commit(run_import, job.pk, True)
    return job


@transaction.atomic
def start_run(job: ImportJob, *, actor: User) -> ImportJob:
    """Queue the real run; only after a dry run of the current mapping."""
    require_admin(actor)
    if job.status != ImportJob.Status.CHECKED:
        raise ValidationError(_("Run a dry run of this mapping first."))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status"])
    enqueue_on_commit(run_import, job.pk, False)
    return job


@transaction.atomic
def pause(job: ImportJob, *, actor: User) -> ImportJob:
    require_admin(actor)
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.RUNNING, ImportJob.Status.QUEUED]
    ).update(status=ImportJob.Status.PAUSING)
    if not updated:
        raise ValidationError(_("Only a running import can be paused."))
    job.refresh_from_db()
    return job


@transaction.atomic
def resume(job: ImportJob, *, actor: User) -> ImportJob:
    require_admin(actor)
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.PAUSED, ImportJob.Status.PAUSING]
    ).update(status=ImportJob.Status.QUEUED)
    if not updated:
        raise ValidationError(_("Only a paused import can be resumed."))
    enqueue_on_commit(run_import, job.pk, False)
    job.refresh_from_db()
    return job


def rollback(job: ImportJob, *, actor: User) -> dict[str, int]:
    require_admin(actor)
    if job.status not in (ImportJob.Status.DONE, ImportJob.Status.PAUSED, ImportJob.Status.FAILED):
        raise ValidationError(_("Only a finished, paused or failed import can be rolled back."))
    return rollback_module.rollback(job, actor=actor)


def field_choices(kind: str) -> list[tuple[str, Any]]:
    return [(f.name, f.label) for f in all_fields(kind)]


def error_rows(job: ImportJob) -> Iterator[list[str]]:
    """The refused rows of the job's last run, as they were in the file, with the reason first;
    cells that a spreadsheet would run as a formula are neutralised."""
    yield ["row", "error", *job.headers]
    for row in job.rows.filter(outcome=Outcome.REFUSED).order_by("number").iterator(chunk_size=1000):
        yield [
            str(row.number),
            safe_cell(row.message),
            *(safe_cell(row.data.get(h, "")) for h in job.headers),
        ]


def safe_cell(value: Any) -> str:
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def error_file_text(job: ImportJob) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in error_rows(job):
        writer.writerow(line)
    return out.getvalue()
