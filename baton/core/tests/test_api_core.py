"""The API's frame: tokens, /me, the OpenAPI document, the error contract, the token command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from baton.core.models import ApiToken, ChangeLog
from baton.core.services import create_api_token, revoke_api_token
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import PREFIX, ApiClient, errors_of, make_api


@pytest.fixture
def api(personas):
    return make_api(personas)


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Bearer nope", "Basic YWxpY2U6eA==", "bt_x"]
)
def test_requests_without_a_valid_token_are_401(personas, header):
    client = Client()
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get(PREFIX + "/me", **extra)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(alice):
    token, secret = create_api_token(alice, name="laptop")
    client = ApiClient(alice, secret)
    assert client.get("/me").status_code == 200
    revoke_api_token(token, actor=alice)
    assert client.get("/me").status_code == 401


def test_token_of_inactive_user_is_401(alice):
    client = ApiClient(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get("/me").status_code == 401


def test_overlong_token_is_401_without_a_lookup(alice, django_assert_num_queries):
    client = ApiClient(alice, "x" * 5000)
    with django_assert_num_queries(0):
        assert client.get("/me").status_code == 401


def test_session_login_alone_does_not_authenticate_the_api(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(PREFIX + "/me").status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    token, secret = create_api_token(alice, name="cli")
    client = ApiClient(alice, secret)
    assert client.get("/me").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # Within the minute: one query (the lookup), no write.
    with django_assert_num_queries(1):
        assert client.get("/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    assert client.get("/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first


def test_me(api, alice):
    response = api("alice").get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.pk
    assert body["username"] == "alice"
    assert body["name"] == "Alice"
    assert body["role"] == "field_sales"
    assert body["is_admin"] is False
    assert body["team"]["name"] == "Field Sales 1"
    assert api("root").get("/me").json()["is_admin"] is True


def test_writes_through_the_api_are_audited_with_source_api(api, alice):
    response = api("alice").post("/leads", {"name": "최지우", "company": "가온테크"})
    assert response.status_code == 201
    row = ChangeLog.objects.filter(action="create", object_id=response.json()["id"]).latest("id")
    assert row.actor == alice
    assert row.source == "api"
    assert row.request_id


# --- the OpenAPI document and the docs page ---------------------------------------------------


def test_openapi_document_and_docs_page_respond(db):
    client = Client()
    schema = client.get(PREFIX + "/openapi.json")
    assert schema.status_code == 200
    doc = schema.json()
    paths = doc["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/leads",
        "/api/v1/leads/{id}",
        "/api/v1/leads/{id}/convert",
        "/api/v1/leads/{id}/duplicates",
        "/api/v1/leads/{id}/interactions",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/opportunities",
        "/api/v1/opportunities/{id}",
        "/api/v1/opportunities/{id}/move",
        "/api/v1/pipelines",
        "/api/v1/lost-reasons",
    ]:
        assert path in paths, path
    assert "delete" not in paths["/api/v1/leads/{id}"]
    assert doc["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"
    # PATCH bodies say that they need the version and take nothing else.
    patch = doc["components"]["schemas"]["LeadPatch"]
    assert patch["required"] == ["version"]
    assert patch["additionalProperties"] is False
    docs = client.get(PREFIX + "/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content


# --- the error contract -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"not json",
        b'{"name": NaN}',
        b'{"name": Infinity}',
        b"\xff\xfe\x00garbage",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": ' + b"9" * 5000 + b"}",
    ],
)
def test_malformed_json_is_422(api, raw):
    response = api("alice").post("/leads", raw=raw)
    assert response.status_code == 422
    assert "body" in response.json()["errors"]


@pytest.mark.parametrize("body", [[], "text", 5, None, [{"name": "x"}]])
def test_a_body_that_is_not_an_object_is_422(api, body):
    response = api("alice").post("/leads", body)
    assert response.status_code == 422


def test_missing_body_is_422(api):
    response = api("alice").post("/leads", raw=b"")
    assert response.status_code == 422


def test_unknown_fields_are_422_with_the_field_named(api):
    errors = errors_of(api("alice").post("/leads", {"name": "x", "colour": "red"}))
    assert errors == {"colour": ["Unknown field."]}


def test_ill_typed_values_are_422(api):
    errors = errors_of(
        api("alice").post("/leads", {"name": 5, "owner_id": "3", "campaign_id": 1.0, "status": "bogus"})
    )
    assert set(errors) == {"name", "owner_id", "campaign_id", "status"}


def test_nul_characters_and_overlong_strings_are_422(api):
    assert "name" in errors_of(api("alice").post("/leads", {"name": "a\x00b"}))
    assert "name" in errors_of(api("alice").post("/leads", {"name": "가" * 121}))
    assert "search" in errors_of(api("alice").get("/leads", {"search": "a\x00"}))


def test_huge_numbers_are_422(api):
    assert "owner_id" in errors_of(api("alice").post("/leads", {"name": "x", "owner_id": 10**30}))
    assert "id" in errors_of(api("alice").get(f"/leads/{10**30}"))
    assert "owner" in errors_of(api("alice").get("/leads", {"owner": str(10**30)}))
    assert "limit" in errors_of(api("alice").get("/leads", {"limit": "1000"}))


def test_unknown_route_is_404_json(api):
    response = api("alice").get("/leads/abc/nothing")
    assert response.status_code == 404


# --- the token command ------------------------------------------------------------------------


def test_create_api_token_command_prints_a_working_secret(alice):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "alice", "--name", "ci", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("bt_")
    token = ApiToken.objects.get(user=alice, name="ci")
    assert token.key_hash == ApiToken.hash_key(secret)
    assert secret not in err.getvalue()
    assert_audited(token, "token")
    assert ApiClient(alice, secret).get("/me").json()["username"] == "alice"


def test_create_api_token_command_refuses_unknown_and_inactive_users(alice):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=StringIO())
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with pytest.raises(CommandError):
        call_command("create_api_token", "alice", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "root", "--name", "  ", stdout=StringIO())
