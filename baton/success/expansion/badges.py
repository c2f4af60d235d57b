"""The badge a renewal, expansion or upsell deal carries on the board's card and on the deal page
(registered with the deals app's board in ``SuccessConfig.ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from baton.success.expansion.models import ExpansionDeal
from baton.success.models import Renewal


def deal_kind_badges(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """``{deal id: [(kind, label)]}`` for the deals among ``ids`` opened as expansion, upsell or
    renewal of an existing customer (two queries, whatever the number of deals)."""
    labels: dict[str, str] = {
        ExpansionDeal.Kind.EXPANSION.value: _("Expansion"),
        ExpansionDeal.Kind.UPSELL.value: _("Upsell"),
    }
    found: dict[int, list[tuple[str, str]]] = {}
    marks = ExpansionDeal.objects.filter(opportunity_id__in=ids).values_list("opportunity_id", "kind")
    for pk, kind in marks:
        found.setdefault(pk, []).append((kind, labels.get(kind, kind)))
    for pk in Renewal.objects.filter(opportunity_id__in=ids).values_list("opportunity_id", flat=True):
        found.setdefault(pk, []).append(("renewal", _("Renewal")))
    return found
