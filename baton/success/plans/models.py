"""Success plans: what a customer wants to achieve with what they bought, broken into milestones with
an owner and a due date; progress is the share of milestones done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.records import OwnedRecord


class SuccessPlan(OwnedRecord):
    """A customer's success plan (``owner``: the CSM who runs it)."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="success_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("success plan")
        verbose_name_plural = _("success plans")
        indexes = [models.Index(fields=["account", "-created_at"], name="plan_account_idx")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """One step of a success plan."""

    audit_parent = "plan"

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title
