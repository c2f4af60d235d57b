"""Page-parameter fuzz: every page (from the URL resolver) × every query parameter it reads × hostile
values, as an administrator, with 0 server errors.

Which parameters a page reads is found by asking it: one plain GET per page records every name the
view looks up in the query string (``QueryDict.get``/``[]``/``getlist``/``in``), so a parameter added
to a view is fuzzed without editing this file. Bounded: one request per page × parameter × value.
"""

from __future__ import annotations

import pytest
from django.http import QueryDict

from baton.core.tests.routes import build_world, page_urls

pytestmark = pytest.mark.django_db

# Sent for every parameter: the values that broke pages before (issue 9).
CORE = [
    "99999999999999999999999",  # past any 64-bit column
    "2026-13-45",  # impossible date
    "abc",
    ["1", "2"],  # the same name twice (?a=1&a=2)
]
# Two of these per parameter, rotating, so each is tried on many pages without multiplying the run.
ROTATING = [
    "-1",
    "0",
    "9999-12-31",  # a date with no day after it
    "0000-00-00",
    "１２",  # full-width digits: str.isdigit() says yes
    "²",
    "김민준\u200b🙂",
    "x" * 5000,
    "a\x00b",  # NUL: PostgreSQL refuses it in a string
    "1e308",
    "' OR 1=1 --",
    "-9223372036854775809",
]
PER_PARAMETER = len(CORE) + 2


def values_for(index: int) -> list:
    return [*CORE, ROTATING[(2 * index) % len(ROTATING)], ROTATING[(2 * index + 1) % len(ROTATING)]]


@pytest.fixture
def sample_world(world, personas):
    return build_world(world, personas)


class _Recorder:
    def __init__(self) -> None:
        self.names: set[str] = set()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        recorder = self
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            original = getattr(QueryDict, method)

            def spy(self, key, *args, _original=original, **kwargs):
                if isinstance(key, str):
                    recorder.names.add(key)
                return _original(self, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, method, spy)


def test_no_page_parameter_makes_a_server_error(client, sample_world, root, settings, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(root)
    recorder = _Recorder()
    recorder.install(monkeypatch)
    targets: list[tuple[str, list[str]]] = []
    for _route, url, _sampled in page_urls(sample_world):
        recorder.names.clear()
        response = client.get(url)
        if response.status_code == 405:  # POST-only: reads no query string on GET
            continue
        names = sorted(recorder.names - {"csrfmiddlewaretoken"})
        if names:
            targets.append((url, names))
    failures, requests = [], 0
    index = 0
    for url, names in targets:
        for name in names:
            index += 1
            for value in values_for(index):
                query = {name: value}
                response = client.get(url, query)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{url}?{name}={str(value)[:40]!r} -> {response.status_code}")
    assert not failures, f"{len(failures)} of {requests} requests failed:\n" + "\n".join(failures[:50])
    print(f"page fuzz: {len(targets)} pages, {index} parameters, {requests} requests")
    assert len(targets) > 20 and requests > 200
