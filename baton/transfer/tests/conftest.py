import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from baton.transfer import engine, services
from baton.transfer.models import ImportJob


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_design_cache():
    from baton.process import services as process_services

    process_services.invalidate_design_cache()
    yield
    process_services.invalidate_design_cache()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def make_job(actor, kind, rows, *, source="oldcrm", encoding="utf-8", name="file.csv", content=None, **kw):
    upload = SimpleUploadedFile(name, content if content is not None else csv_bytes(rows, encoding))
    return services.create_job(actor=actor, upload=upload, kind=kind, source=source, **kw)


def dry(job, actor):
    return engine.dry_run(job, actor)


def run(job, actor):
    """Dry run, then the real run (the task runs in process); returns the job reloaded."""
    report = engine.dry_run(job, actor)
    job.refresh_from_db()
    services.start_run(job, actor=actor)
    job.refresh_from_db()
    if job.status == ImportJob.Status.QUEUED:  # no on_commit inside a test transaction: run it now
        engine.real_run(job.pk)
        job.refresh_from_db()
    job.dry_report = report
    return job
