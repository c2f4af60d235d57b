"""The D-90/-30/-7 renewal reminders: a task and a notification, once per contract, term and threshold."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from baton.activities import services as activities
from baton.activities.models import Activity, Notification
from baton.core.i18n_text import Msg
from baton.success.models import Contract, RenewalReminder
from baton.success.services.common import contract_url

REMINDER_DAYS = (90, 30, 7)


def send_reminders(today: dt.date | None = None) -> int:
    """D-90/-30/-7 before a term ends: a task for the owner (assigned to the owner and the CSM) and a
    notification to both, once per contract, term and threshold (a unique row claims it)."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMINDER_DAYS:
        target = today + dt.timedelta(days=days)
        for contract in Contract.objects.filter(
            status=Contract.Status.ACTIVE, end_date=target
        ).select_related("account", "owner", "csm"):
            try:
                with transaction.atomic():
                    RenewalReminder.objects.create(
                        contract=contract, term_end=contract.end_date, days_before=days
                    )
                    _remind(contract, days)
                    sent += 1
            except IntegrityError:
                continue
    return sent


def _remind(contract: Contract, days: int) -> None:
    people = [u for u in (contract.owner, contract.csm) if u is not None and u.is_active]
    if not people:
        return
    subject = f"D-{days} {contract.name} 갱신 ({contract.end_date:%Y-%m-%d})"
    actor = people[0]
    due = timezone.make_aware(dt.datetime.combine(contract.end_date - dt.timedelta(days=days), dt.time(9)))
    # If the owner no longer reads the account there is no task; the notification below still goes out.
    with contextlib.suppress(ValidationError), transaction.atomic():
        activities.create_activity(
            actor=actor,
            record=contract.account,
            kind=Activity.Kind.TASK,
            subject=subject[:200],
            due_at=due,
            assignees=people,
        )
    activities.notify(
        [u.pk for u in people],
        kind=Notification.Kind.REMINDER,
        actor=None,
        text=Msg(gettext_noop("Renewal in %(days)s days: %(contract)s"), days=days, contract=contract.name),
        url=contract_url(contract),
    )
