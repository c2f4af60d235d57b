"""Rows of reasons (issue 11: "reasons are data"): lost reasons of deals and disqualification reasons
of leads, created or renamed by external id, or matched by their Korean or English name, through the
owning apps' services (audited). An archived reason stays on the records that have it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.deals.models import LostReason
from baton.deals.services import save_lost_reason
from baton.scoring.models import DisqualifyReason
from baton.scoring.services import save_disqualify_reason
from baton.transfer.engine.duplicates import Upserting
from baton.transfer.fields import RowError

SAME_NAME = gettext_lazy("same name")


@dataclass
class NameMatch:
    record: Any
    reasons: list[str] = field(default_factory=lambda: [str(SAME_NAME)])


def _flags(values: dict[str, Any]) -> dict[str, Any]:
    for name in ("is_no_decision", "is_archived"):
        if name in values:
            values[name] = values[name] == "yes"
    return values


def _by_name(model: type[models.Model], values: dict[str, Any]) -> list[NameMatch]:
    names = [n.strip() for n in (values.get("name", ""), values.get("name_en", "")) if n and n.strip()]
    query = Q()
    for name in names:
        query |= Q(name__iexact=name) | Q(name_en__iexact=name)
    found = model._default_manager.filter(query).order_by("id").first() if names else None
    return [NameMatch(found)] if found is not None else []


class ReasonRows(Upserting):
    def _lost_reason(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        return self._upsert(
            LostReason,
            _flags(values),
            create=lambda v: save_lost_reason(None, actor=self.actor, values=v),
            update=lambda rec, ch: save_lost_reason(rec, actor=self.actor, values=ch),
            matches=lambda v: _by_name(LostReason, v),
            dated=(),
        )

    def _disqualify_reason(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        days = values.get("recycle_days")
        if days is not None:
            if days != days.to_integral_value() or not (Decimal(1) <= days <= Decimal(3650)):
                raise RowError(_("Recycle after: a whole number of days from 1 to 3650."), "recycle_days")
            values["recycle_days"] = int(days)
        return self._upsert(
            DisqualifyReason,
            _flags(values),
            create=lambda v: save_disqualify_reason(None, actor=self.actor, values=v),
            update=lambda rec, ch: save_disqualify_reason(rec, actor=self.actor, values=ch),
            matches=lambda v: _by_name(DisqualifyReason, v),
            dated=(),
        )
