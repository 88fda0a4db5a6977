"""The fact sheet pages and the dashboard: who gets them, the date chosen, the links, bad input."""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cbrnet.core.testing import client_for
from cbrnet.factsheets.tests.central_asia import build_central_asia

pytestmark = pytest.mark.django_db


@pytest.fixture
def ca(world):
    return build_central_asia(world)


def pages(world):
    return [
        reverse("factsheets:region_factsheet", args=[world.ca.pk]),
        reverse("factsheets:region_factsheet_pdf", args=[world.ca.pk]),
        reverse("factsheets:country_factsheet", args=[world.kz.pk]),
        reverse("factsheets:country_factsheet_pdf", args=[world.kz.pk]),
        reverse("factsheets:dashboard"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(world):
    for url in pages(world):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["outsider", "nfp_ph", "jrc_user", "admin"])
def test_every_signed_in_user_gets_the_pages(world, persona):
    client = client_for(getattr(world, persona))
    for url in pages(world):
        assert client.get(url).status_code == 200, url


def test_an_unknown_region_or_country_is_404(world):
    client = client_for(world.sec_ca)
    assert client.get(reverse("factsheets:region_factsheet", args=[999999])).status_code == 404
    assert client.get(reverse("factsheets:country_factsheet_pdf", args=[999999])).status_code == 404


def test_a_bad_date_is_named_and_the_sheet_shows_today(world):
    response = client_for(world.sec_ca).get(
        reverse("factsheets:region_factsheet", args=[world.ca.pk]), {"as_of": "31/02/2023"}
    )
    assert response.status_code == 400
    assert "As of:" in response.content.decode()
    assert response.context["sheet"].as_of == timezone.localdate()


def test_the_region_page_links_the_country_sheets_and_the_region(world, ca):
    text = (
        client_for(world.nfp_ph)
        .get(reverse("factsheets:region_factsheet", args=[world.ca.pk]))
        .content.decode()
    )
    assert reverse("factsheets:country_factsheet", args=[ca.countries["MN"].pk]) in text
    assert world.ca.get_absolute_url() in text
    assert 'class="world-map' in text and "stage-5" in text


def test_the_secretariat_is_offered_to_add_an_achievement_and_others_are_not(world, ca):
    url = reverse("factsheets:region_factsheet", args=[world.ca.pk])
    add = f"{reverse('factsheets:achievement_add')}?region={world.ca.pk}"
    assert add in client_for(world.sec_ca).get(url).content.decode()
    assert add not in client_for(world.nfp_kz).get(url).content.decode()
    response = client_for(world.sec_ca).get(add)
    assert response.status_code == 200 and f'value="{world.ca.pk}" selected' in response.content.decode()


def test_the_country_page_states_the_stage_and_the_projects(world, ca):
    response = client_for(world.nfp_kz).get(
        reverse("factsheets:country_factsheet", args=[world.kz.pk]), {"as_of": "2023-05-31"}
    )
    text = html.unescape(response.content.decode())
    assert "National Action Plan in preparation" in text
    assert "Since 2013, the country took part in 13 projects, of which 2 are ongoing in 2023." in text
    assert f"{reverse('factsheets:country_factsheet_pdf', args=[world.kz.pk])}?as_of=2023-05-31" in text


def test_the_country_pdf_is_a_download_named_after_the_country(world, ca):
    from cbrnet.factsheets.tests.pdftext import pdf_words

    response = client_for(world.nfp_ph).get(
        reverse("factsheets:country_factsheet_pdf", args=[world.kz.pk]), {"as_of": "2023-05-31"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fact-sheet-kazakhstan-2023-05-31.pdf"'
    text = pdf_words(response.content)
    assert "Kazakhstan — fact sheet" in text and "Stage: National Action Plan in preparation" in text


def test_the_dashboard_shows_the_map_legend_scores_and_plans(world, ca):
    response = client_for(world.sec_ca).get(reverse("factsheets:dashboard"), {"network": world.coe.pk})
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert 'class="world-map' in text and 'data-country="UZ"' in text
    assert "National Action Plan developed" in text and "map-legend" in text
    assert "National CBRN Action Plan of Kazakhstan" in text
    assert reverse("factsheets:region_factsheet", args=[world.ca.pk]) in text


def test_the_dashboard_refuses_a_network_the_form_does_not_offer(world):
    response = client_for(world.sec_ca).get(reverse("factsheets:dashboard"), {"network": "999999"})
    assert response.status_code == 400
    assert "Network:" in response.content.decode()


def test_the_pages_keep_a_fixed_number_of_queries(world, ca, django_assert_max_num_queries):
    client = client_for(world.sec_ca)
    for url in pages(world):
        client.get(url)
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
