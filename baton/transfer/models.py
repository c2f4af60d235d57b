"""Moving a company in: external ids, import jobs, their row-by-row results and saved column mappings.

An import job reads one uploaded file (CSV or XLSX) of one kind of record. Its dry run and its real run
go through the same code (``engine/``); the dry run's transaction is rolled back. Every row the real
run writes keeps what it changed (``ImportRow.changes``), so the job can be rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalId(models.Model):
    """A record's id in the system it came from: (source system, object type, id) → one record."""

    source = models.CharField(_("source system"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(_("external id"), max_length=120)
    object_id = models.BigIntegerField()
    job = models.ForeignKey(
        "transfer.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "external_id"], name="external_id_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="external_id_object_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class Kind(models.TextChoices):
    ACCOUNT = "account", _("Accounts")
    CONTACT = "contact", _("Contacts")
    LEAD = "lead", _("Leads")
    INTERACTION = "interaction", _("Lead interactions")
    OPPORTUNITY = "opportunity", _("Opportunities")
    STAGE_HISTORY = "stage_history", _("Stage history")
    ACTIVITY = "activity", _("Activities")
    LOST_REASON = "lost_reason", _("Lost reasons")
    DISQUALIFY_REASON = "disqualify_reason", _("Disqualification reasons")


class DuplicatePolicy(models.TextChoices):
    CREATE = "create", _("Always create new records")
    MATCH = "match", _("Link to a matching record, leave it as it is")
    MERGE = "merge", _("Merge into a matching record (fill its empty fields)")


class SavedMapping(models.Model):
    """A column mapping (and value mapping) kept under a name, to reuse for the next file of a kind."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    columns = models.JSONField(default=dict, blank=True)  # {file column: field}
    values = models.JSONField(default=dict, blank=True)  # {field: {file value: stored value}}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="saved_mapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Dry run running")
        CHECKED = "checked", _("Dry run done")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PAUSING = "pausing", _("Pausing")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        ROLLED_BACK = "rolled_back", _("Rolled back")

    job_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source system"), max_length=60)
    file_name = models.CharField(_("file"), max_length=200)
    file_path = models.CharField(max_length=500)
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=dict, blank=True)  # {file column: field}
    values = models.JSONField(default=dict, blank=True)  # {field: {file value: stored value}}
    unknown_values = models.JSONField(default=dict, blank=True)  # {field: [file values]} from the last run
    duplicates = models.CharField(
        _("duplicates"), max_length=10, choices=DuplicatePolicy.choices, default=DuplicatePolicy.MATCH
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    is_dry_run = models.BooleanField(default=False)  # what the stored rows are: a dry run's or the run's
    total_rows = models.PositiveIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)  # rows done by the real run (resume from here)
    counts = models.JSONField(default=dict, blank=True)  # {outcome: rows}
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(100 * self.next_row / self.total_rows))


class Outcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    MATCHED = "matched", _("Matched, unchanged")
    MERGED = "merged", _("Merged into an existing record")
    REFUSED = "refused", _("Refused")


class ImportRow(models.Model):
    """What one row of the file did (or, in a dry run, would do) and why; in a real run also the
    changes it wrote, for the rollback: [{"op": "create"|"update"|"link", "model", "id", "before"}]."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the row's line in the file (header = 1)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)  # the file's values, for the error file
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_row_unique")]
        indexes = [models.Index(fields=["job", "outcome", "number"], name="import_row_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.number} {self.outcome}"
