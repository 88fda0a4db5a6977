"""Root URLs: the web UI of each app, the JSON API under /api/, and language switching."""

from django.urls import include, path

from cbrnet.api import api
from cbrnet.projects.api import router as projects_api
from cbrnet.registry.api import router as registry_api

api.add_router("/registry", registry_api)
api.add_router("/projects", projects_api)

urlpatterns = [
    path("", include("cbrnet.core.urls")),
    path("accounts/", include("cbrnet.accounts.urls")),
    path("registry/", include("cbrnet.registry.urls")),
    path("projects/", include("cbrnet.projects.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
