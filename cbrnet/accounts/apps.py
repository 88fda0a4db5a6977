from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cbrnet.accounts"
    label = "accounts"
    verbose_name = "Accounts and authentication"
