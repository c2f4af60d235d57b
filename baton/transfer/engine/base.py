"""The importer's groundwork, shared by every kind of row: the job's field mapping, reading and parsing
one row's values, finding records by external id (and linking new ones), and recording what a row
wrote (``changes``, read by the rollback) and the file's dates onto the records it wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from baton.accounts.models import Account, Contact
from baton.activities.models import Activity
from baton.core.audit import _jsonable
from baton.core.customfields import services as custom_fields
from baton.core.customfields.imports import choice_pieces, from_text, known_choice
from baton.core.customfields.models import FieldType
from baton.core.customfields.values import coerce
from baton.core.models import User
from baton.deals.models import LostReason, Opportunity
from baton.leads.models import Lead, LeadInteraction
from baton.process.models import StageHistory
from baton.scoring.models import DisqualifyReason
from baton.transfer.fields import (
    NEW_CHOICE,
    ChoiceIndex,
    Field,
    RowError,
    UnknownValue,
    fields_of,
    is_custom_choice,
    new_choice_value,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from baton.transfer.models import ExternalId, ImportJob

MODELS: dict[str, type[models.Model]] = {
    "account": Account,
    "contact": Contact,
    "lead": Lead,
    "opportunity": Opportunity,
    "interaction": LeadInteraction,
    "activity": Activity,
    "stage_history": StageHistory,
    "lost_reason": LostReason,
    "disqualify_reason": DisqualifyReason,
}
UNKNOWN_KEEP = 50  # unknown values listed per field


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


class ImporterBase:
    """What every row handler uses; the handlers themselves are mixins in the modules named by kind."""

    def __init__(self, job: ImportJob, actor: User):
        self.job = job
        self.actor = actor
        self.fields = fields_of(job.kind)
        self.columns = {col: name for col, name in (job.columns or {}).items() if name in self.fields}
        self.choices = {
            name: ChoiceIndex(f, (job.values or {}).get(name, {}))
            for name, f in self.fields.items()
            if f.type == "choice"
        }
        self.user_map = {str(k).strip().lower(): v for k, v in (job.values or {}).get("owner", {}).items()}
        # Custom choice fields: {file value (lower case): choice value or NEW_CHOICE}.
        self.custom_maps = {
            name: {str(k).strip().lower(): str(v) for k, v in (job.values or {}).get(name, {}).items()}
            for name, f in self.fields.items()
            if is_custom_choice(f)
        }
        self.unknown: dict[str, list[str]] = {}
        self._users: dict[str, User | None] = {}
        self._types: dict[type[models.Model], ContentType] = {}
        self.changes: list[dict[str, Any]] = []
        self._reasons: dict[str, LostReason] = {}
        self._created: dt.datetime | None = None  # the row's created time (see _prepared)
        self.held: Any = None  # inside a chunk: what its rows hold back (engine.chunks.Held)

    # --- reading a row ----------------------------------------------------------------------------

    def missing_required(self) -> list[str]:
        mapped = set(self.columns.values())
        return [str(f.label) for f in self.fields.values() if f.required and f.name not in mapped]

    def values_of(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The row's values by field: parsed, or RowError naming the first field at fault."""
        values: dict[str, Any] = {}
        for column, name in self.columns.items():
            text = raw.get(column, "")
            if text == "" or text is None:
                continue
            values[name] = self.parse(self.fields[name], text)
        for f in self.fields.values():
            if f.required and values.get(f.name) in (None, ""):
                raise RowError(_("%(field)s is required.") % {"field": f.label}, f.name)
        custom = {name[3:]: values.pop(name) for name in list(values) if self.fields[name].type == "custom"}
        if custom:
            values["custom_field_data"] = custom
        return values

    def parse(self, f: Field, raw: Any) -> Any:
        label = str(f.label)
        if f.type == "datetime":
            return parse_datetime(raw, label)
        if f.type == "date":
            return parse_date(raw, label)
        if f.type == "custom":
            return self.custom_value(f, raw)
        text = raw if isinstance(raw, str) else str(raw)
        if f.type == "decimal":
            return parse_decimal(text, label)
        if f.type == "choice":
            value = self.choices[f.name].resolve(text)
            if value is None:
                self.note_unknown(f.name, text)
                raise UnknownValue(label, text)
            return value
        if f.type == "user":
            return self.user(text, label)
        if f.max_length and len(text) > f.max_length:
            raise RowError(
                _("%(field)s is longer than %(n)s characters.") % {"field": label, "n": f.max_length}, f.name
            )
        return text

    def note_unknown(self, name: str, text: str) -> None:
        """List a value the file holds that is no choice of the field, for the admin to map."""
        seen = self.unknown.setdefault(name, [])
        if text not in seen and len(seen) < UNKNOWN_KEEP:
            seen.append(text)

    def custom_choice(self, f: Field, raw: Any) -> Any:
        """A custom choice cell (several values in a multiple-choice one), through the job's value
        mapping: a file value mapped to a choice takes it, one to be added as a new choice takes its
        own text (added before the first row); an unknown one is listed and refused by ``coerce``."""
        definition = f.custom
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        mapped = self.custom_maps.get(f.name, {})
        single = definition.type == FieldType.CHOICE or text.lower() in mapped
        values = []
        for piece in [text] if single else choice_pieces(definition, text):
            target = mapped.get(piece.lower())
            if target == NEW_CHOICE:  # added before the rows (or named a choice already)
                values.append(known_choice(definition, piece) or new_choice_value(piece))
                continue
            if target:
                values.append(target)
                continue
            found = known_choice(definition, piece)
            if found is None:
                self.note_unknown(f.name, piece)
            values.append(found if found is not None else piece)
        return values[0] if definition.type == FieldType.CHOICE else values

    def add_new_choices(self) -> None:
        """Add the file values the job's mapping marks as new choices to their custom fields (once,
        before the rows; the dry run does it inside what it rolls back)."""
        changed = False
        for name, pairs in (self.job.values or {}).items():
            f = self.fields.get(name)
            if f is None or not is_custom_choice(f):
                continue
            wanted = [new_choice_value(raw) for raw, target in pairs.items() if target == NEW_CHOICE]
            if not wanted:
                continue
            try:
                with transaction.atomic():
                    added = custom_fields.add_choices(f.custom, wanted, actor=self.actor)
            except ValidationError:
                # A choice that cannot be added (the field changed since the mapping was saved): its
                # rows are refused with the field's list of choices, as an unmapped value's are.
                continue
            changed = changed or added is not None
        if changed:
            self.fields = fields_of(self.job.kind)

    def custom_value(self, f: Field, raw: Any) -> Any:
        """A custom field's cell, typed and checked as every write path checks it (the row report
        names the field and says why a value is refused)."""
        definition = f.custom
        label = str(f.label)
        try:
            if definition.type == FieldType.DATE:
                value: Any = parse_date(raw, label).isoformat()
            elif definition.type == FieldType.DATETIME:
                value = parse_datetime(raw, label).isoformat()
            elif is_custom_choice(f):
                value = self.custom_choice(f, raw)
            else:
                value = from_text(definition, raw)
            return coerce(definition, value, actor=self.actor)
        except ValidationError as exc:
            message = " ".join(str(m) for m in exc.messages)
            raise RowError(f"{label}: {message}", f.name) from None

    def user(self, text: str, label: str) -> User:
        key = self.user_map.get(text.strip().lower(), text).strip().lower()
        if key not in self._users:
            self._users[key] = (
                User.objects.filter(Q(username__iexact=key) | Q(email__iexact=key), is_active=True)
                .order_by("id")
                .first()
            )
        found = self._users[key]
        if found is None:
            raise RowError(
                _("%(field)s: no active user “%(value)s”.") % {"field": label, "value": text}, label
            )
        return found

    # --- external ids -----------------------------------------------------------------------------

    def ctype(self, model: type[models.Model]) -> ContentType:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model)
        return self._types[model]

    def find(self, model: type[models.Model], external_id: str) -> Any:
        row = ExternalId.objects.filter(
            source=self.job.source, content_type=self.ctype(model), external_id=external_id
        ).first()
        if row is None:
            return None
        return model._default_manager.filter(pk=row.object_id).first()

    def ref(self, kind: str, external_id: str, label: str) -> Any:
        record = self.find(MODELS[kind], external_id)
        if record is None:
            raise RowError(
                _("%(field)s: no %(kind)s with external id “%(id)s” from %(source)s (import it first).")
                % {"field": label, "kind": kind, "id": external_id, "source": self.job.source},
                label,
            )
        return record

    def link(self, record: models.Model, external_id: str) -> None:
        ext = ExternalId.objects.create(
            source=self.job.source,
            content_type=self.ctype(type(record)),
            external_id=external_id,
            object_id=record.pk,
            job=self.job,
        )
        self.changes.append({"op": "create", "model": "transfer.externalid", "id": ext.pk})

    # --- recording what a row wrote ---------------------------------------------------------------

    def created(self, record: models.Model) -> None:
        self.changes.append({"op": "create", "model": model_label(type(record)), "id": record.pk})

    def before(self, record: models.Model, names: list[str]) -> None:
        attnames = [record._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
        self.changes.append(
            {
                "op": "update",
                "model": model_label(type(record)),
                "id": record.pk,
                "before": {n: _jsonable(getattr(record, n)) for n in attnames},
            }
        )

    def date_record(self, record: models.Model, **dates: dt.datetime | None) -> None:
        """Write the file's times (created, converted, closed, …) onto a record the import just wrote."""
        dates = {k: v for k, v in dates.items() if v is not None}
        if dates:
            type(record)._default_manager.filter(pk=record.pk).update(**dates)
            for name, value in dates.items():
                setattr(record, name, value)
