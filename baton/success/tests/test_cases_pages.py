"""Case pages and API: opening a case from the account, the list's filters, the case page with its
comments (internal notes kept from those who only read the case), status moves, bad input answered
with field errors or 4xx and nothing saved, pinned query counts, SLA settings for administrators."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baton.core.tests.test_api_support import ApiClient
from baton.success.cases import services
from baton.success.cases.models import Case, CaseComment, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, alice):
    return services.open_case(
        actor=alice,
        account=world["account"],
        subject="ERP 로그인 불가",
        priority="high",
        now=dt.datetime(2026, 9, 23, 16, tzinfo=ZoneInfo("Asia/Seoul")),
    )


def test_open_a_case_from_the_account_and_work_it(client, world, alice):
    client.force_login(alice)
    url = f"/success/accounts/{world['account'].pk}/cases/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "", "priority": "high", "category": "problem"})
    assert response.status_code == 200 and "subject" in response.context["form"].errors
    assert not Case.objects.exists()
    response = client.post(
        url,
        {
            "subject": "보고서 오류",
            "priority": "urgent",
            "category": "problem",
            "contact": world["contact"].pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/success/cases/{case.pk}/"
    assert case.priority == "urgent" and case.contact == world["contact"] and case.owner == alice
    client.post(f"/success/cases/{case.pk}/comment/", {"body": "내부 확인", "is_internal": "on"})
    client.post(f"/success/cases/{case.pk}/comment/", {"body": "확인 중입니다."})
    client.post(f"/success/cases/{case.pk}/status/", {"status": "waiting"})
    case.refresh_from_db()
    assert case.status == "waiting" and case.first_response_at is not None
    page = client.get(f"/success/cases/{case.pk}/").content.decode()
    assert "내부 확인" in page and 'data-testid="status-in_progress"' in page
    # A move the flow does not allow is refused with a message, nothing changes.
    client.post(f"/success/cases/{case.pk}/status/", {"status": "closed"})
    case.refresh_from_db()
    assert case.status == "waiting"


def test_list_filters_and_visibility(client, case, alice, charlie, world):
    other = services.open_case(actor=alice, account=world["account"], subject="요청", priority="low")
    Case.objects.filter(pk=case.pk).update(resolution_breached=True)
    client.force_login(alice)
    page = client.get("/success/cases/?breached=1").content.decode()
    assert case.number in page and other.number not in page
    page = client.get("/success/cases/?priority=low&status=open").content.decode()
    assert other.number in page and case.number not in page
    assert client.get("/success/cases/?priority=bogus").status_code == 400
    client.force_login(charlie)
    assert case.number not in client.get("/success/cases/").content.decode()
    assert client.get(f"/success/cases/{case.pk}/").status_code == 404


def test_query_counts(client, case, alice, django_assert_num_queries):
    services.add_comment(case, actor=alice, body="확인")
    client.force_login(alice)
    # session, user, teams, cases
    with django_assert_num_queries(4):
        client.get("/success/cases/")
    # session, user, teams, case, comments, the customer's e-mails on the case (cases from the support
    # address: one more query, 10 → 11), history, the people and the case it names, assignable users and
    # teams (form)
    with django_assert_num_queries(11):
        client.get(f"/success/cases/{case.pk}/")


def test_api_cases(world, alice, bob, charlie, case):
    api = ApiClient(alice)
    bad = api.post("/success/cases", {"account_id": world["account"].pk, "subject": "x", "colour": "red"})
    assert bad.status_code == 422
    bad = api.post("/success/cases", {"account_id": world["account"].pk, "subject": "x", "contract_id": 99})
    assert bad.status_code == 422 and "contract_id" in bad.json()["errors"]
    assert (
        ApiClient(charlie)
        .post("/success/cases", {"account_id": world["account"].pk, "subject": "x"})
        .status_code
        == 404
    )
    response = api.post(
        "/success/cases", {"account_id": world["account"].pk, "subject": "API 사례", "priority": "urgent"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["priority"] == "urgent" and body["status"] == "new" and body["number"].startswith("CS-")
    cid = body["id"]
    assert (
        api.post(f"/success/cases/{cid}/comments", {"body": "내부", "is_internal": True}).status_code == 201
    )
    assert api.post(f"/success/cases/{cid}/status", {"status": "closed"}).status_code == 409
    answer = api.post(f"/success/cases/{cid}/status", {"status": "resolved"})
    assert answer.status_code == 200 and answer.json()["resolved_at"] is not None
    assert [c["body"] for c in api.get(f"/success/cases/{cid}").json()["comments"]] == ["내부"]
    assert ApiClient(charlie).get(f"/success/cases/{cid}").status_code == 404
    listed = api.get("/success/cases?status=open").json()
    assert [c["id"] for c in listed] == [case.pk]
    assert CaseComment.objects.count() == 1


def test_sla_settings(client, alice, root):
    client.force_login(alice)
    assert client.get("/success/sla/").status_code == 200
    assert client.post("/success/sla/", {"priority": "low"}).status_code == 403
    client.force_login(root)
    response = client.post(
        "/success/sla/",
        {
            "priority": "low",
            "first_response_minutes": 600,
            "resolution_minutes": 300,
            "calendar": "business",
            "warn_percent": 80,
        },
    )
    assert response.status_code == 200 and "resolution_minutes" in response.context["policy_form"].errors
    assert not SlaPolicy.objects.exists()
    response = client.post(
        "/success/sla/",
        {
            "priority": "low",
            "first_response_minutes": 600,
            "resolution_minutes": 6000,
            "calendar": "always",
            "warn_percent": 75,
        },
    )
    assert response.status_code == 302
    assert SlaPolicy.objects.get().resolution_minutes == 6000
    response = client.post("/success/sla/", {"form": "hours", "day_start": "10:00", "day_end": "09:00"})
    assert "day_end" in response.context["hours_form"].errors
    assert (
        client.post("/success/sla/", {"form": "hours", "day_start": "08:30", "day_end": "17:30"}).status_code
        == 302
    )
    payload = {"first_response_minutes": 30, "resolution_minutes": 240}
    assert ApiClient(root)._send("put", "/success/sla-policies/urgent", payload).status_code == 200
    assert ApiClient(alice)._send("put", "/success/sla-policies/urgent", payload).status_code == 403


def test_account_panel_and_csm_home_show_the_cases(client, case, world, alice, cast):
    cara = cast["cara"]
    account = world["account"]
    account.csm = cara
    account.save(update_fields=["csm"])
    Case.objects.filter(pk=case.pk).update(resolution_breached=True)
    client.force_login(alice)
    panel = client.get(f"/success/accounts/{account.pk}/installed-base/").content.decode()
    assert case.number in panel and 'data-testid="account-case-breached"' in panel
    assert f"/success/accounts/{account.pk}/cases/new/" in panel
    client.force_login(cara)
    home = client.get("/success/home/").content.decode()
    assert 'data-testid="csm-cases"' in home and case.number in home
    services.change_status(case, actor=cara, status="resolved")
    assert case.number not in client.get("/success/home/").content.decode()
