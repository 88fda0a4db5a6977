from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cbrnet.notifications"
    label = "notifications"
    verbose_name = "Notifications"
