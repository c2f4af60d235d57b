"""Database settings from the environment: a pool on PostgreSQL by default, SQLite tuned."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = (
    "import json, baton.settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({k: d.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}))"
)


def _settings(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_URL", "SQLITE_"))}
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_postgresql_pools_connections_by_default():
    db = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10}
    assert db["CONN_MAX_AGE"] == 0
    db = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x", DB_POOL_MAX_SIZE="20", DB_POOL_MIN_SIZE="4")
    assert db["OPTIONS"]["pool"]["max_size"] == 20 and db["OPTIONS"]["pool"]["min_size"] == 4


def test_postgresql_without_the_pool_keeps_connections_with_health_checks():
    db = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x", DB_POOL="false")
    assert "pool" not in (db["OPTIONS"] or {})
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_is_tuned(tmp_path):
    db = _settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    init = db["OPTIONS"]["init_command"]
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "mmap_size=268435456"):
        assert pragma in init


@pytest.mark.parametrize("name", ["DB_POOL_MAX_SIZE", "DB_POOL_TIMEOUT"])
def test_bad_pool_numbers_fail_fast(name):
    environ = {**os.environ, "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", name: "0"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0 and name in out.stderr


@pytest.mark.django_db
def test_the_running_connection_uses_the_settings():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 5000
        else:
            cursor.execute("SELECT 1")
            assert connection.pool is not None
