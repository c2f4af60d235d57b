"""The layout a user gets and how it shapes a detail page and an edit form.

Layouts are few and read on every record page, so each process keeps them for up to
``CACHE_SECONDS`` (a page pays no query for them, with or without a layout); ``layouts_changed``
bumps a version in Django's cache, so with a shared cache every process reloads at once, and with the
per-process default the other workers within ``CACHE_SECONDS`` (the rule of ``core.fieldaccess``).

A layout only narrows. The callers hand it what the user may already see (the rows field protection
and the custom field roles left, the form fields left after ``protect_form``); a layout can leave
fields out and make fields read-only, never add a field or make one editable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baton.core.customfields.models import Requirement
from baton.core.customfields.schema import schema_for
from baton.core.layouts.models import PageLayout
from baton.core.layouts.registry import CUSTOM_PREFIX, layout_kind
from baton.core.sharedcopy import SharedCopy

CACHE_SECONDS = 30
VERSION_KEY = "baton:pagelayout:version"


@dataclass(frozen=True)
class Placed:
    """One field on a layout."""

    name: str
    readonly: bool = False
    compact: bool = False


@dataclass(frozen=True)
class Section:
    title_ko: str
    title_en: str
    fields: tuple[Placed, ...]

    @property
    def title(self) -> str:
        korean = (get_language() or "ko").startswith("ko")
        return (self.title_ko if korean else self.title_en) or self.title_ko or self.title_en


@dataclass(frozen=True)
class Layout:
    object: str
    role: str
    version: int
    sections: tuple[Section, ...]

    def names(self) -> list[str]:
        return [p.name for s in self.sections for p in s.fields]

    def readonly(self) -> frozenset[str]:
        return frozenset(p.name for s in self.sections for p in s.fields if p.readonly)

    def compact(self) -> frozenset[str]:
        """The fields of the narrow-screen layout; empty: narrow screens show the whole layout."""
        return frozenset(p.name for s in self.sections for p in s.fields if p.compact)


def parse_sections(raw: Any) -> tuple[Section, ...]:
    """Stored (or posted) sections as ``Section``s; malformed entries are skipped (the service refuses
    them before they are stored, so this only guards against hand-edited rows)."""
    sections = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        placed = []
        for entry in item.get("fields") or []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                placed.append(Placed(entry["name"], bool(entry.get("readonly")), bool(entry.get("compact"))))
        sections.append(
            Section(str(item.get("title_ko") or ""), str(item.get("title_en") or ""), tuple(placed))
        )
    return tuple(sections)


def as_layout(row: PageLayout) -> Layout:
    return Layout(row.object, row.role, row.version, parse_sections(row.sections))


# --- the per-process copy --------------------------------------------------------------------------------

Layouts = dict[tuple[str, str], Layout]


def _load_layouts() -> Layouts:
    return {(row.object, row.role): as_layout(row) for row in PageLayout.objects.all()}


_copy: SharedCopy[Layouts] = SharedCopy(VERSION_KEY, CACHE_SECONDS, _load_layouts)


def layouts_changed() -> None:
    """Forget every cached copy of the layouts (called by the services after a write commits)."""
    _copy.changed()


def preload(layouts: Layouts) -> None:
    """Take ``layouts`` as this process's current copy (the test suite starts every test with none)."""
    _copy.preload(layouts)


def _layouts() -> Layouts:
    return _copy.get()


def layout_for(user: Any, kind: str | None) -> Layout | None:
    """The layout ``user`` gets for ``kind``: their role's, else the one for every role, else None
    (today's page)."""
    if kind is None or layout_kind(kind) is None or user is None:
        return None
    layouts = _layouts()
    if not layouts:
        return None
    return layouts.get((kind, getattr(user, "role", "") or "")) or layouts.get((kind, ""))


# --- the detail page -------------------------------------------------------------------------------------


@dataclass
class LaidOutSection:
    """A section as a page draws it: its title and its rows (each row has ``extra`` set when a compact
    layout leaves it out on narrow screens)."""

    title: str
    rows: list[Any]


def detail_sections(layout: Layout, rows: dict[str, Any]) -> list[LaidOutSection]:
    """The layout's sections filled with ``rows`` (name -> row, only what the user may read), in the
    layout's order; fields the layout leaves out are not shown. Empty sections are dropped."""
    compact = layout.compact()
    sections = []
    for section in layout.sections:
        laid = []
        for placed in section.fields:
            row = rows.get(placed.name)
            if row is None:
                continue
            row.extra = bool(compact) and placed.name not in compact
            laid.append(row)
        if laid:
            sections.append(LaidOutSection(section.title, laid))
    return sections


# --- the edit form ---------------------------------------------------------------------------------------


def form_required(kind: str, form: forms.BaseForm) -> set[str]:
    """The form fields a person must be able to fill in: the kind's required ones (no blank and no
    default, or named so by the app) and the custom fields required always or from a stage on. A form
    field Django marks required only because its model field has a default may be left off: the
    record keeps its value, a new one gets the default."""
    entry = layout_kind(kind)
    required = set(entry.required) if entry is not None else set()
    required |= {
        CUSTOM_PREFIX + f.key for f in schema_for(kind).fields if f.requirement != Requirement.OPTIONAL
    }
    return {name for name in required if name in form.fields}


def shape_form(
    form: forms.BaseForm, layout: Layout, kind: str, *, creating: bool
) -> list[tuple[str, list[str]]]:
    """Narrow ``form`` to ``layout``: fields it leaves out are taken off the form (a posted value for
    them is ignored), read-only ones are disabled (Django then ignores a posted value and keeps the
    record's), the rest ordered as the layout says. A required field stays: left out, it is added in a
    last section (a layout saved before the field became required); read-only, it stays editable on a
    new record (it could not be filled in otherwise). Returns (section title, field names)."""
    required = form_required(kind, form)
    placed = [n for n in dict.fromkeys(layout.names()) if n in form.fields]
    kept = set(placed) | required
    hidden_inputs = [n for n, f in form.fields.items() if isinstance(f.widget, forms.HiddenInput)]
    for name in list(form.fields):
        if name not in kept and name not in hidden_inputs:
            del form.fields[name]
    for name in layout.readonly():
        if name in form.fields and not (creating and name in required):
            form.fields[name].disabled = True
    sections: list[tuple[str, list[str]]] = []
    for section in layout.sections:
        names = [p.name for p in section.fields if p.name in form.fields]
        if names:
            sections.append((section.title, list(dict.fromkeys(names))))
    shown = {n for _title, names in sections for n in names}
    missing = [n for n in form.fields if n in required and n not in shown]
    if missing:
        sections.append((_("Other required fields"), missing))
    order: Iterable[str] = [*hidden_inputs, *(n for _title, names in sections for n in names)]
    form.fields = {name: form.fields[name] for name in dict.fromkeys(order) if name in form.fields}
    return sections
