"""The explicit change log: who changed what, from where (web request, API call, import, task, shell)."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from baton.core import fieldaccess
from baton.core.models import ChangeLog, User
from baton.core.timefmt import display_value

_request_id: ContextVar[str] = ContextVar("baton_request_id", default="")
_job_id: ContextVar[str] = ContextVar("baton_job_id", default="")
_source: ContextVar[str] = ContextVar("baton_source", default="shell")
# Audit rows collected instead of inserted one by one (an import chunk: see buffered_audit).
_buffer: ContextVar[list[ChangeLog] | None] = ContextVar("baton_audit_buffer", default=None)


def current_request_id() -> str:
    return _request_id.get()


@contextlib.contextmanager
def audit_context(*, request_id: str = "", job_id: str = "", source: str = "") -> Iterator[str]:
    """Tag every change written inside the block; imports and tasks pass a job id of their own."""
    tokens = []
    if request_id:
        tokens.append((_request_id, _request_id.set(request_id)))
    if job_id:
        tokens.append((_job_id, _job_id.set(job_id)))
    if source:
        tokens.append((_source, _source.set(source)))
    try:
        yield request_id or job_id
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


@contextlib.contextmanager
def buffered_audit() -> Iterator[list[ChangeLog]]:
    """Collect the audit rows ``log_change`` writes inside the block in the yielded list instead of
    inserting each one; the caller inserts them with ``flush_audit`` before its transaction commits
    (an import writes a chunk's audit in one statement) and drops the rows of work it rolled back by
    truncating the list. The rows have no id until flushed."""
    rows: list[ChangeLog] = []
    token = _buffer.set(rows)
    try:
        yield rows
    finally:
        _buffer.reset(token)


def flush_audit(rows: list[ChangeLog]) -> None:
    """Insert the collected audit rows (their ids are set on the same objects) and empty the list."""
    if rows:
        ChangeLog.objects.bulk_create(rows, batch_size=500)
        rows.clear()


def new_job_id() -> str:
    return uuid.uuid4().hex


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def field_names(instance: models.Model) -> list[str]:
    """The concrete fields a snapshot records: foreign keys by their id column name."""
    # The derived search columns (core/textsearch.py) follow the fields they are made of.
    skip = {"id", "version", "created_at", "updated_at", "search_text", "search_tokens"}
    return [f.attname for f in instance._meta.concrete_fields if f.attname not in skip]


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    names = list(fields) if fields is not None else field_names(instance)
    return {name: _jsonable(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose values differ."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def log_change(
    *,
    actor: User | None,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    parent: models.Model | None = None,
) -> ChangeLog:
    """Write one audit row. A child record (its model names the field in ``audit_parent``) is also filed
    under its parent, so the parent's history shows it; ``parent`` overrides that."""
    parent_type, parent_id = _parent_of(instance, parent)
    row = ChangeLog(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=str(actor)[:150] if actor is not None else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        request_id=_request_id.get(),
        job_id=_job_id.get(),
        source=_source.get(),
        before=before or {},
        after=after or {},
        note=note[:300],
        parent_type=parent_type,
        parent_id=parent_id,
    )
    held = _buffer.get()
    if held is not None:
        held.append(row)
    else:
        row.save(force_insert=True)
    return row


def _parent_of(instance: models.Model, parent: models.Model | None) -> tuple[ContentType | None, int | None]:
    """The parent's type and id, read from the foreign key's id column (no query: types are cached)."""
    if parent is not None:
        return ContentType.objects.get_for_model(parent, for_concrete_model=True), parent.pk
    name = getattr(instance, "audit_parent", None)
    if not name:
        return None, None
    field = instance._meta.get_field(name)
    parent_id = getattr(instance, field.attname, None)  # type: ignore[union-attr]
    if parent_id is None or field.related_model is None:
        return None, None
    return ContentType.objects.get_for_model(field.related_model, for_concrete_model=True), parent_id  # type: ignore[arg-type]


def history_for(instance: models.Model, limit: int = 50, *, viewer: Any = None) -> list[ChangeLog]:
    """The record's newest changes and its children's (line items, quotes, team members), each with
    ``.readable`` (see attach_readable_changes); values ``viewer`` may not see read "(hidden)"."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    rows = (
        ChangeLog.objects.filter(
            Q(content_type=ct, object_id=instance.pk) | Q(parent_type=ct, parent_id=instance.pk)
        )
        .select_related("actor", "content_type")
        .order_by("-time", "-id")[:limit]
    )
    return attach_readable_changes(rows, viewer=viewer)


# --- reading the log -----------------------------------------------------------------------------

# Columns people do not need to read in a history: bookkeeping and denormalised keys.
HIDDEN_FIELDS = frozenset(
    {
        "team_id",
        "version",
        "custom_field_data",
        "name_key",
        "company_key",
        "domain",
        "updated_at",
        "created_at",
    }
)


# Keys a service logs that are not model fields, in the reader's words.
EXTRA_LABELS = {"following": gettext_lazy("Following")}
# Machine notes services write, in the reader's words; other notes are people's own text.
NOTE_LABELS = {
    "follow": gettext_lazy("Started following"),
    "unfollow": gettext_lazy("Stopped following"),
    "email queued": gettext_lazy("E-mail queued"),
    "email sent": gettext_lazy("E-mail sent"),
    "email failed": gettext_lazy("E-mail not sent"),
    "email received": gettext_lazy("E-mail received"),
    "attachment": gettext_lazy("Attachment"),
    "comment": gettext_lazy("Comment"),
    "no approval rule applies": gettext_lazy("No approval rule applies"),
    "consent given": gettext_lazy("Consent given"),
    "consent withdrawn": gettext_lazy("Consent withdrawn"),
    "personal data erased": gettext_lazy("Personal data erased"),
}


def _display(field: models.Field | None, value: Any, names: dict[tuple[type[models.Model], Any], str]) -> Any:
    """A logged value in the reader's language and time zone (read time, not write time)."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if field is None:
        return display_value(value)
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField):  # DateTimeField too: ISO text → local, readable
        return display_value(value)
    return value


def note_label(note: str) -> str:
    return str(NOTE_LABELS[note]) if note in NOTE_LABELS else note


def attach_readable_changes(
    rows: Iterable[ChangeLog], *, limit: int = 12, viewer: Any = None
) -> list[ChangeLog]:
    """Give each change-log row ``.readable``: [(field label, before, after)] in the reader's words —
    verbose field names, choice labels and the names of related records instead of ids (creations
    get an empty list: the record's own page shows its values).

    Related records are looked up with one query per related model for all rows together, so a
    history or a feed page costs the same few queries however long it is.

    With ``viewer``, the fields protected from them (core.fieldaccess) keep their key but their before
    and after read "(hidden)", on the row itself too.
    """
    rows = list(rows)
    if viewer is not None:
        for row in rows:
            model = ContentType.objects.get_for_id(row.content_type_id).model_class()
            if model is not None and fieldaccess.hidden_fields(viewer, model):
                row.before = fieldaccess.mask(viewer, model, row.before or {})
                row.after = fieldaccess.mask(viewer, model, row.after or {})
                row.masked = fieldaccess.hidden_fields(viewer, model)  # type: ignore[attr-defined]
    fields_by_row: list[dict[str, models.Field]] = []
    wanted: dict[type[models.Model], set[Any]] = {}
    for row in rows:
        if row.action == ChangeLog.Action.CREATE:
            # A creation lists every field; the record's page shows those values already.
            fields_by_row.append({})
            continue
        model = ContentType.objects.get_for_id(row.content_type_id).model_class()
        fields = {f.attname: f for f in model._meta.concrete_fields} if model is not None else {}
        fields_by_row.append(fields)
        for name in (set(row.before) | set(row.after)) - HIDDEN_FIELDS:
            field = fields.get(name)
            if field is not None and field.is_relation and field.related_model is not None:
                for value in (row.before.get(name), row.after.get(name)):
                    if value not in (None, ""):
                        wanted.setdefault(field.related_model, set()).add(value)
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, ids in wanted.items():
        for obj in related._base_manager.filter(pk__in=list(ids)[:500]):
            names[(related, obj.pk)] = str(obj)[:80]
    for row, fields in zip(rows, fields_by_row, strict=True):
        readable: list[tuple[str, Any, Any]] = []
        if row.action == ChangeLog.Action.CREATE:
            row.readable = readable  # type: ignore[attr-defined]
            continue
        for name, before, after in row.changed_fields():
            if name in HIDDEN_FIELDS:
                continue
            field = fields.get(name)
            if name in getattr(row, "masked", ()):
                hidden = str(fieldaccess.HIDDEN)
                old = hidden if before not in (None, "") else None
                new = hidden if after not in (None, "") else None
            else:
                old, new = _display(field, before, names), _display(field, after, names)
            if old is None and new is None:
                continue
            if field is not None:
                label = str(field.verbose_name)
            else:
                label = str(EXTRA_LABELS.get(name, name.removesuffix("_id").replace("_", " ")))
            readable.append((label[:1].upper() + label[1:], old, new))
        row.readable = readable[:limit]  # type: ignore[attr-defined]
    for row in rows:
        row.note_display = note_label(row.note)  # type: ignore[attr-defined]
    return rows
