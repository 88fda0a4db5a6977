"""The Central Asia fact sheet of May 2023, rebuilt from records: the generated sheet — selector, web
page, JSON and PDF — states the seed's figures (6 NFPs, 6 national teams, 5 NAPs in preparation, 1
developed; 13 projects since 2013, 2 ongoing in 2023: P53 and P87 PRECA), its profile, priorities and
recent achievements."""

import datetime
import html

import pytest
from django.urls import reverse

from cbrnet.core.testing import client_for
from cbrnet.factsheets.selectors import region_fact_sheet
from cbrnet.factsheets.tests.central_asia import AS_OF, FRAMEWORK, GOAL, HOST, PRIORITIES, build_central_asia
from cbrnet.factsheets.tests.pdftext import pdf_words

pytestmark = pytest.mark.django_db

# What the seed fact sheet states, in the words the generated sheet uses.
STATED = [
    "6 partner countries of the region appointed their CBRN National Focal Points",
    "6 National Teams established",
    "5 partner countries are currently engaged in the preparation of their National CBRN Action Plans",
    "1 National Action Plan developed",
    "Since 2013, the region participated in 13 projects, of which 2 are ongoing in 2023.",
]
ACHIEVEMENT_TITLES = [
    "Over 200 experts trained on preparedness and response to mass gatherings",
    "Field training exercises on the mobile laboratory equipment",
    "Conference “COVID-19 Lessons Learnt”, Tbilisi",
]


@pytest.fixture
def ca(world):
    return build_central_asia(world)


@pytest.mark.parametrize("persona", ["sec_ca", "nfp_kz", "nfp_ph", "viewer_my", "outsider"])
def test_the_sheet_states_the_seed_figures_to_every_signed_in_user(world, ca, persona):
    sheet = region_fact_sheet(user=getattr(world, persona), region=world.ca, as_of=AS_OF)
    figures = sheet.methodology
    assert (
        figures.countries,
        figures.nfp_appointed,
        figures.teams_established,
        figures.naps_in_preparation,
        figures.naps_developed,
    ) == (6, 6, 6, 5, 1)
    assert (sheet.projects.total, sheet.projects.since) == (13, 2013)
    assert [project.code for project in sheet.projects.ongoing] == ["P53", "P87"]
    assert sheet.methodology.sentences() + [sheet.projects.sentence()] == STATED


def test_the_sheet_states_the_profile_countries_priorities_and_achievements(world, ca):
    sheet = region_fact_sheet(user=world.nfp_uz, region=world.ca, as_of=AS_OF)
    profile = sheet.secretariat
    assert profile.framework == FRAMEWORK and profile.overall_goal == GOAL
    assert profile.established == datetime.date(2015, 7, 17)
    assert profile.location == f"{HOST}, Tashkent, Uzbekistan"
    assert [line.name for line in sheet.partners] == [
        "Kazakhstan",
        "Kyrgyzstan",
        "Mongolia",
        "Pakistan",
        "Tajikistan",
        "Uzbekistan",
    ]
    assert [line.name for line in sheet.potential_partners] == ["Afghanistan"]
    assert sheet.priorities == list(PRIORITIES)
    # Newest first; on the same date the one recorded last first.
    assert [item.title for item in sheet.achievements] == ACHIEVEMENT_TITLES
    assert all("fact sheet, May 2023" in item.source for item in sheet.achievements)
    assert sheet.achievements[0].project.startswith("P87")
    assert (sheet.training.people, sheet.training.countries) == (24, 6)


def test_the_figures_follow_the_records(world, ca):
    """Not hard-coded: Pakistan's plan approved, a project closed in 2022, the date a year later."""
    from cbrnet.core.audit import audit_actor

    with audit_actor(None, source="command"):
        ca.plans["PK"].status = "approved"
        ca.plans["PK"].save()
        ca.projects["P87"].end_year = 2022
        ca.projects["P87"].save()
    sheet = region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=AS_OF)
    assert (sheet.methodology.naps_in_preparation, sheet.methodology.naps_developed) == (4, 2)
    assert [project.code for project in sheet.projects.ongoing] == ["P53"]
    later = region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=datetime.date(2024, 6, 1))
    assert later.projects.total == 14  # P110 started in 2024


def test_the_web_page_states_the_seed_figures(world, ca):
    response = client_for(world.nfp_kz).get(
        reverse("factsheets:region_factsheet", args=[world.ca.pk]), {"as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    for sentence in STATED:
        assert sentence in text
    for title in [*ACHIEVEMENT_TITLES, FRAMEWORK, GOAL, HOST, *PRIORITIES]:
        assert html.unescape(html.escape(title)) in text
    assert "Project: P87" in text and "Project: P53" in text
    assert f"{reverse('factsheets:region_factsheet_pdf', args=[world.ca.pk])}?as_of=2023-05-31" in text


def test_the_json_states_the_seed_figures(world, ca):
    response = client_for(world.nfp_ph).get(f"/api/factsheets/regions/{world.ca.pk}", {"as_of": "2023-05-31"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2023-05-31"
    assert body["methodology"] == {
        "countries": 6,
        "nfp_appointed": 6,
        "teams_established": 6,
        "naps_in_preparation": 5,
        "naps_developed": 1,
        "naps_adopted": 0,
    }
    assert (body["projects"]["total"], body["projects"]["since"]) == (13, 2013)
    assert [project["code"] for project in body["projects"]["ongoing"]] == ["P53", "P87"]
    assert body["methodology_sentences"] + [body["projects"]["sentence"]] == STATED
    assert body["secretariat"]["location"] == f"{HOST}, Tashkent, Uzbekistan"
    assert [item["title"] for item in body["achievements"]] == ACHIEVEMENT_TITLES
    assert body["priorities"] == list(PRIORITIES)


def test_the_pdf_states_the_seed_figures(world, ca):
    response = client_for(world.sec_ca).get(
        reverse("factsheets:region_factsheet_pdf", args=[world.ca.pk]), {"as_of": "2023-05-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fact-sheet-central-asia-2023-05-31.pdf"'
    text = pdf_words(response.content)
    for sentence in STATED:
        assert sentence in text
    for phrase in [
        "Central Asia — fact sheet",
        "Project: P87 — PRECA",
        "Project: P53 — Strengthening",
        f"{HOST}, Tashkent, Uzbekistan",
        GOAL,
        *ACHIEVEMENT_TITLES,
        *PRIORITIES,
    ]:
        assert phrase in text, phrase
    api = client_for(world.sec_ca).get(f"/api/factsheets/regions/{world.ca.pk}.pdf", {"as_of": "2023-05-31"})
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    assert all(sentence in pdf_words(api.content) for sentence in STATED)
