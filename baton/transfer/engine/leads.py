"""Rows of leads and their interactions: created as of the file's created time, converted as of the
file's conversion time into the account (contact, opportunity) the file names by external id."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.leads.duplicates import find_lead_matches
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.leads.services import convert_lead, create_lead, log_interaction, update_lead
from baton.process.models import RecordKind
from baton.scoring.models import Disqualification, DisqualifyReason
from baton.scoring.qualification.disqualification import (
    record_imported_disqualification,
    unknown_imported_disqualify_reason,
)
from baton.transfer.engine.chunks import flush_process
from baton.transfer.engine.duplicates import Upserting
from baton.transfer.engine.stage_history import PLACED, StageHistoryRows
from baton.transfer.fields import RowError
from baton.transfer.models import Outcome


class LeadRows(Upserting, StageHistoryRows):
    def _lead(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        conversion = {
            name: values.pop(name, None)
            for name in ("converted_at", "converted_account", "converted_contact", "converted_opportunity")
        }
        disqualified_for = None
        if values.get("status") == LeadStatus.DISQUALIFIED:
            disqualified_for = self.disqualify_reason(values)

        def create(v: dict[str, Any]) -> Lead:
            v.setdefault("owner", self.actor)
            lead = create_lead(actor=self.actor, **v, at=self._created)
            if self.held is None:  # in a chunk, the placement at its end marks the stay itself
                self.mark_placed(RecordKind.LEAD, lead.pk)
            return lead

        outcome, lead, message = self._upsert(
            Lead,
            values,
            create=create,
            update=lambda rec, ch: update_lead(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_lead_matches(
                name=v.get("name", ""),
                company=v.get("company", ""),
                email=v.get("email", ""),
                phone=v.get("phone", ""),
            ),
        )
        if (
            disqualified_for is not None
            and getattr(lead, "status", None) == LeadStatus.DISQUALIFIED
            and (outcome == Outcome.CREATED or not Disqualification.objects.filter(lead_id=lead.pk).exists())
        ):
            record_imported_disqualification(
                lead,  # type: ignore[arg-type]
                actor=self.actor,
                reason=disqualified_for,
                at=self._created or timezone.now(),
            )
        if conversion["converted_at"] is not None:
            self.convert(lead, conversion)  # type: ignore[arg-type]
        return outcome, lead, message

    def disqualify_reason(self, values: dict[str, Any]) -> DisqualifyReason | None:
        """The listed reason of a disqualified lead's row: the one its text names (Korean or English),
        or "unknown (imported)" (found by its code, so reports count it apart) when the file has none.
        A text that names no listed reason is kept as the lead's text only, as typed reasons are."""
        text = (values.get("disqualify_reason") or "").strip()
        if not text:
            reason = unknown_imported_disqualify_reason(actor=self.actor)
            values["disqualify_reason"] = str(reason)
            return reason
        return (
            DisqualifyReason.objects.filter(Q(name__iexact=text) | Q(name_en__iexact=text))
            .order_by("is_archived", "id")
            .first()
        )

    def convert(self, lead: Lead, conversion: dict[str, Any]) -> None:
        """The lead was converted in the old system: convert it here as of that time, into the
        account (and contact, opportunity) the file names by external id."""
        at = conversion["converted_at"]
        if lead.converted_at is not None:
            return
        if self.held is not None:  # place this row's new lead now: the conversion leaves its stay
            flush_process(self.held, PLACED)
        if not conversion["converted_account"]:
            raise RowError(_("A converted lead needs its converted account's external id."))
        account = self.ref("account", conversion["converted_account"], _("converted account"))
        contact = (
            self.ref("contact", conversion["converted_contact"], _("converted contact"))
            if conversion["converted_contact"]
            else None
        )
        opportunity = (
            self.ref("opportunity", conversion["converted_opportunity"], _("converted opportunity"))
            if conversion["converted_opportunity"]
            else None
        )
        if lead.created_at and at < lead.created_at:
            raise RowError(_("The lead was converted before it was created."))
        self.before(
            lead,
            ["status", "converted_at", "converted_account", "converted_contact", "converted_opportunity"],
        )
        if lead.status == LeadStatus.DISQUALIFIED:
            raise RowError(_("A disqualified lead cannot be converted."))
        _account, made_contact, _opp = convert_lead(
            lead,
            actor=self.actor,
            account=account,
            contact=contact,
            create_opportunity_too=False,
            at=self.clock_for(RecordKind.LEAD, lead.pk, at),
        )
        if contact is None:
            self.created(made_contact)
            self.date_record(made_contact, created_at=at)
        Lead.objects.filter(pk=lead.pk).update(converted_at=at, converted_opportunity=opportunity)

    def _interaction(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        lead = self.ref("lead", values["lead"], _("lead"))
        external_id = values.get("external_id", "")
        if external_id:
            existing = self.find(LeadInteraction, external_id)
            if existing is not None:
                return Outcome.MATCHED, existing, _("Unchanged.")
        interaction = log_interaction(
            lead,
            actor=values.get("actor"),
            kind=values["kind"],
            occurred_at=values["occurred_at"],
            note=values.get("note", ""),
            # In a chunk, the process replays the touch at its end and applies the clock then.
            at=values["occurred_at"]
            if self.held is not None
            else self.clock_for(RecordKind.LEAD, lead.pk, values["occurred_at"]),
        )
        self.created(interaction)
        if external_id:
            self.link(interaction, external_id)
        return Outcome.CREATED, interaction, ""
