"""The automation box on record pages (core.panels): the runs of rules on this record."""

from __future__ import annotations

from typing import Any

from baton.core.panels import register_panel
from baton.core.records import kind_of

from .queries import runs_of

PANEL_LIMIT = 10


def runs_panel(user: Any, obj: Any) -> dict[str, Any]:
    # The page already checked that ``user`` may see ``obj``; runs are visible through their record.
    kind = kind_of(obj)
    return {
        "automation_runs": list(runs_of(kind, obj.pk)[:PANEL_LIMIT]),
        "record_kind": kind,
        "record_pk": obj.pk,
    }


def register() -> None:
    for page in ("account", "contact"):
        register_panel(page, f"automation/panels/_{page}_runs.html", 90, runs_panel)
