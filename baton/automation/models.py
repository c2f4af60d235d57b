"""Automation rules, their versions and their runs (issue 15).

A rule says: on this kind of record, when this happens (the trigger), if this CEL condition holds, do
these actions in order. Every save of a rule's definition writes a new ``RuleVersion``; a run always
points at the version it executed, so the log shows what the rule said at the time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    ACCOUNT = "account", _("Account")
    CONTACT = "contact", _("Contact")
    OPPORTUNITY = "opportunity", _("Opportunity")
    ACTIVITY = "activity", _("Activity")


class Trigger(models.TextChoices):
    CREATED = "created", _("Record created")
    FIELD_CHANGED = "field_changed", _("Field changed")
    STAGE_ENTERED = "stage_entered", _("Stage entered")
    DATE_RELATIVE = "date_relative", _("Relative to a date")
    INBOUND_EMAIL = "inbound_email", _("Inbound e-mail logged")
    FORM_SUBMISSION = "form_submission", _("Web form submission")


class Rule(models.Model):
    """An automation rule: its current definition (``version`` is the number of its latest version)."""

    name = models.CharField(_("name"), max_length=120)
    object_kind = models.CharField(_("object"), max_length=16, choices=ObjectKind.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    # field_changed: the field; stage_entered: the stage key (deal) or status (lead);
    # date_relative: the date field.
    trigger_field = models.CharField(_("field"), max_length=60, blank=True)
    trigger_value = models.CharField(_("stage"), max_length=60, blank=True)
    offset_days = models.IntegerField(
        _("days from the date"), default=0, help_text=_("Negative: before the date, e.g. -3.")
    )
    condition = models.TextField(_("condition (CEL)"), blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    sequence = models.PositiveIntegerField(_("order"), default=100)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("automation rule")
        indexes = [models.Index(fields=["object_kind", "enabled", "sequence"], name="autorule_kind_idx")]

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """One saved definition of a rule; runs reference it. ``author`` is whom the actions run as."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["rule_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="autoversion_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class Run(models.Model):
    """One execution of a rule version on a record for one trigger occurrence (unique: exactly once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RETRY = "retry", _("Waiting to retry")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Condition not met")
        PARKED = "parked", _("Failed (parked)")
        LOOP_STOPPED = "loop_stopped", _("Stopped: loop")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="runs")
    record_kind = models.CharField(max_length=16, choices=ObjectKind.choices)
    record_id = models.BigIntegerField()
    occurrence = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    depth = models.PositiveSmallIntegerField(default=0)
    chain = models.JSONField(default=list, blank=True)  # rule ids that led here (loop detection)
    inputs = models.JSONField(default=dict, blank=True)  # trigger and the facts the condition read
    actions_done = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "record_kind", "record_id", "occurrence"], name="autorun_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="autorun_due_idx"),
            models.Index(fields=["record_kind", "record_id", "-id"], name="autorun_record_idx"),
            models.Index(fields=["rule", "record_kind", "record_id", "created_at"], name="autorun_rate_idx"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.version}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RETRY)
