from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "cbrnet.projects"
    label = "projects"
    verbose_name = "Projects"
