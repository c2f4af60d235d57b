"""Who reads a record because it is offered to them (registered with ``core.records`` in ``ready()``):
the people of a department a pending hand-off is addressed to read the record they are asked to accept,
so they never accept (and take ownership of) a record nobody could look at. While it is offered they
may also change it (accepting takes ownership through the owning app's service)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from baton.process.models import Department, HandOff


def receiving_department_ids(user: Any) -> list[int]:
    """Departments whose receiving roles include the user's role (cached on the user object)."""
    cached = getattr(user, "_baton_receiving_departments", None)
    if cached is not None:
        return list(cached)
    ids = [
        pk
        for pk, roles in Department.objects.filter(is_archived=False).values_list("id", "roles")
        if user.role in (roles or [])
    ]
    user._baton_receiving_departments = tuple(ids)
    return ids


def receiver_reads(kind: str) -> Any:
    def rule(user: Any) -> Q | None:
        if not user.role:
            return None
        # A subquery, no query of its own: the department's roles (a JSON list) name the user's role.
        offered = HandOff.objects.filter(
            status=HandOff.Status.PENDING,
            record_kind=kind,
            to_stage__department__is_archived=False,
            to_stage__department__roles__icontains=f'"{user.role}"',
        )
        return Q(pk__in=offered.values("record_id"))

    return rule
