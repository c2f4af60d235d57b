from django.db import migrations


def trigram_index_operation(table, columns):
    """GIN trigram indexes on ``UPPER(column)`` (what ``icontains`` renders) on PostgreSQL; a no-op
    elsewhere. A frozen copy: migrations never import live code."""

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


class Migration(migrations.Migration):
    dependencies = [("deals", "0002_default_pipeline_and_lost_reasons")]
    operations = [trigram_index_operation("deals_opportunity", ["name"])]
