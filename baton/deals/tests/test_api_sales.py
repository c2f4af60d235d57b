"""Line items, quotes and approvals through the API: 201/409/422/404, never a 500."""

from decimal import Decimal

import pytest

from baton.core.models import Role, User
from baton.core.tests.test_api_support import errors_of, make_api
from baton.deals import approvals
from baton.deals.tests.factories import make_catalog


@pytest.fixture
def cat(db):
    return make_catalog()


@pytest.fixture
def api(personas):
    personas["fin"] = User.objects.create_user(username="fin", password="x", role=Role.APPROVER)
    return make_api(personas)


def test_lines_quote_approval_flow(api, world, root, personas, cat):
    approvals.save_rule(
        actor=root,
        approvers=[personas["fin"]],
        name="할인",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
    )
    pk = world["opportunity"].pk
    response = api("alice").post(
        f"/opportunities/{pk}/line-items",
        {"product_id": cat["seat"].pk, "quantity": "3", "discount_percent": "33.33"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["net_total"]) == 200_008 and Decimal(body["lines"][0]["margin"]) == 100_009
    assert (
        api("charlie").post(f"/opportunities/{pk}/line-items", {"product_id": cat["seat"].pk}).status_code
        == 404
    )
    assert set(
        errors_of(
            api("alice").post(
                f"/opportunities/{pk}/line-items", {"product_id": 999999, "quantity": 0, "extra": 1}
            )
        )
    ) >= {"quantity", "extra"}
    quote = api("alice").post(f"/opportunities/{pk}/quotes", {"language": "en"})
    assert quote.status_code == 201, quote.content
    qid = quote.json()["id"]
    assert quote.json()["is_primary"] is True
    submitted = api("alice").post(f"/quotes/{qid}/submit", {})
    assert submitted.json()["status"] == "pending"
    locked = api("alice").post(f"/opportunities/{pk}/line-items", {"product_id": cat["erp"].pk})
    assert locked.status_code == 409
    queue = api("fin").get("/approvals").json()
    assert [s["quote"]["number"] for s in queue] == [quote.json()["number"]]
    assert api("alice").post(f"/approvals/{queue[0]['id']}/decision", {"approve": True}).status_code == 404
    assert "reason" in errors_of(api("fin").post(f"/approvals/{queue[0]['id']}/decision", {"approve": False}))
    decided = api("fin").post(f"/approvals/{queue[0]['id']}/decision", {"approve": True})
    assert decided.status_code == 200 and decided.json()["quote"]["status"] == "approved"
    assert api("alice").post(f"/quotes/{qid}/recall", {}).status_code == 409
    assert api("charlie").get(f"/opportunities/{pk}/quotes").status_code == 404
    # (200,008 − 99,999) / 200,008
    assert api("bob").get(f"/opportunities/{pk}/economics").json()["margin_percent"] == "50.00"


def test_team_and_requests_api(api, world, personas):
    import datetime as dt

    from baton.deals import team

    pk = world["opportunity"].pk
    team.add_team_member(world["opportunity"], actor=personas["alice"], user=personas["bob"], role="legal")
    body = api("alice").get(f"/opportunities/{pk}/team").json()
    assert [m["user"]["name"] for m in body["members"]] == ["Bob"] and body["buyers"] == []
    deadline = dt.date.today() + dt.timedelta(days=1)
    made = api("alice").post(
        f"/opportunities/{pk}/team-requests",
        {
            "assignee_id": personas["bob"].pk,
            "subject": "계약 검토",
            "due_date": deadline.isoformat(),
            "customer_deadline": deadline.isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["is_late"] is True and made.json()["activity_id"]
    errors = errors_of(
        api("alice").post(
            f"/opportunities/{pk}/team-requests",
            {"assignee_id": 999999, "subject": "", "due_date": "2025-13-01", "customer_deadline": "x"},
        )
    )
    assert {"subject", "due_date", "customer_deadline"} <= set(errors)
    assert api("charlie").get(f"/opportunities/{pk}/team").status_code == 404
