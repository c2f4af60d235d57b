"""Inserting rows fast: COPY on PostgreSQL, executemany batches on SQLite."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db.models import NOT_PROVIDED, Max

from baton.core.textsearch import Searchable, search_values
from bench.generate import BATCH

# --- writing rows fast -------------------------------------------------------------------------


class Writer:
    """Insert tuples into a model's table: COPY on PostgreSQL, executemany batches on SQLite."""

    def __init__(self, connection: Any, *, fast: bool):
        self.connection = connection
        self.vendor = connection.vendor
        self.fast = fast and self.vendor == "postgresql"

    def columns(self, model: Any, attnames: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
        """Column names for ``attnames`` plus every other concrete column (filled with its default),
        so fields added to the models later do not break the generator."""

        given = set(attnames)
        columns = [model._meta.get_field(name).column if name != "id" else "id" for name in attnames]
        extra_values = []
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            elif f.blank and f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
                value = ""
            else:
                raise RuntimeError(f"bench.generate does not know how to fill {model.__name__}.{f.name}")
            columns.append(f.column)
            extra_values.append(value)
        return columns, tuple(extra_values)

    def write(self, model: Any, attnames: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        attnames, rows = self._with_search_columns(model, attnames, rows)
        columns, extra = self.columns(model, attnames)
        table = model._meta.db_table
        if extra:
            rows = (row + extra for row in rows)
        if self.vendor == "postgresql":
            return self._copy(table, columns, rows)
        return self._executemany(table, columns, rows)

    @staticmethod
    def _with_search_columns(
        model: Any, attnames: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> tuple[Sequence[str], Iterable[tuple[Any, ...]]]:
        """Add the derived search columns (baton/core/textsearch.py) the services would write."""

        if not issubclass(model, Searchable) or "search_tokens" in attnames:
            return attnames, rows
        position = {name: i for i, name in enumerate(attnames)}
        texts = [position.get(name) for name in model.SEARCH_FIELDS]
        phones = [position.get(name) for name in model.SEARCH_PHONES]

        def extended() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                yield row + search_values(
                    (str(row[i] or "") for i in texts if i is not None),
                    (str(row[i] or "") for i in phones if i is not None),
                )

        return [*attnames, "search_text", "search_tokens"], extended()

    def _copy(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with (
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
                n += 1
        return n

    def _executemany(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'

        def adapt(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return json.dumps(value)
            return value

        n = 0
        batch: list[tuple[Any, ...]] = []
        with self.connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(adapt(v) for v in row))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
        return n

    # -- PostgreSQL bulk-load helpers --

    def drop_indexes(self, model: Any) -> list[str]:
        """Drop the secondary (non-constraint) indexes of a table; return their definitions."""
        if not self.fast:
            return []
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass
                  )
                """,
                [table],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in found]

    def create_indexes(self, definitions: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for definition in definitions:
                cursor.execute(definition)

    def next_id(self, model: Any) -> int:
        return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def reset_sequences(self, models: Sequence[Any]) -> None:
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(models))
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
