"""Create or update one record: by its external id, or, as the job's duplicate policy says, by
linking to (match) or filling in (merge) the strongest duplicate the app's own duplicate search finds.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from baton.transfer.engine.base import ImporterBase
from baton.transfer.models import DuplicatePolicy, Outcome


class Upserting(ImporterBase):
    def _upsert(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        *,
        create: Callable[[dict[str, Any]], Any],
        update: Callable[[Any, dict[str, Any]], Any],
        matches: Callable[[dict[str, Any]], list[Any]],
        dated: tuple[str, ...] = ("created_at",),
    ) -> tuple[str, models.Model, str]:
        """By external id: update the record it names; else, as the job's duplicate policy says, link
        to (match) or fill in (merge) the strongest duplicate match, or create a new record."""
        external_id = values.pop("external_id", "")
        dates = {name: values.pop(name, None) for name in dated}
        existing = self.find(model, external_id) if external_id else None
        note = ""
        if existing is None and self.job.duplicates != DuplicatePolicy.CREATE:
            found = matches(values)
            if found:
                match = found[0]
                existing = match.record
                reasons = ", ".join(match.reasons)
                self.link(existing, external_id)
                if self.job.duplicates == DuplicatePolicy.MATCH:
                    return (
                        Outcome.MATCHED,
                        existing,
                        _("Matched #%(id)s (%(why)s).") % {"id": existing.pk, "why": reasons},
                    )
                custom = custom_changes(existing, values.pop("custom_field_data", None), fill=True)
                values = {
                    k: v
                    for k, v in values.items()
                    if getattr(existing, _attname(model, k), None) in (None, "")
                }
                if custom:
                    values["custom_field_data"] = custom
                if values:
                    self.before(existing, list(values))
                    update(existing, values)
                return (
                    Outcome.MERGED,
                    existing,
                    _("Merged into #%(id)s (%(why)s).") % {"id": existing.pk, "why": reasons},
                )
        if existing is None:
            record = create(values)
            self.created(record)
            if external_id:
                self.link(record, external_id)
            self.date_record(record, **dates)
            return Outcome.CREATED, record, note
        custom = custom_changes(existing, values.pop("custom_field_data", None))
        changes = {k: v for k, v in values.items() if _differs(getattr(existing, k, None), v)}
        if custom:
            changes["custom_field_data"] = custom
        date_changes = {k: v for k, v in dates.items() if v is not None and getattr(existing, k) != v}
        if not changes and not date_changes:
            return Outcome.MATCHED, existing, _("Unchanged.")
        self.before(existing, list(changes) + list(date_changes))
        if changes:
            update(existing, changes)
        self.date_record(existing, **date_changes)
        return Outcome.UPDATED, existing, ", ".join(sorted(list(changes) + list(date_changes)))


def custom_changes(existing: Any, incoming: dict[str, Any] | None, *, fill: bool = False) -> dict[str, Any]:
    """The custom values of the row that differ from the record's (``fill``: only those the record
    has no value for, as a merge fills in blanks)."""
    stored = getattr(existing, "custom_field_data", None) or {}
    return {
        key: value
        for key, value in (incoming or {}).items()
        if stored.get(key) != value and not (fill and stored.get(key) not in (None, "", []))
    }


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if isinstance(current, Decimal) and isinstance(new, Decimal):
        return current != new
    if current is None:
        return new not in (None, "")
    return current != new
