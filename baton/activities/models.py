"""Activities around a customer: tasks, events, calls, emails, notes and meeting minutes, their open
"?" questions, the per-record feed, follows, notifications, reminders and mail.

Links to the customer record are four explicit nullable foreign keys (lead, account, contact,
opportunity) rather than a generic relation, so that every record page is one indexed query and
lists can join the linked record.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baton.core.i18n_text import render_message
from baton.core.records import OwnedQuerySet, OwnedRecord, record_model, team_child_q
from baton.core.textsearch import Searchable

LINK_FIELDS = ("lead", "account", "contact", "opportunity")


def _link_fk(model: str, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        model, null=True, blank=True, on_delete=models.CASCADE, related_name=related_name
    )


# The record an activity, feed entry or comment is about: the most specific of its links (a deal or
# contact also links its account so it shows on the account's 360° page, but it is still the deal's).
OWN_RECORD_ORDER = ("opportunity", "contact", "lead", "account")


def visible_records(model: type[models.Model], user: Any) -> OwnedQuerySet:
    """The rows of a customer record model (lead, account, contact, opportunity) ``user`` may see;
    their managers are ``OwnedQuerySet`` managers (``core.records.OwnedRecord``)."""
    queryset = model._default_manager.all()
    assert isinstance(queryset, OwnedQuerySet)
    return queryset.visible_to(user)


def linked_visibility(user: Any, prefix: str = "") -> Q:
    """Rows whose *own* record (see ``OWN_RECORD_ORDER``) the user may see. Being able to see the
    account a deal's note is also linked to does not show the note."""
    cond = Q(pk__in=[])
    unset: dict[str, bool] = {}
    for name in OWN_RECORD_ORDER:
        visible = visible_records(record_model(name), user).values("id")
        cond |= Q(**unset, **{f"{prefix}{name}_id__in": visible})
        unset[f"{prefix}{name}__isnull"] = True
    return cond


class ActivityQuerySet(OwnedQuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        """Visible when the user owns it, is assigned to it, may see the owner's team (managers see
        their teams' work; teammates too, unless it is about a record of a kind that is private by
        default) or may see the record it is about (its own record, not any record it is also linked
        to)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        cond = (
            Q(owner_id=user.pk)
            | team_child_q(user, {name: f"{name}_id" for name in OWN_RECORD_ORDER})
            | Q(pk__in=Activity.assignees.through.objects.filter(user_id=user.pk).values("activity_id"))
            | linked_visibility(user)
        )
        return self.filter(cond)


class Activity(Searchable, OwnedRecord):
    """A task, event, call, email, note or meeting minutes about a customer record."""

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        EVENT = "event", _("Event")
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        NOTE = "note", _("Note")
        MINUTES = "minutes", _("Meeting minutes")

    class EventType(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Customer visit")
        SEMINAR = "seminar", _("Seminar")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Direction(models.TextChoices):
        NONE = "", _("—")
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.TASK)
    event_type = models.CharField(_("event type"), max_length=16, choices=EventType.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("description"), blank=True)
    preparation = models.TextField(_("preparation notes"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    start_at = models.DateTimeField(_("starts"), null=True, blank=True)
    end_at = models.DateTimeField(_("ends"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    remind_minutes = models.PositiveIntegerField(_("remind minutes before"), null=True, blank=True)

    lead = _link_fk("leads.Lead", "activities")
    account = _link_fk("accounts.Account", "activities")
    contact = _link_fk("accounts.Contact", "activities")
    opportunity = _link_fk("deals.Opportunity", "activities")

    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), blank=True, related_name="assigned_activities"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Meeting minutes
    attendees_internal = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our attendees"), blank=True, related_name="+"
    )
    attendees_external = models.TextField(_("their attendees"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)

    SEARCH_FIELDS = ("subject",)

    # The activity's own visibility rule replaces OwnedRecord's (same manager attribute, narrower type).
    objects = ActivityQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_at__isnull=True)
                | Q(end_at__isnull=True)
                | Q(end_at__gte=models.F("start_at")),
                name="activity_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="act_owner_due_idx"),
            models.Index(fields=["owner", "start_at"], name="act_owner_start_idx"),
            models.Index(fields=["team", "start_at"], name="act_team_start_idx"),
            models.Index(fields=["account", "-created_at", "-id"], name="act_account_idx"),
            models.Index(fields=["contact", "-created_at", "-id"], name="act_contact_idx"),
            models.Index(fields=["lead", "-created_at", "-id"], name="act_lead_idx"),
            models.Index(fields=["opportunity", "-created_at", "-id"], name="act_opp_idx"),
            models.Index(fields=["status", "due_at"], name="act_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def when(self):
        return self.start_at or self.due_at

    @property
    def record(self):
        return self.opportunity or self.contact or self.account or self.lead


class OpenQuestion(models.Model):
    """An unknown written as "?" in meeting minutes (or asked on a record), followed up until answered."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("answer"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("follow-up by"), on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField(_("follow up by"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Copied from the activity so "open ? items on this record" is one indexed count.
    lead = _link_fk("leads.Lead", "open_questions")
    account = _link_fk("accounts.Account", "open_questions")
    contact = _link_fk("accounts.Contact", "open_questions")
    opportunity = _link_fk("deals.Opportunity", "open_questions")

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        indexes = [
            models.Index(fields=["owner", "status"], name="q_owner_status_idx"),
            models.Index(fields=["account", "status"], name="q_account_idx"),
            models.Index(fields=["opportunity", "status"], name="q_opp_idx"),
        ]

    def __str__(self) -> str:
        return self.question


class Attachment(models.Model):
    """A recording or file attached to an activity (e.g. the recording of a meeting)."""

    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # Files of inbound mail: kept with the mail (also while it waits in the review queue).
    email = models.ForeignKey(
        "EmailMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("recording or file"), upload_to="activities/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class FeedEntry(models.Model):
    """One item in a record's feed: a comment, an activity, an email, a request, a "?" answered.

    Field and stage changes are not copied here: the feed merges the record's ChangeLog rows in.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        ACTIVITY = "activity", _("Activity")
        EMAIL = "email", _("Email")
        REQUEST = "request", _("Request")
        QUESTION = "question", _("Question")
        ANSWER = "answer", _("Answer")
        COMPLETED = "completed", _("Completed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)  # sanitised HTML for comments, plain text otherwise
    # A generated entry ("Asked X: ...") keeps its message code and parameters (baton.core.i18n_text)
    # so each reader sees it in their language; ``text`` is the copy rendered when it was written.
    message = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    lead = _link_fk("leads.Lead", "feed_entries")
    account = _link_fk("accounts.Account", "feed_entries")
    contact = _link_fk("accounts.Contact", "feed_entries")
    opportunity = _link_fk("deals.Opportunity", "feed_entries")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="feed_account_idx"),
            models.Index(fields=["contact", "-created_at", "-id"], name="feed_contact_idx"),
            models.Index(fields=["lead", "-created_at", "-id"], name="feed_lead_idx"),
            models.Index(fields=["opportunity", "-created_at", "-id"], name="feed_opp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"

    @property
    def display_text(self) -> str:
        """The entry in the reader's active language (comments are stored as written)."""
        return render_message(self.message, fallback=self.text)


class Follow(models.Model):
    """A user following (active) or having unfollowed (inactive) a record. Owners follow their
    records without a row; an inactive row records that an owner opted out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lead = _link_fk("leads.Lead", "follows")
    account = _link_fk("accounts.Account", "follows")
    contact = _link_fk("accounts.Contact", "follows")
    opportunity = _link_fk("deals.Opportunity", "follows")

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", name], name=f"follow_unique_{name}")
            for name in LINK_FIELDS
        ] + [
            models.CheckConstraint(
                condition=(
                    Q(
                        lead__isnull=False,
                        account__isnull=True,
                        contact__isnull=True,
                        opportunity__isnull=True,
                    )
                    | Q(
                        lead__isnull=True,
                        account__isnull=False,
                        contact__isnull=True,
                        opportunity__isnull=True,
                    )
                    | Q(
                        lead__isnull=True,
                        account__isnull=True,
                        contact__isnull=False,
                        opportunity__isnull=True,
                    )
                    | Q(
                        lead__isnull=True,
                        account__isnull=True,
                        contact__isnull=True,
                        opportunity__isnull=False,
                    )
                ),
                name="follow_exactly_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} follows"


class Notification(models.Model):
    """Something a user should see in the bell: a mention, an assignment, a reply, a change on a record
    they follow, a request, a reminder or an overdue alert."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        ASSIGNMENT = "assignment", _("Assignment")
        REPLY = "reply", _("Reply")
        CHANGE = "change", _("Change on a followed record")
        REQUEST = "request", _("Request")
        REMINDER = "reminder", _("Reminder")
        OVERDUE = "overdue", _("Overdue")
        ANSWER = "answer", _("Question answered")
        MAIL_FAILED = "mail_failed", _("Mail not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # ``text`` is the message rendered when it was written; ``message`` the code and parameters
    # (baton.core.i18n_text) pages translate at read time, in the reader's current language.
    text = models.CharField(max_length=300)
    message = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The ChangeLog row a "change on a followed record" notification is about: with the unique
    # constraint, running the notifying task twice never notifies anyone twice.
    change_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_idx")]
        constraints = [models.UniqueConstraint(fields=["recipient", "change_id"], name="notif_unique_change")]

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        """The notification in the reader's active language."""
        return render_message(self.message, fallback=self.text)[:300]


class Reminder(models.Model):
    """One alert to deliver once: before an event or when a task is overdue.

    Workers claim a row with a conditional UPDATE (``claimed_at IS NULL``), so two workers running
    at once never both deliver it.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the event")
        OVERDUE = "overdue", _("Overdue")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    fire_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "recipient", "kind", "fire_at"], name="reminder_unique_fire"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "fire_at"], name="reminder_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id} → {self.recipient_id}"


class EmailTemplate(models.Model):
    """A reusable mail with merge fields such as {{ contact_name }}, in Korean or English."""

    class Language(models.TextChoices):
        KO = "ko", _("Korean")
        EN = "en", _("English")

    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KO)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_shared = models.BooleanField(_("shared with everyone"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self) -> str:
        return self.name


class EmailMessage(models.Model):
    """A mail sent from Baton or received at a user's logging address. Unmatched inbound mail waits
    in the review queue (status ``review``) with no activity, and is never dropped."""

    class Direction(models.TextChoices):
        OUTBOUND = "out", _("Sent")
        INBOUND = "in", _("Received")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        LOGGED = "logged", _("Logged")
        REVIEW = "review", _("Needs review")
        DISCARDED = "discarded", _("Discarded")

    direction = models.CharField(max_length=4, choices=Direction.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="email"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_addr = models.CharField(max_length=254)
    to_addrs = models.TextField(blank=True)
    cc_addrs = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)  # sanitised with nh3 before it is stored
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    # Outbound only: where answers should go (else the sender's own address), and the Message-IDs this
    # mail answers (In-Reply-To is the last one), so the recipient's mail program threads it.
    reply_to = models.CharField(max_length=254, blank=True)
    references = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Outbound mail is sent by a task that claims the row (queued → sending) with a conditional UPDATE.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["status", "-created_at"], name="email_status_idx")]

    def __str__(self) -> str:
        return self.subject


def new_token() -> str:
    return secrets.token_urlsafe(24)


class PersonalKeys(models.Model):
    """A user's secrets: the iCalendar subscription URL and the mail-logging (BCC) address.
    Rotating one revokes what used it, without touching the other."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_keys"
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token)
    mail_token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal keys")
        verbose_name_plural = _("personal keys")

    def __str__(self) -> str:
        return f"keys of {self.user}"


class PeriodicRun(models.Model):
    """The schedule of one periodic job (the process sweep, rescoring, retraining), shared by every worker.

    A worker runs a job only after claiming its row with a conditional update (``next_run_at <= now``),
    so N workers run it once per period, and a restart keeps the schedule (it lives here, not in memory)."""

    job = models.CharField(max_length=120, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["job"]
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return f"{self.job} next {self.next_run_at:%Y-%m-%d %H:%M}"
