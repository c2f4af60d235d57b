"""Trigram indexes that make ``icontains`` searches fast on PostgreSQL (a no-op on SQLite).

Django renders ``field__icontains`` as ``UPPER("table"."field"::text) LIKE UPPER(%s)``; a GIN
trigram index on exactly that expression serves it.
"""

from django.db import migrations


def trigram_index_operation(table: str, columns: list[str]) -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')

    return migrations.RunPython(forward, backward, elidable=False)
