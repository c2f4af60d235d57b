"""The import itself: one row at a time, all or nothing, through the domain services.

``dry_run(job, actor)`` and ``real_run(job_pk)`` read the job's file with its column and value mapping
and hand each row to the handler of the job's kind inside a savepoint: a refused row leaves nothing
behind. The dry run is the same code in one transaction that is rolled back at the end, so what it
reports is what the real run does. The real run commits every ``BATCH`` rows together with their
results and the job's progress, stops between batches when the job is paused, and continues from where
it stopped when resumed.

History keeps its dates: records are created with ``at=created_at`` (their first stage stay starts
then) and the file's created, converted and closed times are written onto them; stage
history rows are written as ``StageHistory`` rows directly (see ``stage_history.py``), replacing the
single stay an import placed a new record in.

Every write runs inside ``audit_context(job_id=…, source="import")``: the audit rows the services write
(one per record created) carry the job id.

Where things are:

- ``run.py``: ``dry_run``, ``real_run``, ``BATCH``, and ``Importer`` (one row: ``Importer.handle``).
- ``base.py``: reading and parsing a row, external ids, recording what a row wrote (for the rollback).
- ``duplicates.py``: create or update by external id, or by the job's duplicate policy.
- ``accounts.py``, ``leads.py``, ``opportunities.py``, ``activities.py``: the row handlers by kind.
- ``stage_history.py``: dated stage history rows and the clock process rows are written at.
"""

from baton.transfer.engine.base import MODELS, UNKNOWN_KEEP, model_label
from baton.transfer.engine.run import BATCH, Importer, RowResult, RunReport, dry_run, real_run
from baton.transfer.engine.stage_history import PLACED

__all__ = [
    "BATCH",
    "MODELS",
    "PLACED",
    "UNKNOWN_KEEP",
    "Importer",
    "RowResult",
    "RunReport",
    "dry_run",
    "model_label",
    "real_run",
]
