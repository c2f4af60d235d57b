"""Dated stage history: the stays a file's stage rows write onto the process model directly (an import
writes the past; the process services only move records now), replacing the single stay the import
placed a new record in (rule ``PLACED``), and the clock process rows of an imported event are written at.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog
from baton.process.models import Method, ProcessStage, StageHistory
from baton.process.services import segment_of
from baton.transfer.engine.base import ImporterBase
from baton.transfer.fields import RowError
from baton.transfer.models import Outcome

PLACED = "import-placed"  # the rule of the stay an import placed a new record in (replaced by file rows)


class StageHistoryRows(ImporterBase):
    def clock_for(self, kind: str, record_id: int, at: dt.datetime) -> dt.datetime:
        """The time process rows are written at for an event of ``at``: never before the record's last
        stay began (a touch older than the stage the record is in moves it from now on, not in the past)."""
        latest = (
            StageHistory.objects.filter(record_kind=kind, record_id=record_id)
            .order_by("-entered_at")
            .values_list("entered_at", flat=True)
            .first()
        )
        return max(at, latest) if latest is not None else at

    def mark_placed(self, kind: str, record_id: int) -> None:
        """The stays the process placed a new record in: file stage rows replace them."""
        StageHistory.objects.filter(record_kind=kind, record_id=record_id).update(rule=PLACED)

    def _stage_history(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        """One stay, written to the process model directly (the process services only move records
        now; an import writes the past): replaces the stay the import placed the record in."""
        kind = values["record_type"]
        record = self.ref(kind, values["record"], _("record"))
        stage = ProcessStage.objects.filter(key=values["stage"]).first()
        if stage is None or stage.record_kind != kind:
            raise RowError(
                _("The stage “%(key)s” does not hold %(kind)s records.")
                % {"key": values["stage"], "kind": kind},
                "stage",
            )
        entered, left = values["entered_at"], values.get("left_at")
        if left is not None and left < entered:
            raise RowError(_("The stay ends before it starts."), "left_at")
        stays = StageHistory.objects.filter(record_kind=kind, record_id=record.pk)
        for placed in stays.filter(rule=PLACED):
            self.changes.append(
                {"op": "delete", "model": "process.stagehistory", "id": placed.pk, "row": snapshot(placed)}
            )
            placed.delete()
        same = stays.filter(stage=stage, entered_at=entered).first()
        if same is not None:
            if same.left_at == left:
                return Outcome.MATCHED, same, _("Unchanged.")
            self.before(same, ["left_at", "dwell_seconds"])
            same.left_at = left
            same.dwell_seconds = int((left - entered).total_seconds()) if left else None
            same.save(update_fields=["left_at", "dwell_seconds"])
            return Outcome.UPDATED, same, "left_at"
        if left is None and stays.filter(left_at__isnull=True).exists():
            raise RowError(
                _("The record already has an open stay; only its last stay may be open."), "left_at"
            )
        overlap = stays.filter(entered_at__lt=left or dt.datetime.max.replace(tzinfo=dt.UTC)).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=entered)
        )
        if overlap.exists():
            raise RowError(_("The stay overlaps another stay of the record."), "entered_at")
        previous = stays.filter(entered_at__lt=entered).order_by("-entered_at").first()
        following = stays.filter(entered_at__gt=entered).order_by("entered_at").first()
        stay = StageHistory.objects.create(
            record_kind=kind,
            record_id=record.pk,
            stage=stage,
            from_stage=previous.stage if previous else None,
            to_stage=following.stage if (following and left is not None) else None,
            entered_at=entered,
            left_at=left,
            dwell_seconds=int((left - entered).total_seconds()) if left is not None else None,
            method=Method.INITIAL if previous is None else Method.MANUAL,
            rule=f"import:{self.job.job_id}"[:120],
            **segment_of(record),
        )
        self.created(stay)
        if previous is not None and previous.to_stage_id is None and previous.left_at is not None:
            self.before(previous, ["to_stage"])
            StageHistory.objects.filter(pk=previous.pk).update(to_stage=stage)
        if following is not None and following.from_stage_id is None:
            self.before(following, ["from_stage", "method"])
            StageHistory.objects.filter(pk=following.pk).update(from_stage=stage, method=Method.MANUAL)
        log_change(
            actor=self.actor,
            action=ChangeLog.Action.CREATE,
            instance=stay,
            after={"record": f"{kind}:{record.pk}", "stage": stage.key, "method": "import"},
        )
        return Outcome.CREATED, stay, ""
