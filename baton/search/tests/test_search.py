"""Global search: every type, Korean and English, only what the user may see, and quick create."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baton.activities.services import create_activity
from baton.core.tests.test_api_support import make_api
from baton.leads.services import create_lead
from conftest import login


@pytest.fixture
def found(world, alice):
    create_lead(actor=alice, name="Hanbit Park", company="Hanbit Labs", email="park@hanbitlabs.io")
    create_activity(actor=alice, kind="call", subject="한빛 IT팀 통화", record=world["account"])
    return world


def _titles(response):
    return {(g.type, h.title) for g in response.context["groups"] for h in g.hits}


def test_one_term_finds_every_type(client, alice, found):
    login(client, alice)
    response = client.get("/search/", {"q": "한빛"})
    assert response.status_code == 200
    assert _titles(response) == {
        ("account", "(주)한빛소프트"),
        ("contact", "김민준"),  # through its account's name
        ("opportunity", "한빛 ERP 교체"),
        ("activity", "한빛 IT팀 통화"),
    }
    assert _titles(client.get("/search/", {"q": "hanbit"})) >= {
        ("lead", "Hanbit Park"),
        ("contact", "김민준"),
    }
    # Initial consonants and phone digits go through the same search.
    assert ("lead", "이서연") in _titles(client.get("/search/", {"q": "ㅇㅅㅇ"}))
    assert ("lead", "이서연") in _titles(client.get("/search/", {"q": "5678"}))


def test_outsider_finds_nothing_of_alices(client, charlie, found):
    login(client, charlie)
    for term in ("한빛", "hanbit", "이서연", "5678"):
        response = client.get("/search/", {"q": term})
        assert _titles(response) == set(), term
        assert b"search-empty" in response.content


def test_partial_for_the_top_bar_with_quick_create(client, alice, found):
    login(client, alice)
    response = client.get("/search/", {"q": "새봄", "partial": "1"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="search-hit"' in body and "이서연" in body
    assert "/leads/new/?name=%EC%83%88%EB%B4%84" in body
    assert "/accounts/new/?name=%EC%83%88%EB%B4%84" in body
    page = client.get("/leads/new/", {"name": "새봄"})
    assert page.context["form"].initial["name"] == "새봄"
    page = client.get("/accounts/new/", {"name": "새봄"})
    assert page.context["form"].initial["name"] == "새봄"


def test_editing_ignores_the_name_prefill(client, alice, found):
    login(client, alice)
    lead = found["lead"]
    page = client.get(f"/leads/{lead.pk}/edit/", {"name": "다른이름"})
    assert page.context["form"].initial.get("name") == lead.name


def test_query_count_is_one_per_type(client, alice, found):
    login(client, alice)
    client.get("/search/", {"q": "x"})  # warm the session and user
    with CaptureQueriesContext(connection) as ctx:
        client.get("/search/", {"q": "한빛", "partial": "1"}, headers={"HX-Request": "true"})
    for n in range(7):
        create_lead(actor=alice, name=f"한빛 {n}", company="한빛")
    with CaptureQueriesContext(connection) as ctx_more:
        client.get("/search/", {"q": "한빛", "partial": "1"}, headers={"HX-Request": "true"})
    assert len(ctx_more.captured_queries) == len(ctx.captured_queries)
    # session, user, five types (+ the bell is a separate request), and one read of the custom field
    # schemas' revision: searchable custom fields the reader may read are searched too, read once for
    # the five types (core.customfields.search).
    assert len(ctx.captured_queries) <= 9


def test_empty_and_long_terms(client, alice, found):
    login(client, alice)
    assert client.get("/search/").status_code == 200
    assert client.get("/search/", {"q": "x" * 500}).status_code == 200


def test_base_layout_has_the_box_and_no_inline_script(client, alice):
    login(client, alice)
    body = client.get("/").content.decode()
    assert 'data-testid="global-search"' in body
    assert "baton/search.js" in body
    assert "<script>" not in body


def test_api_search_groups_by_type_and_respects_visibility(personas, found):
    api = make_api(personas)
    response = api("alice").get("/search", {"q": "한빛"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["q"] == "한빛"
    by_type = {g["type"]: [i["title"] for i in g["items"]] for g in data["groups"]}
    assert by_type["account"] == ["(주)한빛소프트"]
    assert by_type["activity"] == ["한빛 IT팀 통화"]
    assert by_type["lead"] == []
    item = data["groups"][1]["items"][0]
    assert item["url"] == f"/accounts/{found['account'].pk}/"
    outsider = api("charlie").get("/search", {"q": "한빛"}).json()
    assert all(g["items"] == [] for g in outsider["groups"])


def test_api_search_rejects_bad_input(personas, found):
    api = make_api(personas)("alice")
    assert api.get("/search").status_code == 422
    assert api.get("/search", {"q": " "}).status_code == 422
    assert api.get("/search", {"q": "x" * 101}).status_code == 422
    assert api.get("/search", {"q": "한빛", "limit": 0}).status_code == 422
    response = api.get("/search", {"q": "한빛", "serch": "x"})
    assert response.status_code == 422
    assert "serch" in response.json()["errors"]
    from baton.core.tests.test_api_support import ApiClient

    assert ApiClient(None).get("/search", {"q": "x"}).status_code == 401
