"""``baton backup`` on SQLite, ``baton restore`` into PostgreSQL, back up there and restore into SQLite
again: the same rows in every table (count and a checksum of every column), and PostgreSQL's id
sequences set past the restored ids so new rows get fresh ones.

Each database is a throwaway made by the test (two SQLite files, one uniquely named PostgreSQL
database, dropped at the end), driven through the real ``baton`` command in child processes, as an
operator would. Runs when a PostgreSQL server is reachable (``BATON_PG_URL``, else ``DATABASE_URL``
when it names PostgreSQL, else the local default of ``make test``); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[3]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/baton"


def _pg_url() -> str:
    url = os.environ.get("BATON_PG_URL", "")
    if not url and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = os.environ["DATABASE_URL"]
    return url or DEFAULT_PG


def _server(url: str) -> str:
    return url.rsplit("/", 1)[0]


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(_server(url) + "/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


# Every row of every model table, as Baton reads it: a count and a SHA-256 per table over all columns
# in primary-key order (times in UTC, decimals at their field's places, JSON with sorted keys), the
# highest id, and where PostgreSQL's sequences stand is checked by adding rows after the restore.
CHECKSUMS = """
import datetime as dt, decimal, hashlib, json
from django.apps import apps
from django.db import models

def norm(field, value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    if isinstance(field, models.DecimalField):
        return str(decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value

out = {}
for model in apps.get_models(include_auto_created=True):
    if not model._meta.managed or model._meta.proxy:
        continue
    fields = list(model._meta.concrete_fields)
    digest = hashlib.sha256()
    count = 0
    top = 0
    for row in model._base_manager.order_by("pk").values_list(*[f.attname for f in fields]).iterator():
        values = [norm(f, v) for f, v in zip(fields, row)]
        digest.update(json.dumps(values, sort_keys=True, default=str).encode())
        count += 1
        pk = row[[f.attname for f in fields].index(model._meta.pk.attname)]
        top = pk if isinstance(pk, int) and pk > top else top
    out[model._meta.label_lower] = [count, digest.hexdigest(), top]
print("CHECKSUMS " + json.dumps(out, sort_keys=True))
"""

# Besides the demo world, values awkward to carry between engines: Korean text with quotes, an amount
# of 11 digits and 2 places, a closing time with microseconds, a lost deal with its reason.
EXTRA_ROWS = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from baton.core.models import User
from baton.accounts.services import create_account
from baton.deals.models import Stage
from baton.deals.services import create_opportunity, move_opportunity, save_lost_reason
admin = User.objects.get(username="admin")
account = create_account(actor=admin, name="(주)왕복테스트")
reason = save_lost_reason(None, actor=admin, values={"name": "왕복 사유", "name_en": "Round trip"})
opp = create_opportunity(
    actor=admin, name="왕복 건 — ‘따옴표’ & \\"quotes\\"", account=account,
    currency="USD", amount=Decimal("12345678901.25"), at=timezone.now() - dt.timedelta(days=5),
)
lost = Stage.objects.filter(pipeline=opp.pipeline, outcome="lost").first()
move_opportunity(
    opp, actor=admin, stage=lost, expected_version=None, lost_reason=reason,
    at=timezone.now() - dt.timedelta(days=3, microseconds=123457),
)
print("EXTRA", opp.pk)
"""

NEW_ROWS = """
from baton.deals.models import LostReason
from baton.core.models import User
reason = LostReason.objects.create(name="복원 후 추가")
user = User.objects.create_user("after-restore")
print("NEW", reason.pk, user.pk)
"""


def _baton(db_url: str, data_dir: Path, *args: str, stdin: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_", "SQLITE_"))}
    env.update(
        DATABASE_URL=db_url,
        DB_POOL="false",
        BATON_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="baton.settings",
        PYTHONPATH=str(REPO),
    )
    run = subprocess.run(
        [sys.executable, "-m", "baton.cli", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert run.returncode == 0, f"baton {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run.stdout


def _checksums(db_url: str, data_dir: Path) -> dict[str, list]:
    out = _baton(db_url, data_dir, "shell", "-c", CHECKSUMS)
    line = next(x for x in out.splitlines() if x.startswith("CHECKSUMS "))
    return json.loads(line.removeprefix("CHECKSUMS "))


@pytest.fixture
def pg_database():
    from django.db import connection

    if connection.vendor == "postgresql":
        # It makes its own databases and never touches the suite's, so running it from both of
        # ``make test``'s suites would only do the same minutes twice: the SQLite suite runs it.
        pytest.skip("runs once per `make test`, from the SQLite suite (it makes its own databases)")
    url = _pg_url()
    if not _reachable(url):
        pytest.skip(
            f"PostgreSQL is not reachable at {_server(url)}: the SQLite → PostgreSQL → SQLite backup "
            "round trip needs a server (set BATON_PG_URL)"
        )
    name = f"baton_roundtrip_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_server(url) + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{_server(url)}/{name}"
    finally:
        with psycopg.connect(_server(url) + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_to_postgresql_and_back_keeps_every_row(tmp_path, pg_database):
    first = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    last = f"sqlite:///{tmp_path / 'last.sqlite3'}"
    _baton(first, tmp_path, "migrate", "--no-input", "-v", "0")
    _baton(first, tmp_path, "seed_demo", "--force", "--scale", "0.01")
    _baton(first, tmp_path, "shell", "-c", EXTRA_ROWS)
    before = _checksums(first, tmp_path)
    assert before["leads.lead"][0] > 0 and before["core.changelog"][0] > 0

    archive = tmp_path / "from-sqlite.tar.gz"
    _baton(first, tmp_path, "backup", str(archive))
    # A new, empty PostgreSQL database: the restore gives it the schema, then the rows.
    _baton(pg_database, tmp_path, "restore", str(archive), "--yes")
    on_pg = _checksums(pg_database, tmp_path)
    assert on_pg == before, _differences(before, on_pg)

    # New rows on PostgreSQL get ids past the restored ones (the sequences were reset).
    new = _baton(pg_database, tmp_path, "shell", "-c", NEW_ROWS)
    reason_id, user_id = (
        int(x) for x in next(x for x in new.splitlines() if x.startswith("NEW ")).split()[1:3]
    )
    assert reason_id == before["deals.lostreason"][2] + 1
    assert user_id == before["core.user"][2] + 1
    after_new = _checksums(pg_database, tmp_path)

    back = tmp_path / "from-postgresql.tar.gz"
    _baton(pg_database, tmp_path, "backup", str(back))
    _baton(last, tmp_path, "restore", str(back), "--yes")
    assert _checksums(last, tmp_path) == after_new


def _differences(a: dict[str, list], b: dict[str, list]) -> str:
    return "; ".join(
        f"{label}: {a.get(label)} vs {b.get(label)}"
        for label in sorted(set(a) | set(b))
        if a.get(label) != b.get(label)
    )[:3000]
