"""List pages download their current filter as CSV and XLSX: only what the reader may see, formulas
neutralised, logged in the privacy export log."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from baton.leads.services import create_lead
from baton.privacy.models import ExportLog


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_lead_list_exports_its_filter_as_csv_and_xlsx(client, personas, world):
    alice = personas["alice"]
    create_lead(actor=alice, name="=HYPERLINK(1)", company="누리소프트")
    create_lead(actor=personas["charlie"], name="찰리의 리드", company="남의회사")
    client.force_login(alice)
    rows = _csv(client.get(reverse("leads:list"), {"export": "csv"}))
    assert rows[0][:3] == ["name", "company", "job title"]
    names = sorted(r[0] for r in rows[1:])
    assert names == ["'=HYPERLINK(1)", "이서연"]  # charlie's lead is not alice's to see; formula neutralised
    filtered = _csv(client.get(reverse("leads:list"), {"export": "csv", "search": "이서연"}))
    assert [r[0] for r in filtered[1:]] == ["이서연"]
    assert ExportLog.objects.filter(user=alice).count() == 2

    book = client.get(reverse("leads:list"), {"export": "xlsx", "search": "누리"})
    assert book.status_code == 200 and book["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "name" and [v[0] for v in values[1:]] == ["'=HYPERLINK(1)"]
    assert ExportLog.objects.filter(user=alice).count() == 3

    client.force_login(personas["charlie"])
    theirs = _csv(client.get(reverse("leads:list"), {"export": "csv"}))
    assert [r[0] for r in theirs[1:]] == ["찰리의 리드"]


def test_accounts_contacts_and_opportunities_export(client, personas, world):
    client.force_login(personas["alice"])
    accounts = _csv(client.get(reverse("accounts:list"), {"export": "csv"}))
    assert [r[0] for r in accounts[1:]] == ["(주)한빛소프트"]
    contacts = _csv(client.get(reverse("contacts:list"), {"export": "csv"}))
    assert contacts[1][:2] == ["김민준", "(주)한빛소프트"]
    deals = _csv(client.get(reverse("deals:list"), {"export": "csv"}))
    assert deals[1][0] == "한빛 ERP 교체" and "120000000" in deals[1][3].replace(".00", "")
    client.force_login(personas["charlie"])
    assert len(_csv(client.get(reverse("deals:list"), {"export": "csv"}))) == 1  # the header only
    page = client.get(reverse("deals:list")).content.decode()
    assert 'data-export="xlsx"' in page


def test_account_export_holds_what_the_reader_may_see(client, personas, world):
    from baton.activities import services as activity_services

    alice = personas["alice"]
    activity_services.create_activity(
        actor=alice, record=world["opportunity"], assignees=[], kind="task", subject="=견적 보내기"
    )
    client.force_login(alice)
    page = client.get(reverse("accounts:detail", args=[world["account"].pk])).content.decode()
    assert reverse("integrations:account_export", args=[world["account"].pk]) in page
    response = client.get(reverse("integrations:account_export", args=[world["account"].pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheets = {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book.worksheets}
    assert sheets["account"][0] == ["company name", "(주)한빛소프트"]
    assert [r[0] for r in sheets["contacts"][1:]] == ["김민준"]
    assert [r[0] for r in sheets["opportunities"][1:]] == ["한빛 ERP 교체"]
    assert [r[1] for r in sheets["activities"][1:]] == ["'=견적 보내기"]
    assert ExportLog.objects.filter(user=alice).count() == 1
    client.force_login(personas["charlie"])
    assert client.get(reverse("integrations:account_export", args=[world["account"].pk])).status_code == 404


def test_activities_list_export_holds_what_the_reader_may_see(client, personas, world):
    from baton.activities import services as activity_services

    alice, charlie = personas["alice"], personas["charlie"]
    activity_services.create_activity(
        actor=alice, record=world["opportunity"], assignees=[], kind="task", subject="=견적 보내기"
    )
    activity_services.create_activity(
        actor=alice, record=world["opportunity"], assignees=[], kind="call", subject="결정권자 통화"
    )
    url = reverse("integrations:activities_export")
    client.force_login(alice)
    rows = _csv(client.get(url))
    assert rows[0][:3] == ["type", "subject", "status"]
    assert sorted(r[1] for r in rows[1:]) == ["'=견적 보내기", "결정권자 통화"]  # formula neutralised
    calls = _csv(client.get(url, {"kind": "call", "export": "csv"}))
    assert [r[1] for r in calls[1:]] == ["결정권자 통화"]
    book = client.get(url, {"export": "xlsx", "status": "open"})
    assert book.status_code == 200 and book["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(book.content)).active
    # A logged call is done when it is logged: only the open task is left (a header and one row).
    assert [row[1].value for row in sheet.iter_rows()][1:] == ["'=견적 보내기"]
    assert ExportLog.objects.filter(user=alice).count() == 3
    bad = client.get(url, {"kind": "séance"})
    assert bad.status_code == 400 and "séance" in bad.content.decode()
    client.force_login(charlie)  # not alice's team, not the deal's: sees none of them
    assert len(_csv(client.get(url))) == 1
