"""On PostgreSQL, trigram indexes make the directory's substring search (icontains) use an index.

Django's icontains compiles to UPPER(column::text) LIKE UPPER(%s) on PostgreSQL, so the indexes are
on that expression. SQLite has no such index type; there the search scans, which is fine at the
sizes an embedded database holds.
"""

from django.db import migrations

INDEXES = [
    ("registry_person", "given_name"),
    ("registry_person", "family_name"),
    ("registry_person", "position"),
    ("registry_organisation", "name"),
    ("registry_organisation", "acronym"),
    ("registry_expertprofile", "summary"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_verbose_names")]

    operations = [migrations.RunPython(forward, backward)]
