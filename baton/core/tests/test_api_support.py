"""Helpers the API tests share: a JSON client that carries a persona's bearer token.

(Named test_api_*.py so it lives with the API tests; it holds no tests of its own.)
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from baton.core.services import create_api_token

PREFIX = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON to /api/v1 with ``Authorization: Bearer <token>``."""

    def __init__(self, user: Any = None, token: str | None = None):
        self.user = user
        self.client = Client()
        if token is None and user is not None:
            _, token = create_api_token(user, name="tests")
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict | None = None, **extra: Any):
        return self.client.get(PREFIX + path, params or {}, **self._headers(), **extra)

    def _send(self, method: str, path: str, data: Any, raw: bytes | str | None = None):
        body = raw if raw is not None else json.dumps(data)
        fn = getattr(self.client, method)
        return fn(PREFIX + path, data=body, content_type="application/json", **self._headers())

    def post(self, path: str, data: Any = None, *, raw: bytes | str | None = None):
        return self._send("post", path, {} if data is None else data, raw)

    def patch(self, path: str, data: Any = None, *, raw: bytes | str | None = None):
        return self._send("patch", path, {} if data is None else data, raw)

    def delete(self, path: str, params: str = ""):
        return self.client.delete(PREFIX + path + params, **self._headers())

    def walk(self, path: str, params: dict | None = None) -> list[dict]:
        """Follow ``next`` cursors to the end and return every item."""
        params = dict(params or {})
        items: list[dict] = []
        for _ in range(1000):
            response = self.get(path, params)
            assert response.status_code == 200, response.content
            body = response.json()
            items.extend(body["items"])
            if not body["next"]:
                return items
            params["cursor"] = body["next"]
        raise AssertionError("pagination did not end")


def make_api(personas: dict) -> Any:
    """``api("alice")`` -> an ApiClient with a fresh token for that persona; ``api(None)`` -> no token."""
    cache: dict[str | None, ApiClient] = {}

    def factory(name: str | None) -> ApiClient:
        if name not in cache:
            cache[name] = ApiClient(personas[name] if name else None)
        return cache[name]

    return factory


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 422, (response.status_code, response.content)
    body = response.json()
    assert isinstance(body["detail"], str)
    return body["errors"]
