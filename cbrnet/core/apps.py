from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cbrnet.core"
    label = "core"
    verbose_name = "cbrnet core"

    def ready(self):
        from cbrnet.access import signals as access_signals
        from cbrnet.core import signals  # noqa: F401 - connects the generic audit receivers

        access_signals.connect()
