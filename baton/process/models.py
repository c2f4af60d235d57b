"""The Model as data: departments, stages, measurable criteria, and the event-sourced stage history.

A record (lead, opportunity or account) is *in* a stage while it has an open ``StageHistory`` row
(``left_at`` is null); a partial unique constraint keeps that to one open stay per record, so the
open stay is the record's current stage. Stays are closed, never edited afterwards, and stages are
archived, never deleted, so history is never rewritten when the design changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baton.core.vocabulary import Vocabulary, localized


class RecordKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    ACCOUNT = "account", _("Account")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    SEMINAR = "seminar", _("Seminar / event")
    WEBINAR = "webinar", _("Webinar")
    ADVERTISING = "advertising", _("Advertising")
    CONTENT = "content", _("Content")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Field visit")
    PARTNER = "partner", _("Partner")


class Department(Vocabulary):
    """A department of the division of labour (seed 002): who owns which stages."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    # Roles (baton.core.models.Role values) whose members act for this department, e.g. accept hand-offs.
    roles = models.JSONField(_("roles"), default=list, blank=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class ProcessStage(Vocabulary):
    """One stage of the revenue process, owned by a department, holding one kind of record."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        NO_DECISION = "no_decision", _("No decision")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="stages")
    record_kind = models.CharField(_("record kind"), max_length=12, choices=RecordKind.choices)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)  # wider than the vocabulary's
    channels = models.JSONField(_("channels"), default=list, blank=True)
    programs = models.JSONField(_("programs / content"), default=list, blank=True)
    sla_max_days = models.PositiveSmallIntegerField(_("stay at most (days)"), null=True, blank=True)
    sla_accept_days = models.PositiveSmallIntegerField(
        _("accept within (working days)"), null=True, blank=True
    )
    is_handoff_entry = models.BooleanField(
        _("hand-off entry"),
        default=False,
        help_text=_("Records entering from another department wait until this department accepts them."),
    )
    is_recycle_target = models.BooleanField(_("recycle target (nurture)"), default=False)
    is_qualified_milestone = models.BooleanField(
        _("qualified milestone"),
        default=False,
        help_text=_("Reaching it counts as recycle yield (e.g. SQL)."),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    # The pipeline stage (baton.deals Stage.key) this stage mirrors; the services keep both in step.
    deal_stage_key = models.CharField(_("pipeline stage key"), max_length=40, blank=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("process stage")
        verbose_name_plural = _("process stages")

    @property
    def is_terminal(self) -> bool:
        return self.outcome != self.Outcome.OPEN


class StageCriterion(models.Model):
    """A measurable transition criterion: a CEL expression over the record's facts."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry")
        EXIT = "exit", _("Exit")

    stage = models.ForeignKey(ProcessStage, on_delete=models.PROTECT, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    expression = models.TextField(_("expression (CEL)"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ENTRY)
    required = models.BooleanField(_("required"), default=True)
    sequence = models.PositiveSmallIntegerField(default=10)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["stage", "kind", "sequence", "id"]
        verbose_name = _("stage criterion")
        verbose_name_plural = _("stage criteria")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class DesignVersion(models.Model):
    """Every change to the design bumps the version and keeps a snapshot of the whole design."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("design version")
        verbose_name_plural = _("design versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class Method(models.TextChoices):
    INITIAL = "initial", _("Entered the process")
    MANUAL = "manual", _("Manual")
    AUTO = "auto", _("Automatic (criteria met)")
    HANDOFF = "handoff", _("Hand-off accepted")
    REJECTED = "rejected", _("Hand-off rejected")
    RECYCLE = "recycle", _("Recycled")
    CONVERSION = "conversion", _("Lead conversion")
    SYNC = "sync", _("Pipeline stage changed")


class Segment(models.Model):
    """What flow metrics filter on, copied onto stays, hand-offs and recycles when they are written
    (``services.segment_of``): owner, team, source and the segment (company size and industry, from the
    lead or the account). Copies, not live joins: no foreign-key constraint, history keeps its values."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    source = models.CharField(max_length=20, blank=True)
    size = models.CharField(max_length=16, blank=True)
    industry = models.CharField(max_length=32, blank=True)

    class Meta:
        abstract = True


class StageHistory(Segment):
    """One stay of one record in one stage: entered, left, how, by whom, with the evidence.

    ``from_stage`` is the stage of the previous stay (null when the record entered the process);
    ``to_stage`` is set when the stay closes. Owner, team and source are copied at entry so flow
    metrics can filter without joining the record tables.
    """

    record_kind = models.CharField(max_length=12, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    stage = models.ForeignKey(ProcessStage, on_delete=models.PROTECT, related_name="stays")
    from_stage = models.ForeignKey(
        ProcessStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        ProcessStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    dwell_seconds = models.BigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.MANUAL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(max_length=120, blank=True, help_text="criteria, sweep, conversion, ...")
    is_override = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    design_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["record_kind", "record_id", "entered_at", "id"]
        verbose_name = _("stage history")
        verbose_name_plural = _("stage history")
        indexes = [
            models.Index(fields=["record_kind", "record_id", "entered_at"], name="stay_record_idx"),
            models.Index(fields=["stage", "entered_at"], name="stay_stage_entered_idx"),
            models.Index(fields=["stage", "left_at"], name="stay_stage_left_idx"),
            # Flow metrics scan a period by entry or by exit; covering indexes keep those scans index-only.
            models.Index(
                fields=["entered_at"],
                name="stay_entered_cover_idx",
                include=["stage", "to_stage", "team", "owner", "source", "size", "industry"],
            ),
            models.Index(
                fields=["left_at"],
                name="stay_left_cover_idx",
                include=["stage", "to_stage", "dwell_seconds", "team", "owner", "source", "size", "industry"],
            ),
            # Work in progress: the open stays of a stage, oldest first.
            models.Index(
                fields=["stage", "entered_at"], name="stay_open_idx", condition=Q(left_at__isnull=True)
            ),
            models.Index(fields=["team", "stage", "entered_at"], name="stay_team_idx"),
            models.Index(fields=["owner", "stage", "entered_at"], name="stay_owner_idx"),
            # Exact dwell percentiles from the floor's snapshots: the few stays of one dwell bucket.
            models.Index(
                fields=["stage", "dwell_seconds", "left_at"],
                name="stay_dwell_idx",
                condition=Q(left_at__isnull=False),
            ),
        ]
        constraints = [
            # A record is in one stage at a time: at most one open stay.
            models.UniqueConstraint(
                fields=["record_kind", "record_id"], condition=Q(left_at__isnull=True), name="stay_one_open"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="stay_left_after_entered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_kind}:{self.record_id} @ {self.stage_id}"


class HandOff(Segment):
    """A record offered by one department to the next, waiting for the receiver to accept or reject."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class RejectReason(models.TextChoices):
        NOT_QUALIFIED = "not_qualified", _("Not qualified enough")
        NO_BUDGET = "no_budget", _("No budget")
        BAD_DATA = "bad_data", _("Incomplete or wrong data")
        DUPLICATE = "duplicate", _("Duplicate")
        WRONG_DEPARTMENT = "wrong_department", _("Wrong department")
        TIMING = "timing", _("Not the right time")
        OTHER = "other", _("Other")

    class ReturnTo(models.TextChoices):
        NURTURE = "nurture", _("Back to nurture")
        SENDER = "sender", _("Back to the sender")

    record_kind = models.CharField(max_length=12, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    from_stage = models.ForeignKey(ProcessStage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(ProcessStage, on_delete=models.PROTECT, related_name="handoffs_in")
    # The record handing over when it differs from the receiving one (a won deal hands its account to CS).
    source_kind = models.CharField(max_length=12, choices=RecordKind.choices, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason_code = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    return_to = models.CharField(max_length=8, choices=ReturnTo.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        indexes = [
            models.Index(fields=["to_stage", "status", "requested_at"], name="handoff_queue_idx"),
            models.Index(fields=["record_kind", "record_id"], name="handoff_record_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record_kind", "record_id"], condition=Q(status="pending"), name="handoff_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_kind}:{self.record_id} → {self.to_stage_id} ({self.status})"


class Recycle(Segment):
    """A disqualified lead or lost deal sent back to nurture, with why and when to follow up."""

    record_kind = models.CharField(max_length=12, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    from_stage = models.ForeignKey(ProcessStage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(ProcessStage, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    follow_up_on = models.DateField(_("follow up on"))
    recycled_at = models.DateTimeField()
    recycled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["follow_up_on", "id"]
        verbose_name = _("recycled record")
        verbose_name_plural = _("recycled records")
        indexes = [
            models.Index(fields=["followed_up_at", "follow_up_on"], name="recycle_queue_idx"),
            models.Index(fields=["record_kind", "record_id"], name="recycle_record_idx"),
            models.Index(fields=["recycled_at"], name="recycle_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_kind}:{self.record_id} recycled {self.recycled_at:%Y-%m-%d}"


class QualificationItem(models.TextChoices):
    BUDGET = "budget", _("Budget")
    AUTHORITY = "authority", _("Authority")
    NEED = "need", _("Need")
    TIMEFRAME = "timeframe", _("Timeframe")
    BUSINESS_ISSUE = "business_issue", _("Business issue")
    RECOGNISED_PROBLEM = "recognised_problem", _("Recognised problem")
    SOLUTION_FIT = "solution_fit", _("Our solution applies")
    EXPECTED_EFFECT = "expected_effect", _("Expected effect")


BANT_ITEMS = ("budget", "authority", "need", "timeframe")
MODEL_ITEMS = ("business_issue", "recognised_problem", "solution_fit", "expected_effect")


class MeddpiccItem(models.TextChoices):
    """The MEDDPICC checklist of an opportunity (scoring reads and writes it; it is stored with the rest)."""

    METRICS = "metrics", _("Metrics")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    DECISION_CRITERIA = "decision_criteria", _("Decision criteria")
    DECISION_PROCESS = "decision_process", _("Decision process")
    PAPER_PROCESS = "paper_process", _("Paper process")
    IDENTIFY_PAIN = "identify_pain", _("Identify pain")
    CHAMPION = "champion", _("Champion")
    COMPETITION = "competition", _("Competition")


# Every checklist item one store holds: BANT, The Model's four conditions and MEDDPICC.
CHECKLIST_ITEMS = [*QualificationItem.choices, *MeddpiccItem.choices]


class QualificationAnswer(models.Model):
    """One checklist answer (BANT, The Model's four or MEDDPICC) for a record, with the evidence and who
    gave it: the one store of every qualification checklist."""

    record_kind = models.CharField(max_length=12, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    item = models.CharField(_("item"), max_length=24, choices=CHECKLIST_ITEMS)
    answer = models.BooleanField(_("confirmed"), default=False)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["record_kind", "record_id", "item"]
        verbose_name = _("qualification answer")
        verbose_name_plural = _("qualification answers")
        constraints = [
            models.UniqueConstraint(fields=["record_kind", "record_id", "item"], name="qualification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_kind}:{self.record_id} {self.item}={self.answer}"


class FloorDay(models.Model):
    """One pre-aggregated cell of the factory floor for one closed local day (``process.floor``).

    ``side`` "in": stays that entered ``stage`` that day, by the stage they left to (``to_stage`` as of
    the snapshot's cut, null while open then). ``side`` "out": stays that left ``stage`` that day, by
    ``to_stage`` and by whole days of dwell (``bucket``), with the SLA breaches and the smallest and
    largest dwell of the cell (enough to find an exact percentile). ``grain`` 0 sums everything (an
    administrator without filters); ``grain`` 1 keeps the stay's owner and team (the floor's filters)
    and the record's owner and team when the cell was built (what a reader may see)."""

    day = models.DateField()
    grain = models.PositiveSmallIntegerField(default=0)
    side = models.CharField(max_length=3)
    stage_id = models.IntegerField()
    to_stage_id = models.IntegerField(null=True)
    owner_id = models.IntegerField(null=True)
    team_id = models.IntegerField(null=True)
    rec_owner_id = models.IntegerField(null=True)
    rec_team_id = models.IntegerField(null=True)
    bucket = models.SmallIntegerField(null=True)
    n = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    dwell_min = models.BigIntegerField(null=True)
    dwell_max = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("factory floor day")
        verbose_name_plural = _("factory floor days")
        indexes = [
            models.Index(fields=["grain", "day"], name="floorday_grain_day_idx"),
            models.Index(fields=["rec_team_id", "day"], name="floorday_rec_team_idx"),
            models.Index(fields=["rec_owner_id", "day"], name="floorday_rec_owner_idx"),
            models.Index(fields=["team_id", "day"], name="floorday_team_idx"),
            models.Index(fields=["owner_id", "day"], name="floorday_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.side} {self.stage_id}: {self.n}"


class FloorState(models.Model):
    """Where the floor's daily snapshots stand (one row): days before ``built_through`` are built
    (except dirty ones); every "in" cell knows where its stays went as of ``cut``; stays with an id up to
    ``max_stay_id`` were seen; ``sla`` is the stage SLAs the breach counts were made with."""

    built_from = models.DateField(null=True)
    built_through = models.DateField(null=True)
    cut = models.DateTimeField(null=True)
    max_stay_id = models.BigIntegerField(default=0)
    sla = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("factory floor snapshot state")
        verbose_name_plural = _("factory floor snapshot state")

    def __str__(self) -> str:
        return f"built {self.built_from} – {self.built_through}, cut {self.cut}"


class FloorDirtyDay(models.Model):
    """A closed day whose snapshot no longer matches the stage history (a back-dated write, a record
    given to another owner): read live until the worker rebuilds it."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("factory floor day to rebuild")
        verbose_name_plural = _("factory floor days to rebuild")

    def __str__(self) -> str:
        return f"{self.day} (dirty since {self.marked_at})"
