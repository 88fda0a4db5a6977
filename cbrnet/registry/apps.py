from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cbrnet.registry"
    label = "registry"
    verbose_name = "Network registry"
