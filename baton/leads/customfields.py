"""What custom fields need to know about leads: the order of their statuses (a field may be required
from "qualified" onward)."""

from __future__ import annotations

from typing import Any

from baton.core.customfields.schema import StageOrder
from baton.leads.models import LeadStatus

ORDER = [LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.QUALIFIED, LeadStatus.CONVERTED]


def status_choices() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in ORDER]


def status_reached(lead: Any, key: str) -> bool:
    """The lead's status is ``key`` or a later one (a disqualified lead has reached none)."""
    keys = [s.value for s in ORDER]
    if lead.status not in keys or key not in keys:
        return False
    return keys.index(lead.status) >= keys.index(key)


STATUS_ORDER = StageOrder(status_choices, status_reached, field="status")
