from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cbrnet.meetings"
    label = "meetings"
    verbose_name = "Round-table meetings"
