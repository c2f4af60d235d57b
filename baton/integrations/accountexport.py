"""Everything about one customer for a hand-over: the account, its contacts, opportunities and activities
as sheets of one XLSX workbook; each sheet holds only what the reader may see; logged as an export."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from baton.accounts.models import Account
from baton.accounts.queries import contacts_for
from baton.activities.queries import activities_for
from baton.core.events import DataExport, data_exported
from baton.core.listexport import export_header, export_rows
from baton.core.models import User
from baton.core.xlsxout import xlsx_value
from baton.deals.queries import opportunities_for

ACCOUNT_FIELDS = ["name", "brn", "industry", "region", "size", "website", "phone", "address", "owner", "team"]
CONTACT_COLUMNS = ["name", "title", "department", "email", "phone", "mobile", "owner", "created_at"]
DEAL_COLUMNS = ["name", "stage", "amount", "currency", "expected_close_date", "owner", "created_at"]
ACTIVITY_COLUMNS = [
    "kind",
    "subject",
    "contact",
    "opportunity",
    "owner",
    "due_at",
    "completed_at",
    "created_at",
]


def _sheet(book: Workbook, title: str, rows: Sequence[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title[:31])
    for r, row in enumerate(rows, start=1):
        for c, raw in enumerate(row, start=1):
            value = xlsx_value(raw)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula


def _columns(model: type[models.Model], wanted: list[str]) -> list[str]:
    names = {f.name for f in model._meta.get_fields()}
    return [n for n in wanted if n in names]


def account_workbook(account: Account, *, user: User) -> bytes:
    contacts = contacts_for(user).filter(account=account).order_by("name", "id")
    deals = opportunities_for(user).filter(account=account).order_by("-created_at", "-id")
    activities = (
        activities_for(user)
        .filter(Q(account=account) | Q(opportunity__account=account) | Q(contact__account=account))
        .order_by("-created_at", "-id")
    )
    book = Workbook()
    book.remove(book.active)
    fields = _columns(Account, ACCOUNT_FIELDS)
    summary = [
        [str(h), row]
        for h, row in zip(
            export_header(Account, fields),
            next(export_rows(Account.objects.filter(pk=account.pk), fields)),
            strict=True,
        )
    ]
    _sheet(book, str(Account._meta.verbose_name), summary)
    count = 1
    for qs, wanted in ((contacts, CONTACT_COLUMNS), (deals, DEAL_COLUMNS), (activities, ACTIVITY_COLUMNS)):
        columns = _columns(qs.model, wanted)
        rows = list(export_rows(qs, columns))
        count += len(rows)
        _sheet(book, str(qs.model._meta.verbose_name_plural), [export_header(qs.model, columns), *rows])
    data_exported.emit(
        DataExport(user=user, what=f"account {account.pk}: {account}"[:200], rows=count, kind="xlsx")
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
