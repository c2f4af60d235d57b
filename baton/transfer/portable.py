"""The vendor-neutral part of a backup archive: every table of every installed model as JSON lines, so an
archive made on SQLite restores into PostgreSQL and back (``baton.transfer.backup`` decides when).

- Dump: ``data/<app_label>.<model_name>.jsonl``, one JSON array per row in primary-key order, the
  columns named in the manifest (``models``: label -> table, columns, rows). Values as Python reads them
  through the model's fields: dates and times in ISO 8601 (UTC), decimals, UUIDs and durations as
  text, bytes in base64, JSON as JSON.
- Restore: the target's schema must be at the archive's migrations (a database with none is migrated
  first). In one transaction every model table is emptied, the rows are inserted as they were (raw:
  no ``auto_now``, no signals), foreign keys are checked, row counts compared with the manifest, and
  on PostgreSQL the id sequences are set past the highest id so new rows get fresh ids.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_string

DATA_DIR = "data"
BATCH = 500


class PortableError(Exception):
    """The portable data cannot be restored here; the message says why (nothing was changed)."""


def installed_models(alias: str) -> list[type[models.Model]]:
    """Every model whose rows live in a table of its own on ``alias``: managed, not proxies, with the
    automatic many-to-many tables."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed
        and not m._meta.proxy
        and not m._meta.swapped
        and router.allow_migrate_model(alias, m)
    ]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def applied_migrations(alias: str) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def dump(source: BaseDatabaseWrapper, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Write every model table read through ``source`` (the site's connection, or one to a copy of
    its database) under ``out_dir/data``; returns the manifest's ``models``."""
    folder = out_dir / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    existing = set(source.introspection.table_names())
    described: dict[str, dict[str, Any]] = {}
    for model in installed_models(connection.alias):
        table = model._meta.db_table
        if table not in existing:
            continue
        fields = _columns(model)
        label = model._meta.label_lower
        rows = 0
        with open(folder / f"{label}.jsonl", "w", encoding="utf-8") as fh:
            qs = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
            # Compiled for ``source`` itself: the copy is not a configured database.
            compiler = qs.query.get_compiler(connection=source)
            for row in compiler.results_iter(tuple_expected=True, chunked_fetch=True, chunk_size=2000):
                fh.write(json.dumps([_encode(v) for v in row], ensure_ascii=False, default=str))
                fh.write("\n")
                rows += 1
        described[label] = {"table": table, "columns": [f.attname for f in fields], "rows": rows}
    return described


def _decode(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField):
        if value is None and not field.null:
            # A JSON null in a column that cannot be SQL NULL.
            return models.Value(None, models.JSONField())
        return value
    if value is None:
        return None
    return field.to_python(value)


def _rows(fh: IO[bytes]) -> Iterator[list[Any]]:
    for line in fh:
        if line.strip():
            yield json.loads(line)


def check_schema(described: dict[str, dict[str, Any]], applied: list[str]) -> None:
    """The target database has the archive's migrations and every archived model with its columns."""
    here = set(applied_migrations(connection.alias))
    there = set(applied)
    if here != there:
        missing, extra = sorted(there - here), sorted(here - there)
        raise PortableError(
            "This database's migrations differ from the archive's: "
            + (f"not applied here: {', '.join(missing[:5])}; " if missing else "")
            + (f"applied here, not in the archive: {', '.join(extra[:5])}; " if extra else "")
            + "restore into a database at the same Baton version (run `baton migrate` first if it is older)."
        )
    for label, info in described.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            raise PortableError(f"The archive holds {label}, which this Baton does not know.") from None
        if {f.attname for f in _columns(model)} != set(info["columns"]):
            raise PortableError(f"The columns of {label} differ from the archive's.")


def restore(archive: Path, manifest: dict[str, Any]) -> None:
    """Replace every model table's rows with the archive's portable data (see the module docstring)."""
    described: dict[str, dict[str, Any]] = manifest.get("models") or {}
    if not described:
        raise PortableError(
            "The archive has no portable data (made by an older Baton): it restores only into a "
            f"{manifest.get('vendor')} database."
        )
    if not applied_migrations(connection.alias):
        # A new, empty database: give it the schema first (the rows come from the archive).
        call_command("migrate", interactive=False, verbosity=0)
    check_schema(described, manifest.get("applied", []))
    targets = installed_models(connection.alias)
    tables = [m._meta.db_table for m in targets]
    # Foreign-key checks are off (SQLite: outside the transaction) and checked at its end.
    with (
        tarfile.open(archive, "r:gz") as tar,
        connection.constraint_checks_disabled(),
        transaction.atomic(),
    ):
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
        )
        # In the archive's order: a gzip stream reads forwards only.
        loaded: set[str] = set()
        for member in tar:
            if not member.isfile() or not member.name.startswith(f"{DATA_DIR}/"):
                continue
            label = member.name.removeprefix(f"{DATA_DIR}/").removesuffix(".jsonl")
            if label not in described:
                raise PortableError(f"{member.name} in the archive is not in its manifest.")
            fh = tar.extractfile(member)
            if fh is None:
                raise PortableError(f"{member.name} in the archive is not a file.")
            _load(fh, apps.get_model(label), described[label])
            loaded.add(label)
        if missing := sorted(set(described) - loaded):
            raise PortableError(f"The archive lacks the rows of {', '.join(missing[:5])}.")
        connection.check_constraints(table_names=[info["table"] for info in described.values()])
        for label, info in described.items():
            count = apps.get_model(label)._base_manager.using(connection.alias).count()
            if count != info["rows"]:
                raise PortableError(f"{label}: {count} rows restored, the archive has {info['rows']}.")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), targets):
                cursor.execute(sql)
    ContentType.objects.clear_cache()


def _load(fh: IO[bytes], model: type[models.Model], info: dict[str, Any]) -> None:
    by_name = {f.attname: f for f in _columns(model)}
    fields = [by_name[c] for c in info["columns"]]
    manager = model._base_manager.db_manager(connection.alias)
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, [None] * BATCH)))
    batch: list[models.Model] = []
    for row in _rows(fh):
        obj = model()
        for field, value in zip(fields, row, strict=True):
            setattr(obj, field.attname, _decode(field, value))
        batch.append(obj)
        if len(batch) >= size:
            manager._insert(batch, fields=fields, raw=True, using=connection.alias)  # type: ignore[attr-defined]
            batch = []
    if batch:
        manager._insert(batch, fields=fields, raw=True, using=connection.alias)  # type: ignore[attr-defined]
