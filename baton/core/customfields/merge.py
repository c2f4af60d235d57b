"""Custom fields as merge fields: ``{{ opportunity.budget }}``, ``{{ account.tier }}`` in e-mail
templates and in a quote's notes and special terms (the quote PDF).

The record kinds a text can reach are the record itself and those it leads to (a deal: its account
and primary contact; a contact: its account). A value is filled in only when the reader may read the
field (``schema.can_read_field``; with no reader, only fields everyone may read); otherwise, or when
the record has no value, the merge field is left empty, so a template cannot reveal a hidden value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from baton.core.customfields.display import display
from baton.core.customfields.schema import OBJECTS, can_read_field, kind_for_model, schema_for

CUSTOM_MERGE_RE = re.compile(r"{{\s*(lead|account|contact|opportunity)\.([a-z][a-z0-9_]{0,39})\s*}}")


def merge_fields(user: Any) -> list[tuple[str, str]]:
    """(``kind.key``, label) of the active custom fields ``user`` may read, for the template editors."""
    names = {
        "lead": _("Lead"),
        "account": _("Account"),
        "contact": _("Contact"),
        "opportunity": _("Opportunity"),
    }
    out = []
    for kind in OBJECTS:
        for definition in schema_for(kind).fields:
            if user is None or can_read_field(user, definition):
                out.append((f"{kind}.{definition.key}", f"{names[kind]}: {definition.label}"))
    return out


def unknown_merge_fields(texts: Iterable[str]) -> list[str]:
    """The ``kind.key`` merge fields in ``texts`` that name no active custom field."""
    unknown: set[str] = set()
    keys: dict[str, set[str]] = {}
    for text in texts:
        for kind, key in CUSTOM_MERGE_RE.findall(text or ""):
            if kind not in keys:
                keys[kind] = {f.key for f in schema_for(kind).fields}
            if key not in keys[kind]:
                unknown.add(f"{kind}.{key}")
    return sorted(unknown)


def related_records(record: Any) -> dict[str, Any]:
    """The records a merge text about ``record`` can reach, by kind."""
    kind = kind_for_model(record) if record is not None else None
    if kind is None:
        return {}
    found: dict[str, Any] = {kind: record}
    if kind in ("opportunity", "contact") and getattr(record, "account_id", None):
        found["account"] = record.account
    if kind == "opportunity" and getattr(record, "primary_contact_id", None):
        found["contact"] = record.primary_contact
    return found


def fill_custom(text: str, records: dict[str, Any], reader: Any) -> str:
    """``text`` with its custom merge fields filled in from ``records`` as ``reader`` may read them."""
    if not text or "{{" not in text:
        return text
    schemas: dict[str, dict[str, Any]] = {}

    def value(match: re.Match[str]) -> str:
        kind, key = match.group(1), match.group(2)
        record = records.get(kind)
        if record is None:
            return ""
        if kind not in schemas:
            schemas[kind] = schema_for(kind).by_key()
        definition = schemas[kind].get(key)
        if definition is None:
            return ""
        if reader is None and definition.read_roles:
            return ""
        if reader is not None and not can_read_field(reader, definition):
            return ""
        return display(definition, (getattr(record, "custom_field_data", None) or {}).get(key))[0]

    return CUSTOM_MERGE_RE.sub(value, text)
