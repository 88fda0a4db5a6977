"""The expert directory's search text in capitals, searched with a case-sensitive LIKE: on PostgreSQL
its trigram index is then on the column itself, and checking each candidate row costs a fraction of
UPPER(search_text) LIKE UPPER(word)."""

from django.db import migrations


def capitals(apps, schema_editor):
    ExpertProfile = apps.get_model("registry", "ExpertProfile")
    changed = []
    for profile in ExpertProfile.objects.only("search_text").order_by("pk").iterator(chunk_size=2000):
        profile.search_text = profile.search_text.upper()
        changed.append(profile)
        if len(changed) >= 2000:
            ExpertProfile.objects.bulk_update(changed, ["search_text"])
            changed = []
    ExpertProfile.objects.bulk_update(changed, ["search_text"])


def column_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "registry_expertprofile_search_text_trgm"')
    schema_editor.execute(
        'CREATE INDEX "registry_expertprofile_search_text_trgm" ON "registry_expertprofile" '
        'USING gin ("search_text" gin_trgm_ops)'
    )


def expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "registry_expertprofile_search_text_trgm"')
    schema_editor.execute(
        'CREATE INDEX "registry_expertprofile_search_text_trgm" ON "registry_expertprofile" '
        'USING gin ((UPPER("search_text"::text)) gin_trgm_ops)'
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_expert_search_text")]

    operations = [
        migrations.RunPython(capitals, migrations.RunPython.noop),
        migrations.RunPython(column_index, expression_index),
    ]
