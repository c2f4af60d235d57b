"""The run: each row in a savepoint through the handler of the job's kind (``Importer.handle``), the
dry run rolled back at the end, the real run committed ``BATCH`` rows at a time with the job's progress
and paused between batches when asked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import audit_context
from baton.core.models import User
from baton.core.services import ServiceError
from baton.transfer.engine.accounts import AccountRows
from baton.transfer.engine.activities import ActivityRows
from baton.transfer.engine.chunks import finish, flush_process, holding
from baton.transfer.engine.leads import LeadRows
from baton.transfer.engine.opportunities import OpportunityRows
from baton.transfer.engine.reasons import ReasonRows
from baton.transfer.engine.stage_history import PLACED, StageHistoryRows
from baton.transfer.fields import RowError, parse_datetime
from baton.transfer.models import ImportJob, ImportRow, Outcome
from baton.transfer.reading import FileError, open_table

log = logging.getLogger(__name__)

BATCH = 200
# False: each row's process work and audit rows inside the row, as before the chunks (the bench compares)
CHUNKED = True


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll its transaction back."""


@dataclass
class RowResult:
    number: int
    outcome: str
    message: str = ""
    external_id: str = ""
    model: type[models.Model] | None = None
    object_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def as_tuple(self) -> tuple[int, str, str, int | None]:
        """What a dry run and a real run must agree on (ids differ: a dry run's are rolled back)."""
        return (self.number, self.outcome, self.message, None)


class Importer(AccountRows, LeadRows, OpportunityRows, ActivityRows, ReasonRows, StageHistoryRows):
    """One job's rows: ``handle`` runs the job kind's handler (``_account``, ``_lead``, …) on a row."""

    def handle(self, number: int, raw: dict[str, Any]) -> RowResult:
        """One row in its own savepoint; inside a chunk (``self.held``), what a refused row held back
        is dropped with it."""
        held = self.held
        if held is not None and self.converts(raw):
            flush_process(held, PLACED)  # the conversion reads the process state of the rows before it
        mark = held.mark() if held is not None else None
        result = self._handle(number, raw)
        if held is not None and mark is not None and result.outcome == Outcome.REFUSED:
            held.drop_since(mark)
        return result

    def converts(self, raw: dict[str, Any]) -> bool:
        return self.job.kind == "lead" and any(
            name == "converted_at" and raw.get(column) not in (None, "")
            for column, name in self.columns.items()
        )

    def _handle(self, number: int, raw: dict[str, Any]) -> RowResult:
        self.changes = []
        ext = next((str(raw.get(c, ""))[:120] for c, n in self.columns.items() if n == "external_id"), "")
        try:
            with transaction.atomic():
                values = self.values_of(raw)
                handler: Callable[[dict[str, Any]], tuple[str, models.Model, str]] = getattr(
                    self, f"_{self.job.kind}"
                )
                outcome, record, message = handler(values)
        except (RowError, ValidationError, ServiceError, PermissionDenied) as exc:
            return RowResult(number, Outcome.REFUSED, _message(exc), external_id=ext, data=_texts(raw))
        except (DatabaseError, ValueError) as exc:
            # The database refused what validation let through (a constraint, a value too large):
            # the savepoint undid the row; the run goes on.
            log.info("import %s row %s refused by the database: %s", self.job.job_id, number, exc)
            message = _("The database refused the row: %(error)s") % {"error": str(exc)[:300]}
            return RowResult(number, Outcome.REFUSED, message, external_id=ext, data=_texts(raw))
        return RowResult(
            number,
            outcome,
            message,
            external_id=ext,
            model=type(record),
            object_id=record.pk,
            changes=self.changes,
        )


def _texts(raw: dict[str, Any]) -> dict[str, str]:
    return {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v)) for k, v in raw.items()}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.message_dict.items())
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


# --- the run ------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    rows: list[RowResult]
    counts: dict[str, int]
    unknown: dict[str, list[str]]
    error: str = ""


def _count(counts: dict[str, int], results: list[RowResult]) -> None:
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1


def _prepared(importer: Importer, raw: dict[str, Any]) -> None:
    """The created time is read before the handler so that the services' ``at=`` back-dates stays."""
    importer._created = None
    for column, name in importer.columns.items():
        if name == "created_at" and raw.get(column) not in (None, ""):
            try:
                importer._created = parse_datetime(raw[column], str(importer.fields[name].label))
            except RowError:
                importer._created = None


def run_chunk(importer: Importer, items: list[tuple[int, dict[str, Any]]]) -> list[RowResult]:
    """The chunk's rows, each all or nothing, with the process work and the audit rows they hold back
    done for the whole chunk at its end (``chunks.py``); if that end fails, the chunk is undone and run
    again row by row (each row's process work inside its own savepoint)."""

    def rows() -> list[RowResult]:
        out = []
        for number, raw in items:
            _prepared(importer, raw)
            out.append(importer.handle(number, raw))
        return out

    if not CHUNKED:
        return rows()
    try:
        with transaction.atomic(), holding() as held:
            importer.held = held
            try:
                results = rows()
                finish(held, PLACED)
            finally:
                importer.held = None
        return results
    except Exception:
        log.warning(
            "import %s: a chunk's batched work failed; running it row by row",
            importer.job.job_id,
            exc_info=True,
        )
    importer._reasons = {}
    return rows()


def _chunks(rows: Any) -> Any:
    """BATCH rows at a time; a file that breaks midway yields the rows read before it, then raises."""
    while True:
        items = []
        try:
            for _i in range(BATCH):
                item = next(rows, None)
                if item is None:
                    break
                items.append(item)
        except FileError:
            yield items
            raise
        yield items
        if len(items) < BATCH:
            return


def dry_run(job: ImportJob, actor: User, *, keep: int | None = None) -> RunReport:
    """Everything the real run would do, rolled back; the job keeps the row results (``keep`` limits
    how many are stored)."""
    importer = Importer(job, actor)
    results: list[RowResult] = []
    error = ""
    try:
        table = open_table(Path(job.file_path))
        missing = importer.missing_required()
        if missing:
            raise FileError(_("No column is mapped to: %(fields)s.") % {"fields": ", ".join(missing)})
        with audit_context(job_id=job.job_id, source="import"):
            try:
                with transaction.atomic():
                    importer.add_new_choices()
                    for items in _chunks(iter(table.rows())):
                        results.extend(run_chunk(importer, items))
                    raise _DryRunDone
            except _DryRunDone:
                pass
    except FileError as exc:
        error = str(exc)
    counts: dict[str, int] = {}
    _count(counts, results)
    with transaction.atomic():
        job.rows.all().delete()
        _store(job, results[:keep] if keep is not None else results, dry=True)
        job.is_dry_run = True
        job.counts = counts
        job.unknown_values = importer.unknown
        job.total_rows = len(results)
        job.error = error
        if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKING, ImportJob.Status.CHECKED):
            job.status = ImportJob.Status.UPLOADED if error else ImportJob.Status.CHECKED
        job.save(update_fields=["is_dry_run", "counts", "unknown_values", "total_rows", "error", "status"])
    return RunReport(results, counts, importer.unknown, error)


def _store(job: ImportJob, results: list[RowResult], *, dry: bool) -> None:
    ImportRow.objects.bulk_create(
        [
            ImportRow(
                job=job,
                number=r.number,
                outcome=r.outcome,
                message=r.message[:2000],
                external_id=r.external_id[:120],
                content_type=ContentType.objects.get_for_model(r.model) if (r.model and not dry) else None,
                object_id=None if dry else r.object_id,
                data=r.data,
                changes=[] if dry else r.changes,
            )
            for r in results
        ],
        batch_size=500,
    )


def real_run(job_pk: int) -> RunReport | None:
    """Run (or continue) a queued job: BATCH rows per transaction, pausing between batches when asked."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_pk)
        if job.status == ImportJob.Status.PAUSING:
            job.status = ImportJob.Status.PAUSED
            job.save(update_fields=["status"])
            return None
        if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            return None
        if job.is_dry_run:
            job.rows.all().delete()
            job.is_dry_run = False
            job.counts = {}
            job.next_row = 0
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "is_dry_run", "counts", "next_row"])
    actor = job.created_by
    if actor is None:
        job.status, job.error = (
            ImportJob.Status.FAILED,
            _("The person who started the import no longer exists."),
        )
        job.save(update_fields=["status", "error"])
        return None
    importer = Importer(job, actor)
    try:
        table = open_table(Path(job.file_path))
        rows = table.rows()
        done = 0
        for _skip in range(job.next_row):
            next(rows, None)
            done += 1
        with audit_context(job_id=job.job_id, source="import"), transaction.atomic():
            importer.add_new_choices()
        exhausted = False
        while not exhausted:
            with audit_context(job_id=job.job_id, source="import"), transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status == ImportJob.Status.PAUSING:
                    locked.status = ImportJob.Status.PAUSED
                    locked.save(update_fields=["status"])
                    return RunReport([], locked.counts, importer.unknown)
                items: list[tuple[int, dict[str, Any]]] = []
                for _i in range(BATCH):
                    item = next(rows, None)
                    if item is None:
                        exhausted = True
                        break
                    items.append(item)
                batch = run_chunk(importer, items)
                _store(locked, batch, dry=False)
                _count(locked.counts, batch)
                done += len(batch)
                locked.next_row = done
                locked.total_rows = max(locked.total_rows, done)
                if exhausted:
                    locked.status = ImportJob.Status.DONE
                    locked.finished_at = timezone.now()
                    locked.total_rows = done
                    locked.unknown_values = importer.unknown
                fields = ["next_row", "counts", "total_rows"]
                if exhausted:
                    fields += ["status", "finished_at", "unknown_values"]
                locked.save(update_fields=fields)
                job = locked
    except FileError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc))
        return RunReport([], job.counts, importer.unknown, str(exc))
    return RunReport([], job.counts, importer.unknown)
