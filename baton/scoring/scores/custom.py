"""Lead custom fields in the fit rules: a rule's attribute ``cf_<key>`` tests the field's value.

Only fields everyone may read are offered: a score's reasons are shown to whoever sees the lead, so a
rule over a field hidden from some readers would reveal its value to them.
"""

from __future__ import annotations

from typing import Any

from baton.core.customfields.models import FieldType
from baton.core.customfields.schema import schema_for
from baton.scoring.scores.rules import CUSTOM_PREFIX

SCORABLE = tuple(t for t in FieldType.values if t not in (FieldType.LONG_TEXT,))


def custom_attributes() -> dict[str, Any]:
    """``cf_<key>`` -> label of the lead custom fields a fit rule may test."""
    return {
        f"{CUSTOM_PREFIX}{f.key}": f.label
        for f in schema_for("lead").fields
        if not f.read_roles and f.type in SCORABLE
    }
