# mypy: disable-error-code="valid-type"
"""REST endpoints of product usage, mounted under /api/v1/success/: an account's usage figures, one
figure pushed for an account, and an import batch (saved whole or not at all)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from baton.accounts.models import Account
from baton.core.api import Id, InputSchema, IsoDate, actor, path_id, responses
from baton.core.records import get_for_user
from baton.success.health import usage
from baton.success.health.models import UsageRecord
from baton.success.models import Contract

router = Router()
MAX_IMPORT_ROWS = 1000


class UsageOut(Schema):
    id: int
    account_id: int
    contract_id: int | None
    day: dt.date
    seats_bought: int
    seats_used: int
    logins: int
    source: str


class UsageIn(InputSchema):
    day: IsoDate
    seats_bought: int
    seats_used: int
    logins: int = 0
    contract_id: Id | None = None


def _contract(user, account: Account, contract_id: int | None, field: str) -> Contract | None:
    if contract_id is None:
        return None
    contract = Contract.objects.visible_to(user).filter(pk=contract_id, account=account).first()
    if contract is None:
        raise ValidationError({field: ["Unknown contract of this account."]})
    return contract


@router.get(
    "/accounts/{id}/usage",
    response=responses({200: list[UsageOut]}),
    tags=["health"],
    summary="Usage figures",
)
def list_usage(request: HttpRequest, id: int = path_id()):
    """The account's latest usage figures (at most 100, newest first)."""
    account = get_for_user(Account.objects.all(), actor(request), id)
    return list(UsageRecord.objects.filter(account=account).order_by("-day", "-id")[:100])


@router.post(
    "/accounts/{id}/usage", response=responses({201: UsageOut}), tags=["health"], summary="Record usage"
)
def record_usage(request: HttpRequest, payload: UsageIn, id: int = path_id()):
    """Seats bought and in use on ``day`` and sign-ins over the 30 days to it; the same day again
    replaces the figure. The health score's usage component reads the latest one."""
    user = actor(request)
    account = get_for_user(Account.objects.all(), user, id)
    figure = usage.UsageFigure(
        account=account,
        day=payload.day,
        seats_bought=payload.seats_bought,
        seats_used=payload.seats_used,
        logins=payload.logins,
        contract=_contract(user, account, payload.contract_id, "contract_id"),
    )
    return Status(201, usage.record_usage(figure, actor=user, today=timezone.localdate()))


class UsageRowIn(UsageIn):
    account_id: Id


class UsageImportIn(InputSchema):
    rows: list[UsageRowIn]


class UsageImportOut(Schema):
    saved: int


@router.post(
    "/usage/import",
    response=responses({200: UsageImportOut}),
    tags=["health"],
    summary="Import usage figures",
)
def import_usage(request: HttpRequest, payload: UsageImportIn):
    """Up to 1,000 rows from a product's usage export; one bad row (``rows.<n>.<field>``) saves none."""
    user = actor(request)
    if not payload.rows or len(payload.rows) > MAX_IMPORT_ROWS:
        raise ValidationError({"rows": [f"Between 1 and {MAX_IMPORT_ROWS} rows."]})
    accounts = {
        a.pk: a for a in Account.objects.visible_to(user).filter(pk__in={r.account_id for r in payload.rows})
    }
    figures = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(payload.rows):
        account = accounts.get(row.account_id)
        if account is None:
            errors[f"rows.{index}.account_id"] = ["Unknown account."]
            continue
        try:
            contract = _contract(user, account, row.contract_id, f"rows.{index}.contract_id")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        figures.append(
            usage.UsageFigure(
                account=account,
                day=row.day,
                seats_bought=row.seats_bought,
                seats_used=row.seats_used,
                logins=row.logins,
                contract=contract,
            )
        )
    if errors:
        raise ValidationError(errors)
    return {"saved": len(usage.import_usage(figures, actor=user, today=timezone.localdate()))}
