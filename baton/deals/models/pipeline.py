"""Pipelines and stages as data, lost reasons, and opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.money import Currency, validate_amount
from baton.core.records import OwnedRecord
from baton.core.textsearch import Searchable
from baton.core.vocabulary import NamedVocabulary, Vocabulary

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Pipeline(NamedVocabulary):
    """An ordered set of stages an opportunity moves through."""

    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


class Stage(Vocabulary):
    """A step of a pipeline. Won/lost/no-decision stages close the opportunity."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        NO_DECISION = "no_decision", _("No decision")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(_("key"), max_length=40)
    probability = models.PositiveSmallIntegerField(_("probability %"), default=10)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    # The forecast category a deal takes when it enters this open stage, unless its owner chose one.
    forecast_category = models.CharField(
        _("default forecast category"),
        max_length=16,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    # A deal that stays longer than this in the stage is marked at risk on the board and dashboards.
    stale_after_days = models.PositiveSmallIntegerField(_("at risk after (days)"), null=True, blank=True)

    class Meta:
        ordering = ["pipeline", "sequence", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "key"], name="stage_unique_key"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_percent"
            ),
        ]

    @property
    def is_closed(self) -> bool:
        return self.outcome != self.Outcome.OPEN

    @property
    def is_won(self) -> bool:
        return self.outcome == self.Outcome.WON


# The stable code of the reason an import gives a lost deal whose file had none: reports count it apart.
UNKNOWN_IMPORTED = "unknown_imported"


class LostReason(NamedVocabulary):
    """Why a deal was lost; a table, so admins can add reasons and archive old ones."""

    is_no_decision = models.BooleanField(_("no decision"), default=False)
    # Empty for the reasons people add; a stable code for the ones Baton itself relies on
    # (UNKNOWN_IMPORTED), which keep it however an administrator renames them.
    code = models.CharField(_("code"), max_length=40, blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="lostreason_unique_code"
            )
        ]


class Opportunity(Searchable, OwnedRecord):
    """A deal with an account, moving through the buyer's four steps to won, lost or no decision."""

    SEARCH_FIELDS = ("name",)

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="opportunities"
    )
    primary_contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("primary contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability %"), default=10)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=16,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    # True once the owner sets the category themselves: stage changes then leave it alone.
    forecast_category_by_rep = models.BooleanField(_("forecast category set by the owner"), default=False)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        # The database refuses what clean() refuses, so no path (bulk update, import, shell) can store it.
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opp_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opp_probability_percent"),
        ]
        indexes = [
            models.Index(fields=["stage", "-amount", "-id"], name="opp_stage_amount_idx"),
            # The board's per-column counts and totals read these alone (index-only scans).
            models.Index(
                fields=["owner", "pipeline", "stage", "currency", "amount"], name="opp_owner_board_idx"
            ),
            models.Index(
                fields=["team", "pipeline", "stage", "currency", "amount"], name="opp_team_board_idx"
            ),
            models.Index(fields=["pipeline", "stage", "currency", "amount"], name="opp_board_idx"),
            # Closed columns show what closed lately: a range on closed_at, then the same columns.
            models.Index(
                fields=["pipeline", "closed_at", "stage", "currency", "amount"], name="opp_board_closed_idx"
            ),
            models.Index(fields=["account", "-updated_at"], name="opp_account_idx"),
            models.Index(fields=["-updated_at", "-id"], name="opp_updated_idx"),
            models.Index(fields=["expected_close_date", "id"], name="opp_close_idx"),
            models.Index(fields=["name", "id"], name="opp_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        errors: dict[str, Sequence[StrOrPromise]] = {}
        try:
            validate_amount(self.amount, self.currency)
        except ValidationError as exc:
            errors["amount"] = exc.messages
        if self.stage_id and self.pipeline_id and self.stage.pipeline_id != self.pipeline_id:
            errors["stage"] = [_("The stage belongs to another pipeline.")]
        if (
            self.primary_contact_id
            and self.account_id
            and (contact := self.primary_contact) is not None
            and contact.account_id not in (None, self.account_id)
        ):
            errors["primary_contact"] = [_("The contact works at another account.")]
        if self.probability is not None and self.probability > 100:
            errors["probability"] = [_("Probability is a percentage from 0 to 100.")]
        if errors:
            raise ValidationError(errors)
