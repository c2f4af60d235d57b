"""Rows of opportunities: stage of the default pipeline, lost reason, created and closed dates; an
update that changes the stage moves the deal through the deals service as of its closed date."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.deals.models import LostReason, Opportunity, Pipeline, Stage
from baton.deals.services import (
    create_opportunity,
    move_opportunity,
    unknown_imported_lost_reason,
    update_opportunity,
)
from baton.process.models import RecordKind
from baton.transfer.engine.duplicates import Upserting
from baton.transfer.engine.stage_history import StageHistoryRows
from baton.transfer.fields import RowError
from baton.transfer.models import Outcome


class OpportunityRows(Upserting, StageHistoryRows):
    def _opportunity(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        values["account"] = self.ref("account", values["account"], _("account"))
        if "primary_contact" in values:
            values["primary_contact"] = self.ref("contact", values["primary_contact"], _("primary contact"))
        if "stage" in values:
            values["stage"] = self.deal_stage(values["stage"])
        stage: Stage | None = values.get("stage")
        if "lost_reason" in values:
            values["lost_reason"] = self.lost_reason(values["lost_reason"])
        elif stage is not None and stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
            # A lost deal whose file names no reason gets the "unknown (imported)" reason, found by its
            # code: reports count it apart from "other" and from every real reason.
            values["lost_reason"] = unknown_imported_lost_reason(actor=self.actor)
        closed_at = values.pop("closed_at", None)
        if stage is not None and stage.is_closed and closed_at is None:
            raise RowError(_("A won or lost deal needs its closed date."), "closed_at")
        if closed_at is not None and self._created is not None and closed_at < self._created:
            raise RowError(_("The deal closed before it was created."), "closed_at")

        def create(v: dict[str, Any]) -> Opportunity:
            v.setdefault("owner", self.actor)
            opp = create_opportunity(actor=self.actor, **v, at=self._created)
            self.mark_placed(RecordKind.OPPORTUNITY, opp.pk)
            return opp

        def update(rec: Opportunity, ch: dict[str, Any]) -> None:
            new_stage = ch.pop("stage", None)
            lost_reason = ch.pop("lost_reason", None) if new_stage is not None else None
            if ch:
                update_opportunity(rec, actor=self.actor, changes=ch, expected_version=None)
            if new_stage is not None:
                rec.refresh_from_db()
                move_opportunity(
                    rec,
                    actor=self.actor,
                    stage=new_stage,
                    expected_version=None,
                    lost_reason=lost_reason or rec.lost_reason,
                    at=closed_at or timezone.now(),
                )

        outcome, opp, message = self._upsert(
            Opportunity, values, create=create, update=update, matches=lambda v: []
        )
        if outcome == Outcome.CREATED:
            at = closed_at if (stage is not None and stage.is_closed) else None
            self.date_record(
                opp,
                closed_at=at,
                stage_changed_at=at or opp.created_at,  # type: ignore[attr-defined]
            )
        elif closed_at is not None and opp.closed_at is not None and opp.closed_at != closed_at:  # type: ignore[attr-defined]
            self.before(opp, ["closed_at"])
            self.date_record(opp, closed_at=closed_at)
        return outcome, opp, message

    def deal_stage(self, key: str) -> Stage:
        pipeline = Pipeline.objects.filter(is_default=True).first()
        stage = Stage.objects.filter(pipeline=pipeline, key=key).first()
        if stage is None:
            raise RowError(_("No stage “%(key)s” in the default pipeline.") % {"key": key})
        return stage

    def lost_reason(self, name: str) -> LostReason:
        """Found reasons are cached."""
        key = name.strip().lower()
        reason = self._reasons.get(key)
        if reason is None:
            reason = (
                LostReason.objects.filter(Q(name__iexact=name.strip()) | Q(name_en__iexact=name.strip()))
                .order_by("is_archived", "id")
                .first()
            )
            if reason is not None:
                self._reasons[key] = reason
        if reason is None:
            raise RowError(_("Unknown lost reason “%(value)s”.") % {"value": name}, "lost_reason")
        return reason
