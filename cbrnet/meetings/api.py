"""JSON API of meetings: CRUD of meetings and their records (crud_router, the same forms and
services as the web UI), and the actions: closing and reopening action items, the to-do list, the
open items carried over from earlier meetings, inviting focal points, presentation files, the
calendar and the calendar feed secret."""

import datetime

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from cbrnet import access
from cbrnet.api import RecordId, crud_router
from cbrnet.meetings import filters, forms, models, selectors, services, views
from cbrnet.registry.api import schemas
from cbrnet.registry.models import Region


class PresentationOut(Schema):
    id: int
    meeting: int
    agenda_item: int | None
    title: str
    link: str
    file: str | None  # where to download the uploaded file, if any

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting_id

    @staticmethod
    def resolve_agenda_item(obj):
        return obj.agenda_item_id

    @staticmethod
    def resolve_file(obj):
        return f"/api/meetings/presentations/{obj.pk}/file" if obj.file else None


def _crud(model, form, filterset, model_views, ordering, *, out_fields=None, out_schema=None, select_related=(),
          tag=None):
    default_out, in_schema = schemas(model, list(form._meta.fields))
    if out_fields:
        out_schema, _unused = schemas(model, out_fields)
    out_schema = out_schema or default_out
    return crud_router(
        model=model, schema_out=out_schema, schema_in=in_schema, form_class=form, filterset_class=filterset,
        ordering=ordering, export_fields=model_views.list.view_class.export_fields, select_related=select_related,
        tag=tag,
    )


meetings = _crud(models.Meeting, forms.MeetingForm, filters.MeetingFilterSet, views.meeting, ("start", "title"),
                 select_related=("network", "region"), tag="Meetings")
participants = _crud(models.Participant, forms.ParticipantForm, filters.ParticipantFilterSet, views.participant,
                     ("attendance",), tag="Meeting participants")
agenda_items = _crud(models.AgendaItem, forms.AgendaItemForm, filters.AgendaItemFilterSet, views.agenda_item,
                     ("order", "title"), tag="Agenda items")
presentations = _crud(models.Presentation, forms.PresentationApiForm, filters.PresentationFilterSet,
                      views.presentation, ("title",), out_schema=PresentationOut,
                      tag="Presentations")
decisions = _crud(models.Decision, forms.DecisionForm, filters.DecisionFilterSet, views.decision, (),
                  tag="Decisions")
action_items = _crud(
    models.ActionItem, forms.ActionItemForm, filters.ActionItemFilterSet, views.action_item, ("due_date", "title"),
    out_fields=["meeting", "decision", "title", "description", "owner", "due_date", "status", "closed_at",
                "closed_by", "closing_note"],
    tag="Action items",
)


class ToDoItemOut(Schema):
    id: int
    meeting: int
    title: str
    owner: int
    due_date: datetime.date
    status: str
    overdue: bool
    closed_at: datetime.datetime | None
    closing_note: str

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting_id

    @staticmethod
    def resolve_owner(obj):
        return obj.owner_id

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class CloseIn(Schema):
    note: str = ""


@action_items.get("/mine", response=list[ToDoItemOut], operation_id="actionitem_mine",
                  summary="My action items (to-do list): open ones, due first")
def actionitem_mine(request, closed: bool = False):
    return list(selectors.actionitem_todo(user=request.user, include_closed=closed)[:500])


@action_items.post("/{int:pk}/close", response=ToDoItemOut, operation_id="actionitem_close",
                   summary="Close an action item (its owner or a manager of its meeting)")
def actionitem_close(request, pk: int, payload: CloseIn):
    item = access.get_object_for(request.user, models.ActionItem.objects.all(), "view", pk=pk)
    return services.actionitem_close(user=request.user, item=item, note=payload.note)


@action_items.post("/{int:pk}/reopen", response=ToDoItemOut, operation_id="actionitem_reopen",
                   summary="Reopen a closed action item (its owner or a manager of its meeting)")
def actionitem_reopen(request, pk: int):
    item = access.get_object_for(request.user, models.ActionItem.objects.all(), "view", pk=pk)
    return services.actionitem_reopen(user=request.user, item=item)


@meetings.get("/{int:pk}/previous-open-action-items", response=list[ToDoItemOut],
              operation_id="meeting_previous_open_action_items",
              summary="Open action items of the earlier meetings of the same series")
def meeting_previous_open_action_items(request, pk: int):
    meeting = access.get_object_for(request.user, models.Meeting.objects.all(), "view", pk=pk)
    return selectors.meeting_previous_open_action_items(user=request.user, meeting=meeting)


class InvitedOut(Schema):
    id: int
    person: int
    attendance: str

    @staticmethod
    def resolve_person(obj):
        return obj.person_id


@meetings.post("/{int:pk}/invite-focal-points", response={201: list[InvitedOut]},
               operation_id="meeting_invite_focal_points",
               summary="Invite the current National Focal Points of the meeting's region")
def meeting_invite_focal_points(request, pk: int):
    meeting = access.get_object_for(request.user, models.Meeting.objects.all(), "change", pk=pk)
    return Status(201, services.meeting_invite_focal_points(user=request.user, meeting=meeting))


class PresentationFileOut(Schema):
    id: int
    file: str


@presentations.post("/{int:pk}/file", response=PresentationFileOut, operation_id="presentation_upload",
                    summary="Upload (or replace) the presentation's file (multipart form field `file`)")
def presentation_upload(request, pk: int, file: File[UploadedFile]):
    item = access.get_object_for(request.user, models.Presentation.objects.all(), "change", pk=pk)
    item.file = file
    services.presentation_save(user=request.user, presentation=item)
    return {"id": item.pk, "file": item.file_name}


@presentations.get("/{int:pk}/file", operation_id="presentation_download", summary="Download the presentation's file",
                   response={200: None})
def presentation_download(request, pk: int):
    item = access.get_object_for(request.user, models.Presentation.objects.all(), "view", pk=pk)
    return views.file_response(item)


# --- calendar ---------------------------------------------------------------------------------------
calendar = Router(tags=["Calendar"])
CALENDAR_MAX_DAYS = 400


class EventOut(Schema):
    uid: str
    kind: str
    title: str
    first_day: datetime.date
    last_day: datetime.date
    start: datetime.datetime | None
    end: datetime.datetime | None
    location: str
    url: str
    cancelled: bool


@calendar.get("/events", response=list[EventOut], operation_id="calendar_event_list",
              summary="Meetings and activities between two dates (at most 400 days)")
def calendar_event_list(request, start: datetime.date, end: datetime.date, region: RecordId | None = None):
    if end < start:
        raise ValidationError({"end": ["The end comes before the start."]})
    if (end - start).days > CALENDAR_MAX_DAYS:
        raise ValidationError({"end": [f"Ask for at most {CALENDAR_MAX_DAYS} days at a time."]})
    place = access.get_object_for(request.user, Region.objects.all(), "view", pk=region) if region else None
    return selectors.calendar_events(user=request.user, first=start, last=end, region=place)


class FeedTokenOut(Schema):
    key: str
    personal: str
    regions: dict[str, str]


@calendar.post("/feed-token", response={201: FeedTokenOut}, operation_id="calendar_feed_token_create",
               summary="Create the secret of your calendar feed addresses (replaces the previous one)")
def calendar_feed_token_create(request):
    _token, key = services.calendar_feed_token_create(user=request.user)
    urls = views.feed_urls(request, key)
    return Status(201, {"key": key, "personal": urls["personal"],
                        "regions": {f"{region.network.code}/{region.code}": url for region, url in urls["regions"]}})


@calendar.delete("/feed-token", response={204: None}, operation_id="calendar_feed_token_revoke",
                 summary="Revoke your calendar feed addresses")
def calendar_feed_token_revoke(request):
    services.calendar_feed_token_revoke(user=request.user)
    return Status(204, None)


router = Router()
router.add_router("/meetings", meetings)
router.add_router("/participants", participants)
router.add_router("/agenda-items", agenda_items)
router.add_router("/presentations", presentations)
router.add_router("/decisions", decisions)
router.add_router("/action-items", action_items)
router.add_router("/calendar", calendar)
