"""Which deals are expansion or upsell of an existing customer (the deal itself lives in deals)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpansionDeal(models.Model):
    """The mark on an opportunity opened for more business from a customer who already bought."""

    class Kind(models.TextChoices):
        EXPANSION = "expansion", _("Expansion (a product family not owned yet)")
        UPSELL = "upsell", _("Upsell (more of what they own)")

    opportunity = models.OneToOneField(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="expansion", verbose_name=_("opportunity")
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    family = models.ForeignKey(
        "deals.ProductFamily",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product family"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expansion deal")
        verbose_name_plural = _("expansion deals")
        indexes = [models.Index(fields=["account", "family"], name="expansion_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opportunity_id}"
