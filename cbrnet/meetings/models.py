"""Meetings of a network (round tables of a region's National Focal Points, steering committees…):
participants, agenda, presentations, minutes, decisions, and action items followed up until closed."""

import datetime
import os
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import NetworkPolicy
from cbrnet.core.models import AuditedModel, BaseModel
from cbrnet.meetings.choices import ActionItemStatus, Attendance, MeetingKind, MeetingStatus
from cbrnet.registry.models import Country, Network, Person, Region

# Slides and papers only: no macro-enabled formats (pptm, docm, xlsm), no archives, no executables.
PRESENTATION_EXTENSIONS = ["pdf", "pptx", "odp", "docx", "odt", "xlsx", "ods", "png", "jpg", "jpeg"]
PRESENTATION_MAX_BYTES = 25 * 1024 * 1024


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a time zone name such as Asia/Tashkent or UTC."), params={"value": value})


def validate_presentation_size(file) -> None:
    if file and getattr(file, "size", 0) > PRESENTATION_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB; share a smaller version or a link."),
            params={"limit": PRESENTATION_MAX_BYTES // (1024 * 1024)},
        )


def presentation_path(instance, filename: str) -> str:
    # A random folder: the stored path reveals nothing of the meeting, and two uploads never collide.
    name = os.path.basename(filename)[-100:] or "presentation"
    return f"meetings/presentations/{uuid.uuid4().hex}/{name}"


# Every record of a meeting is read by the meeting's readers and written by its managers.
MEETING_RECORD_POLICY = NetworkPolicy(
    network="meeting__network", region="meeting__region", people=("meeting__participants", "meeting__chair")
)


class Meeting(BaseModel):
    """A meeting of a network: a round table of a region's National Focal Points, a steering
    committee, a regional meeting. Times are stored in UTC and shown in the meeting's time zone."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("network"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("region"),
        help_text=_("Leave empty for a meeting of the whole network (managed by platform administrators)."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices, default=MeetingKind.ROUND_TABLE)
    title = models.CharField(_("title"), max_length=300)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone],
        help_text=_("The start and end are entered and shown in this time zone, e.g. Asia/Tashkent."),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("country")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True, help_text=_("Video-conference address, if any."))
    chair = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="chaired_meetings", verbose_name=_("chair")
    )
    participants = models.ManyToManyField(
        Person, through="Participant", blank=True, related_name="meetings", verbose_name=_("participants")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)

    # Round-table records are the network's record: its organisations' users read them (see
    # docs/access-control.md); the region's secretariat runs them.
    access_policy = NetworkPolicy(network="network", region="region", people=("participants", "chair"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["region", "kind", "start"], name="meeting_series_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The meeting ends before it starts.")})
        if self.region_id and self.network_id and self.region.network_id != self.network_id:
            raise ValidationError({"region": _("This region belongs to another network.")})
        if self.kind == MeetingKind.ROUND_TABLE and not self.region_id:
            raise ValidationError({"region": _("A round table of National Focal Points belongs to a region.")})

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.start, self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.end, self.zone)

    def when(self) -> str:
        """The dates and times in the meeting's own time zone, e.g. "2026-03-12 09:00–17:00 Asia/Tashkent"."""
        start, end = self.local_start, self.local_end
        until = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
        return f"{start:%Y-%m-%d %H:%M}–{until} {self.timezone}"

    def place(self) -> str:
        parts = [part for part in (self.venue, self.city, self.country.name if self.country_id else "") if part]
        if self.online_link:
            parts.append(str(_("online")))
        return ", ".join(parts)


class Participant(BaseModel):
    """A person invited to a meeting, and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations", verbose_name=_("meeting"))
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="meeting_participations", verbose_name=_("person")
    )
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.INVITED)

    access_policy = MEETING_RECORD_POLICY

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "person__family_name", "person__given_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="participant_once_per_meeting")]

    def __str__(self):
        return f"{self.person} — {self.meeting}"

    def get_absolute_url(self):
        return reverse("meetings:participant_detail", args=[self.pk])


class AgendaItem(BaseModel):
    """One point of a meeting's agenda, in order, with its presenter."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items", verbose_name=_("presenter")
    )
    notes = models.TextField(_("notes"), blank=True)

    access_policy = MEETING_RECORD_POLICY

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return f"{self.order}. {self.title}"

    def get_absolute_url(self):
        return reverse("meetings:agendaitem_detail", args=[self.pk])


def _same_meeting(record, field: str, message) -> None:
    related = getattr(record, f"{field}_id")
    if related and record.meeting_id and getattr(record, field).meeting_id != record.meeting_id:
        raise ValidationError({field: message})


class Presentation(BaseModel):
    """Slides or a paper presented at a meeting: an uploaded file (downloaded only by the meeting's
    readers) or a link to where it is kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="presentations", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="presentations",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), upload_to=presentation_path, blank=True, max_length=250,
        validators=[FileExtensionValidator(PRESENTATION_EXTENSIONS), validate_presentation_size],
        help_text=_("PDF, PowerPoint, OpenDocument, Word, Excel or an image, up to 25 MB."),
    )
    link = models.URLField(_("link"), blank=True, help_text=_("Or where the presentation is kept."))

    access_policy = MEETING_RECORD_POLICY

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["meeting", "agenda_item__order", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if not self.file and not self.link:
            # Named on `link`: the API's form has no file field (files are uploaded on their own).
            raise ValidationError({"link": _("Upload a file or give a link.")})
        _same_meeting(self, "agenda_item", _("This agenda item belongs to another meeting."))

    def get_absolute_url(self):
        return reverse("meetings:presentation_detail", args=[self.pk])

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class Decision(BaseModel):
    """A decision the meeting took, optionally under one agenda item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))

    access_policy = MEETING_RECORD_POLICY

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def clean(self):
        _same_meeting(self, "agenda_item", _("This agenda item belongs to another meeting."))

    def get_absolute_url(self):
        return reverse("meetings:decision_detail", args=[self.pk])


class ActionItem(BaseModel):
    """Something a person agreed to do by a date; it stays on their to-do list, and on the page of
    the next meeting of the series, until it is closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting"))
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("decision")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    # The meeting's readers, and the owner even when the meeting would not be visible to them.
    access_policy = NetworkPolicy(
        network="meeting__network", region="meeting__region",
        people=("meeting__participants", "meeting__chair", "owner"),
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="actionitem_todo_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        _same_meeting(self, "decision", _("This decision belongs to another meeting."))
        if self.status == ActionItemStatus.CLOSED and not self.closed_at:
            raise ValidationError(_("A closed action item needs the time it was closed."))
        if self.status == ActionItemStatus.OPEN and self.closed_at:
            raise ValidationError(_("An open action item has no closing time."))

    def get_absolute_url(self):
        return reverse("meetings:actionitem_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ActionItemStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class CalendarFeedToken(AuditedModel):
    """The secret in a user's calendar feed addresses: calendar applications cannot sign in, so the
    address itself identifies the user. Only its SHA-256 is stored; feeds only read; revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens", verbose_name=_("user")
    )
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    audit_redact = ("key_hash",)
    audit_exclude = ("last_used_at",)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.prefix}…"
