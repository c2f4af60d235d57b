"""The record kinds that have page layouts and the fields a layout may place.

Each app registers its kind in ``ready()`` with the fields its detail page shows and its edit form
takes (core cannot import the apps). A layout places any of them, and the kind's active custom fields
as ``cf_<key>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from baton.core.customfields.models import Requirement
from baton.core.customfields.schema import schema_for

CUSTOM_PREFIX = "cf_"
#: How URLs and the API name "every role without a layout of its own" (stored as a blank role).
EVERY_ROLE = "all"


@dataclass(frozen=True)
class LayoutKind:
    """A kind's model, the fields of its detail page and of its edit form (in today's order), and the
    form fields a person must fill in (they cannot be left off a layout)."""

    kind: str
    model: type[models.Model]
    detail: tuple[str, ...]
    form: tuple[str, ...]
    required: frozenset[str]


@dataclass(frozen=True)
class LayoutField:
    """One field an editor offers: where it shows, and whether a layout must keep it on the form."""

    name: str
    label: str
    on_detail: bool
    on_form: bool
    required: bool
    custom: bool = False


_KINDS: dict[str, LayoutKind] = {}


def register_layout_kind(
    kind: str,
    model: type[models.Model],
    *,
    detail: Iterable[str],
    form: Iterable[str],
    also_required: Iterable[str] = (),
) -> None:
    """Give ``kind`` page layouts. ``detail``/``form``: the detail page's and the form's field names;
    a form field is required when its model field must be filled (no blank, no default) or it is
    named in ``also_required`` (a form that requires more than the model, e.g. the owner)."""
    form = tuple(form)
    required = set(also_required)
    for name in form:
        field = model._meta.get_field(name)
        if isinstance(field, models.Field) and not field.blank and not field.has_default():
            required.add(name)
    _KINDS[kind] = LayoutKind(kind, model, tuple(detail), form, frozenset(required & set(form)))


def layout_kinds() -> dict[str, LayoutKind]:
    return dict(_KINDS)


def layout_kind(kind: str) -> LayoutKind | None:
    return _KINDS.get(kind)


def catalogue(kind: str) -> list[LayoutField]:
    """Every field a layout of ``kind`` may place: the built-in ones (detail order, then the form's
    others), then the active custom fields."""
    entry = _KINDS.get(kind)
    if entry is None:
        return []
    names = list(entry.detail) + [n for n in entry.form if n not in entry.detail]
    fields = []
    for name in names:
        label = str(getattr(entry.model._meta.get_field(name), "verbose_name", name))
        fields.append(
            LayoutField(name, label, name in entry.detail, name in entry.form, name in entry.required)
        )
    for definition in schema_for(kind).fields:
        required = definition.requirement != Requirement.OPTIONAL
        fields.append(
            LayoutField(CUSTOM_PREFIX + definition.key, definition.label, True, True, required, custom=True)
        )
    return fields
