"""Capabilities, incidents, requests for assistance, offers and situation reports keep the generic
CRUD, permission and audit contract (cbrnet.core.testing.CrudContract): anonymous, no permission,
permitted, visible but out of scope (403), hidden (404), the audit records, the API round trip,
bad input named by field, and the list's query budget."""

import datetime

import pytest
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract, client_for
from cbrnet.incidents import forms, services
from cbrnet.incidents.choices import OfferStatus
from cbrnet.incidents.models import AssistanceRequest, Capability, Incident, Offer, Sitrep
from cbrnet.incidents.tests.helpers import (
    MANILA,
    make_capability,
    make_incident,
    make_languages,
    make_offer,
    make_request,
    make_sitrep,
    scene_of,
)
from cbrnet.sharing.choices import TLP, Status

pytestmark = pytest.mark.django_db

SOON = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _ph_incident(w):
    """An AMBER incident of the Philippines shared with nobody: hidden from the other personas."""
    return make_incident(w.nfp_ph, w.ph, tlp=TLP.AMBER, title="PH internal", point=MANILA)


class TestCapability(CrudContract):
    model, form_class, route, api = (
        Capability,
        forms.CapabilityForm,
        "incidents:capability",
        "/api/incidents/capabilities/",
    )

    def manager(self, w):
        return w.nfp_uz

    def stranger(self, w):
        return w.viewer_my

    def in_scope(self, w):
        return make_capability(w.uz_fp, ["UCPM-CBRNDET"], name="UZ detection team")

    def out_of_scope(self, w):
        return make_capability(w.ph_fp, ["RANET-DECON"], name="PH decontamination unit")

    def create_data(self, w):
        make_languages("ru", "uz")
        return {
            "name": "UZ mobile laboratory",
            "kind": "mobile_laboratory",
            "codes": ["RESCEU-MOBLAB", "GRP-DETECT"],
            "organisation": w.uz_fp.pk,
            "size": 6,
            "readiness_hours": 8,
            "self_sufficiency_days": 4,
            "base_name": "Tashkent",
            "base_latitude": 41.3,
            "base_longitude": 69.28,
            "languages": ["ru", "uz"],
            "status": "available",
            "description": "BSL-3 field laboratory.",
        }

    def change_data(self, w, obj):
        return {**self.create_data(w), "name": obj.name + " (renewed)", "organisation": obj.organisation_id}

    def invalid_data(self, w):
        return {"codes": ["NO-SUCH-CODE"]}

    def test_codes_and_languages_are_stored_as_lists_and_read_back(self, world):
        client = client_for(world.nfp_uz)
        response = client.post(self.api, self.create_data(world), content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["codes"] == ["GRP-DETECT", "RESCEU-MOBLAB"] and body["languages"] == ["ru", "uz"]
        assert body["country"] == world.uz.pk  # from the organisation
        stored = Capability.objects.get(pk=body["id"])
        assert stored.codes == ",GRP-DETECT,RESCEU-MOBLAB,"

    def test_a_focal_point_may_not_register_another_countrys_capability(self, world):
        response = client_for(world.nfp_uz).post(
            self.api,
            {**self.create_data(world), "organisation": world.ph_fp.pk},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not Capability.objects.filter(organisation=world.ph_fp).exists()


class TestIncident(CrudContract):
    model, form_class, route, api = (
        Incident,
        forms.IncidentForm,
        "incidents:incident",
        "/api/incidents/incidents/",
    )

    def manager(self, w):
        return w.nfp_kz

    def stranger(self, w):
        return w.viewer_my  # viewers may not share anything (R15)

    def in_scope(self, w):
        return make_incident(w.nfp_kz, w.kz, networks=[w.coe], title="Chlorine release in Almaty")

    def out_of_scope(self, w):
        return make_incident(w.nfp_uz, w.uz, networks=[w.coe], title="Ammonia leak in Tashkent")

    def hidden(self, w):
        return _ph_incident(w)

    def create_data(self, w):
        return {
            "title": "Radioactive source found at a scrapyard",
            "cbrn_type": "radiological",
            "agent": "Cs-137",
            "country": w.kz.pk,
            "place": "Karaganda",
            "latitude": 49.8,
            "longitude": 73.1,
            "started_at": SOON,
            "severity": "moderate",
            "deaths": 0,
            "injured": 3,
            "description": "Orphan source in scrap metal.",
            "is_exercise": False,
            "tlp": TLP.GREEN,
            "networks": [w.coe.pk],
        }

    def change_data(self, w, obj):
        return {**self.create_data(w), "title": obj.title + " (revised)", "tlp": obj.tlp}

    def invalid_data(self, w):
        return {"tlp": "TLP:PURPLE"}

    def deletable(self, w):
        with audit_actor(w.nfp_kz, source="ui"):
            return services.incident_save(
                user=w.nfp_kz,
                incident=Incident(
                    title="Draft",
                    cbrn_type="unknown",
                    country=w.kz,
                    place="Astana",
                    started_at=timezone.now(),
                    tlp=TLP.AMBER,
                ),
            )

    def test_the_owner_and_author_are_the_callers_and_it_starts_as_a_draft(self, world):
        response = client_for(world.nfp_kz).post(
            self.api,
            {**self.create_data(world), "owner_organisation": world.uz_fp.pk, "status": "published"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        created = Incident.objects.get(pk=response.json()["id"])
        assert (created.owner_organisation_id, created.author_id, created.status) == (
            world.kz_fp.pk,
            world.nfp_kz.pk,
            Status.DRAFT,
        )

    def test_an_incident_is_reported_for_a_country_the_reporter_serves(self, world):
        response = client_for(world.nfp_kz).post(
            self.api, {**self.create_data(world), "country": world.uz.pk}, content_type="application/json"
        )
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["errors"]] == ["country"]


class TestAssistanceRequest(CrudContract):
    model, form_class, route, api = (
        AssistanceRequest,
        forms.AssistanceRequestForm,
        "incidents:assistancerequest",
        "/api/incidents/requests/",
    )

    def manager(self, w):
        scene_of(w)  # the scene holds a request: build it before the contract counts requests
        return w.nfp_kz

    def stranger(self, w):
        scene_of(w)
        return w.viewer_my

    def in_scope(self, w):
        return scene_of(w).request

    def out_of_scope(self, w):
        incident = make_incident(w.nfp_uz, w.uz, networks=[w.coe], title="Ammonia leak in Tashkent")
        return make_request(w.nfp_uz, incident, title="Ammonia detection")

    def hidden(self, w):
        return make_request(w.nfp_ph, _ph_incident(w), title="PH internal request")

    def create_data(self, w):
        # The web form takes the lines as a formset ("items-…"), the API as a list ("items"): each
        # entry point ignores the other's keys.
        return {
            "incident": scene_of(w).incident.pk,
            "title": "Medical support",
            "location": "Almaty city hospital",
            "needed_from": SOON,
            "duration_days": 5,
            "cost_arrangement": "to_be_agreed",
            "entry_conditions": "Visa waived.",
            "customs_conditions": "",
            "liability_conditions": "",
            "contact_name": "Health ministry desk",
            "contact_email": "desk@example.kz",
            "contact_phone": "",
            "items": [{"code": "GRP-MEDICAL", "quantity": 2, "note": "burns"}],
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-code": "GRP-MEDICAL",
            "items-0-quantity": "2",
            "items-0-note": "burns",
        }

    def change_data(self, w, obj):
        data = self.create_data(w)
        data.pop("incident")
        return {**data, "title": obj.title + " (amended)", "status": "open", "reason": "More teams needed."}

    def invalid_data(self, w):
        return {"items": [{"code": "NO-SUCH-CODE", "quantity": 1}]}

    def deletable(self, w):
        return make_request(w.nfp_kz, scene_of(w).incident, title="By mistake")

    def test_a_request_with_offers_is_not_deleted(self, world):
        request = scene_of(world).request
        make_offer(world.nfp_uz, request, scene_of(world).uz_team)
        assert client_for(world.nfp_kz).delete(f"{self.api}{request.pk}").status_code == 422
        assert AssistanceRequest.objects.filter(pk=request.pk).exists()


class TestOffer(CrudContract):
    model, form_class, route, api = Offer, forms.OfferForm, "incidents:offer", "/api/incidents/offers/"

    def manager(self, w):
        return w.nfp_uz

    def stranger(self, w):
        return w.viewer_my

    def in_scope(self, w):
        return make_offer(w.nfp_uz, scene_of(w).request, scene_of(w).uz_team)

    def out_of_scope(self, w):
        # Accepted: the offering side sees it but may no longer change it.
        offer = make_offer(w.nfp_uz, scene_of(w).request, scene_of(w).uz_team)
        with audit_actor(w.nfp_kz, source="ui"):
            services.offer_decide(user=w.nfp_kz, offer=offer, decision="accept")
        offer.refresh_from_db()
        assert offer.status == OfferStatus.ACCEPTED
        return offer

    def hidden(self, w):
        return make_offer(w.nfp_ph, scene_of(w).request, scene_of(w).ph_team, code="GRP-DECON")

    def create_data(self, w):
        s = scene_of(w)
        return {
            "request": s.request.pk,
            "code": "UCPM-CBRNDET",
            "capability": s.uz_team.pk,
            "description": "Detection team, 12 people, 2 vehicles.",
            "quantity": 1,
            "available_from": SOON,
            "duration_days": 10,
            "conditions": "Costs borne by Uzbekistan.",
        }

    def change_data(self, w, obj):
        return {
            **self.create_data(w),
            "description": obj.description + " Plus a drone.",
            "capability": obj.capability_id,
        }

    def invalid_data(self, w):
        return {"code": "NO-SUCH-CODE"}

    def deletable(self, w):
        return make_offer(w.nfp_uz, scene_of(w).request, scene_of(w).uz_team)

    def test_the_offering_side_is_the_capabilitys_not_the_clients(self, world):
        response = client_for(world.nfp_uz).post(
            self.api, self.create_data(world), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["offering_organisation"], body["offering_country"], body["status"]) == (
            world.uz_fp.pk,
            world.uz.pk,
            "offered",
        )

    def test_an_offer_must_answer_a_line_of_the_request(self, world):
        response = client_for(world.nfp_uz).post(
            self.api, {**self.create_data(world), "code": "GRP-MEDICAL"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"code"}


class TestSitrep(CrudContract):
    model, form_class, route, api = Sitrep, forms.SitrepForm, "incidents:sitrep", "/api/incidents/sitreps/"

    def manager(self, w):
        return w.nfp_kz

    def stranger(self, w):
        return w.viewer_my

    def in_scope(self, w):
        return make_sitrep(w.nfp_kz, scene_of(w).incident, title="Sitrep 1: plume moving east")

    def out_of_scope(self, w):
        return make_sitrep(w.sec_ca, scene_of(w).incident, title="Secretariat sitrep")

    def hidden(self, w):
        return make_sitrep(w.nfp_ph, _ph_incident(w), title="PH sitrep")

    def create_data(self, w):
        return {
            "incident": scene_of(w).incident.pk,
            "title": "Sitrep 2",
            "situation_at": SOON,
            "body": "Decontamination under way.",
            "tlp": TLP.GREEN,
        }

    def change_data(self, w, obj):
        return {**self.create_data(w), "title": obj.title + " (corrected)", "tlp": obj.tlp}

    def invalid_data(self, w):
        return {"tlp": "TLP:PURPLE"}

    def deletable(self, w):
        return make_sitrep(w.nfp_kz, scene_of(w).incident, title="Draft sitrep", publish=False)

    def test_a_sitrep_looser_than_its_incident_is_refused(self, world):
        incident = make_incident(
            world.nfp_kz, world.kz, tlp=TLP.AMBER, grants=[("country", world.uz)], title="Amber one"
        )
        response = client_for(world.nfp_kz).post(
            self.api,
            {**self.create_data(world), "incident": incident.pk, "tlp": TLP.GREEN},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "tlp" in {error["field"] for error in response.json()["errors"]}
