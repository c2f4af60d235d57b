"""Bad query parameters never reach the database: a 400 page or an ignored filter with a message.

Each case below answered 500 before ``baton/core/params.py`` (out-of-range ids overflowed the
database drivers, impossible dates raised in ``datetime``)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from baton.core.params import MAX_INT
from baton.core.services import create_api_token

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"

LIST_FILTERS = [
    ("/leads/", "owner"),
    ("/leads/", "team"),
    ("/leads/", "campaign"),
    ("/accounts/", "owner"),
    ("/accounts/", "team"),
    ("/contacts/", "owner"),
    ("/contacts/", "team"),
    ("/contacts/", "account"),
    ("/deals/", "owner"),
    ("/deals/", "team"),
    ("/deals/", "account"),
    ("/deals/", "pipeline"),
    ("/deals/", "stage"),
]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("path", "name"), LIST_FILTERS)
def test_out_of_range_id_filter_on_a_list_is_ignored_with_a_message(client, world, alice, path, name):
    client.force_login(alice)
    response = client.get(path, {name: HUGE})
    assert response.status_code == 200
    assert name not in response.context["state"]
    assert response.context["page"].count >= 1, "the list is shown unfiltered"
    body = response.content.decode()
    assert f"“{name}” ignored" in body


@pytest.mark.parametrize("name", ["owner", "team"])
@pytest.mark.parametrize(
    "path",
    ["/process/", "/process/metrics.csv", "/process/stages/nurturing/wip/"],
    ids=["floor", "csv", "drill"],
)
def test_out_of_range_ids_on_the_factory_floor(client, world, root, path, name):
    client.force_login(root)
    response = client.get(path, {name: HUGE})
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        assert response["Location"] == "/process/"
        assert any("Not a valid record id." in m for m in _messages(response))


@pytest.mark.parametrize(
    "query", [{"start": "2026-13-45"}, {"end": "9999-12-31"}, {"start": "0000-00-00"}, {"days": HUGE}]
)
def test_impossible_dates_on_the_factory_floor(client, world, root, query):
    client.force_login(root)
    response = client.get("/process/", query)
    assert response.status_code == 302 and response["Location"] == "/process/"
    assert _messages(response)
    assert client.get("/process/metrics.csv", query).status_code == 422


@pytest.mark.parametrize("date", ["0000-00-00", "2026-02-30", "9999-12-31", "２０２６-０１-０１"])
def test_impossible_calendar_date_is_ignored_with_a_message(client, alice, date):
    client.force_login(alice)
    response = client.get("/activities/calendar/", {"date": date})
    assert response.status_code == 302 and response["Location"] == "/activities/calendar/"
    assert _messages(response)
    assert client.get(response["Location"]).status_code == 200


def test_board_with_an_out_of_range_pipeline(client, world, alice):
    client.force_login(alice)
    response = client.get("/deals/board/", {"pipeline": HUGE})
    assert response.status_code == 302 and response["Location"] == "/deals/board/"
    assert response.wsgi_request and _messages(response)


def test_a_record_id_in_the_address_too_large_for_the_database_is_404(client, world, alice):
    client.force_login(alice)
    assert client.get(f"/leads/{HUGE}/").status_code == 404
    assert client.get(f"/activities/record/lead/{HUGE}/").status_code == 404
    assert client.get(f"/leads/{MAX_INT}/").status_code == 404


def test_bad_value_a_view_lets_through_is_a_400_page_with_the_reason(client, world, alice):
    client.force_login(alice)
    response = client.get("/activities/new/", {"record": f"lead:{HUGE}"})
    assert response.status_code == 400
    assert 'data-testid="error-page"' in response.content.decode()
    assert 'data-testid="error-details"' in response.content.decode()


def test_nul_in_a_search_does_not_reach_the_database(client, world, alice):
    client.force_login(alice)
    response = client.get("/leads/", {"q": "이서\x00연"})
    assert response.status_code == 200
    assert [lead.name for lead in response.context["page"].items] == ["이서연"]


def test_a_10_mb_api_body_is_413_json(client, world, alice):
    _token, secret = create_api_token(alice, name="fuzz")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = '{"name": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/leads", body, content_type="application/json", **headers)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_10_mb_page_post_is_the_413_page(client, world, alice):
    client.force_login(alice)
    response = client.post("/leads/new/", {"name": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413
    assert 'data-status="413"' in response.content.decode()
