from ninja import Router

from cbrnet.projects import filters, forms, models, views
from cbrnet.registry.api import router_for

router = Router()
router.add_router("/", router_for(
    models.Project, forms.ProjectForm, filters.ProjectFilterSet, views.project, ("code", "start_year", "end_year"),
    select_related=("network",), prefetch_related=("regions", "countries", "thematic_areas", "implementers"), tag="Projects"))
