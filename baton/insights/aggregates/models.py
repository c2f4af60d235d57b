"""The stored monthly sums (see the package docstring). Rebuilt by ``build.refresh``, never edited."""

from __future__ import annotations

from django.db import models


class AggregateMonth(models.Model):
    """One summed closed month: when it was summed and how many won deals it holds."""

    month = models.DateField(unique=True)  # the first day of the month
    built_at = models.DateTimeField()
    deals = models.PositiveIntegerField(default=0)
    # The stages that counted as won when summed: reconfiguring a stage's outcome is not a deal change.
    won_stages = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "insights"
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.deals} won, {self.built_at:%Y-%m-%d %H:%M})"


class WonMonth(models.Model):
    """Won deals of one closed month by owner, team, the account's industry and region, and currency.

    ``day`` is the close day for deals in another currency (converted at that day's rate when read) and
    empty for KRW. Owner and team are plain ids (no foreign key): the rows are rebuilt, not maintained."""

    month = models.DateField()
    day = models.DateField(null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    industry = models.CharField(max_length=32, blank=True)
    region = models.CharField(max_length=32, blank=True)
    currency = models.CharField(max_length=3)
    deals = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=24, decimal_places=2)

    class Meta:
        app_label = "insights"
        indexes = [models.Index(fields=["month", "owner_id", "team_id"], name="wonmonth_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency} {self.amount}"


class WonFamilyMonth(models.Model):
    """Net line amounts of the won deals of one closed month by owner, team, product family and currency
    (each line's net rounded as the deal page rounds it, then summed)."""

    month = models.DateField()
    day = models.DateField(null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    family_id = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    net = models.DecimalField(max_digits=24, decimal_places=2)

    class Meta:
        app_label = "insights"
        indexes = [models.Index(fields=["month", "owner_id", "team_id"], name="wonfamily_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} family {self.family_id} {self.currency} {self.net}"
