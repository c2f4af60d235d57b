"""The one function other apps' writes reach (through ``core.events.record_changed``, subscribed in
``apps.py``) to tell the followers of a record about a change.

It does no notification work inside the caller's transaction: it only remembers which ChangeLog row
to announce and, after the commit, enqueues ``notify_record_change`` for it.

``apps.py`` imports this module while the app registry is still loading, so it must not import
models at module level: the three imports below run on the first call, when every model is ready.
"""

from __future__ import annotations

from typing import Any


def record_changed(instance: Any, change: Any = None) -> None:
    """Call after a write on a lead, account, contact or opportunity (inside its transaction).

    ``change`` is the ChangeLog row the write produced; without it the newest row of the record is
    used (one indexed query). A write that changed nothing logs nothing and notifies no one.
    """
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 - see above

    from baton.activities.tasks import enqueue_on_commit, notify_record_change  # noqa: PLC0415
    from baton.core.models import ChangeLog  # noqa: PLC0415 - models load after apps.py

    change_id = getattr(change, "pk", None)
    if change_id is None:
        ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
        change_id = (
            ChangeLog.objects.filter(content_type=ct, object_id=instance.pk)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
    if change_id is not None:
        enqueue_on_commit(notify_record_change, change_id)
