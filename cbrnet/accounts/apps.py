from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cbrnet.accounts"
    label = "accounts"
    verbose_name = "Accounts and authentication"

    def ready(self):
        from cbrnet.accounts.middleware import connect_device_signals

        connect_device_signals()  # the middleware's cached "has a device" answers follow device changes
