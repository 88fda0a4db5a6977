from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "cbrnet.surveillance"
    label = "surveillance"
    verbose_name = "One Health surveillance"
