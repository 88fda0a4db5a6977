"""Root URLs: the web UI of each app, the JSON API under /api/, and language switching."""

from django.urls import include, path

from cbrnet.actionplans.api import router as actionplans_api
from cbrnet.api import api
from cbrnet.assessments.api import router as assessments_api
from cbrnet.core.import_api import imports_router as imports_api
from cbrnet.core.import_api import jobs_router as jobs_api
from cbrnet.exchange.api import router as exchange_api
from cbrnet.factsheets.api import router as factsheets_api
from cbrnet.incidents.api import router as incidents_api
from cbrnet.meetings.api import router as meetings_api
from cbrnet.notifications.api import router as notifications_api
from cbrnet.projects.api import router as projects_api
from cbrnet.registry.api import router as registry_api
from cbrnet.surveillance.api import router as surveillance_api

api.add_router("/registry", registry_api)
api.add_router("/projects", projects_api)
api.add_router("/meetings", meetings_api)
api.add_router("/incidents", incidents_api)
api.add_router("/imports", imports_api)
api.add_router("/jobs", jobs_api)
api.add_router("/exchange", exchange_api)
api.add_router("/surveillance", surveillance_api)
api.add_router("/notifications", notifications_api)
api.add_router("/assessments", assessments_api)
api.add_router("/actionplans", actionplans_api)
api.add_router("/factsheets", factsheets_api)

urlpatterns = [
    path("", include("cbrnet.core.urls")),
    path("accounts/", include("cbrnet.accounts.urls")),
    path("registry/", include("cbrnet.registry.urls")),
    path("exchange/", include("cbrnet.exchange.urls")),
    path("projects/", include("cbrnet.projects.urls")),
    path("meetings/", include("cbrnet.meetings.urls")),
    path("incidents/", include("cbrnet.incidents.urls")),
    path("surveillance/", include("cbrnet.surveillance.urls")),
    path("notifications/", include("cbrnet.notifications.urls")),
    path("assessments/", include("cbrnet.assessments.urls")),
    path("actionplans/", include("cbrnet.actionplans.urls")),
    path("factsheets/", include("cbrnet.factsheets.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
