"""Health scores: the weights an administrator sets, NPS answers recorded per account, and the daily
snapshot of each account's score with the components (and their reasons) that made it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthWeights(models.Model):
    """How much each component counts (one row; the defaults until an admin edits it). A component
    without data for an account (no contract, no NPS answer) drops out and the others share its weight."""

    cases = models.PositiveSmallIntegerField(_("support cases"), default=30)
    engagement = models.PositiveSmallIntegerField(_("engagement"), default=25)
    renewal = models.PositiveSmallIntegerField(_("renewal risk"), default=25)
    nps = models.PositiveSmallIntegerField(_("NPS"), default=20)
    usage = models.PositiveSmallIntegerField(_("product usage"), default=20)

    class Meta:
        verbose_name = _("health weights")
        verbose_name_plural = _("health weights")

    def __str__(self) -> str:
        return f"{self.cases}/{self.engagement}/{self.renewal}/{self.nps}/{self.usage}"


class NpsResponse(models.Model):
    """One NPS answer (0-10) of a customer, entered by hand or imported through the API."""

    audit_parent = "account"

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="nps_responses"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score (0-10)"))
    answered_on = models.DateField(_("answered on"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-answered_on", "-id"]
        verbose_name = _("NPS answer")
        verbose_name_plural = _("NPS answers")
        indexes = [models.Index(fields=["account", "-answered_on"], name="nps_account_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=10), name="nps_score_range")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.score}"


class HealthSnapshot(models.Model):
    """An account's health on one day: the score (0-100), its band and its components as
    ``[{"key", "score", "weight", "reason"}]`` (unique per account and day: written once a day)."""

    class Band(models.TextChoices):
        GREEN = "green", _("Healthy")
        YELLOW = "yellow", _("Watch")
        RED = "red", _("At risk")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="health_snapshots")
    day = models.DateField(_("day"))
    score = models.PositiveSmallIntegerField(_("health score"))
    band = models.CharField(_("health"), max_length=8, choices=Band.choices)
    components = models.JSONField(default=list)

    class Meta:
        ordering = ["account", "-day"]
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="health_once_a_day"),
        ]
        indexes = [models.Index(fields=["day", "band"], name="health_day_band_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.score}"


class UsageRecord(models.Model):
    """A customer's product usage on a day: seats bought and in use, and sign-ins over the 30 days up to
    that day; entered through the API, one by one or imported in a batch (one row per account and day:
    a second figure for the same day replaces the first)."""

    class Source(models.TextChoices):
        API = "api", _("API")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Entered by hand")

    audit_parent = "account"

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="usage_records"
    )
    contract = models.ForeignKey(
        "success.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("day"))
    seats_bought = models.PositiveIntegerField(_("seats bought"))
    seats_used = models.PositiveIntegerField(_("seats in use"))
    logins = models.PositiveIntegerField(_("sign-ins in 30 days"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.API)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-day"]
        verbose_name = _("usage figure")
        verbose_name_plural = _("usage figures")
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="usage_once_a_day"),
            models.CheckConstraint(condition=models.Q(seats_bought__gt=0), name="usage_seats_bought"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.seats_used}/{self.seats_bought}"
