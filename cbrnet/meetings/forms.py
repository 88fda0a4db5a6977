"""Edit forms of meetings and their records (the API validates its input with the same forms), and the
small POST forms of the actions."""

import zoneinfo
from functools import cache

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.meetings import models
from cbrnet.meetings.services import CLOSING_NOTE_MAX
from cbrnet.registry.forms import RegistryForm


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class KeepCurrentChoiceField(forms.ModelChoiceField):
    """A choice of person that the view restricts to the people the user may see, but that keeps the
    record's current person even when the editor cannot see them: changing an action item's due date
    must not fail over an owner someone else chose."""

    keep_pk = None

    def _set_queryset(self, queryset):
        if self.keep_pk is not None and queryset is not None:
            queryset = queryset | queryset.model._default_manager.filter(pk=self.keep_pk)
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


PEOPLE_FIELDS = ("chair", "person", "presenter", "owner")


class MeetingRecordForm(RegistryForm):
    """Base of the forms below: person fields keep their current value (see KeepCurrentChoiceField)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            current = getattr(self.instance, f"{name}_id", None) if name in PEOPLE_FIELDS else None
            if isinstance(field, KeepCurrentChoiceField) and current:
                field.keep_pk = current
                field.queryset = field.queryset


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class MeetingForm(MeetingRecordForm):
    """Start and end are typed in the meeting's own time zone (the `timezone` field); a value that
    carries an offset (an API client's ISO 8601 time with "Z" or "+05:00") is kept as it is."""

    class Meta:
        model = models.Meeting
        fields = [
            "network", "region", "kind", "title", "start", "end", "timezone", "country", "city", "venue",
            "online_link", "chair", "status", "minutes",
        ]
        field_classes = {"chair": KeepCurrentChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = forms.Select(choices=timezone_choices())
        for name in ("start", "end"):
            self.fields[name].widget = DateTimeInput()
            if self.instance.pk and not self.is_bound:
                # Shown as wall-clock time of the meeting's place, without an offset.
                local = timezone.localtime(getattr(self.instance, name), self.instance.zone)
                self.initial[name] = local.replace(tzinfo=None)

    def _zone(self):
        name = self.data.get(self.add_prefix("timezone")) if self.is_bound else None
        try:
            return zoneinfo.ZoneInfo(name or self.instance.timezone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")  # the timezone field itself reports the bad name

    def full_clean(self):
        # Django's DateTimeField reads a time without offset in the current time zone: make that the
        # meeting's for the duration of validation.
        with timezone.override(self._zone()):
            super().full_clean()


class ParticipantForm(MeetingRecordForm):
    class Meta:
        model = models.Participant
        fields = ["meeting", "person", "attendance"]
        field_classes = {"person": KeepCurrentChoiceField}


class AgendaItemForm(MeetingRecordForm):
    class Meta:
        model = models.AgendaItem
        fields = ["meeting", "order", "title", "presenter", "notes"]
        field_classes = {"presenter": KeepCurrentChoiceField}


class PresentationApiForm(MeetingRecordForm):
    """What the JSON API sets; the file is uploaded separately (multipart) to the file endpoint."""

    class Meta:
        model = models.Presentation
        fields = ["meeting", "agenda_item", "title", "link"]


class PresentationForm(MeetingRecordForm):
    class Meta:
        model = models.Presentation
        fields = ["meeting", "agenda_item", "title", "file", "link"]


class DecisionForm(MeetingRecordForm):
    class Meta:
        model = models.Decision
        fields = ["meeting", "agenda_item", "text"]


class ActionItemForm(MeetingRecordForm):
    """Status, closing time and note are set by closing or reopening the item, never by editing it."""

    class Meta:
        model = models.ActionItem
        fields = ["meeting", "decision", "title", "description", "owner", "due_date"]
        field_classes = {"owner": KeepCurrentChoiceField}


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=CLOSING_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
