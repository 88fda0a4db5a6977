"""Meetings for the personas' world (cbrnet.core.testing.build_world), written as the system."""

import datetime

from cbrnet.core.audit import audit_actor
from cbrnet.meetings import models
from cbrnet.meetings.choices import ActionItemStatus, MeetingKind

UTC = datetime.UTC


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_meeting(w, *, region="ca", title=None, start=None, hours=8, kind=MeetingKind.ROUND_TABLE, network=None,
                 participants=(), chair=None, timezone="UTC", **extra) -> models.Meeting:
    region_obj = {"ca": w.ca, "sea": w.sea, "asean": w.asean_region, None: None}[region]
    start = start or at(2026, 3, 12)
    with audit_actor(None, source="command"):
        meeting = models.Meeting(
            network=network or (region_obj.network if region_obj else w.coe), region=region_obj, kind=kind,
            title=title or f"{region or 'network'} meeting {start:%Y-%m-%d}", start=start,
            end=start + datetime.timedelta(hours=hours), timezone=timezone, chair=chair, **extra,
        )
        meeting.full_clean()
        meeting.save()
        for person in participants:
            models.Participant.objects.create(meeting=meeting, person=person)
    return meeting


def make_action_item(meeting, owner, *, title="Send the national report", due=None, closed=False, **extra):
    with audit_actor(None, source="command"):
        item = models.ActionItem(meeting=meeting, owner=owner, title=title, due_date=due or datetime.date(2030, 1, 31),
                                 **extra)
        if closed:
            item.status = ActionItemStatus.CLOSED
            item.closed_at = meeting.end
        item.full_clean()
        item.save()
    return item


def record(model, **values):
    with audit_actor(None, source="command"):
        instance = model(**values)
        instance.full_clean()
        instance.save()
    return instance
