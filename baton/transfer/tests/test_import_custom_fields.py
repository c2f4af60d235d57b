"""Custom fields as import targets: guessed from their labels, typed and checked like every write
path (a bad value refuses the row, naming the field), re-imports update only the values that changed,
and the rollback restores the values a row replaced. The list downloads carry the custom fields the
reader may read, in the form the importer reads back."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from baton.accounts.models import Account
from baton.accounts.services import update_account
from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.leads.models import Lead
from baton.transfer import services
from baton.transfer.models import ImportRow
from baton.transfer.tests.conftest import make_job, run

pytestmark = pytest.mark.django_db


TIERS = [
    {"value": "gold", "label_ko": "골드", "label_en": "Gold"},
    {"value": "silver", "label_ko": "실버", "label_en": "Silver"},
]


def _fields(root):
    made = {}
    specs = [
        ("tier", "등급", "Tier", "choice", {"choices": TIERS}),
        ("seats", "좌석 수", "Seats", "number", {"min_value": 1}),
        ("budget", "예산", "Budget", "money", {}),
        ("share", "점유율", "Share", "percent", {}),
        ("renewal", "갱신일", "Renewal", "date", {}),
        ("kickoff", "킥오프", "Kickoff", "datetime", {}),
        ("vip", "VIP", "VIP", "boolean", {}),
        ("tags", "태그", "Tags", "multi_choice", {"choices": [{"value": "erp"}, {"value": "crm"}]}),
        ("am", "담당 AM", "Account manager", "user", {}),
        ("homepage", "소개 페이지", "Landing page", "url", {}),
        ("margin", "마진", "Margin", "percent", {"read_roles": [Role.SALES_MANAGER]}),
    ]  # fmt: skip
    for key, ko, en, kind, extra in specs:
        made[key] = cf.create_field(
            actor=root, object="account", key=key, label_ko=ko, label_en=en, type=kind, **extra
        )
    return made


HEADER = ["Id", "Company", "등급", "Seats", "예산", "Share", "Renewal", "킥오프", "VIP", "Tags", "담당 AM",
          "Landing page"]  # fmt: skip


def outcomes(job):
    return [(r.number, r.outcome, r.message) for r in ImportRow.objects.filter(job=job).order_by("number")]


def test_custom_fields_are_import_targets_typed_and_checked(root, alice):
    _fields(root)
    rows = [
        HEADER,
        ["A1", "(주)한빛소프트", "골드", "1,200", "1500 USD", "12.5%", "2026/03/01", "2026-03-02 09:30", "예",
         "ERP, crm", "alice", "hanbit.co.kr"],
        ["A2", "(주)나쁜값", "브론즈", "5", "", "", "", "", "", "", "", ""],
        ["A3", "(주)나쁜날짜", "", "", "", "", "2026-02-30", "", "", "", "", ""],
        ["A4", "(주)나쁜예", "", "", "", "", "", "", "maybe", "", "", ""],
    ]  # fmt: skip
    job = make_job(root, "account", rows)
    assert job.columns["등급"] == "cf_tier" and job.columns["Landing page"] == "cf_homepage"
    assert job.columns["킥오프"] == "cf_kickoff" and job.columns["담당 AM"] == "cf_am"
    assert "cf_margin" in dict(services.field_choices("account"))
    job = run(job, root)
    result = outcomes(job)
    assert [o for _n, o, _m in result] == ["created", "refused", "refused", "refused"]
    assert result[1][2].startswith("Tier: Choose one of: gold, silver")
    assert result[2][2].startswith("Renewal:")
    assert result[3][2] == "VIP: Answer yes or no (true or false)."
    assert set(Account.objects.values_list("name", flat=True)) == {"(주)한빛소프트"}
    hanbit = Account.objects.get(name="(주)한빛소프트")
    assert hanbit.custom_field_data == {
        "tier": "gold",
        "seats": 1200,
        "budget": {"amount": 1500, "currency": "USD"},
        "share": 12.5,
        "renewal": "2026-03-01",
        "kickoff": "2026-03-02T09:30:00+09:00",
        "vip": True,
        "tags": ["erp", "crm"],
        "am": alice.pk,
        "homepage": "https://hanbit.co.kr",
    }

    # A re-import changes only the custom value that differs; the rollback puts the old one back.
    again = [HEADER[:3], ["A1", "(주)한빛소프트", "Silver"]]
    job2 = run(make_job(root, "account", again), root)
    assert [(o, m) for _n, o, m in outcomes(job2)] == [("updated", "custom_field_data")]
    hanbit.refresh_from_db()
    assert hanbit.custom_field_data["tier"] == "silver" and hanbit.custom_field_data["seats"] == 1200
    assert [o for _n, o, _m in outcomes(run(make_job(root, "account", again), root))] == ["matched"]
    services.rollback(job2, actor=root)
    hanbit.refresh_from_db()
    assert hanbit.custom_field_data["tier"] == "gold"


def test_lead_import_fills_custom_fields_and_refuses_unknown_required(root):
    cf.create_field(
        actor=root,
        object="lead",
        key="budget_band",
        label_ko="예산대",
        label_en="Budget band",
        type="choice",
        requirement="always",
        choices=[{"value": "s", "label_ko": "소"}, {"value": "l", "label_ko": "대"}],
    )
    rows = [["Id", "Name", "예산대"], ["L1", "이서연", "대"], ["L2", "박지훈", ""]]
    job = run(make_job(root, "lead", rows), root)
    result = outcomes(job)
    assert [o for _n, o, _m in result] == ["created", "refused"]
    assert "Budget band is required." in result[1][2]
    assert Lead.objects.get(name="이서연").custom_field_data == {"budget_band": "l"}
    assert not Lead.objects.filter(name="박지훈").exists()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_list_download_has_the_readable_custom_fields(client, personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    _fields(root)
    account = world["account"]
    update_account(
        account,
        actor=dana,
        changes={
            "custom_field_data": {
                "tier": "gold",
                "budget": {"amount": 1500, "currency": "USD"},
                "kickoff": "2026-03-02T00:30:00+00:00",
                "vip": False,
                "tags": ["erp", "crm"],
                "am": alice.pk,
                "margin": 31.5,
            }
        },
        expected_version=account.version,
    )
    client.force_login(alice)
    rows = _csv(client.get(reverse("accounts:list"), {"export": "csv"}))
    header = rows[0]
    assert header[-10:] == ["Tier", "Seats", "Budget", "Share", "Renewal", "Kickoff", "VIP", "Tags",
                            "Account manager", "Landing page"]  # fmt: skip
    assert "Margin" not in header and "31.5" not in rows[1]
    expected = ["Gold", "", "1500 USD", "", "", "2026-03-02 09:30", "No", "erp, crm", "Alice", ""]
    assert rows[1][-10:] == expected
    client.force_login(dana)
    rows = _csv(client.get(reverse("accounts:list"), {"export": "csv"}))
    assert rows[0][-1] == "Margin" and rows[1][-1] == "31.5"
