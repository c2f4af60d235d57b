"""Every endpoint by persona: 401 without or with a revoked token; owner, teammate, managers and admin
succeed; the outsider gets 404 on alice's records and does not find them in lists."""

from __future__ import annotations

import pytest

from baton.core.services import create_api_token, revoke_api_token
from baton.core.tests.test_api_support import ApiClient, make_api
from baton.deals.models import Stage


def _next_stage(opportunity):
    return Stage.objects.get(pipeline=opportunity.pipeline, key="evaluating").pk


# (method, path, body) with {lead}, {account}, {contact}, {opportunity} filled from the world.
RECORD_ENDPOINTS = [
    ("get", "/leads/{lead}", None),
    ("patch", "/leads/{lead}", lambda w: {"version": w["lead"].version, "title": "팀장"}),
    ("post", "/leads/{lead}/convert", lambda w: {"create_opportunity": False}),
    ("get", "/leads/{lead}/duplicates", None),
    ("get", "/leads/{lead}/interactions", None),
    ("post", "/leads/{lead}/interactions", lambda w: {"kind": "call", "note": "통화"}),
    ("get", "/accounts/{account}", None),
    ("patch", "/accounts/{account}", lambda w: {"version": w["account"].version, "region": "seoul"}),
    ("delete", "/accounts/{account}", None),
    ("get", "/contacts/{contact}", None),
    ("patch", "/contacts/{contact}", lambda w: {"version": w["contact"].version, "title": "CIO"}),
    ("delete", "/contacts/{contact}", None),
    ("get", "/opportunities/{opportunity}", None),
    (
        "patch",
        "/opportunities/{opportunity}",
        lambda w: {"version": w["opportunity"].version, "next_step": "데모"},
    ),
    (
        "post",
        "/opportunities/{opportunity}/move",
        lambda w: {"stage_id": _next_stage(w["opportunity"]), "version": w["opportunity"].version},
    ),
]

COLLECTION_ENDPOINTS = [
    ("get", "/me", None),
    ("get", "/leads", None),
    ("post", "/leads", lambda w: {"name": "박하늘", "company": "누리소프트"}),
    ("get", "/accounts", None),
    ("post", "/accounts", lambda w: {"name": "누리소프트"}),
    ("get", "/contacts", None),
    ("post", "/contacts", lambda w: {"name": "박하늘"}),
    ("get", "/opportunities", None),
    ("get", "/pipelines", None),
    ("get", "/lost-reasons", None),
]


def _call(client: ApiClient, method: str, path: str, body, world):
    path = path.format(**{k: v.pk for k, v in world.items()})
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    return getattr(client, method)(path, body(world) if body else {})


def _ids(endpoint):
    return f"{endpoint[0]} {endpoint[1]}"


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS + COLLECTION_ENDPOINTS, ids=_ids)
def test_every_endpoint_is_401_without_a_token_or_with_a_revoked_one(world, alice, endpoint):
    method, path, body = endpoint
    assert _call(ApiClient(None), method, path, body, world).status_code == 401
    token, secret = create_api_token(alice, name="old")
    revoke_api_token(token, actor=alice)
    assert _call(ApiClient(alice, secret), method, path, body, world).status_code == 401


@pytest.mark.parametrize("persona", ["alice", "bob", "dana", "mina", "root"])
@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS, ids=_ids)
def test_owner_teammate_managers_and_admin_may_use_alices_records(personas, world, persona, endpoint):
    method, path, body = endpoint
    response = _call(make_api(personas)(persona), method, path, body, world)
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS, ids=_ids)
def test_outsider_gets_404_and_nothing_changes(personas, world, endpoint):
    method, path, body = endpoint
    before = {k: (type(v).objects.get(pk=v.pk).version) for k, v in world.items()}
    response = _call(make_api(personas)("charlie"), method, path, body, world)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert {k: type(v).objects.get(pk=v.pk).version for k, v in world.items()} == before


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "dana", "mina", "root"])
@pytest.mark.parametrize("endpoint", COLLECTION_ENDPOINTS, ids=_ids)
def test_collections_answer_everyone(personas, world, persona, endpoint):
    method, path, body = endpoint
    response = _call(make_api(personas)(persona), method, path, body, world)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/leads", "lead"),
        ("/accounts", "account"),
        ("/contacts", "contact"),
        ("/opportunities", "opportunity"),
    ],
)
@pytest.mark.parametrize(
    ("persona", "sees"),
    [("alice", True), ("bob", True), ("dana", True), ("mina", True), ("root", True), ("charlie", False)],
)
def test_lists_show_alices_records_only_to_those_who_may_see_them(personas, world, path, key, persona, sees):
    client = make_api(personas)(persona)
    ids = {item["id"] for item in client.walk(path)}
    assert (world[key].pk in ids) is sees
    # Searching for it does not reveal it either.
    found = {item["id"] for item in client.walk(path, {"search": str(world[key].name)[:2]})}
    assert (world[key].pk in found) is sees


def test_nonexistent_ids_are_404_like_invisible_ones(personas, world):
    alice = make_api(personas)("alice")
    for path in ["/leads/999999", "/accounts/999999", "/contacts/999999", "/opportunities/999999"]:
        assert alice.get(path).status_code == 404


def test_outsider_cannot_point_at_alices_records(personas, world):
    charlie = make_api(personas)("charlie")
    response = charlie.post("/contacts", {"name": "x", "account_id": world["account"].pk})
    assert response.status_code == 422
    assert response.json()["errors"] == {"account_id": ["No such account."]}
    response = charlie.post("/opportunities", {"name": "x", "account_id": world["account"].pk})
    assert response.json()["errors"] == {"account_id": ["No such account."]}
    response = charlie.post("/accounts", {"name": "x", "parent_id": world["account"].pk, "owner_id": 10**9})
    assert set(response.json()["errors"]) == {"parent_id", "owner_id"}
    response = charlie.post("/leads", {"name": "x", "owner_id": personas["alice"].pk})
    assert response.json()["errors"] == {"owner_id": ["Not a user you can assign records to."]}
