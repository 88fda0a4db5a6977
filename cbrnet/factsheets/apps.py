from django.apps import AppConfig


class FactSheetsConfig(AppConfig):
    name = "cbrnet.factsheets"
    label = "factsheets"
    verbose_name = "Fact sheets and dashboards"
