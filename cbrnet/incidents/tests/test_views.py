"""The incident pages: the dashboard that refreshes itself, exercises marked and left out of figures,
the matching page that invites in one step, the request form's lines and versions, and the strict CSP."""

import re

import pytest
from django.contrib.messages import get_messages

from cbrnet.core.testing import client_for
from cbrnet.incidents.models import OfferInvitation
from cbrnet.incidents.tests.helpers import make_incident, make_offer, make_request, make_sitrep

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_the_incident_page_refreshes_its_tables_and_timeline_by_itself(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    make_sitrep(world.nfp_kz, scene.incident, title="Sitrep 1: plume moving east")
    page = client_for(world.nfp_kz).get(scene.incident.get_absolute_url()).content.decode()
    live = f'hx-get="/incidents/incidents/{scene.incident.pk}/live/"'
    assert live in page and 'hx-trigger="every 15s"' in page
    fragment = (
        client_for(world.nfp_kz).get(f"/incidents/incidents/{scene.incident.pk}/live/").content.decode()
    )
    assert "<html" not in fragment
    for text in (
        "Detection and decontamination",
        "UZ focal point office",
        "Sitrep 1: plume moving east",
        "Incident started",
    ):
        assert text in fragment, text
    assert offer.get_absolute_url() in fragment
    assert 'class="world-map' in page and 'data-country="KZ"' in page


def test_pages_keep_the_strict_csp(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    sitrep = make_sitrep(world.nfp_kz, scene.incident)
    urls = [
        "/incidents/",
        scene.incident.get_absolute_url(),
        f"/incidents/incidents/{scene.incident.pk}/live/",
        "/incidents/incidents/add/",
        f"/incidents/incidents/{scene.incident.pk}/edit/",
        f"/incidents/incidents/{scene.incident.pk}/grants/",
        f"/incidents/incidents/{scene.incident.pk}/details/",
        scene.request.get_absolute_url(),
        "/incidents/requests/add/",
        f"/incidents/requests/{scene.request.pk}/edit/",
        f"/incidents/requests/{scene.request.pk}/versions/",
        f"/incidents/requests/{scene.request.pk}/match/",
        offer.get_absolute_url(),
        sitrep.get_absolute_url(),
        "/incidents/capabilities/",
        "/incidents/deployments/",
        scene.uz_team.get_absolute_url(),
    ]
    for url in urls:
        response = client_for(world.nfp_kz).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert " style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_exercises_are_marked_everywhere_and_left_out_of_figures_and_filtered_lists(world, scene):
    drill = make_incident(world.nfp_kz, world.kz, networks=[world.coe], title="Annual drill", exercise=True)
    make_request(world.nfp_kz, drill, title="Drill request")
    client = client_for(world.nfp_kz)
    listing = client.get("/incidents/incidents/").content.decode()
    assert "Annual drill" in listing and 'class="badge badge-warning exercise"' in listing
    assert (
        "Annual drill"
        not in client.get("/incidents/incidents/", {"exclude_exercises": "true"}).content.decode()
    )
    assert (
        "Drill request"
        not in client.get("/incidents/requests/", {"exclude_exercises": "true"}).content.decode()
    )
    assert "Drill request" in client.get("/incidents/requests/").content.decode()
    page = client.get("/incidents/").content.decode()
    assert 'data-figure="open_incidents">1<' in page and 'data-figure="active_requests">1<' in page
    everything = client.get("/incidents/", {"figures": "all"}).content.decode()
    assert 'data-figure="open_incidents">2<' in everything
    api = client.get("/api/incidents/incidents/figures").json()
    assert (api["open_incidents"], api["exclude_exercises"]) == (1, True)
    assert (
        client.get("/api/incidents/incidents/figures", {"include_exercises": "true"}).json()["open_incidents"]
        == 2
    )
    assert "This incident is an exercise" in client.get(drill.get_absolute_url()).content.decode()
    rows = client.get("/api/incidents/requests/", {"exclude_exercises": "true"}).json()["results"]
    assert [row["title"] for row in rows] == ["Detection and decontamination"]


def test_the_matching_page_shows_reasons_and_invites_the_selected_in_one_step(world, scene):
    client = client_for(world.sec_ca)
    url = f"/incidents/requests/{scene.request.pk}/match/"
    page = client.get(url).content.decode()
    assert (
        page.index("UZ detection team")
        < page.index("PH decontamination unit")
        < page.index("JRC mobile laboratory")
    )
    assert "KZ own team" not in page
    for reason in (
        "Capability fit",
        "Readiness",
        "Distance and travel time",
        "Language",
        "Availability",
        "Self-sufficiency",
    ):
        assert reason in page
    response = client.post(url, {"capabilities": [scene.uz_team.pk, scene.jrc_lab.pk]})
    assert response.status_code == 302 and "2 invited to offer" in messages_of(response)
    assert set(OfferInvitation.objects.values_list("capability__name", flat=True)) == {
        "UZ detection team",
        "JRC mobile laboratory",
    }
    response = client.post(url, {"capabilities": [scene.kz_team.pk]})  # not on the list
    assert response.status_code == 400 and OfferInvitation.objects.count() == 2


def test_the_request_form_takes_its_lines_and_an_amendment_is_a_new_version(world, scene):
    client = client_for(world.nfp_kz)
    edit = f"/incidents/requests/{scene.request.pk}/edit/"
    form = client.get(edit).content.decode()
    assert 'name="items-0-code"' in form and 'name="items-TOTAL_FORMS"' in form
    data = {
        "title": "Detection only",
        "location": "Almaty",
        "needed_from": "2030-01-01T08:00",
        "duration_days": 3,
        "cost_arrangement": "shared",
        "contact_name": "Duty officer",
        "status": "open",
        "reason": "Decon found locally.",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-code": "UCPM-CBRNDET",
        "items-0-quantity": "2",
        "items-1-code": "",
        "items-1-quantity": "",
    }
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    scene.request.refresh_from_db()
    assert scene.request.version == 2 and [item.code for item in scene.request.items.all()] == [
        "UCPM-CBRNDET"
    ]
    versions = client.get(f"/incidents/requests/{scene.request.pk}/versions/").content.decode()
    assert (
        "Version 2" in versions
        and "Decon found locally." in versions
        and "<del>Detection and decontamination</del>" in versions
    )
    bad = client.post(edit, {**data, "items-0-code": "", "items-0-quantity": ""})
    assert bad.status_code == 400 and "Ask for at least one capability." in bad.content.decode()
    scene.request.refresh_from_db()
    assert scene.request.version == 2


def test_the_offer_page_lets_the_requesting_side_decide(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    assert (
        f"offers/{offer.pk}/decide/"
        in client_for(world.nfp_kz).get(offer.get_absolute_url()).content.decode()
    )
    assert (
        f"offers/{offer.pk}/decide/"
        not in client_for(world.nfp_uz).get(offer.get_absolute_url()).content.decode()
    )
    response = client_for(world.nfp_kz).post(
        f"/incidents/offers/{offer.pk}/decide/", {"decision": "accept", "note": "Thanks"}
    )
    assert "a deployment is planned" in messages_of(response)
    response = client_for(world.nfp_kz).post(f"/incidents/offers/{offer.pk}/decide/", {"decision": "maybe"})
    assert "Decision:" in messages_of(response)


def test_the_cap_export_is_xml_for_download(world, scene):
    response = client_for(world.nfp_kz).get(f"/incidents/incidents/{scene.incident.pk}/cap.xml")
    assert (
        response["Content-Type"] == "application/cap+xml"
        and b"urn:oasis:names:tc:emergency:cap:1.2" in response.content
    )
