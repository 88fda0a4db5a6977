from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cbrnet.core"
    label = "core"
    verbose_name = "cbrnet core"

    def ready(self):
        from cbrnet.core import signals  # noqa: F401 - connects the generic audit receivers
