from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "cbrnet.incidents"
    label = "incidents"
    verbose_name = "Incidents and mutual assistance"
