"""The layout editor's rows, read back without script.

Sections are rows ``s<i>-title_ko``, ``s<i>-title_en``, ``s<i>-order``; every field the kind offers is
one row ``f-<name>-section`` (a section number, or empty: not on the layout), ``f-<name>-order``,
``f-<name>-readonly`` and ``f-<name>-compact``. Order numbers sort sections and the fields within a
section (ties keep the listed order), so an administrator reorders by typing numbers (the action
builder's way). The rows are read into the list of sections the service takes and checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from baton.core.layouts.registry import LayoutField, catalogue, layout_kind
from baton.core.layouts.resolve import parse_sections
from baton.core.layouts.services import MAX_SECTIONS

BLANK_SECTIONS = 2
_INT = re.compile(r"^\d{1,4}$")
_SECTION = re.compile(r"^s(\d{1,2})-order$")


def _order(raw: Any, fallback: int) -> int:
    text = str(raw or "").strip()
    return int(text) if _INT.match(text) else fallback


def sections_from_post(kind: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The posted rows as sections (titles and fields in order); sections with no field are left out."""
    indexes = sorted({int(m.group(1)) for key in data if (m := _SECTION.match(key))})
    fields = catalogue(kind)
    sections: list[tuple[int, int, dict[str, Any]]] = []
    for index in indexes[:MAX_SECTIONS]:
        placed: list[tuple[int, int, dict[str, Any]]] = []
        for position, field in enumerate(fields):
            if str(data.get(f"f-{field.name}-section") or "").strip() != str(index):
                continue
            entry = {
                "name": field.name,
                "readonly": bool(data.get(f"f-{field.name}-readonly")),
                "compact": bool(data.get(f"f-{field.name}-compact")),
            }
            placed.append((_order(data.get(f"f-{field.name}-order"), 1000 + position), position, entry))
        if not placed:
            continue
        section = {
            "title_ko": str(data.get(f"s{index}-title_ko") or "").strip(),
            "title_en": str(data.get(f"s{index}-title_en") or "").strip(),
            "fields": [entry for _o, _p, entry in sorted(placed, key=lambda r: (r[0], r[1]))],
        }
        sections.append((_order(data.get(f"s{index}-order"), index + 1), index, section))
    return [section for _o, _i, section in sorted(sections, key=lambda r: (r[0], r[1]))]


def default_sections(kind: str) -> list[dict[str, Any]]:
    """Today's page as a layout, to start editing from: one section with every field in its order."""
    entry = layout_kind(kind)
    names = [] if entry is None else [*entry.detail, *(n for n in entry.form if n not in entry.detail)]
    names += [f.name for f in catalogue(kind) if f.custom]
    return [
        {
            "title_ko": "상세 정보",
            "title_en": "Details",
            "fields": [{"name": n, "readonly": False, "compact": False} for n in names],
        }
    ]


def editor_rows(kind: str, sections: Any) -> dict[str, Any]:
    """What the editor draws: the section rows (the layout's plus blank ones) and one row per field,
    with its section, order, flags and where it shows (detail page, form, required)."""
    parsed = parse_sections(sections)
    section_rows = [
        {"index": i, "order": i + 1, "title_ko": s.title_ko, "title_en": s.title_en}
        for i, s in enumerate(parsed)
    ]
    for i in range(len(parsed), min(MAX_SECTIONS, len(parsed) + BLANK_SECTIONS)):
        section_rows.append({"index": i, "order": i + 1, "title_ko": "", "title_en": ""})
    where: dict[str, tuple[int, int, bool, bool]] = {}
    for s_index, section in enumerate(parsed):
        for f_index, placed in enumerate(section.fields):
            where.setdefault(placed.name, (s_index, f_index + 1, placed.readonly, placed.compact))
    field_rows = []
    for field in catalogue(kind):
        section_index, order, readonly, compact = where.get(field.name, (None, None, False, False))
        field_rows.append(
            {
                "name": field.name,
                "label": field.label,
                "shows": _shows(field),
                "required": field.required,
                "section": "" if section_index is None else str(section_index),
                "order": order or "",
                "readonly": readonly,
                "compact": compact,
            }
        )
    field_rows.sort(key=lambda r: (r["section"] == "", r["section"], r["order"] or 0))
    return {"sections": section_rows, "fields": field_rows}


def _shows(field: LayoutField) -> str:
    if field.on_detail and field.on_form:
        return _("page and form")
    return _("page only") if field.on_detail else _("form only")
