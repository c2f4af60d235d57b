"""Bulk API: per-item results, all-or-nothing per item, upsert by external id, visibility as usual."""

from __future__ import annotations

from baton.accounts.models import Account
from baton.activities.models import Activity
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.leads.models import Lead
from baton.transfer.models import ExternalId


def test_bulk_leads_create_then_upsert_by_external_id(personas):
    alice = ApiClient(personas["alice"])
    body = {
        "source": "oldcrm",
        "items": [
            {"external_id": "L-1", "name": "박하늘", "company": "누리소프트"},
            {"external_id": "L-2", "name": "", "company": "빈 이름"},  # refused: name required
            {"external_id": "L-3", "name": "김하나", "industry": "no-such-industry"},  # refused: bad choice
            {"name": "최셋", "unknown_field": 1},  # refused: unknown field
            "not an object",
        ],
    }
    response = alice.post("/integrations/bulk/leads", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["created"], answer["updated"], answer["failed"]) == (1, 0, 4)
    results = answer["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "error"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert "name" in results[1]["errors"] and "industry" in results[2]["errors"]
    assert "unknown_field" in results[3]["errors"]
    assert Lead.objects.count() == 1  # nothing half-written
    lead = Lead.objects.get(pk=results[0]["id"])
    assert lead.owner == personas["alice"] and lead.source == "api"
    assert_audited(lead, "create", actor=personas["alice"])
    assert ExternalId.objects.get(source="oldcrm", external_id="L-1").object_id == lead.pk

    again = alice.post(
        "/integrations/bulk/leads",
        {
            "source": "oldcrm",
            "items": [{"external_id": "L-1", "title": "대표"}, {"external_id": "L-3", "name": "김하나"}],
        },
    ).json()
    assert [r["status"] for r in again["results"]] == ["updated", "created"]
    lead.refresh_from_db()
    assert lead.title == "대표" and Lead.objects.count() == 2
    assert_audited(lead, "update", actor=personas["alice"], title="대표")
    # A stale version is refused for that item only.
    stale = alice.post(
        "/integrations/bulk/leads", {"items": [{"id": lead.pk, "version": 1, "title": "x"}]}
    ).json()
    assert stale["results"][0]["status"] == "error" and "version" in stale["results"][0]["errors"]
    # External ids need their source.
    nosource = alice.post("/integrations/bulk/leads", {"items": [{"external_id": "L-9", "name": "x"}]}).json()
    assert "source" in nosource["results"][0]["errors"]


def test_bulk_respects_visibility(personas, world):
    charlie = ApiClient(personas["charlie"])
    answer = charlie.post(
        "/integrations/bulk/accounts", {"items": [{"id": world["account"].pk, "region": "busan"}]}
    ).json()
    assert answer["results"][0] == {
        "index": 0,
        "status": "error",
        "id": world["account"].pk,
        "external_id": None,
        "errors": {"id": ["Not found."]},
    }
    world["account"].refresh_from_db()
    assert world["account"].region != "busan"


def test_bulk_accounts_contacts_and_activities(personas):
    alice = ApiClient(personas["alice"])
    accounts = alice.post(
        "/integrations/bulk/accounts",
        {
            "source": "erp",
            "items": [
                {"external_id": "C-1", "name": "누리소프트"},
                {"external_id": "C-2", "name": "새봄물산"},
            ],
        },
    ).json()
    assert accounts["created"] == 2 and Account.objects.count() == 2
    nuri = accounts["results"][0]["id"]
    contacts = alice.post(
        "/integrations/bulk/contacts",
        {"items": [{"name": "박하늘", "account_id": nuri}, {"name": "x", "account_id": 10**9}]},
    ).json()
    assert [r["status"] for r in contacts["results"]] == ["created", "error"]
    assert "account_id" in contacts["results"][1]["errors"]
    activities = alice.post(
        "/integrations/bulk/activities",
        {
            "source": "erp",
            "items": [
                {
                    "external_id": "A-1",
                    "kind": "task",
                    "subject": "견적 보내기",
                    "record_type": "account",
                    "record_id": nuri,
                },
                {"kind": "nonsense", "subject": "x"},
            ],
        },
    ).json()
    assert [r["status"] for r in activities["results"]] == ["created", "error"]
    assert Activity.objects.filter(subject="견적 보내기").count() == 1
    # A known external id of an activity is not updated (no update operation for activities).
    repeat = alice.post(
        "/integrations/bulk/activities", {"source": "erp", "items": [{"external_id": "A-1", "subject": "y"}]}
    ).json()
    assert repeat["results"][0]["status"] == "error"
    assert Activity.objects.filter(subject="견적 보내기").count() == 1


def test_bulk_limits(personas):
    alice = ApiClient(personas["alice"])
    assert alice.post("/integrations/bulk/leads", {"items": []}).status_code == 422
    assert alice.post("/integrations/bulk/leads", {"items": [{"name": "x"}] * 501}).status_code == 422
    assert alice.post("/integrations/bulk/opportunities", {"items": [{"name": "x"}]}).status_code in (
        404,
        422,
    )
