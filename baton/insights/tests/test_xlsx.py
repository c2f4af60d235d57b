"""XLSX exports: the same table as the CSV, numbers as numbers, formulas neutralised."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from baton.accounts.services import create_account
from baton.core.xlsxout import xlsx_bytes
from baton.deals.services import create_opportunity


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_cells_keep_their_types_and_never_become_formulas():
    rows = [
        ['=HYPERLINK("http://evil")', Decimal("1234.50"), 7, dt.date(2026, 12, 1), "bell\x07", None],
        ["+1+1", Decimal(10) ** 16, "@SUM(A1)", "-2", "plain", True],
    ]
    sheet = sheet_of(xlsx_bytes(["=a", "b", "c", "d", "e", "f"], rows))
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "'=a"
    assert values[1][0] == '\'=HYPERLINK("http://evil")'
    assert values[1][1] == 1234.5 and values[1][2] == 7
    assert values[1][3] == dt.datetime(2026, 12, 1)
    assert values[1][4] == "bell\ufffd" and values[1][5] is None
    assert values[2][0] == "'+1+1" and values[2][1] == str(Decimal(10) ** 16)
    assert values[2][2] == "'@SUM(A1)" and values[2][3] == "'-2" and values[2][5] == "True"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_report_and_forecast_export_xlsx(client, alice):
    account = create_account(actor=alice, name="=CMD|'/C calc'!A0")
    create_opportunity(actor=alice, name="엑셀 딜", account=account, amount=5_000_000)
    client.force_login(alice)
    url = (
        reverse("insights:report_builder")
        + "?object=opportunities&col=name&col=account&col=amount&format=xlsx"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    values = [[c.value for c in row] for row in sheet_of(response.content).iter_rows()]
    assert values[1][0] == "엑셀 딜" and values[1][1] == "'=CMD|'/C calc'!A0"
    forecast = client.get(reverse("insights:forecast_csv") + "?format=xlsx")
    assert forecast.status_code == 200 and forecast.content[:2] == b"PK"
