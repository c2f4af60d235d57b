"""Speed to lead's first sales touch, kept on the lead (``Lead.first_touch_at``).

A sales touch is a completed call, e-mail, meeting or minutes activity on the lead, or a call or meeting
a colleague logged on the lead's timeline (``LeadInteraction.SALES_TOUCHES`` with an actor). The lead
keeps the earliest one so the inside-sales numbers read a column instead of two correlated subqueries
per lead (30 s at 1M leads).

Who keeps it: a new touch moves it back (``leads.services.note_first_touch``, one UPDATE); anything that
can take a touch away or move it later (an activity un-done, an import rolled back, an erasure) calls
``refresh_first_touch``, which recomputes it from every touch in one UPDATE. ``baton
rebuild_first_touches`` recomputes every lead, for data loaded around the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Least

from baton.activities.models import Activity
from baton.leads.models import Lead, LeadInteraction
from baton.leads.services import note_first_touch

# Activities that reach the lead (a task or a note is not a touch).
TOUCH_KINDS = (Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.EVENT, Activity.Kind.MINUTES)


def is_touch(activity: Activity) -> bool:
    return bool(
        activity.lead_id
        and activity.kind in TOUCH_KINDS
        and activity.status == Activity.Status.DONE
        and activity.completed_at is not None
    )


def first_touch_expression() -> Any:
    """The earliest touch of the lead in the outer query, from the touches themselves (the definition
    the kept column must always equal)."""
    activity = (
        Activity.objects.filter(
            lead_id=OuterRef("pk"),
            status=Activity.Status.DONE,
            kind__in=TOUCH_KINDS,
            completed_at__isnull=False,
        )
        .order_by("completed_at")
        .values("completed_at")[:1]
    )
    logged = (
        LeadInteraction.objects.filter(
            lead_id=OuterRef("pk"), kind__in=LeadInteraction.SALES_TOUCHES, actor__isnull=False
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    a, b = Subquery(activity), Subquery(logged)
    # The earlier of the two where both exist (LEAST is NULL on SQLite when either side is).
    return Least(Coalesce(a, b), Coalesce(b, a))


def refresh_first_touch(lead_ids: Iterable[int | None]) -> int:
    """Recompute the first touch of these leads from their touches (one UPDATE); returns the count."""
    ids = sorted({pk for pk in lead_ids if pk})
    if not ids:
        return 0
    return Lead.objects.filter(pk__in=ids).update(first_touch_at=first_touch_expression())


def activity_touch_changed(activity: Activity, *, was_touch: bool) -> None:
    """Call after a write on ``activity`` with whether it was a touch before: a new touch moves the
    lead's first touch back; a touch that stopped being one recomputes it."""
    now_touch = is_touch(activity)
    if was_touch and not now_touch:
        refresh_first_touch([activity.lead_id])
    elif now_touch and not was_touch and activity.completed_at is not None:
        note_first_touch(Lead(pk=activity.lead_id), activity.completed_at)


def rebuild_all(batch: int = 20_000) -> int:
    """Recompute every lead's first touch (in id ranges, so a large table is not one long UPDATE)."""
    done = 0
    last = 0
    while True:
        ids = list(Lead.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        done += Lead.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(
            first_touch_at=first_touch_expression()
        )
        last = ids[-1]


def mismatched(lead_ids: Iterable[int] | None = None) -> list[int]:
    """Leads whose kept first touch differs from their touches (for checks and tests)."""
    qs = Lead.objects.all() if lead_ids is None else Lead.objects.filter(pk__in=list(lead_ids))
    rows = qs.annotate(expected=first_touch_expression()).values_list("pk", "first_touch_at", "expected")
    return sorted(pk for pk, kept, expected in rows if kept != expected)
