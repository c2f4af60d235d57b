"""The export log: who took personal data out (CSV downloads, data-subject archives), what and when."""

from __future__ import annotations

from typing import Any

from baton.core.audit import current_request_id
from baton.core.events import DataExport
from baton.privacy.models import ExportLog


def record_export(user: Any, *, kind: str, what: str, rows: int) -> ExportLog:
    real = user if user is not None and getattr(user, "pk", None) else None
    return ExportLog.objects.create(
        user=real,
        username=(getattr(user, "username", "") or "")[:150],
        kind=kind,
        what=what[:200],
        rows=max(0, rows),
        request_id=current_request_id()[:64],
    )


def log_export(payload: DataExport) -> None:
    """Subscriber of ``data_exported``."""
    record_export(payload.user, kind=payload.kind, what=payload.what, rows=payload.rows)
