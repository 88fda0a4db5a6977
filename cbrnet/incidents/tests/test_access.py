"""Who sees what of an incident: the label decides who sees it at all; the affected country, the
incident's owners, the secretariat of its region and the organisations it chose see the restricted
details (agent, location, casualties, description, the conditions and contact points of requests),
through every channel: pages, history, API, exports, CAP, search. Offers are seen by the requesting
side and the offering side only; deployments likewise."""

import csv
import io

import pytest

from cbrnet.core.testing import client_for
from cbrnet.incidents import services
from cbrnet.incidents.tests.helpers import make_incident, make_offer

pytestmark = pytest.mark.django_db

SECRET = "Tank car derailed"  # the incident's description: a restricted detail


def csv_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("persona", "details"),
    [
        ("nfp_kz", True),
        ("team_kz", True),
        ("sec_ca", True),
        ("nfp_uz", False),
        ("nfp_ph", False),
        ("nfp_th", False),
    ],
)
def test_the_restricted_details_reach_exactly_the_affected_side(world, scene, persona, details):
    client = client_for(getattr(world, persona))
    incident = scene.incident
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Chlorine release" in page  # GREEN in the CoE network: everyone here reads the incident
    assert (SECRET in page) is details and ("chlorine" in page.replace("Chlorine release", "")) is details
    assert ('class="incident-marker"' in page) is details
    body = client.get(f"/api/incidents/incidents/{incident.pk}").json()
    assert body["details_visible"] is details
    assert (body["agent"], body["deaths"], body["latitude"]) == (
        ("chlorine", 2, 43.238) if details else (None, None, None)
    )
    listed = client.get("/api/incidents/incidents/").json()["results"]
    assert [row["description"] for row in listed if row["id"] == incident.pk] == [
        incident.description if details else None
    ]
    exported = csv_rows(client.get("/api/incidents/incidents/export", {"format": "csv"}))
    assert [(row["agent"], row["deaths"]) for row in exported] == [("chlorine", "2") if details else ("", "")]
    request = client.get(f"/api/incidents/requests/{scene.request.pk}").json()
    assert (request["contact_email"] == "duty@example.kz") is details
    assert (request["customs_conditions"] is None) is not details
    request_page = client.get(scene.request.get_absolute_url()).content.decode()
    assert ("duty@example.kz" in request_page) is details and "Detection and decontamination" in request_page


def test_the_history_of_an_incident_hides_the_details_too(world, scene):
    incident = scene.incident
    incident.description = SECRET + " — update: 3 wagons."
    services.incident_save(user=world.nfp_kz, incident=incident)
    assert SECRET in client_for(world.sec_ca).get(incident.get_absolute_url()).content.decode()
    page = client_for(world.nfp_uz).get(incident.get_absolute_url()).content.decode()
    assert SECRET not in page and "***" in page


def test_those_the_affected_country_chose_see_the_details(world, scene):
    assert (
        client_for(world.nfp_uz).get(f"/api/incidents/incidents/{scene.incident.pk}").json()["agent"] is None
    )
    response = client_for(world.nfp_kz).post(
        f"/api/incidents/incidents/{scene.incident.pk}/details",
        {"organisations": [world.uz_fp.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (
        client_for(world.nfp_uz).get(f"/api/incidents/incidents/{scene.incident.pk}").json()["agent"]
        == "chlorine"
    )
    # Only the affected side chooses.
    response = client_for(world.nfp_uz).post(
        f"/api/incidents/incidents/{scene.incident.pk}/details",
        {"organisations": [world.th_fp.pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert (
        client_for(world.nfp_th).get(f"/api/incidents/incidents/{scene.incident.pk}").json()["agent"] is None
    )


def test_outside_the_label_nothing_is_seen_not_even_that_it_exists(world, scene):
    for user in (world.viewer_my, world.jrc_user, world.admin, world.outsider):
        client = client_for(user)
        assert client.get(scene.incident.get_absolute_url()).status_code == 404
        assert client.get(scene.request.get_absolute_url()).status_code == 404
        assert client.get(f"/api/incidents/requests/{scene.request.pk}").status_code == 404
        assert client.get(f"/incidents/incidents/{scene.incident.pk}/cap.xml").status_code == 404
        assert client.get(f"/incidents/incidents/{scene.incident.pk}/live/").status_code == 404
        assert "Chlorine release" not in client.get("/incidents/incidents/").content.decode()
        assert "Chlorine release" not in client.get("/search/", {"q": "Chlorine"}).content.decode()


def test_offers_are_seen_by_the_requesting_and_the_offering_side_only(world, scene):
    uz_offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    ph_offer = make_offer(world.nfp_ph, scene.request, scene.ph_team, code="GRP-DECON")
    for persona, sees in (
        ("nfp_kz", {uz_offer.pk, ph_offer.pk}),
        ("team_kz", {uz_offer.pk, ph_offer.pk}),
        ("sec_ca", {uz_offer.pk, ph_offer.pk}),
        ("nfp_uz", {uz_offer.pk}),
        ("nfp_ph", {ph_offer.pk}),
        ("nfp_th", set()),
    ):
        client = client_for(getattr(world, persona))
        listed = {row["id"] for row in client.get("/api/incidents/offers/").json()["results"]}
        assert listed == sees, persona
        assert client.get(ph_offer.get_absolute_url()).status_code == (200 if ph_offer.pk in sees else 404), (
            persona
        )


def test_deciding_and_the_timeline_follow_the_sides(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    decide = f"/incidents/offers/{offer.pk}/decide/"
    assert client_for(world.nfp_uz).post(decide, {"decision": "accept"}).status_code == 403
    assert client_for(world.nfp_ph).post(decide, {"decision": "accept"}).status_code == 404
    assert client_for(world.team_kz).post(decide, {"decision": "accept"}).status_code == 302
    offer.refresh_from_db()
    deployment = offer.deployment
    advance = f"/incidents/deployments/{deployment.pk}/advance/"
    assert client_for(world.nfp_ph).post(advance, {"stage": "mobilised"}).status_code == 404
    assert client_for(world.nfp_th).get(deployment.get_absolute_url()).status_code == 404
    assert client_for(world.nfp_uz).post(advance, {"stage": "mobilised"}).status_code == 302
    deployment.refresh_from_db()
    assert deployment.stage == "mobilised"


def test_matching_is_for_the_affected_side_and_the_secretariat(world, scene):
    url = f"/incidents/requests/{scene.request.pk}/match/"
    assert client_for(world.nfp_uz).get(url).status_code == 403
    assert (
        client_for(world.nfp_uz).get(f"/api/incidents/requests/{scene.request.pk}/matches").status_code == 403
    )
    assert client_for(world.viewer_my).get(url).status_code == 404
    for user in (world.nfp_kz, world.team_kz, world.sec_ca):
        assert client_for(user).get(url).status_code == 200


def test_a_red_incident_reaches_only_the_named_people(world):
    incident = make_incident(
        world.nfp_kz, world.kz, tlp="red", grants=[("user", world.sec_ca)], title="Red one"
    )
    assert client_for(world.sec_ca).get(incident.get_absolute_url()).status_code == 200
    assert (
        client_for(world.team_kz).get(incident.get_absolute_url()).status_code == 404
    )  # RED: named people only
    exported = csv_rows(client_for(world.sec_ca).get("/api/incidents/incidents/export", {"format": "csv"}))
    assert exported == []  # TLP:RED is never exported


def test_the_global_search_finds_incidents_for_their_audience_only(world, scene):
    found = client_for(world.nfp_uz).get("/search/", {"q": "Chlorine"}).content.decode()
    assert scene.incident.get_absolute_url() in found
    assert (
        scene.incident.get_absolute_url()
        not in client_for(world.viewer_my).get("/search/", {"q": "Chlorine"}).content.decode()
    )
    assert (
        scene.uz_team.get_absolute_url()
        in client_for(world.viewer_my).get("/search/", {"q": "detection"}).content.decode()
    )
