"""The activities REST API by persona: strict input, 404 for records one may not see."""

from __future__ import annotations

import pytest

from baton.activities.models import Activity, Notification
from baton.core.services import create_api_token

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, secret = create_api_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_create_list_complete(client, alice, bob, charlie, world):
    auth = bearer(alice)
    body = {
        "kind": "event",
        "subject": "Visit",
        "record_type": "contact",
        "record_id": world["contact"].pk,
        "start_at": "2030-03-02T10:00:00+09:00",
        "end_at": "2030-03-02T11:00:00+09:00",
        "assignee_ids": [bob.pk],
    }
    response = client.post("/api/v1/activities", body, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["account_id"] == world["account"].pk and data["contact_id"] == world["contact"].pk
    listed = client.get(f"/api/v1/activities?account={world['account'].pk}", **bearer(bob)).json()
    assert [a["id"] for a in listed["items"]] == [data["id"]]
    assert client.get(f"/api/v1/activities/{data['id']}", **bearer(charlie)).status_code == 404
    response = client.post(
        f"/api/v1/activities/{data['id']}/complete",
        {"outcome": "good"},
        content_type="application/json",
        **auth,
    )
    assert response.json()["status"] == "done"


def test_strict_input_and_invisible_links(client, alice, charlie, world):
    auth = bearer(charlie)
    cases = [
        {"subject": "x", "record_type": "account", "record_id": world["account"].pk},  # not visible
        {"subject": "x", "bogus": 1},
        {"subject": "x", "kind": "party"},
        {"subject": "x", "start_at": "tomorrow"},
        {"subject": "x", "record_type": "account"},
        {"subject": "x", "kind": "event"},  # no start
    ]
    for body in cases:
        response = client.post("/api/v1/activities", body, content_type="application/json", **auth)
        assert response.status_code == 422, (body, response.content)
    assert not Activity.objects.exists()


def test_comment_and_notifications(client, alice, bob, charlie, world):
    url = f"/api/v1/records/opportunity/{world['opportunity'].pk}/comments"
    response = client.post(
        url, {"text": "@alice check <script>x</script>"}, content_type="application/json", **bearer(bob)
    )
    assert response.status_code == 201 and "<script" not in response.json()["text"]
    assert (
        client.post(url, {"text": "hi"}, content_type="application/json", **bearer(charlie)).status_code
        == 404
    )
    auth = bearer(alice)
    items = client.get("/api/v1/notifications?unread=true", **auth).json()
    assert [n["kind"] for n in items] == ["mention"]
    marked = client.post("/api/v1/notifications/read", {}, content_type="application/json", **auth).json()
    assert marked == {"marked": 1}
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
