"""Read routing to a replica: reports, dashboards and the floor read there; writes never do.

The suite runs with ``DATABASE_REPLICA_URL`` unset, so these tests add a "replica" alias that mirrors
the test database (as Django's MIRROR test setting does) and watch which connection runs each query.
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import connections
from django.urls import reverse

from baton.core.replica import REPLICA, ReplicaRouter, reads_from_replica, routes_to_replica

# The routing tests need a "replica" alias. The normal suite has none (a mirror connection cannot see
# a test's uncommitted rows); `make test` runs this file once more with BATON_TEST_REPLICA=1, which
# adds a "replica" alias mirroring the test database, and these tests then commit their rows.
needs_replica = pytest.mark.skipif(
    REPLICA not in connections, reason="run by `make test` with BATON_TEST_REPLICA=1 (a mirrored alias)"
)
on_both = pytest.mark.django_db(
    transaction=True, databases=["default", REPLICA] if REPLICA in connections else ["default"]
)


@pytest.fixture
def replica():
    yield
    # The mirror's connections (a pool on PostgreSQL) must be gone before the test database is dropped.
    connection = connections[REPLICA]
    connection.close()
    close_pool = getattr(connection, "close_pool", None)
    if close_pool is not None:
        close_pool()


class Watch:
    def __init__(self) -> None:
        self.sql: dict[str, list[str]] = {"default": [], REPLICA: []}

    @contextlib.contextmanager
    def run(self):
        def recorder(alias):
            def wrapper(execute, sql, params, many, context):
                self.sql[alias].append(sql)
                return execute(sql, params, many, context)

            return wrapper

        with (
            connections["default"].execute_wrapper(recorder("default")),
            connections[REPLICA].execute_wrapper(recorder(REPLICA)),
        ):
            yield self


def test_paths_that_read_from_the_replica():
    assert routes_to_replica("/")
    assert routes_to_replica("/process/")
    assert routes_to_replica("/insights/forecast/")
    assert routes_to_replica("/api/v1/insights/forecast")
    # work queues, record pages and forms stay on the primary
    assert not routes_to_replica("/process/queues/")
    assert not routes_to_replica("/leads/")
    assert not routes_to_replica("/deals/board/")
    assert not routes_to_replica("/api/v1/leads")


@needs_replica
@on_both
def test_router_only_routes_inside_the_block_and_never_writes_there(replica):
    router = ReplicaRouter()
    from baton.core.models import User

    assert router.db_for_read(User) is None
    with reads_from_replica():
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) is None
    assert router.allow_migrate(REPLICA, "core") is False
    assert router.allow_migrate("default", "core") is None


@pytest.mark.skipif(REPLICA in connections, reason="the run without a replica alias")
def test_without_a_replica_nothing_changes():
    router = ReplicaRouter()
    from baton.core.models import User

    with reads_from_replica():
        assert router.db_for_read(User) is None


@needs_replica
@on_both
def test_forecast_page_reads_from_the_replica_and_a_write_sticks_to_the_primary(replica, personas, client):
    client.force_login(personas["mina"])
    with Watch().run() as watch:
        assert client.get(reverse("insights:forecast")).status_code == 200
    assert watch.sql[REPLICA], "the forecast page should read from the replica"
    # session and user rows may come from either; the forecast's own reads are on the replica
    assert any("deals_opportunity" in sql for sql in watch.sql[REPLICA])
    assert not any("deals_opportunity" in sql for sql in watch.sql["default"])

    # a list page (not a report) stays on the primary
    with Watch().run() as watch:
        assert client.get(reverse("leads:list")).status_code == 200
    assert not watch.sql[REPLICA]

    # after a write (any POST), the same user reads from the primary for a few seconds
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    with Watch().run() as watch:
        assert client.get(reverse("insights:forecast")).status_code == 200
    assert not watch.sql[REPLICA]


@needs_replica
@on_both
def test_reads_inside_a_transaction_on_the_primary_stay_there(replica, personas):
    from django.db import transaction

    from baton.core.models import User

    with reads_from_replica(), transaction.atomic():
        User.objects.filter(pk=personas["alice"].pk).update(display_name="Alice K")
        assert User.objects.get(pk=personas["alice"].pk).display_name == "Alice K"
