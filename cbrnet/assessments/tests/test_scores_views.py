"""The scores, gaps, history and heatmap pages and the scores API: what each persona sees, 404 for
what they may not see, the numbers on the page, the links between the pages, and query counts."""

import datetime
import re

import pytest
from django.urls import reverse

from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.tests.score_helpers import (
    LEVEL,
    YPN,
    make_assessment,
    make_version,
    worked_example,
)
from cbrnet.assessments.views.scores import heat_class
from cbrnet.core.audit import audit_actor
from cbrnet.registry.models import Country, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    """The worked example (KZ 2024, published), a KZ 2025 draft, UZ 2023 published, a 2019 version."""
    example = worked_example(world)
    areas = example.areas
    old = make_version(
        world.coe,
        [("O1", areas.legal, LEVEL, 2, "C", 4), ("O2", areas.border, YPN, 1, "", 4)],
        version="2019",
        published_on=datetime.date(2019, 1, 1),
    )
    example.kz_2019 = make_assessment(world.kz, old, 2019, {"O1": 2, "O2": "no"})
    example.draft = make_assessment(world.kz, example.version, 2025, {"Q1": 1}, status=AssessmentStatus.DRAFT)
    example.uz = make_assessment(world.uz, example.version, 2023, {"Q1": 5, "Q2": "yes", "Q5": 5})
    return example


def url(name, pk, family=None):
    path = reverse(f"assessments:{name}", args=[pk])
    return f"{path}?family={family}" if family else path


def test_the_scores_page_shows_overall_bars_and_questions_with_links(world, scene, client_as):
    response = client_as(world.nfp_kz).get(url("assessment_scores", scene.assessment.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'data-figure="overall">56<', page)
    assert re.search(r'data-figure="coverage">80 %<', page)
    # Bars: legal 67, border 25; the chemical domain 58; radiological has no score.
    assert '<rect class="bar-fill" width="66.7"' in page and '<rect class="bar-fill" width="25"' in page
    assert '<rect class="bar-fill" width="58.3"' in page
    assert page.count("no score") >= 3
    assert "Q5" in page and "reads as level 3" in page
    # Linked to the gaps, the history of Kazakhstan and the comparison of Central Asia.
    assert url("assessment_gaps", scene.assessment.pk) in page
    assert url("country_history", world.kz.pk, "NAQ") in page
    assert url("region_comparison", world.ca.pk, "NAQ") in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_gaps_page_ranks_the_regional_priority_first(world, scene, client_as):
    response = client_as(world.sec_ca).get(url("assessment_gaps", scene.assessment.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Question Q5?") < page.index("Question Q2?")
    assert "priority (× 1.5)" in page
    assert "1 question is unanswered" in page
    assert url("assessment_scores", scene.assessment.pk) in page


@pytest.mark.parametrize("name", ["assessment_scores", "assessment_gaps"])
def test_an_assessment_hidden_from_the_user_is_404_and_anonymous_signs_in(world, scene, client_as, name):
    assert client_as(world.nfp_uz).get(url(name, scene.draft.pk)).status_code == 404
    assert client_as(world.viewer_my).get(url(name, scene.assessment.pk)).status_code == 404
    assert client_as(world.nfp_uz).get(url(name, scene.assessment.pk)).status_code == 200
    assert client_as(world.team_kz).get(url(name, scene.draft.pk)).status_code == 200
    assert client_as(world.admin).get(url(name, 999999)).status_code == 404
    response = client_as(None).get(url(name, scene.assessment.pk))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_history_page_draws_a_line_per_area_and_the_table(world, scene, client_as):
    response = client_as(world.nfp_kz).get(url("country_history", world.kz.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="history-line') == 3  # overall, legal framework, border control
    table = page.split('id="history-table"', 1)[1]
    assert table.index(">2019<") < table.index(">2024<") < table.index(">2025<")
    assert "Draft" in table
    assert url("assessment_scores", scene.kz_2019.pk) in page
    only = client_as(world.nfp_kz).get(url("country_history", world.kz.pk) + "?family=NAQ&show=overall")
    assert only.content.decode().count('class="history-line') == 1
    # Uzbekistan's focal point sees Kazakhstan's published assessments only.
    other = client_as(world.nfp_uz).get(url("country_history", world.kz.pk, "NAQ")).content.decode()
    assert ">2025<" not in other.split('id="history-table"', 1)[1]
    # A malformed family is ignored, an unknown one shows nothing.
    assert (
        client_as(world.nfp_kz).get(url("country_history", world.kz.pk) + "?family=%00x").status_code == 200
    )
    unknown = client_as(world.nfp_kz).get(url("country_history", world.kz.pk, "JEE")).content.decode()
    assert "No assessment of Kazakhstan with the questionnaire JEE" in unknown


def test_the_heatmap_prints_each_value_with_its_colour_band_and_a_legend(world, scene, client_as):
    response = client_as(world.nfp_uz).get(url("region_comparison", world.ca.pk))
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r"<tr><th scope=\"row\"><a [^>]*>([^<]+)</a></th>(.*?)</tr>", page, re.S)
    cells = {
        country: re.findall(r'<td class="heat (?:overall )?(heat-[\w-]+)">(.*?)</td>', body, re.S)
        for country, body in rows
    }
    # Kazakhstan 2024: legal 67, border 25, overall 56. Uzbekistan 2023: legal 100, border 100, overall 100.
    assert [(css, re.sub(r"<[^>]+>", "", text)) for css, text in cells["Kazakhstan"]] == [
        ("heat-3", "67"),
        ("heat-1", "25"),
        ("heat-2", "56"),
    ]
    assert [(css, re.sub(r"<[^>]+>", "", text)) for css, text in cells["Uzbekistan"]] == [
        ("heat-4", "100"),
        ("heat-4", "100"),
        ("heat-4", "100"),
    ]
    assert "Colour scale (score)" in page and page.count('class="heat-swatch') == 6
    assert url("country_history", world.kz.pk, "NAQ") in page
    assert url("assessment_scores", scene.assessment.pk) in page
    assert (
        url("assessment_scores", scene.draft.pk) not in page
    )  # Kazakhstan's draft is not Uzbekistan's to see…
    # …but it is the latest the secretariat may see.
    assert (
        url("assessment_scores", scene.draft.pk)
        in client_as(world.sec_ca).get(url("region_comparison", world.ca.pk, "NAQ")).content.decode()
    )


def test_heat_bands():
    assert [heat_class(value) for value in (None, 0, 19.99, 20, 59.9, 60, 79.99, 80, 100)] == [
        "heat-none",
        "heat-0",
        "heat-0",
        "heat-1",
        "heat-2",
        "heat-3",
        "heat-3",
        "heat-4",
        "heat-4",
    ]


def test_the_heatmap_page_keeps_its_query_count_with_more_countries(
    world, scene, client_as, django_assert_max_num_queries
):
    client = client_as(world.sec_ca)
    client.get(url("region_comparison", world.ca.pk, "NAQ"))
    with django_assert_max_num_queries(12) as few:
        client.get(url("region_comparison", world.ca.pk, "NAQ"))
    count = len(few)  # read now: each request empties the connection's query log
    with audit_actor(None, source="command"):
        for number in range(6):
            country = Country.objects.create(
                iso2=f"Q{chr(65 + number)}", iso3=f"QQ{chr(65 + number)}", name=f"Testland {number}"
            )
            Membership.objects.create(network=world.coe, region=world.ca, country=country)
            make_assessment(country, scene.version, 2024, {"Q1": 3})
    client.get(
        url("region_comparison", world.ca.pk, "NAQ")
    )  # new memberships: the access context is rebuilt once
    with django_assert_max_num_queries(count):
        response = client.get(url("region_comparison", world.ca.pk, "NAQ"))
    assert response.content.decode().count("Testland") >= 6


def test_the_index_leads_to_the_comparisons(world, scene, client_as):
    client = client_as(world.nfp_kz)
    page = client.get(reverse("assessments:score_index")).content.decode()
    assert "Central Asia" in page and f'value="{world.kz.pk}"' in page
    assert client.get(reverse("assessments:score_index") + f"?region={world.ca.pk}")["Location"] == url(
        "region_comparison", world.ca.pk
    )
    assert client.get(reverse("assessments:score_index") + f"?country={world.kz.pk}")["Location"] == url(
        "country_history", world.kz.pk
    )
    assert client.get(reverse("assessments:score_index") + "?region=99999999").status_code == 404


# --- API ---------------------------------------------------------------------------------------------
API = "/api/assessments/scores"


def test_api_scores_of_an_assessment(world, scene, client_as):
    response = client_as(world.nfp_kz).get(f"{API}/assessments/{scene.assessment.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (
        body["overall"],
        body["coverage"],
        body["answered"],
        body["not_applicable"],
        body["unanswered"],
        body["not_scored"],
    ) == (56.25, 80.0, 3, 1, 1, 1)
    assert [(area["code"], area["score"]) for area in body["thematic_areas"]] == [
        ("legal-framework", 66.67),
        ("border-control", 25.0),
    ]
    assert {domain["code"]: domain["score"] for domain in body["domains"]} == {
        "C": 58.33,
        "B": 37.5,
        "R": None,
        "N": None,
        "E": None,
    }
    assert [(q["code"], q["status"], q["score"]) for q in body["questions"]] == [
        ("Q1", "answered", 75.0),
        ("Q2", "answered", 50.0),
        ("Q3", "not_applicable", None),
        ("Q4", "unanswered", None),
        ("Q5", "answered", 25.0),
    ]


def test_api_gaps(world, scene, client_as):
    body = client_as(world.nfp_kz).get(f"{API}/assessments/{scene.assessment.pk}/gaps").json()
    assert [
        (gap["rank"], gap["code"], gap["gap"], gap["regional_priority"], gap["rank_score"]) for gap in body
    ] == [(1, "Q5", 2.0, True, 3.0), (2, "Q2", 1.0, False, 1.0)]


def test_api_history_and_comparison(world, scene, client_as):
    history = client_as(world.nfp_uz).get(f"{API}/countries/{world.kz.pk}/history", {"family": "NAQ"}).json()
    assert [point["year"] for point in history["points"]] == [2019, 2024]  # not the 2025 draft
    assert history["reference_version"] == scene.version.pk
    assert history["points"][1]["overall"] == 56.25
    comparison = (
        client_as(world.nfp_uz).get(f"{API}/regions/{world.ca.pk}/comparison", {"family": "NAQ"}).json()
    )
    assert [area["code"] for area in comparison["thematic_areas"]] == ["legal-framework", "border-control"]
    assert [(row["iso2"], row["year"], row["scores"]) for row in comparison["countries"]] == [
        ("KZ", 2024, [66.67, 25.0]),
        ("UZ", 2023, [100.0, 100.0]),
    ]
    assert comparison["average_by_area"] == [83.33, 62.5]


def test_api_answers_404_401_and_422(world, scene, client_as):
    assert client_as(world.nfp_uz).get(f"{API}/assessments/{scene.draft.pk}").status_code == 404
    assert client_as(world.nfp_uz).get(f"{API}/assessments/{scene.draft.pk}/gaps").status_code == 404
    assert client_as(world.viewer_my).get(f"{API}/assessments/{scene.assessment.pk}").status_code == 404
    assert (
        client_as(world.admin).get(f"{API}/countries/99999999/history", {"family": "NAQ"}).status_code == 404
    )
    assert (
        client_as(world.admin).get(f"{API}/regions/99999999/comparison", {"family": "NAQ"}).status_code == 404
    )
    assert client_as(world.admin).get(f"{API}/assessments/{2**70}").status_code == 404
    assert client_as(None).get(f"{API}/assessments/{scene.assessment.pk}").status_code == 401
    bad = client_as(world.admin).get(f"{API}/regions/{world.ca.pk}/comparison", {"family": "N\x00AQ"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "family"
    assert client_as(world.admin).get(f"{API}/regions/{world.ca.pk}/comparison").status_code == 422
    # A member outside the network sees the region, but none of the CoE assessments.
    rows = client_as(world.viewer_my).get(f"{API}/regions/{world.ca.pk}/comparison", {"family": "NAQ"}).json()
    assert [row["assessment"] for row in rows["countries"]] == [None, None]
