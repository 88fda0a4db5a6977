from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cbrnet.meetings"
    label = "meetings"
    verbose_name = "Round-table meetings"

    def ready(self):
        from cbrnet.meetings import signals  # noqa: F401 - connects the receivers
