import django_filters
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.meetings import models


class MeetingFilterSet(BaseFilterSet):
    search_fields = ("title", "city", "venue", "minutes")
    start = django_filters.DateFromToRangeFilter(label=_("Starts between (UTC dates)"))
    end = django_filters.DateFromToRangeFilter(label=_("Ends between (UTC dates)"))
    unfiltered = {"online_link": "an address to join the meeting, not something to filter by"}

    class Meta:
        model = models.Meeting
        fields = ["network", "region", "kind", "status", "country", "chair", "participants", "timezone"]


class ParticipantFilterSet(BaseFilterSet):
    search_fields = ("person__given_name", "person__family_name", "meeting__title")

    class Meta:
        model = models.Participant
        fields = ["meeting", "person", "attendance"]


class AgendaItemFilterSet(BaseFilterSet):
    search_fields = ("title", "notes")

    class Meta:
        model = models.AgendaItem
        fields = ["meeting", "order", "presenter"]


class PresentationFilterSet(BaseFilterSet):
    search_fields = ("title", "file")
    unfiltered = {"link": "an address where the presentation is kept, not something to filter by"}

    class Meta:
        model = models.Presentation
        fields = ["meeting", "agenda_item"]


class DecisionFilterSet(BaseFilterSet):
    search_fields = ("text",)

    class Meta:
        model = models.Decision
        fields = ["meeting", "agenda_item"]


class ActionItemFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "closing_note")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_date = django_filters.DateFromToRangeFilter(label=_("Due between"))
    closed_at = django_filters.DateFromToRangeFilter(label=_("Closed between (UTC dates)"))

    class Meta:
        model = models.ActionItem
        fields = ["meeting", "decision", "owner", "status", "closed_by"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        from cbrnet.meetings.choices import ActionItemStatus

        overdue = {"status": ActionItemStatus.OPEN, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)
