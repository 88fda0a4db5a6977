from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "cbrnet.actionplans"
    label = "actionplans"
    verbose_name = "National Action Plans"
