from cbrnet.projects import models
from cbrnet.registry.forms import RegistryForm


class ProjectForm(RegistryForm):
    class Meta:
        model = models.Project
        fields = [
            "network", "code", "title", "objectives", "regions", "countries", "thematic_areas", "lead_implementer",
            "implementers", "start_year", "end_year", "status", "source",
        ]
