"""Writing product usage figures (seats bought and in use, sign-ins), one by one or as an import batch
that is saved whole or not at all. The health score's usage component reads them (see ``scoring``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.core.audit import log_change, snapshot
from baton.core.models import User
from baton.success.health.models import UsageRecord
from baton.success.models import Contract

MAX_SEATS = 10_000_000


@dataclass(frozen=True)
class UsageFigure:
    account: Account
    day: dt.date
    seats_bought: int
    seats_used: int
    logins: int = 0
    contract: Contract | None = None


def _errors(figure: UsageFigure, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not 0 < figure.seats_bought <= MAX_SEATS:
        errors["seats_bought"] = [_("Between 1 and %(max)s.") % {"max": MAX_SEATS}]
    if not 0 <= figure.seats_used <= MAX_SEATS:
        errors["seats_used"] = [_("Between 0 and %(max)s.") % {"max": MAX_SEATS}]
    if not 0 <= figure.logins <= MAX_SEATS * 1000:
        errors["logins"] = [_("Not a plausible number.")]
    if figure.day > today:
        errors["day"] = [_("Usage cannot be recorded for a day that has not come yet.")]
    if figure.contract is not None and figure.contract.account_id != figure.account.pk:
        errors["contract"] = [_("This contract is not this account's.")]
    return errors


def _save(figure: UsageFigure, actor: User | None, source: str) -> UsageRecord:
    row = UsageRecord.objects.filter(account=figure.account, day=figure.day).first()
    before = snapshot(row) if row is not None else None
    row = row or UsageRecord(account=figure.account, day=figure.day)
    row.seats_bought, row.seats_used, row.logins = figure.seats_bought, figure.seats_used, figure.logins
    row.contract, row.source = figure.contract, source
    row.created_by = actor if actor is not None and actor.pk else None
    row.save()
    log_change(
        actor=actor, action="update" if before else "create", instance=row, before=before, after=snapshot(row)
    )
    return row


@transaction.atomic
def record_usage(
    figure: UsageFigure, *, actor: User | None, today: dt.date, source: str = UsageRecord.Source.API
) -> UsageRecord:
    """One figure for an account the actor reads (a second one for the same day replaces it)."""
    if actor is not None and not Account.objects.visible_to(actor).filter(pk=figure.account.pk).exists():
        raise PermissionDenied(_("You cannot change this account."))
    errors = _errors(figure, today)
    if errors:
        raise ValidationError(errors)
    return _save(figure, actor, source)


@transaction.atomic
def import_usage(figures: list[UsageFigure], *, actor: User | None, today: dt.date) -> list[UsageRecord]:
    """A batch: every row is checked first; any error (``rows.<n>.<field>``) saves none of them."""
    visible: set[int] = set()
    if actor is not None:
        ids = {f.account.pk for f in figures}
        visible = set(Account.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    errors: dict[str, Any] = {}
    for index, figure in enumerate(figures):
        if actor is not None and figure.account.pk not in visible:
            errors[f"rows.{index}.account_id"] = [_("Unknown account.")]
            continue
        for name, messages in _errors(figure, today).items():
            errors[f"rows.{index}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    return [_save(f, actor, UsageRecord.Source.IMPORT) for f in figures]
