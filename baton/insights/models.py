"""Quotas, exchange rates, managers' forecast adjustments and immutable weekly forecast snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role
from baton.core.money import Currency


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Quota(models.Model):
    """A sales target in KRW for one person or one team over one month, quarter or year.

    A team without a quota of its own is measured against the sum of its members' and sub-teams'."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(_("quota (KRW)"), max_digits=18, decimal_places=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "period_kind", "id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="quota_user_xor_team",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_not_negative"),
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start"],
                condition=Q(user__isnull=False),
                name="quota_unique_user_period",
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} {self.period_kind} {self.period_start:%Y-%m}"


class ExchangeRate(models.Model):
    """How many KRW one unit of a currency is worth from a date on (until the next rate's date)."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    valid_from = models.DateField(_("valid from"))
    krw_per_unit = models.DecimalField(_("KRW per unit"), max_digits=18, decimal_places=6)

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_unique_currency_day"),
            models.CheckConstraint(condition=Q(krw_per_unit__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.krw_per_unit}"


class ForecastAdjustment(models.Model):
    """A manager's own number for a subordinate's commit or best case in a period, with a note.

    Append-only: the latest row per (person, period, category) is the manager's current call; the rep's
    own number (from their deals) is never changed by it, and every earlier call stays readable."""

    class Category(models.TextChoices):
        COMMIT = "commit", _("Commit")
        BEST_CASE = "best_case", _("Best case")

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    amount = models.DecimalField(_("amount (KRW)"), max_digits=18, decimal_places=0)
    comment = models.CharField(_("note"), max_length=500)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("adjusted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        indexes = [models.Index(fields=["period_kind", "period_start", "subject", "category", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="adjustment_not_negative")]

    def __str__(self) -> str:
        return f"{self.subject} {self.category} {self.amount}"


class ForecastSnapshot(models.Model):
    """The forecast of a period as it stood in one week: immutable once taken, so a closed period can be
    re-read exactly as it was forecast."""

    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    week_start = models.DateField(_("week"))
    taken_at = models.DateTimeField(_("taken"), auto_now_add=True)

    class Meta:
        ordering = ["period_kind", "period_start", "week_start"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "week_start"], name="snapshot_unique_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start} @ {self.week_start}"


class ForecastSnapshotLine(models.Model):
    """One opportunity of a snapshot, with what it counted for that week (amounts already in KRW)."""

    snapshot = models.ForeignKey(ForecastSnapshot, on_delete=models.CASCADE, related_name="lines")
    opportunity_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    category = models.CharField(max_length=16)
    amount_krw = models.DecimalField(max_digits=18, decimal_places=0)
    weighted_krw = models.DecimalField(max_digits=18, decimal_places=0)
    expected_close_date = models.DateField(null=True)
    is_won = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("forecast snapshot line")
        verbose_name_plural = _("forecast snapshot lines")
        indexes = [
            models.Index(fields=["snapshot", "owner_id"]),
            models.Index(fields=["snapshot", "team_id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "opportunity_id"], name="snapshot_line_unique_opp")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.opportunity_id}"


class ActivityTarget(models.Model):
    """How many activities of a kind a person (or everyone of a role) aims to complete per week; the
    person's own target wins over their role's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    kind = models.CharField(_("activity type"), max_length=16)
    per_week = models.PositiveSmallIntegerField(_("per week"))

    class Meta:
        ordering = ["role", "user", "kind"]
        verbose_name = _("activity target")
        verbose_name_plural = _("activity targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(role="")) | (Q(user__isnull=True) & ~Q(role="")),
                name="activity_target_user_xor_role",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(user__isnull=False), name="activity_target_unique_user"
            ),
            models.UniqueConstraint(
                fields=["role", "kind"], condition=Q(user__isnull=True), name="activity_target_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.role} {self.kind} {self.per_week}/week"


class SavedReport(models.Model):
    """A report definition (see insights/reports.py) saved by its owner, private or shared with a team
    or everyone. Each reader runs it with their own visibility: sharing a report never shares rows."""

    class Sharing(models.TextChoices):
        PRIVATE = "private", _("Only me")
        TEAM = "team", _("My team")
        EVERYONE = "everyone", _("Everyone")

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    # Ready-made reports (the seven questions) belong to nobody and are shared with everyone.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    question = models.PositiveSmallIntegerField(_("question of seed 003"), null=True, blank=True)
    definition = models.JSONField(_("definition"))
    sharing = models.CharField(
        _("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_builtin = models.BooleanField(_("ready-made"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self) -> str:
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


class ReportSubscription(models.Model):
    """A person's standing order for a saved report by e-mail, daily, weekly (Mondays) or monthly (the
    1st), at ``SEND_HOUR`` local time. The worker claims each due row with one conditional UPDATE, so a
    period's mail goes out once however many workers run; it is rendered with the recipient's
    visibility and language."""

    SEND_HOUR = 7

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        MONTHLY = "monthly", _("Monthly (the 1st)")

    report = models.ForeignKey(
        SavedReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices)
    next_send_at = models.DateTimeField(_("next e-mail"))
    last_sent_at = models.DateTimeField(_("last e-mailed"), null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["report__name", "id"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="report_subscription_once_per_user")
        ]
        indexes = [models.Index(fields=["next_send_at"], name="report_sub_due_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.user_id} ({self.frequency})"


# Monthly pre-aggregates live in their own module; imported here so Django registers them.
from baton.insights.aggregates.models import AggregateMonth, WonFamilyMonth, WonMonth  # noqa: E402, F401
