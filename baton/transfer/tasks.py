"""Background work of imports, run by the database task worker (``baton activities_worker``/``db_worker``)."""

from __future__ import annotations

import logging

try:  # Django 6 ships the tasks API; Django 5.2 uses the backport with the same API.
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from baton.transfer import engine
from baton.transfer.models import ImportJob

log = logging.getLogger(__name__)


@task()
def run_import(job_pk: int, dry: bool = False) -> str:
    """A dry run (results kept, writes rolled back) or the real run (continues where it paused)."""
    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is None:
        return "missing"
    try:
        if dry:
            if job.status != ImportJob.Status.CHECKING or job.created_by is None:
                return job.status
            engine.dry_run(job, job.created_by)
        else:
            engine.real_run(job_pk)
    except Exception as exc:  # the job must not stay "running" forever: say what happened
        log.exception("import job %s failed", job_pk)
        ImportJob.objects.filter(pk=job_pk).update(status=ImportJob.Status.FAILED, error=str(exc)[:2000])
        raise
    return ImportJob.objects.get(pk=job_pk).status
