"""Reads of the meetings app: a meeting's page, the open action items carried over from earlier
meetings, a person's to-do list, and the calendar (meetings and project activities). Every read
goes through the access engine."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from cbrnet import access
from cbrnet.meetings.choices import ActionItemStatus, MeetingStatus
from cbrnet.meetings.models import ActionItem, AgendaItem, Decision, Meeting, Participant, Presentation

# --- a meeting's page ------------------------------------------------------------------------------


def meeting_previous_open_action_items(*, user, meeting: Meeting) -> list[ActionItem]:
    """The open action items of the earlier meetings of the same series (same network, region and
    kind), oldest due first: what the next meeting follows up. One query."""
    series = Q(meeting__network_id=meeting.network_id, meeting__kind=meeting.kind)
    series &= Q(meeting__region_id=meeting.region_id) if meeting.region_id else Q(meeting__region__isnull=True)
    items = ActionItem.objects.filter(series, meeting__start__lt=meeting.start, status=ActionItemStatus.OPEN)
    items = items.select_related("meeting", "owner")
    return list(access.restrict(items, user, "view").order_by("due_date", "pk"))


def meeting_page(*, user, meeting: Meeting) -> dict:
    """Everything a meeting's page shows besides the meeting itself: a fixed number of queries."""
    participants = access.restrict(
        Participant.objects.filter(meeting=meeting).select_related("person__organisation"), user
    )
    agenda = list(access.restrict(AgendaItem.objects.filter(meeting=meeting).select_related("presenter"), user))
    presentations = access.restrict(Presentation.objects.filter(meeting=meeting), user)
    by_item = defaultdict(list)
    for presentation in presentations.order_by("pk"):
        by_item[presentation.agenda_item_id].append(presentation)
    for item in agenda:
        item.presentation_list = by_item.get(item.pk, [])
    action_items = list(
        access.restrict(ActionItem.objects.filter(meeting=meeting).select_related("owner", "decision"), user)
    )
    previous = meeting_previous_open_action_items(user=user, meeting=meeting)
    may_manage = access.can(user, "change", meeting)
    person_id = access.user_context(user).person_id
    for item in [*action_items, *previous]:
        item.may_close = may_manage or (person_id is not None and item.owner_id == person_id)
    return {
        "participants": list(participants),
        "agenda": agenda,
        "loose_presentations": by_item.get(None, []),
        "decisions": list(access.restrict(Decision.objects.filter(meeting=meeting).select_related("agenda_item"), user)),
        "action_items": action_items,
        "previous_open_items": previous,
        "may_manage": may_manage,
    }


# --- to-do list ------------------------------------------------------------------------------------


def actionitem_todo(*, user, include_closed: bool = False) -> QuerySet:
    """The action items the user's person owns (open ones unless told otherwise), due first."""
    person_id = access.user_context(user).person_id
    if person_id is None:
        return ActionItem.objects.none()
    items = ActionItem.objects.filter(owner_id=person_id).select_related("meeting")
    if not include_closed:
        items = items.filter(status=ActionItemStatus.OPEN)
    return access.restrict(items, user, "view").order_by("status", "due_date", "pk")


def open_action_item_count(*, user) -> int:
    """How many open action items the user owns: one query, none without a person (home dashboard)."""
    context = access.user_context(user)
    if context.person_id is None:
        return 0
    # The owner always reads their own items (ActionItem.access_policy), so the engine's subquery is
    # not needed for this count: one plain indexed query.
    return ActionItem.objects.filter(owner_id=context.person_id, status=ActionItemStatus.OPEN).count()


# --- calendar --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of a calendar: a meeting, a project activity or an action item's due date."""

    uid: str  # stable per record: the iCalendar UID
    kind: str  # "meeting", "activity" or "action_item"
    kind_label: str
    title: str
    first_day: datetime.date  # in the event's own time zone, inclusive
    last_day: datetime.date
    start: datetime.datetime | None = None  # aware; None for events that take whole days
    end: datetime.datetime | None = None
    location: str = ""
    url: str = ""
    description: str = ""
    cancelled: bool = False
    updated: datetime.datetime | None = None
    time_label: str = ""  # the start time where the event takes place, e.g. "09:00 Asia/Tashkent"

    @property
    def all_day(self) -> bool:
        return self.start is None

    @property
    def sort_key(self):
        return (self.first_day, self.start or datetime.datetime.min.replace(tzinfo=datetime.UTC), self.title)


def _utc_bounds(first: datetime.date, last: datetime.date):
    # A day in the meeting's time zone can begin up to 14 hours before or after UTC midnight: a day of
    # margin on each side, then the local dates decide.
    utc, margin = datetime.UTC, datetime.timedelta(days=2)
    first = max(first, datetime.date.min + margin) - margin / 2
    last = min(last, datetime.date.max - margin) + margin
    return (
        datetime.datetime.combine(first, datetime.time.min, tzinfo=utc),
        datetime.datetime.combine(last, datetime.time.min, tzinfo=utc),
    )


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{_uid_domain()}"


def _uid_domain() -> str:
    from urllib.parse import urlsplit

    from django.conf import settings

    host = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    return host or "cbrnet"


def meeting_events(*, user, first: datetime.date, last: datetime.date | None = None, region=None,
                   person_id: int | None = None, limit: int = 1000) -> list[CalendarEvent]:
    """Meetings the user may see that take place (in their own time zone) between `first` and
    `last` inclusive (`last` None: no end); only those of `region`, or those `person_id` takes part
    in or chairs."""
    meetings = Meeting.objects.select_related("region", "country")
    low, high = _utc_bounds(first, last or datetime.date.max)
    meetings = meetings.filter(end__gte=low, start__lt=high)
    if region is not None:
        meetings = meetings.filter(region=region)
    if person_id is not None:
        meetings = meetings.filter(Q(chair_id=person_id) | Q(pk__in=Participant.objects.filter(person_id=person_id).values("meeting_id")))
    events = []
    for meeting in access.restrict(meetings, user, "view").order_by("start", "pk")[:limit]:
        first_day, last_day = meeting.local_start.date(), meeting.local_end.date()
        if last_day < first or (last is not None and first_day > last):
            continue
        events.append(
            CalendarEvent(
                uid=meeting_uid(meeting.pk), kind="meeting", kind_label=meeting.get_kind_display(),
                title=meeting.title, first_day=first_day, last_day=last_day, start=meeting.start, end=meeting.end,
                location=meeting.place(), url=meeting.get_absolute_url(),
                description=meeting.online_link, cancelled=meeting.status == MeetingStatus.CANCELLED,
                updated=meeting.updated, time_label=f"{meeting.local_start:%H:%M} {meeting.timezone}",
            )
        )
    return events


def activity_events(*, user, first: datetime.date, last: datetime.date | None = None, region=None,
                    person_id: int | None = None, limit: int = 1000) -> list[CalendarEvent]:
    """Project activities (workshops, trainings, exercises…: cbrnet.projects) as whole-day events,
    between `first` and `last` inclusive; only those of a project of `region`, or those `person_id`
    takes part in. Activities have dates, not times."""
    from cbrnet.projects.models import Activity, Participation, Project

    activities = Activity.objects.select_related("country").filter(
        Q(end_date__gte=first) | Q(end_date__isnull=True, start_date__gte=first)
    )
    if last is not None:
        activities = activities.filter(start_date__lte=last)
    if region is not None:
        projects = Project.regions.through.objects.filter(region=region).values("project_id")
        activities = activities.filter(project_id__in=projects)
    if person_id is not None:
        activities = activities.filter(pk__in=Participation.objects.filter(person_id=person_id).values("activity_id"))
    events = []
    for activity in access.restrict(activities, user, "view").order_by("start_date", "pk")[:limit]:
        events.append(
            CalendarEvent(
                uid=f"activity-{activity.pk}@{_uid_domain()}", kind="activity", kind_label=activity.get_kind_display(),
                title=activity.title, first_day=activity.start_date, last_day=activity.end_date or activity.start_date,
                location=activity.place, url=activity.get_absolute_url(),
                cancelled=activity.status == "cancelled", updated=activity.updated,
            )
        )
    return events


def action_item_events(*, user, first: datetime.date, last: datetime.date | None = None,
                       person_id: int | None = None, limit: int = 1000) -> list[CalendarEvent]:
    """The due dates of the open action items `person_id` owns, as whole-day events."""
    if person_id is None:
        return []
    items = ActionItem.objects.filter(owner_id=person_id, status=ActionItemStatus.OPEN, due_date__gte=first)
    if last is not None:
        items = items.filter(due_date__lte=last)
    events = []
    for item in access.restrict(items.select_related("meeting"), user, "view").order_by("due_date", "pk")[:limit]:
        events.append(
            CalendarEvent(
                uid=f"action-item-{item.pk}@{_uid_domain()}", kind="action_item", kind_label=str(ActionItem._meta.verbose_name),
                title=str(item.title), first_day=item.due_date, last_day=item.due_date, url=item.get_absolute_url(),
                description=item.description, updated=item.updated,
            )
        )
    return events


def calendar_events(*, user, first: datetime.date, last: datetime.date | None = None, region=None,
                    limit: int = 1000) -> list[CalendarEvent]:
    """Meetings and activities the user may see between two dates, in date order."""
    events = meeting_events(user=user, first=first, last=last, region=region, limit=limit)
    events += activity_events(user=user, first=first, last=last, region=region, limit=limit)
    return sorted(events, key=lambda event: event.sort_key)[:limit]


def personal_events(*, user, first: datetime.date, last: datetime.date | None = None,
                    limit: int = 1000) -> list[CalendarEvent]:
    """The user's own calendar: meetings they take part in or chair, activities they take part in,
    and the due dates of their open action items."""
    person_id = access.user_context(user).person_id
    if person_id is None:
        return []
    events = meeting_events(user=user, first=first, last=last, person_id=person_id, limit=limit)
    events += activity_events(user=user, first=first, last=last, person_id=person_id, limit=limit)
    events += action_item_events(user=user, first=first, last=last, person_id=person_id, limit=limit)
    return sorted(events, key=lambda event: event.sort_key)[:limit]


def month_grid(events: list[CalendarEvent], year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of {day, in_month, events} for a month, each event on every day it spans."""
    import calendar

    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    by_day = defaultdict(list)
    grid_first, grid_last = weeks[0][0], weeks[-1][-1]
    for event in events:
        day = max(event.first_day, grid_first)
        while day <= min(event.last_day, grid_last):
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    return [[{"day": day, "in_month": day.month == month, "events": by_day.get(day, [])} for day in week] for week in weeks]
