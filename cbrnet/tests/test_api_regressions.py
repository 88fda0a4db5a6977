"""Server errors the API fuzzer (test_api_fuzz.py) found, kept as plain tests: each answered 500."""

import pytest

from cbrnet.registry import models

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_an_offset_beyond_64_bit_integers_is_refused_with_a_message_naming_offset(world, client_as):
    # Was: the database could not bind the number (SQLite "datatype mismatch", PostgreSQL
    # "bigint out of range") and the list answered 500.
    client = client_as(world.admin)
    for path in ("/api/registry/networks/", "/api/registry/people/"):
        response = client.get(path, {"offset": "1493027202195683956228096"})
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == PROBLEM
        assert "offset" in response.json()["detail"]


def test_the_largest_accepted_offset_answers_an_empty_page(world, client_as):
    from cbrnet.api import API_MAX_OFFSET

    response = client_as(world.admin).get("/api/registry/networks/", {"offset": API_MAX_OFFSET, "limit": 500})
    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["count"] == 2


NOT_IDS = [[None], [None, None], [{"id": 1}], [[1]], [1495930868298874917748736], [-3]]


@pytest.mark.parametrize("items", NOT_IDS, ids=["null", "nulls", "object", "list", "huge", "negative"])
def test_a_many_to_many_list_with_items_that_are_not_ids_is_refused_by_field(world, client_as, items):
    # Was: django-ninja's many-to-many item type raised TypeError on them, and SQLite could not
    # bind a number beyond 64 bits (OverflowError); both became a 500.
    client = client_as(world.nfp_kz)
    count = models.Organisation.objects.count()
    response = client.post(
        "/api/registry/organisations/",
        {"name": "KZ Customs Committee", "kind": "agency", "country": world.kz.pk, "client_of": items},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {f"client_of.{number}" for number in range(len(items))}
    assert models.Organisation.objects.count() == count

    response = client.patch(
        f"/api/registry/people/{world.p_hidden_kz.pk}", {"languages": items}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {f"languages.{number}" for number in range(len(items))}


def test_a_many_to_many_list_of_ids_is_still_accepted(world, client_as):
    response = client_as(world.nfp_kz).post(
        "/api/registry/organisations/",
        {"name": "KZ Customs", "kind": "agency", "country": world.kz.pk, "networks": [world.coe.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["networks"] == [world.coe.pk]


@pytest.mark.django_db
def test_ids_beyond_64_bits_are_refused_by_field_not_a_server_error(world):
    from cbrnet.core.testing import client_for

    client = client_for(world.nfp_kz)
    huge = 2**70
    response = client.post("/api/exchange/bulletins/", {"title": "x", "body": "y", "tlp": "TLP:GREEN", "networks": [huge]},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"].startswith("networks")
    response = client.post("/api/registry/organisations/", {"name": "X", "kind": "agency", "country": huge},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "country"
    assert client.get(f"/api/registry/people/{huge}").status_code == 404
    assert client.get(f"/registry/people/{huge}/").status_code == 404


@pytest.mark.django_db
def test_a_number_filter_beyond_64_bit_integers_is_refused_by_name_not_a_server_error(world):
    """Found by the fuzzer: GET /api/incidents/sitreps/?incident=999999999999999999999999999999 was a 500
    on SQLite (OverflowError). Every number filter is bounded to the databases' integers."""
    from cbrnet.core.testing import client_for

    response = client_for(world.nfp_kz).get("/api/incidents/sitreps/", {"incident": "9" * 30})
    assert response.status_code == 422
    assert "incident" in response.content.decode()
    assert client_for(world.nfp_kz).get("/api/incidents/sitreps/", {"incident": "12"}).status_code == 200
