from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cbrnet.sharing"
    label = "sharing"
    verbose_name = "Information sharing (TLP 2.0)"
