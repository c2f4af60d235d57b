"""Who reads leads and campaigns beyond their owners (registered with ``core.records`` in ``ready()``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from baton.core.models import Role
from baton.core.records import ALL_ROWS


def marketing_reads(user: Any) -> Q | None:
    return ALL_ROWS if user.role == Role.MARKETING else None
