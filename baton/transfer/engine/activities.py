"""Rows of activities: attached to the record the file names by kind and external id, dated by the
file (created, start, due or completed time), with the activity custom fields as columns (typed and
checked like every write path; a re-import of a known activity updates the custom values that
differ, and the rollback puts the old ones back)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from baton.activities.models import Activity
from baton.activities.services import create_activity, update_activity
from baton.transfer.engine.base import ImporterBase
from baton.transfer.engine.duplicates import custom_changes
from baton.transfer.fields import RowError
from baton.transfer.models import Outcome


class ActivityRows(ImporterBase):
    def _activity(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        external_id = values.pop("external_id", "")
        record = None
        if values.get("record"):
            kind = values.get("record_type")
            if not kind:
                raise RowError(_("Say which kind of record the activity belongs to."), "record_type")
            record = self.ref(kind, values["record"], _("record"))
        values.pop("record", None)
        values.pop("record_type", None)
        created = values.pop("created_at", None)
        completed = values.get("completed_at")
        if external_id:
            existing = self.find(Activity, external_id)
            if existing is not None:
                custom = custom_changes(existing, values.get("custom_field_data"))
                if not custom:
                    return Outcome.MATCHED, existing, _("Unchanged.")
                self.before(existing, ["custom_field_data"])
                update_activity(existing, actor=self.actor, changes={"custom_field_data": custom})
                return Outcome.UPDATED, existing, "custom_field_data"
        values.setdefault("owner", self.actor)
        if completed is not None:
            values.setdefault("status", Activity.Status.DONE)
        activity = create_activity(actor=self.actor, record=record, **values)
        self.created(activity)
        if external_id:
            self.link(activity, external_id)
        when = created or values.get("start_at") or values.get("due_at") or completed
        self.date_record(activity, created_at=when, completed_at=completed)
        return Outcome.CREATED, activity, ""
