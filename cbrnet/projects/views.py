from django.db.models import Prefetch

from cbrnet.core.generic import ModelViews
from cbrnet.core.tables import Column
from cbrnet.projects import filters, forms, models
from cbrnet.registry.models import Region

project = ModelViews(
    models.Project, form=forms.ProjectForm, filterset=filters.ProjectFilterSet,
    queryset=models.Project.objects.select_related("network", "lead_implementer").prefetch_related(
        Prefetch("regions", queryset=Region.objects.order_by("code"))
    ),
    columns=[Column("code", link=True, order_by="code"), Column("title", order_by="title"), Column("regions"),
             Column("start_year", order_by="start_year"), Column("end_year", order_by="end_year"), Column("status", order_by="status")],
    fields=["network", "code", "title", "objectives", "regions", "countries", "thematic_areas", "lead_implementer",
            "implementers", "start_year", "end_year", "status", "source"],
    export_fields=[("code", "code"), ("title", "title"), ("regions", "regions"), ("start_year", "start_year"),
                   ("end_year", "end_year"), ("status", "status")],
)
