"""The pipeline ends in "closed": projects stored as "completed" (the demo's finished projects) are closed.

Their years stay as they were: the sources give years, not days, so no dates are invented for them.
"""

from django.db import migrations


def forward(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(status="completed").update(status="closed")


def backward(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(status="closed").update(status="completed")


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0003_activities_participations_pipeline"),
    ]

    operations = [migrations.RunPython(forward, backward)]
