"""The fact sheet API: JSON and PDF of a region and a country, the dashboard; sign-in, 404, bad input."""

import pytest
from django.test import Client

from cbrnet.core.testing import client_for
from cbrnet.factsheets.tests.central_asia import build_central_asia

pytestmark = pytest.mark.django_db


@pytest.fixture
def ca(world):
    return build_central_asia(world)


def test_anonymous_callers_get_401(world):
    for path in (
        f"/api/factsheets/regions/{world.ca.pk}",
        f"/api/factsheets/countries/{world.kz.pk}.pdf",
        "/api/factsheets/dashboard",
    ):
        response = Client().get(path)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_record_is_404(world):
    client = client_for(world.sec_ca)
    assert client.get("/api/factsheets/regions/999999").status_code == 404
    assert client.get("/api/factsheets/countries/999999.pdf").status_code == 404
    assert client.get("/api/factsheets/dashboard", {"network": 999999}).status_code == 404


def test_a_bad_date_is_named(world):
    response = client_for(world.sec_ca).get(f"/api/factsheets/regions/{world.ca.pk}", {"as_of": "2023-13-01"})
    assert response.status_code == 422
    assert "as_of" in {error["field"] for error in response.json()["errors"]}


def test_the_country_sheet_as_json(world, ca):
    body = (
        client_for(world.nfp_kz)
        .get(f"/api/factsheets/countries/{world.kz.pk}", {"as_of": "2023-05-31"})
        .json()
    )
    assert body["name"] == "Kazakhstan" and body["as_of"] == "2023-05-31"
    assert body["stage"] == 4 and body["stage_label"] == "National Action Plan in preparation"
    assert [region["region"] for region in body["regions"]] == ["Central Asia"]
    assert (body["projects"]["total"], body["projects"]["since"]) == (13, 2013)
    assert [plan["status"] for plan in body["plans"]] == ["draft"]
    assert body["secretariats"][0]["location"].endswith("Tashkent, Uzbekistan")


def test_the_dashboard_as_json(world, ca):
    body = client_for(world.nfp_ph).get("/api/factsheets/dashboard", {"network": world.coe.pk}).json()
    assert body["network"]["id"] == world.coe.pk and body["family"] == "NAQ"
    stages = {row["iso2"]: row["stage"] for row in body["countries"]}
    assert stages["UZ"] == 5 and stages["KZ"] == 4
    assert [plan["country"] for plan in body["plans"]] == ["Uzbekistan"]
    ca_scores = next(region for region in body["scores"] if region["region_id"] == world.ca.pk)
    assert {row["country"] for row in ca_scores["countries"]} == {"Kyrgyzstan", "Pakistan", "Uzbekistan"}


def test_the_dashboard_opens_on_the_users_network(world, ca):
    body = client_for(world.nfp_kz).get("/api/factsheets/dashboard").json()
    assert body["network"]["id"] == world.coe.pk
    body = client_for(world.nfp_kz).get("/api/factsheets/dashboard", {"network": world.asean.pk}).json()
    assert body["network"]["id"] == world.asean.pk and {row["iso2"] for row in body["countries"]} == {
        "PH",
        "TH",
        "MY",
    }


def test_the_pdfs_through_the_api(world, ca):
    client = client_for(world.jrc_user)
    for path, name in (
        (f"/api/factsheets/regions/{world.ca.pk}.pdf", "central-asia"),
        (f"/api/factsheets/countries/{world.uz.pk}.pdf", "uzbekistan"),
    ):
        response = client.get(path, {"as_of": "2023-05-31"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="fact-sheet-{name}-2023-05-31.pdf"'
        assert response.content.startswith(b"%PDF-")


def test_the_openapi_document_lists_the_endpoints(world):
    paths = client_for(world.sec_ca).get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/factsheets/regions/{pk}",
        "/api/factsheets/regions/{pk}.pdf",
        "/api/factsheets/countries/{pk}",
        "/api/factsheets/countries/{pk}.pdf",
        "/api/factsheets/dashboard",
        "/api/factsheets/achievements/",
    ):
        assert path in paths, path
