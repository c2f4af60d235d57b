"""Record one qualification answer with its evidence: BANT / The Model's four on a lead (through the
process app's service) or MEDDPICC on an opportunity. Edit rights are checked here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.models import User
from baton.core.services import save_checklist_answer
from baton.leads.models import Lead
from baton.process.models import MeddpiccItem, QualificationAnswer
from baton.process.services import set_qualification
from baton.scoring.access import require_edit


@transaction.atomic
def set_lead_qualification(lead: Lead, item: str, *, answer: bool, evidence: str, actor: User | None) -> Any:
    """BANT and The Model's four live in the process app's checklist; record through its service."""
    require_edit(actor, lead)
    return set_qualification(lead, item, answer=answer, evidence=evidence, actor=actor)


@transaction.atomic
def set_meddpicc(
    opportunity: Any, item: str, *, answer: bool, evidence: str, actor: User | None
) -> QualificationAnswer:
    """Record one MEDDPICC answer of a deal in the checklist store BANT and The Model's four share."""
    require_edit(actor, opportunity)
    if item not in MeddpiccItem.values:
        raise ValidationError({"item": [_("Unknown checklist item.")]})
    existing = (
        QualificationAnswer.objects.select_for_update()
        .filter(record_kind="opportunity", record_id=opportunity.pk, item=item)
        .first()
    )
    return save_checklist_answer(
        existing,
        QualificationAnswer(record_kind="opportunity", record_id=opportunity.pk, item=item),
        answer=answer,
        evidence=evidence,
        actor=actor,
    )
