"""Schema-driven fuzzing: schemathesis generates valid and invalid requests for every operation in
the OpenAPI document and calls the app in-process (WSGI) with a valid token. No response may be a 5xx.

Bounded: a few examples per operation and mode (``BATON_FUZZ_EXAMPLES``, default 4; with 228 operations
10 took six minutes of the suite's half hour), deterministic (derandomized) so a failure reproduces.
Raise it locally for a deeper run: ``BATON_FUZZ_EXAMPLES=50 pytest baton/core/tests/test_api_fuzz.py``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from baton.core.services import create_api_token

MAX_EXAMPLES = int(os.environ.get("BATON_FUZZ_EXAMPLES", "4"))

# Which world record a path's {id} should name, so that fuzzing reaches past the 404.
ID_FOR = {
    "/leads/": "lead",
    "/accounts/": "account",
    "/contacts/": "contact",
    "/opportunities/": "opportunity",
}


def _record_for(path: str, world: dict) -> int | None:
    for prefix, key in ID_FOR.items():
        if prefix in path:
            return world[key].pk
    return None


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus the per-request connection recycling Django's test client also turns off:
    inside a test's transaction it would close the connection the test is using (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx(world, alice, wsgi_app):
    _, secret = create_api_token(alice, name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    calls = 0
    statuses: dict[int, int] = {}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:
        variants: list[dict] = [{}]
        record = _record_for(operation.path, world) if "{id}" in operation.path else None
        if record is not None:
            variants.append({"path_parameters": {"id": record}})
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            for variant in variants:
                strategy = operation.as_strategy(generation_mode=mode, **variant)

                @settings(
                    max_examples=MAX_EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def run(case):
                    nonlocal calls
                    calls += 1
                    response = case.call(headers=headers)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"
                            f" -> {response.status_code} {response.text[:300]}"
                        )

                run()
    print(f"{calls} calls, statuses {sorted(statuses.items())}")
    assert calls > 100
    # The fuzzing reached real work, not only validation errors.
    assert statuses.get(200, 0) + statuses.get(201, 0) > 20
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(
    "body",
    [
        {"name": "\ud800"},
        {"name": "x", "\udcff": 1},
        {"name": "x", "o" * 10_000: 1},
        {"name": "x", "company": "\u0000"},
        {"name": "x", "owner_id": -1},
        {"name": "x", "owner_id": True},
        {"name": "x", "description": "가" * 20_001},
    ],
)
def test_hand_picked_nasty_bodies_are_4xx(world, alice, body):
    from baton.core.tests.test_api_support import ApiClient

    response = ApiClient(alice).post("/leads", body)
    assert response.status_code == 422, response.content
