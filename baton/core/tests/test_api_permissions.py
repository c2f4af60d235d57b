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


# --- the permission matrix: every OpenAPI operation × every role (see baton/core/tests/matrix/) -------


def _operations() -> dict[str, list[str]]:
    """Every operation of the published OpenAPI document as "METHOD /path" and its path parameters."""
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            key = f"{method.upper()} {path.removeprefix('/api/v1')}"
            found[key] = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    return found


def test_api_matrix_covers_every_operation():
    from baton.core.tests.matrix import OPERATIONS

    operations = _operations()
    missing = sorted(set(operations) - set(OPERATIONS))
    assert not missing, f"declare who may use these new operations in baton/core/tests/matrix/: {missing}"
    assert not sorted(set(OPERATIONS) - set(operations)), "the matrix names operations that no longer exist"


def test_every_operation_by_every_role(cast, world):
    """Blind roles get 404 on every operation naming alice's records and nothing changes; role-gated
    operations answer 403 to the rest; no answer anyone gets (lists, searches, feeds, aggregates,
    exports) shows the names of records they may not see."""
    from baton.core.tests.matrix import (
        BLIND,
        BODIES,
        GUARD,
        OPERATIONS,
        PERSONAS,
        build_world,
        leaked,
        url_kwargs,
    )

    ids = build_world(cast, world)
    clients = {name: ApiClient(cast[name]) for name in PERSONAS}
    for client in clients.values():
        client.client.raise_request_exception = False
    versions = {k: type(v).objects.get(pk=v.pk).version for k, v in world.items()}
    problems: list[str] = []
    for key, params in sorted(_operations().items()):
        expect = OPERATIONS[key]
        method, template = key.split(" ", 1)
        path = template.format(**url_kwargs(expect, ids, params))
        body = BODIES[key](ids) if key in BODIES else {}
        for name in PERSONAS:
            blind = expect.what == "record" and GUARD[expect.record] in BLIND.get(name, ())
            if expect.what == "record" and not blind and not (name == "alice" and method == "GET"):
                continue
            client = clients[name]
            if method == "GET":
                response = client.get(path)
            elif method == "DELETE":
                response = client.delete(path)
            else:
                response = client._send(method.lower(), path, body)
            status = response.status_code
            if status >= 500:
                problems.append(f"{key} {name}: {status}")
            elif blind and status != 404:
                problems.append(f"{key} {name}: {status}, expected 404")
            elif expect.what == "record" and not blind and status == 404:
                problems.append(f"{key} {name}: 404 for the owner (the matrix's ids are wrong)")
            elif expect.what == "roles" and name not in expect.roles and status != 403:
                problems.append(f"{key} {name}: {status}, expected 403")
            if status == 200 and (shown := leaked(name, response.content.decode(errors="replace"))):
                problems.append(f"{key} {name}: shows {shown}")
            if method == "GET" and status == 200 and expect.what == "open" and "search" in _list_params(key):
                found = client.get(path, {"search": "한빛"}).content.decode(errors="replace")
                if shown := leaked(name, found):
                    problems.append(f"{key}?search {name}: shows {shown}")
    assert not problems, "\n".join(problems)
    assert {k: type(v).objects.get(pk=v.pk).version for k, v in world.items()} == versions


def _list_params(key: str) -> set[str]:
    return (
        {"search"} if key in {"GET /leads", "GET /accounts", "GET /contacts", "GET /opportunities"} else set()
    )


def test_every_operation_as_a_partner_user(cast, world):
    """A partner user's token reaches only the partner portal's operations: every other operation
    answers 403 (also with the ids of records they may not see), and no answer names a record."""
    from baton.core.models import Role, User
    from baton.core.tests.matrix import (
        BODIES,
        OPERATIONS,
        PARTNER_OPERATIONS_PREFIX,
        SECRETS,
        build_world,
        url_kwargs,
    )

    ids = build_world(cast, world)
    pia = User.objects.create_user(username="pia", role=Role.PARTNER, display_name="Pia")
    client = ApiClient(pia)
    client.client.raise_request_exception = False
    secrets = [text for texts in SECRETS.values() for text in texts]
    problems: list[str] = []
    for key, params in sorted(_operations().items()):
        expect = OPERATIONS[key]
        method, template = key.split(" ", 1)
        path = template.format(**url_kwargs(expect, ids, params))
        body = BODIES[key](ids) if key in BODIES else {}
        if method == "GET":
            response = client.get(path)
        elif method == "DELETE":
            response = client.delete(path)
        else:
            response = client._send(method.lower(), path, body)
        status = response.status_code
        if status >= 500:
            problems.append(f"{key}: {status}")
        elif not template.startswith(PARTNER_OPERATIONS_PREFIX) and status != 403:
            problems.append(f"{key}: {status}, expected 403")
        if shown := [text for text in secrets if text in response.content.decode(errors="replace")]:
            problems.append(f"{key}: shows {shown}")
    assert not problems, "\n".join(problems)
