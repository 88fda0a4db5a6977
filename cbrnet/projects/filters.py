from cbrnet.core.filters import BaseFilterSet
from cbrnet.projects import models


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("code", "title", "objectives")

    class Meta:
        model = models.Project
        fields = ["network", "code", "regions", "countries", "thematic_areas", "lead_implementer", "implementers",
                  "start_year", "end_year", "status"]
