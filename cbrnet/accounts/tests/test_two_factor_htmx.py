"""htmx fragment requests of a user who must still verify 2FA never receive the verification page."""

import pytest
from django.urls import reverse

from cbrnet.core.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def nfp_client(client, settings):
    settings.REQUIRE_2FA = True
    world = build_world()
    client.force_login(world.nfp_kz)
    return client


def test_a_fragment_request_sends_the_browser_to_the_verification_page(nfp_client):
    badge = reverse("notifications:notification_badge")
    response = nfp_client.get(badge, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/registry/?q=a"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor"))
    assert "next=%2Fregistry%2F%3Fq%3Da" in response["HX-Redirect"]


def test_on_the_verification_page_a_fragment_request_swaps_nothing(nfp_client):
    badge = reverse("notifications:notification_badge")
    current = "http://testserver" + reverse("accounts:two_factor")
    response = nfp_client.get(badge, headers={"HX-Request": "true", "HX-Current-URL": current})
    assert response.status_code == 204
    assert "HX-Redirect" not in response


def test_an_ordinary_request_is_still_redirected(nfp_client):
    response = nfp_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
