"""The generic CRUD, permission and audit contract for every meetings model."""

import pytest

from cbrnet.core.testing import CrudContract
from cbrnet.meetings import forms, models
from cbrnet.meetings.tests.helpers import make_action_item, make_meeting, record

pytestmark = pytest.mark.django_db


class MeetingRecords:
    """In scope: records of a Central Asia round table (run by sec_ca). Out of scope: a South East
    Asia round table (same network, so sec_ca reads it). Hidden: an ASEAN meeting (sec_ca's
    organisation is not in the ASEAN network)."""

    def manager(self, w):
        return w.sec_ca

    def ca(self, w):
        return models.Meeting.objects.filter(region=w.ca).first() or make_meeting(w, region="ca")

    def sea(self, w):
        return models.Meeting.objects.filter(region=w.sea).first() or make_meeting(w, region="sea")

    def asean(self, w):
        return models.Meeting.objects.filter(region=w.asean_region).first() or make_meeting(w, region="asean")


class TestMeeting(MeetingRecords, CrudContract):
    model, form_class, route, api = models.Meeting, forms.MeetingForm, "meetings:meeting", "/api/meetings/meetings/"

    def in_scope(self, w):
        return self.ca(w)

    def out_of_scope(self, w):
        return self.sea(w)

    def hidden(self, w):
        return self.asean(w)

    def create_data(self, w):
        return {"network": w.coe.pk, "region": w.ca.pk, "kind": "round_table", "title": "Fifth CA round table",
                "start": "2026-05-12T09:00", "end": "2026-05-13T17:00", "timezone": "Asia/Tashkent",
                "city": "Tashkent", "country": w.uz.pk, "status": "planned"}

    def change_data(self, w, obj):
        return {"network": obj.network_id, "region": obj.region_id, "kind": obj.kind, "title": "Renamed round table",
                "start": "2026-03-12T09:00", "end": "2026-03-12T17:00", "timezone": "UTC", "status": "held",
                "minutes": "The focal points reviewed the regional action plan."}

    def invalid_data(self, w):
        return {"end": "2026-05-11T09:00"}


class TestParticipant(MeetingRecords, CrudContract):
    model, form_class, route, api = (models.Participant, forms.ParticipantForm, "meetings:participant",
                                     "/api/meetings/participants/")

    def in_scope(self, w):
        return models.Participant.objects.get_or_create(meeting=self.ca(w), person=w.p_nfp_kz)[0]

    def out_of_scope(self, w):
        return models.Participant.objects.get_or_create(meeting=self.sea(w), person=w.p_nfp_ph)[0]

    def hidden(self, w):
        return models.Participant.objects.get_or_create(meeting=self.asean(w), person=w.p_nfp_th)[0]

    def create_data(self, w):
        return {"meeting": self.ca(w).pk, "person": w.p_nfp_uz.pk, "attendance": "invited"}

    def change_data(self, w, obj):
        return {"meeting": obj.meeting_id, "person": obj.person_id, "attendance": "attended"}

    def invalid_data(self, w):
        return {"attendance": "maybe"}


class TestAgendaItem(MeetingRecords, CrudContract):
    model, form_class, route, api = (models.AgendaItem, forms.AgendaItemForm, "meetings:agendaitem",
                                     "/api/meetings/agenda-items/")

    def in_scope(self, w):
        return record(models.AgendaItem, meeting=self.ca(w), order=1, title="Opening")

    def out_of_scope(self, w):
        return record(models.AgendaItem, meeting=self.sea(w), order=1, title="Opening SEA")

    def hidden(self, w):
        return record(models.AgendaItem, meeting=self.asean(w), order=1, title="Opening ASEAN")

    def create_data(self, w):
        return {"meeting": self.ca(w).pk, "order": 2, "title": "National action plans", "presenter": w.p_nfp_kz.pk}

    def change_data(self, w, obj):
        return {"meeting": obj.meeting_id, "order": 3, "title": obj.title, "notes": "Moved after the break."}

    def invalid_data(self, w):
        return {"order": -1}


class TestPresentation(MeetingRecords, CrudContract):
    model, form_class, route, api = (models.Presentation, forms.PresentationForm, "meetings:presentation",
                                     "/api/meetings/presentations/")

    def in_scope(self, w):
        return record(models.Presentation, meeting=self.ca(w), title="KZ national report", link="https://example.org/kz")

    def out_of_scope(self, w):
        return record(models.Presentation, meeting=self.sea(w), title="PH national report", link="https://example.org/ph")

    def hidden(self, w):
        return record(models.Presentation, meeting=self.asean(w), title="TH report", link="https://example.org/th")

    def create_data(self, w):
        return {"meeting": self.ca(w).pk, "title": "UZ national report", "link": "https://example.org/uz"}

    def change_data(self, w, obj):
        return {"meeting": obj.meeting_id, "title": "KZ national report (final)", "link": obj.link}

    def invalid_data(self, w):
        return {"link": ""}  # neither a file nor a link


class TestDecision(MeetingRecords, CrudContract):
    model, form_class, route, api = models.Decision, forms.DecisionForm, "meetings:decision", "/api/meetings/decisions/"

    def in_scope(self, w):
        return record(models.Decision, meeting=self.ca(w), text="Adopt the regional action plan.")

    def out_of_scope(self, w):
        return record(models.Decision, meeting=self.sea(w), text="Hold a tabletop exercise.")

    def hidden(self, w):
        return record(models.Decision, meeting=self.asean(w), text="ASEAN decision.")

    def create_data(self, w):
        return {"meeting": self.ca(w).pk, "text": "Meet again in autumn."}

    def change_data(self, w, obj):
        return {"meeting": obj.meeting_id, "text": "Meet again in October."}

    def invalid_data(self, w):
        sea_item = record(models.AgendaItem, meeting=self.sea(w), order=9, title="Elsewhere")
        return {"agenda_item": sea_item.pk}  # an agenda item of another meeting


class TestActionItem(MeetingRecords, CrudContract):
    model, form_class, route, api = (models.ActionItem, forms.ActionItemForm, "meetings:actionitem",
                                     "/api/meetings/action-items/")

    def in_scope(self, w):
        return make_action_item(self.ca(w), w.p_nfp_kz)

    def out_of_scope(self, w):
        return make_action_item(self.sea(w), w.p_nfp_ph)

    def hidden(self, w):
        return make_action_item(self.asean(w), w.p_nfp_th)

    def create_data(self, w):
        return {"meeting": self.ca(w).pk, "title": "Share the exercise report", "owner": w.p_nfp_uz.pk,
                "due_date": "2026-06-30"}

    def change_data(self, w, obj):
        return {"meeting": obj.meeting_id, "title": obj.title, "owner": obj.owner_id, "due_date": "2026-07-31"}

    def invalid_data(self, w):
        return {"due_date": "next week"}
