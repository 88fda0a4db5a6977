"""Scores, gaps, a country's history and a region's comparison through the database and the access
engine (cbrnet.assessments.selectors.scores)."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.selectors import scores
from cbrnet.assessments.tests.score_helpers import (
    LEVEL,
    YPN,
    make_areas,
    make_assessment,
    make_priority,
    make_version,
    worked_example,
)
from cbrnet.core.audit import audit_actor
from cbrnet.registry.models import Country, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(world):
    return worked_example(world)


def test_the_worked_example_scores_as_documented(world, example):
    card = scores.assessment_scores(user=world.nfp_kz, assessment=example.assessment)
    assert card.overall == pytest.approx(56.25)
    assert card.coverage == pytest.approx(80.0)
    assert (card.answered, card.not_applicable, card.unanswered, card.not_scored) == (3, 1, 1, 1)
    legal, border = card.by_area
    assert (legal.thematic_area, legal.score, legal.coverage) == (
        example.areas.legal,
        pytest.approx(200 / 3),
        100.0,
    )
    assert (border.thematic_area, border.score, border.coverage) == (
        example.areas.border,
        pytest.approx(25.0),
        50.0,
    )
    assert card.area_scores == {example.areas.legal.pk: pytest.approx(200 / 3), example.areas.border.pk: 25.0}
    assert card.domain_scores == {"C": pytest.approx(175 / 3), "B": 37.5, "R": None, "N": None, "E": None}
    rows = {row.question.code: row for row in card.questions}
    assert list(rows) == ["Q1", "Q2", "Q3", "Q4", "Q5"]  # the number question is not scored
    assert (rows["Q1"].status, rows["Q1"].score, rows["Q1"].current_level, rows["Q1"].answer_label) == (
        "answered",
        75.0,
        4,
        "4",
    )
    assert (rows["Q2"].score, rows["Q2"].current_level, rows["Q2"].answer_label) == (50.0, 3, "Partly")
    assert (rows["Q3"].status, rows["Q3"].score) == ("not_applicable", None)
    assert (rows["Q4"].status, rows["Q4"].score, rows["Q4"].current_level) == ("unanswered", None, None)


def test_gaps_are_ranked_by_gap_weight_and_regional_priority(world, example):
    gaps = scores.assessment_gaps(user=world.sec_ca, assessment=example.assessment)
    assert [gap.question.code for gap in gaps] == ["Q5", "Q2"]
    first, second = gaps
    assert (first.rank, first.current_level, first.target_level, first.gap) == (1, 2, 4, 2.0)
    assert (first.regional_priority, first.priority_factor, first.rank_score) == (True, 1.5, 3.0)
    assert (first.thematic_area, first.domains, first.weight) == (example.areas.border, "CB", 1.0)
    assert (second.rank, second.current_level, second.gap, second.regional_priority, second.rank_score) == (
        2,
        3,
        1.0,
        False,
        1.0,
    )


def test_without_the_regional_priority_the_heavier_gap_comes_first(world):
    areas = make_areas()
    version = make_version(
        world.coe, [("A", areas.legal, LEVEL, 3, "C", 4), ("B", areas.border, LEVEL, 2, "C", 4)]
    )
    assessment = make_assessment(world.kz, version, 2024, {"A": 3, "B": 3})
    assert [
        gap.question.code for gap in scores.assessment_gaps(user=world.nfp_kz, assessment=assessment)
    ] == ["A", "B"]
    make_priority(world.ca, areas.border)  # B: 1 × 2 × 1.5 = 3 ties with A: 1 × 3; A weighs more
    assert [
        gap.question.code for gap in scores.assessment_gaps(user=world.nfp_kz, assessment=assessment)
    ] == ["A", "B"]
    make_priority(world.sea, areas.legal)  # another region's priority changes nothing for Kazakhstan
    gaps = scores.assessment_gaps(user=world.nfp_kz, assessment=assessment)
    assert [(gap.question.code, gap.regional_priority) for gap in gaps] == [("A", False), ("B", True)]


def test_a_target_set_on_the_answer_replaces_the_questions_target(world):
    areas = make_areas()
    version = make_version(
        world.coe, [("A", areas.legal, LEVEL, 1, "", 4), ("B", areas.legal, YPN, 1, "", 3)]
    )
    assessment = make_assessment(world.kz, version, 2024, {"A": (4, 5), "B": "partly"})
    gaps = scores.assessment_gaps(user=world.nfp_kz, assessment=assessment)
    assert [(gap.question.code, gap.target_level, gap.gap) for gap in gaps] == [
        ("A", 5, 1.0)
    ]  # B: partly is level 3


def test_nobody_sees_the_scores_of_an_assessment_hidden_from_them(world, example):
    draft = make_assessment(world.kz, example.version, 2025, {"Q1": 5}, status=AssessmentStatus.DRAFT)
    assert scores.assessment_scores(user=world.team_kz, assessment=draft).overall == 100.0
    assert scores.assessment_scores(user=world.sec_ca, assessment=draft).overall == 100.0
    for user in (world.nfp_uz, world.nfp_ph, world.viewer_my, world.outsider, None):
        with pytest.raises(Http404):
            scores.assessment_scores(user=user, assessment=draft)
        with pytest.raises(Http404):
            scores.assessment_gaps(user=user, assessment=draft)
    # Published: the network's members read it; an organisation outside the network does not.
    assert scores.assessment_scores(
        user=world.nfp_uz, assessment=example.assessment
    ).overall == pytest.approx(56.25)
    with pytest.raises(Http404):
        scores.assessment_scores(user=world.viewer_my, assessment=example.assessment)


@pytest.fixture
def region(world):
    """Kazakhstan published 2023 and 2024; Uzbekistan published 2023 and has a 2024 draft."""
    areas = make_areas()
    version = make_version(
        world.coe,
        [
            ("L1", areas.legal, LEVEL, 1, "", 4),
            ("L2", areas.legal, YPN, 1, "C", 4),
            ("B1", areas.border, LEVEL, 2, "CBRN", 4),
        ],
        version="2022",
    )
    kz_old = make_assessment(world.kz, version, 2023, {"L1": 1, "L2": "no", "B1": 1})
    kz = make_assessment(world.kz, version, 2024, {"L1": 5, "L2": "yes", "B1": 3})
    uz = make_assessment(world.uz, version, 2023, {"L1": 3, "L2": "partly", "B1": "na"})
    uz_draft = make_assessment(
        world.uz, version, 2024, {"L1": 1, "L2": "no", "B1": 1}, status=AssessmentStatus.DRAFT
    )
    return areas, version, kz_old, kz, uz, uz_draft


def test_region_comparison_shows_each_countrys_latest_visible_assessment(world, region):
    areas, _version, _kz_old, kz, uz, uz_draft = region
    comparison = scores.region_comparison(user=world.nfp_kz, region=world.ca, family="NAQ")
    assert comparison.areas == (areas.legal, areas.border)
    rows = {row.country.iso2: row for row in comparison.rows}
    assert list(rows) == ["KZ", "UZ"]
    assert rows["KZ"].assessment == kz and rows["KZ"].cells == (100.0, 50.0)
    assert rows["KZ"].overall == pytest.approx((1 + 1 + 2 * 0.5) / 4 * 100)
    # Uzbekistan's 2024 draft is not Kazakhstan's to see: its published 2023 assessment stands.
    assert rows["UZ"].assessment == uz and rows["UZ"].cells == (50.0, None)
    assert rows["UZ"].area_scores == {areas.legal.pk: 50.0, areas.border.pk: None}
    assert comparison.average_by_area == (75.0, 50.0)
    assert comparison.average_overall == pytest.approx((75.0 + 50.0) / 2)
    # The secretariat of the region sees the draft.
    rows = {
        row.country.iso2: row
        for row in scores.region_comparison(user=world.sec_ca, region=world.ca, family="NAQ").rows
    }
    assert rows["UZ"].assessment == uz_draft and rows["UZ"].cells == (0.0, 0.0)


def test_a_country_without_a_visible_assessment_keeps_an_empty_row(world, region):
    comparison = scores.region_comparison(user=world.nfp_ph, region=world.sea, family="NAQ")
    assert [(row.country.iso2, row.assessment, row.overall) for row in comparison.rows] == [
        ("MY", None, None),
        ("PH", None, None),
        ("TH", None, None),
    ]
    assert comparison.areas == () and comparison.average_overall is None and comparison.assessed == 0
    # A member outside the network sees no assessment of the CoE network.
    rows = scores.region_comparison(user=world.viewer_my, region=world.ca, family="NAQ").rows
    assert [row.assessment for row in rows] == [None, None]
    assert scores.region_comparison(user=world.nfp_kz, region=world.ca, family="OTHER").assessed == 0


def test_region_comparison_takes_a_constant_number_of_queries(world, region):
    _areas, version, *_ = region
    scores.region_comparison(user=world.sec_ca, region=world.ca, family="NAQ")  # the access context is cached
    with CaptureQueriesContext(connection) as few:
        scores.region_comparison(user=world.sec_ca, region=world.ca, family="NAQ")
    with audit_actor(None, source="command"):
        for number in range(8):
            country = Country.objects.create(
                iso2=f"Q{chr(65 + number)}", iso3=f"QQ{chr(65 + number)}", name=f"Testland {number}"
            )
            Membership.objects.create(network=world.coe, region=world.ca, country=country)
            make_assessment(country, version, 2024, {"L1": 2, "L2": "yes", "B1": 4})
    with CaptureQueriesContext(connection) as many:
        comparison = scores.region_comparison(user=world.sec_ca, region=world.ca, family="NAQ")
    assert comparison.assessed == 10
    assert len(many) == len(few) <= 4


def test_assessment_scores_and_gaps_take_a_few_queries(world, example, django_assert_max_num_queries):
    scores.assessment_scores(user=world.nfp_kz, assessment=example.assessment)
    with django_assert_max_num_queries(3):
        scores.assessment_scores(user=world.nfp_kz, assessment=example.assessment)
    with django_assert_max_num_queries(4):
        scores.assessment_gaps(user=world.nfp_kz, assessment=example.assessment)


@pytest.fixture
def versions(world):
    """Three versions of the NAQ: 2019 → 2021 → 2024, each mapping its questions onto the one before."""
    areas = make_areas()
    v2019 = make_version(
        world.coe,
        [
            ("OLD-L", areas.legal, LEVEL, 1, "", 4),
            ("OLD-B", areas.border, LEVEL, 1, "C", 4),
            ("OLD-X", areas.bio, LEVEL, 1, "B", 4),  # dropped later
        ],
        version="2019",
    )
    v2021 = make_version(
        world.coe,
        [
            ("MID-L", areas.legal, LEVEL, 1, "", 4, "OLD-L"),
            ("MID-B", areas.border, YPN, 1, "C", 4, "OLD-B"),
        ],
        version="2021",
        previous=v2019,
    )
    v2024 = make_version(
        world.coe,
        [
            ("NEW-L", areas.legal, LEVEL, 2, "", 4, "MID-L"),
            ("NEW-B", areas.border, LEVEL, 1, "C", 4, "MID-B"),
            ("NEW-Q", areas.border, LEVEL, 1, "R", 4),  # new in 2024
        ],
        version="2024",
        previous=v2021,
    )
    return areas, v2019, v2021, v2024


def test_country_history_carries_older_answers_onto_the_newest_questions(world, versions):
    areas, v2019, v2021, v2024 = versions
    first = make_assessment(world.kz, v2019, 2019, {"OLD-L": 1, "OLD-B": 3, "OLD-X": 5})
    second = make_assessment(world.kz, v2021, 2021, {"MID-L": 3, "MID-B": "yes"})
    third = make_assessment(world.kz, v2024, 2024, {"NEW-L": 5, "NEW-B": 4, "NEW-Q": 1})
    make_assessment(world.uz, v2024, 2024, {"NEW-L": 1})  # another country: not in Kazakhstan's history
    history = scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ")
    assert history.reference_version == v2024
    assert [point.assessment for point in history.points] == [first, second, third]
    assert history.areas == (areas.legal, areas.border, areas.bio)
    one, two, three = history.points
    # Own scores, on each version's own questions; thematic areas compare directly.
    assert one.by_area == {areas.legal.pk: 0.0, areas.border.pk: 50.0, areas.bio.pk: 100.0}
    assert one.overall == pytest.approx(50.0)
    assert two.by_area == {areas.legal.pk: 50.0, areas.border.pk: 100.0}
    assert three.by_area == {areas.legal.pk: 100.0, areas.border.pk: pytest.approx(37.5)}
    # On the 2024 questions: 2019's answers reach NEW-L and NEW-B through MID-L and MID-B.
    new = v2024.q
    assert one.questions == {new["NEW-L"].pk: 0.0, new["NEW-B"].pk: 50.0, new["NEW-Q"].pk: None}
    assert one.comparable_overall == pytest.approx((2 * 0 + 0.5) / 3 * 100)
    assert one.comparable_coverage == pytest.approx(75.0)  # NEW-Q did not exist: weight 1 of 4 unanswered
    assert two.questions == {new["NEW-L"].pk: 50.0, new["NEW-B"].pk: 100.0, new["NEW-Q"].pk: None}
    assert (
        three.comparable_overall
        == pytest.approx(three.overall)
        == pytest.approx((2 * 1 + 0.75 + 0) / 4 * 100)
    )
    assert three.comparable_coverage == 100.0
    assert history.area_series(areas.bio.pk) == [(2019, 100.0), (2021, None), (2024, None)]


def test_country_history_leaves_out_what_the_user_may_not_see(world, versions):
    _areas, v2019, _v2021, v2024 = versions
    make_assessment(world.kz, v2019, 2019, {"OLD-L": 2})
    make_assessment(world.kz, v2024, 2024, {"NEW-L": 4}, status=AssessmentStatus.DRAFT)
    assert [
        point.year
        for point in scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ").points
    ] == [2019, 2024]
    history = scores.country_history(user=world.nfp_uz, country=world.kz, family="NAQ")
    assert [point.year for point in history.points] == [2019]
    assert history.reference_version == v2019
    empty = scores.country_history(user=world.viewer_my, country=world.kz, family="NAQ")
    assert (empty.points, empty.reference_version, empty.areas) == ((), None, ())


def test_country_history_takes_a_constant_number_of_queries(world, versions):
    _areas, v2019, v2021, v2024 = versions
    make_assessment(world.kz, v2019, 2019, {"OLD-L": 2})
    scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ")
    with CaptureQueriesContext(connection) as few:
        scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ")
    make_assessment(world.kz, v2021, 2021, {"MID-L": 2})
    make_assessment(world.kz, v2024, 2024, {"NEW-L": 2, "NEW-B": 3})
    make_assessment(world.kz, v2024, 2025, {"NEW-L": 3})
    with CaptureQueriesContext(connection) as many:
        assert len(scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ").points) == 4
    assert len(many) == len(few) <= 3


def test_families_and_regions_for_navigation(world, region, versions):
    make_version(world.coe, [("Z", make_areas().legal, LEVEL, 1, "", 4)], family="JEE", version="1")
    assert scores.country_families(user=world.nfp_kz, country=world.kz) == ["NAQ"]
    assert scores.region_families(user=world.nfp_kz, region=world.ca) == ["NAQ"]
    assert scores.region_families(user=world.viewer_my, region=world.ca) == []
    assert scores.country_region(user=world.nfp_kz, country=world.kz, network=world.coe) == world.ca
    assert scores.country_region(user=world.nfp_kz, country=world.kz, network=world.asean) is None


def test_two_new_questions_may_continue_the_same_old_one(world):
    areas = make_areas()
    old = make_version(world.coe, [("OLD", areas.legal, LEVEL, 1, "", 4)], version="2019")
    new = make_version(
        world.coe,
        [("SPLIT-A", areas.legal, LEVEL, 1, "", 4, "OLD"), ("SPLIT-B", areas.border, YPN, 1, "", 4, "OLD")],
        version="2024",
        previous=old,
    )
    make_assessment(world.kz, old, 2019, {"OLD": 3})
    make_assessment(world.kz, new, 2024, {"SPLIT-A": 5, "SPLIT-B": "no"})
    first, second = scores.country_history(user=world.nfp_kz, country=world.kz, family="NAQ").points
    # The old level-3 answer counts for both; SPLIT-B is a yes/partly/no question now, but the old
    # answer is read with the old question's type.
    assert first.questions == {new.q["SPLIT-A"].pk: 50.0, new.q["SPLIT-B"].pk: 50.0}
    assert first.comparable_coverage == 100.0
    assert second.questions == {new.q["SPLIT-A"].pk: 100.0, new.q["SPLIT-B"].pk: 0.0}
    assert second.by_area == {areas.legal.pk: 100.0, areas.border.pk: 0.0}
