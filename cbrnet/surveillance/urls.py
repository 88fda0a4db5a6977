"""Web UI of One Health surveillance; each part of the module lists its own routes."""

from cbrnet.surveillance.views import charts, data, triage

app_name = "surveillance"

urlpatterns = [*data.urlpatterns, *triage.urlpatterns, *charts.urlpatterns]
