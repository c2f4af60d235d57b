"""Support cases: a customer's problem or request on an account (and optionally a contact and a
contract), its comments, and the SLA it runs under.

An SLA target is counted in business minutes of the support calendar (``SupportHours``: working days of
``core.workdays``, so Korean public holidays included, between a daily start and end) or round the clock
(``SlaPolicy.Calendar.ALWAYS``). A case copies its policy's targets when opened, so editing a policy
never moves the deadlines of cases already open. While a case waits on the customer its resolution
clock stops: the business minutes used so far are kept in ``resolution_used_minutes`` and
``clock_started_at`` is empty; when work resumes the deadline is computed again from what is left.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.records import OwnedRecord


class SupportHours(models.Model):
    """The support calendar business-hours SLAs count in (one row; the defaults until an admin edits it)."""

    day_start = models.TimeField(_("business day starts"), default=dt.time(9))
    day_end = models.TimeField(_("business day ends"), default=dt.time(18))

    class Meta:
        verbose_name = _("support hours")
        verbose_name_plural = _("support hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_end__gt=models.F("day_start")), name="supporthours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day_start:%H:%M}-{self.day_end:%H:%M}"


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class SlaPolicy(models.Model):
    """First-response and resolution targets of one priority, in minutes of its calendar."""

    class Calendar(models.TextChoices):
        BUSINESS = "business", _("Business hours (Korean working days)")
        ALWAYS = "always", _("Round the clock (24×7)")

    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    calendar = models.CharField(
        _("calendar"), max_length=16, choices=Calendar.choices, default=Calendar.BUSINESS
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn when this percentage of the target is used"), default=80
    )

    class Meta:
        ordering = ["first_response_minutes", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return str(self.get_priority_display())


class Case(OwnedRecord):
    """A support case. ``owner`` is the assignee, ``team`` the queue it waits in."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Category(models.TextChoices):
        QUESTION = "question", _("Question")
        PROBLEM = "problem", _("Problem")
        INCIDENT = "incident", _("Incident (service down)")
        REQUEST = "request", _("Service request")

    number = models.CharField(_("number"), max_length=40, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="cases"
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    contract = models.ForeignKey(
        "success.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.QUESTION
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    opened_at = models.DateTimeField(_("opened"))
    # The SLA, copied from the policy when the case was opened.
    calendar = models.CharField(max_length=16, choices=SlaPolicy.Calendar.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    warn_percent = models.PositiveSmallIntegerField(default=80)
    first_response_due = models.DateTimeField(_("first response due"))
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_breached = models.BooleanField(_("first response breached"), default=False)
    # The resolution clock: minutes used before the running segment, the segment's start (empty while
    # paused or stopped), and the deadline and warning time of the running segment.
    resolution_used_minutes = models.PositiveIntegerField(default=0)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    waiting_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["account", "status"], name="case_account_idx"),
            models.Index(fields=["status", "priority"], name="case_status_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_idx"),
            models.Index(fields=["team", "status"], name="case_team_idx"),
            models.Index(fields=["resolution_due"], name="case_resolution_due_idx"),
            models.Index(fields=["first_response_due"], name="case_first_response_due_idx"),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached


class CaseComment(models.Model):
    """A note on a case: customer-visible (a reply) or internal, kept apart."""

    audit_parent = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    # A reply e-mailed to the case's contact (never an internal note).
    email = models.OneToOneField(
        "activities.EmailMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_comment",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        verbose_name = _("case comment")
        verbose_name_plural = _("case comments")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class CaseMail(models.Model):
    """An e-mail of a case: the customer's mail to the support address threaded into it, or a reply
    sent to the customer from the case (so the customer's answer to it threads back by In-Reply-To)."""

    audit_parent = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mails")
    email = models.OneToOneField(
        "activities.EmailMessage", on_delete=models.CASCADE, related_name="case_mail"
    )
    opened_case = models.BooleanField(_("opened the case"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        verbose_name = _("case e-mail")
        verbose_name_plural = _("case e-mails")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.email_id}"
