"""The expert directory: its search text (one trigram-indexed column instead of a join across five
tables for every search word), copies of each expert's directory consent, country, organisation
and name (its access rule and order then need no join over every person), an index for a country's
people in name order and one for the expertise level filter."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_person_columns(apps, schema_editor):
    ExpertProfile = apps.get_model("registry", "ExpertProfile")
    Person = apps.get_model("registry", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    ExpertProfile.objects.update(
        person_directory_listed=Subquery(person.values("directory_listed")[:1]),
        person_country_id=Subquery(person.values("country_id")[:1]),
        person_organisation_id=Subquery(person.values("organisation_id")[:1]),
        person_family_name=Subquery(person.values("family_name")[:1]),
        person_given_name=Subquery(person.values("given_name")[:1]),
    )


def fill_search_text(apps, schema_editor):
    """The same text as cbrnet.registry.search.expert_search_text, for the profiles already stored."""
    ExpertProfile = apps.get_model("registry", "ExpertProfile")
    Expertise = apps.get_model("registry", "Expertise")
    areas = {}
    for profile_id, name in Expertise.objects.values_list("profile_id", "thematic_area__name"):
        areas.setdefault(profile_id, set()).add(name)
    profiles = ExpertProfile.objects.select_related("person__organisation").order_by("pk")
    changed = []
    for profile in profiles.iterator(chunk_size=2000):
        person, organisation = profile.person, profile.person.organisation
        parts = [person.given_name, person.family_name, person.position]
        if organisation is not None:
            parts += [organisation.name, organisation.acronym]
        parts.append(profile.summary)
        parts += sorted(areas.get(profile.pk, ()))
        profile.search_text = "\n".join(part for part in parts if part)
        changed.append(profile)
        if len(changed) >= 2000:
            ExpertProfile.objects.bulk_update(changed, ["search_text"])
            changed = []
    ExpertProfile.objects.bulk_update(changed, ["search_text"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans, which is fine at the sizes an embedded database holds
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "registry_expertprofile_search_text_trgm" ON "registry_expertprofile" '
        'USING gin ((UPPER("search_text"::text)) gin_trgm_ops)'
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "registry_expertprofile_search_text_trgm"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_trigram_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="expertprofile",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.AddField(
            model_name="expertprofile",
            name="person_directory_listed",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="expertprofile",
            name="person_country_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="expertprofile",
            name="person_organisation_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="expertprofile",
            name="person_family_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="expertprofile",
            name="person_given_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AlterModelOptions(
            name="expertprofile",
            options={"ordering": ["person_family_name", "person_given_name"], "verbose_name": "expert profile",
                     "verbose_name_plural": "expert profiles"},
        ),
        migrations.AddIndex(
            model_name="expertprofile",
            index=models.Index(fields=["person_family_name", "person_given_name"], name="expert_name_idx"),
        ),
        migrations.AlterModelOptions(
            name="person",
            options={"base_manager_name": "objects", "ordering": ["family_name", "given_name"],
                     "verbose_name": "person", "verbose_name_plural": "people"},
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["country", "family_name"], name="person_country_name_idx"),
        ),
        migrations.AddIndex(
            model_name="expertise",
            index=models.Index(fields=["profile", "level"], name="expertise_profile_level_idx"),
        ),
        migrations.RunPython(copy_person_columns, migrations.RunPython.noop),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
