"""The meetings objects of the permission matrix (cbrnet/tests/matrix.py, rows "meeting:…" to
"actionitem:…"), added to the personas' world by cbrnet/tests/test_permission_matrix._populate."""

import datetime

from cbrnet.core.audit import audit_actor
from cbrnet.meetings import models
from cbrnet.meetings.choices import MeetingKind


def meeting_matrix_objects(w) -> dict:
    def meeting(region, title, day):
        start = datetime.datetime(2026, 3, day, 9, 0, tzinfo=datetime.UTC)
        return models.Meeting.objects.create(
            network=region.network, region=region, kind=MeetingKind.ROUND_TABLE, title=title, start=start,
            end=start + datetime.timedelta(hours=8),
        )

    with audit_actor(None, source="command"):
        ca = meeting(w.ca, "Matrix CA round table", 10)
        sea = meeting(w.sea, "Matrix SEA round table", 11)
        asean = meeting(w.asean_region, "Matrix ASEAN meeting", 12)
        participant = models.Participant.objects.create(meeting=ca, person=w.p_jrc)  # a guest from outside
        agenda_item = models.AgendaItem.objects.create(meeting=ca, order=1, title="Matrix agenda item")
        presentation = models.Presentation.objects.create(
            meeting=ca, agenda_item=agenda_item, title="Matrix slides", link="https://example.org/matrix.pdf"
        )
        decision = models.Decision.objects.create(meeting=ca, agenda_item=agenda_item, text="Matrix decision")
        item_ca = models.ActionItem.objects.create(
            meeting=ca, owner=w.p_nfp_uz, title="Matrix CA action item", due_date=datetime.date(2030, 1, 1)
        )
        item_sea = models.ActionItem.objects.create(
            meeting=sea, owner=w.p_jrc, title="Matrix SEA action item of JRC", due_date=datetime.date(2030, 1, 1)
        )
    return {
        "meeting:ca": ca,
        "meeting:sea": sea,
        "meeting:asean": asean,
        "participant:ca_jrc": participant,
        "agendaitem:ca": agenda_item,
        "presentation:ca": presentation,
        "decision:ca": decision,
        "actionitem:ca_uz": item_ca,
        "actionitem:sea_jrc": item_sea,
    }
