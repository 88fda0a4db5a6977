from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cbrnet.exchange"
    label = "exchange"
    verbose_name = "Secure information exchange"
