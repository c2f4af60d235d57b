"""The custom field schema of each record kind, cached per process and versioned by revision, and
who may read or edit each field.

A write reads the newest ``SchemaRevision`` number (one query) and reuses the cached definitions while
it stays the same, so the cost of a write does not grow with the number of fields or rules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from baton.core import fieldaccess
from baton.core.customfields.models import CustomField, SchemaRevision, ValidationRule
from baton.core.models import User
from baton.core.records import record_kinds

#: The customer records (``core.records`` kinds): custom fields, validation rules and reference
#: targets.
RECORD_OBJECTS = ("lead", "account", "contact", "opportunity")
#: Every kind that has custom fields: the customer records, and the records that hang under them
#: (activities, contracts, support cases), whose apps register their model with
#: ``register_custom_field_model`` in ``ready()`` (core cannot import them).
OBJECTS = (*RECORD_OBJECTS, "activity", "contract", "case")
_CHILD_MODELS: dict[str, type[models.Model]] = {}
_CHILD_URLS: dict[str, str] = {}


def register_custom_field_model(kind: str, model: type[models.Model], url_name: str = "") -> None:
    """Give ``model`` (an ``OwnedRecord`` with ``custom_field_data``) the custom fields of ``kind``;
    ``url_name`` is its page (taking the record's id), where the values box returns after a save."""
    if kind not in OBJECTS or kind in RECORD_OBJECTS:
        raise ValueError(f"{kind!r} is not a child kind with custom fields")
    _CHILD_MODELS[kind] = model
    _CHILD_URLS[kind] = url_name


def child_url_name(kind: str) -> str:
    return _CHILD_URLS.get(kind, "")


def child_model(kind: str) -> type[models.Model] | None:
    """The registered model of a child kind (``activity``, ``contract``, ``case``), or None."""
    return _CHILD_MODELS.get(kind)


@dataclass
class KindSchema:
    """The active fields (in order), the archived ones, and the active rules of one record kind."""

    fields: list[CustomField] = field(default_factory=list)
    archived: list[CustomField] = field(default_factory=list)
    rules: list[ValidationRule] = field(default_factory=list)

    def by_key(self) -> dict[str, CustomField]:
        return {f.key: f for f in self.fields}


@dataclass
class _Cache:
    stamp: Any = -1
    kinds: dict[str, KindSchema] = field(default_factory=dict)


_cache = _Cache()
_lock = threading.Lock()


def invalidate_schema_cache() -> None:
    with _lock:
        _cache.stamp = -1
        _cache.kinds = {}


def schema_for(kind: str) -> KindSchema:
    """The schema of ``kind`` as of the newest revision (one query when cached)."""
    # The id and time too: a test's rolled-back revision may reuse a number (and on SQLite an id).
    stamp = SchemaRevision.objects.order_by("-number").values_list("id", "number", "created_at").first()
    with _lock:
        if _cache.stamp == stamp:
            return _cache.kinds.get(kind) or KindSchema()
    kinds: dict[str, KindSchema] = {}
    for definition in CustomField.objects.all():
        schema = kinds.setdefault(definition.object, KindSchema())
        (schema.archived if definition.is_archived else schema.fields).append(definition)
    for rule in ValidationRule.objects.filter(is_active=True):
        kinds.setdefault(rule.object, KindSchema()).rules.append(rule)
    with _lock:
        _cache.stamp = stamp
        _cache.kinds = kinds
    return kinds.get(kind) or KindSchema()


# --- stages: "required from a stage onward" -----------------------------------------------------------


@dataclass(frozen=True)
class StageOrder:
    """How a record kind's stages run: ``choices()`` lists (key, label) in order; ``reached(record,
    key)`` says whether the record stands at or past that stage; ``field`` is the model field that holds
    the stage (a write that changes it is a stage move). Registered by the app that owns the stages
    (deals for opportunities, leads for lead statuses) in its ``ready()``."""

    choices: Callable[[], list[tuple[str, str]]]
    reached: Callable[[Any, str], bool]
    field: str = "stage"


_STAGES: dict[str, StageOrder] = {}


def register_stage_order(kind: str, order: StageOrder) -> None:
    _STAGES[kind] = order


def stage_order(kind: str) -> StageOrder | None:
    return _STAGES.get(kind)


# --- who may read and edit a field ----------------------------------------------------------------------


def can_read_field(user: User | Any, definition: CustomField) -> bool:
    """The rule is field protection's (core.fieldaccess), the one module deciding who sees a field."""
    return fieldaccess.may_read_custom(user, definition.read_roles)


def can_edit_field(user: User | Any, definition: CustomField) -> bool:
    """Editing needs reading too. ``user`` None is a system write (import, demo, tasks): allowed."""
    return fieldaccess.may_edit_custom(user, definition.read_roles, definition.edit_roles)


def kind_for_model(model: type[models.Model] | models.Model) -> str | None:
    """The record kind (``core.records``) of a model or record with custom fields, or None."""
    concrete = model if isinstance(model, type) else type(model)
    for kind, entry in record_kinds().items():
        if entry.model is concrete and kind in RECORD_OBJECTS:
            return kind
    for kind, child in _CHILD_MODELS.items():
        if child is concrete:
            return kind
    return None


def readable_custom_fields(user: User | Any, model: type[models.Model] | str) -> list[CustomField]:
    """The active custom fields of ``model`` (a model or a record kind) that ``user`` may read, in
    order. Pages, the API, exports and search show only these (decided by core.fieldaccess)."""
    kind = model if isinstance(model, str) else kind_for_model(model)
    if kind is None:
        return []
    return [f for f in schema_for(kind).fields if can_read_field(user, f)]


def editable_custom_fields(user: User | Any, model: type[models.Model] | str) -> list[CustomField]:
    kind = model if isinstance(model, str) else kind_for_model(model)
    if kind is None:
        return []
    return [f for f in schema_for(kind).fields if can_edit_field(user, f)]


def current_schemas() -> dict[str, KindSchema]:
    """Every record kind's schema as of the newest revision, for one reader of several kinds (one
    query, as ``schema_for``)."""
    schema_for(OBJECTS[0])  # reloads the cache when a newer revision exists
    with _lock:
        return dict(_cache.kinds)
