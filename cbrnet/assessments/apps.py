from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "cbrnet.assessments"
    label = "assessments"
    verbose_name = "Needs assessments"
