from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    ROUND_TABLE = "round_table", _("Round table of National Focal Points")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    REGIONAL_MEETING = "regional_meeting", _("Regional meeting")
    OTHER = "other", _("Other meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
