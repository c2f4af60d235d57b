"""Permission checks shared by the scoring writes: admin-only tables, and edits of a lead or deal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from baton.core.models import User
from baton.core.records import can_edit


def require_admin(actor: User | None) -> None:
    """Rules, reasons, competitors, routing and capacity are edited by administrators only."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators may change this."))


def require_edit(actor: User | None, record: Any) -> None:
    """``actor`` may change ``record`` (a lead or an opportunity); ``None`` is the system."""
    if actor is not None and not can_edit(actor, record):
        raise PermissionDenied(_("You may not change this record."))
