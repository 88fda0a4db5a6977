from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cbrnet.registry"
    label = "registry"
    verbose_name = "Network registry"

    def ready(self):
        from cbrnet.registry import signals

        signals.connect()  # the directory's search text and the version cached pages are keyed on
