"""Whole-database backup and restore (issue 11): ``baton backup FILE`` and ``baton restore FILE``.

The archive is a ``.tar.gz`` holding ``manifest.json`` (format version, database vendor, Baton's
latest migration per app, when it was made) and the database itself:

- SQLite: ``database.sqlite3``, a consistent copy made with SQLite's online backup API (the site may
  keep running while it is taken); restoring copies it back through the same API into the live file.
- PostgreSQL: ``database.dump``, made by ``pg_dump --format=custom`` and restored by ``pg_restore
  --clean --if-exists --no-owner`` into the configured database. Both programs must be on PATH; when
  they are not, the command says so and stops (nothing is written).

Beside the native copy the archive holds the same data in a vendor-neutral form (``data/*.jsonl``,
see ``baton.transfer.portable``): a restore into a database of the other vendor (SQLite to PostgreSQL
or back) loads that, at the same migrations, and resets PostgreSQL's id sequences. A restore of the
same vendor uses the native copy. An archive made by a newer Baton (a migration the running code does
not know) is refused with a message, as is an old archive without portable data into the other vendor.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from baton.transfer import portable

FORMAT = 2
READABLE_FORMATS = (1, 2)  # 1: the native copy only
MANIFEST = "manifest.json"
COPY_ALIAS = "baton_backup_copy"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why (nothing was changed)."""


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("id"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client programs (Debian: postgresql-client) "
            "matching the server's version to back up or restore a PostgreSQL database."
        )
    return found


def backup(out: Path) -> dict[str, Any]:
    """Write the archive to ``out``; returns its manifest."""
    vendor = connection.vendor
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "vendor": vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "migrations": _migrations(),
        "applied": portable.applied_migrations(connection.alias),
    }
    with tempfile.TemporaryDirectory(prefix="baton-backup-") as tmp:
        if vendor == "sqlite":
            data = Path(tmp) / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(data)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            # The portable rows come from the copy: the same instant, and the site is not held up.
            manifest["models"] = _dump_sqlite_copy(data, Path(tmp))
        elif vendor == "postgresql":
            data = Path(tmp) / "database.dump"
            args, env = _pg_env()
            # The program is found on PATH and the arguments come from settings, not from a request.
            run = subprocess.run(  # noqa: S603
                [_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(data), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise BackupError(f"pg_dump failed: {run.stderr.strip()[:2000]}")
            # One snapshot for every table (pg_dump takes its own, just as consistent); inside a
            # caller's transaction, that transaction's view is the snapshot.
            outer = connection.in_atomic_block
            with transaction.atomic():
                if not outer:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                manifest["models"] = portable.dump(connection, Path(tmp))
        else:
            raise BackupError(f"Backups of {vendor} databases are not supported.")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(data, arcname=data.name)
            tar.add(Path(tmp) / portable.DATA_DIR, arcname=portable.DATA_DIR)
        partial.replace(out)  # never a half-written archive under the real name
    return manifest


def _dump_sqlite_copy(copy: Path, tmp: Path) -> dict[str, dict[str, Any]]:
    # A connection of its own to the copy, not registered among the site's databases.
    settings_dict = {**connection.settings_dict, "NAME": str(copy), "OPTIONS": {}}
    source = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, COPY_ALIAS)
    try:
        return portable.dump(source, tmp)
    finally:
        source.close()


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Baton backup archive ({exc}).") from exc


def restore(archive: Path) -> dict[str, Any]:
    """Replace the configured database's contents with the archive's; returns its manifest."""
    manifest = read_manifest(archive)
    vendor = connection.vendor
    if manifest.get("format") not in READABLE_FORMATS:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}" for app, name in manifest.get("migrations", {}).items() if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The archive was made by a newer Baton (unknown migrations: "
            + ", ".join(sorted(unknown)[:5])
            + ")."
        )
    if manifest.get("vendor") != vendor:
        if not manifest.get("models"):
            raise BackupError(
                f"The archive holds a {manifest.get('vendor')} database; this site runs on {vendor}, "
                "and the archive has no portable data (made by an older Baton)."
            )
        try:
            portable.restore(archive, manifest)
        except (
            portable.PortableError,
            DatabaseError,
            tarfile.TarError,
            OSError,
            ValueError,
            KeyError,
        ) as exc:
            raise BackupError(f"Nothing was restored: {exc}") from exc
        return manifest
    with tempfile.TemporaryDirectory(prefix="baton-restore-") as tmp:
        with tarfile.open(archive, "r:gz") as tar:
            name = "database.sqlite3" if vendor == "sqlite" else "database.dump"
            member = tar.getmember(name)
            if not member.isfile():
                raise BackupError(f"{name} in the archive is not a file.")
            tar.extract(member, tmp, filter="data")
        data = Path(tmp) / name
        if vendor == "sqlite":
            source = sqlite3.connect(data)
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args, env = _pg_env()
            connection.close()
            run = subprocess.run(  # noqa: S603
                [
                    _program("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(data),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise BackupError(f"pg_restore failed: {run.stderr.strip()[:2000]}")
    return manifest
