"""The qualification checklist (BANT, The Model's four conditions): one answer with its evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.models import User
from baton.core.services import save_checklist_answer
from baton.process.facts import kind_of
from baton.process.models import QualificationAnswer, QualificationItem
from baton.process.services.stays import check_can_move
from baton.process.services.transitions import auto_advance


@transaction.atomic
def set_qualification(
    record: Any,
    item: str,
    *,
    answer: bool,
    evidence: str = "",
    actor: User | None,
    advance: bool = True,
    at: dt.datetime | None = None,
) -> QualificationAnswer:
    """Record one BANT / Model answer with its evidence; criteria are re-evaluated right away (as of
    ``at``, default now)."""
    check_can_move(actor, record)
    if item not in QualificationItem.values:
        raise ValidationError({"item": [_("Unknown checklist item.")]})
    kind = kind_of(record)
    existing = (
        QualificationAnswer.objects.select_for_update()
        .filter(record_kind=kind, record_id=record.pk, item=item)
        .first()
    )
    row = save_checklist_answer(
        existing,
        QualificationAnswer(record_kind=kind, record_id=record.pk, item=item),
        answer=answer,
        evidence=evidence,
        actor=actor,
    )
    if advance:
        auto_advance(record, at=at)
    return row
