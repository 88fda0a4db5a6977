"""The matching on hand-built candidates (plain numpy, no database), then the selector that feeds it
from the registry."""

import numpy as np
import pytest

from cbrnet.incidents import matching, taxonomy
from cbrnet.incidents.matching import AVAILABLE, DEPLOYED, MAINTENANCE, Candidates

CODES, PARENTS = taxonomy.index()
AT = {code: number for number, code in enumerate(CODES)}
ALMATY = (43.238, 76.945)


def candidates(*rows):
    """rows: (id, codes, readiness h, (lat, lon) or None, languages, status, days)."""
    languages = {"en": 0, "ru": 1, "kk": 2, "fr": 3}
    return Candidates.from_rows(
        (
            pk,
            [AT[code] for code in codes],
            hours,
            *(base or (None, None)),
            [languages[code] for code in spoken],
            status,
            days,
        )
        for pk, codes, hours, base, spoken, status, days in rows
    )


def ranked(result, cands):
    return [int(cands.ids[i]) for i in result.ranking()]


def score(cands, needs, *, languages=(1,), where=ALMATY):
    return matching.score(
        cands,
        needs=[AT[code] for code in needs],
        parents=PARENTS,
        latitude=where[0] if where else None,
        longitude=where[1] if where else None,
        languages=languages,
    )


def test_the_exact_code_beats_its_group_which_beats_a_sibling_and_unrelated_codes_never_rank():
    cands = candidates(
        (1, ["RANET-DECON"], 12, ALMATY, ["ru"], AVAILABLE, 4),  # sibling of the requested decon capacity
        (2, ["RESCEU-CBRN-DECON"], 12, ALMATY, ["ru"], AVAILABLE, 4),  # exactly as requested
        (3, ["GRP-DECON"], 12, ALMATY, ["ru"], AVAILABLE, 4),  # registered at group level
        (4, ["UCPM-FHOS"], 0, ALMATY, ["ru"], AVAILABLE, 10),  # a field hospital: no fit at all
    )
    result = score(cands, ["RESCEU-CBRN-DECON"])
    assert ranked(result, cands) == [2, 3, 1]
    assert list(result.fit) == [matching.SIBLING, matching.EXACT, matching.PARENT, 0.0]
    assert result.score[3] == 0.0


def test_a_request_for_a_group_is_met_by_any_member_and_the_matched_need_is_reported():
    cands = candidates(
        (1, ["UCPM-FHOS", "RANET-DECON"], 24, ALMATY, ["ru"], AVAILABLE, 4),
        (2, ["UCPM-CBRNDET"], 24, ALMATY, ["ru"], AVAILABLE, 4),
    )
    result = score(cands, ["UCPM-CBRNDET", "GRP-DECON"])
    assert list(result.fit) == [1.0, 1.0]
    assert list(result.matched_need) == [1, 0]
    assert CODES[result.matched_code[0]] == "RANET-DECON"


def test_closer_readier_available_and_speaking_the_language_ranks_higher_all_else_equal():
    base = (1, ["UCPM-CBRNDET"], 12, ALMATY, ["ru"], AVAILABLE, 4)
    variants = {
        2: (2, ["UCPM-CBRNDET"], 12, (45.812, 8.611), ["ru"], AVAILABLE, 4),  # Ispra: 5,300 km
        3: (3, ["UCPM-CBRNDET"], 96, ALMATY, ["ru"], AVAILABLE, 4),  # four days to get ready
        4: (4, ["UCPM-CBRNDET"], 12, ALMATY, ["fr"], AVAILABLE, 4),  # no common language
        5: (5, ["UCPM-CBRNDET"], 12, ALMATY, ["ru"], DEPLOYED, 4),  # busy elsewhere
        6: (6, ["UCPM-CBRNDET"], 12, ALMATY, ["ru"], AVAILABLE, 0),  # needs host support
    }
    for pk, row in variants.items():
        cands = candidates(row, base)
        assert ranked(score(cands, ["UCPM-CBRNDET"]), cands) == [1, pk], pk


def test_each_criterion_is_scored_as_documented():
    cands = candidates(
        (1, ["UCPM-CBRNDET"], 24, (41.311, 69.279), ["en", "ru"], MAINTENANCE, 2),
        (2, ["UCPM-CBRNDET"], 0, None, [], AVAILABLE, 8),
    )
    result = score(cands, ["UCPM-CBRNDET"])
    assert result.readiness[0] == pytest.approx(0.5) and result.readiness[1] == 1.0
    assert 660 < result.distance_km[0] < 700  # Tashkent to Almaty
    assert result.travel_hours[0] == pytest.approx(
        matching.AIR_OVERHEAD_H + result.distance_km[0] / matching.AIR_KMH
    )
    assert np.isnan(result.distance_km[1]) and result.travel[1] == 0.5
    assert list(result.language) == [1.0, 0.5]
    assert list(result.availability) == [0.0, 1.0]
    assert list(result.self_sufficiency) == [0.5, 1.0]


def test_road_under_500_km_and_air_beyond():
    assert matching.travel_hours(np.array([120.0]))[0] == pytest.approx(2.0)
    assert matching.travel_hours(np.array([7000.0]))[0] == pytest.approx(16.0)
    assert matching.haversine_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.01)


def test_no_incident_location_and_no_languages_are_neutral_not_fatal():
    cands = candidates((1, ["UCPM-CBRNDET"], 12, ALMATY, ["ru"], AVAILABLE, 4))
    result = score(cands, ["UCPM-CBRNDET"], languages=(), where=None)
    assert result.travel[0] == 0.5 and result.language[0] == 0.5 and result.score[0] > 0


def test_empty_code_and_language_lists_and_no_candidates_at_all():
    cands = candidates((1, [], 12, None, [], AVAILABLE, 0), (2, ["UCPM-CBRNDET"], 12, None, [], AVAILABLE, 0))
    result = score(cands, ["UCPM-CBRNDET"])
    assert list(result.fit) == [0.0, 1.0] and ranked(result, cands) == [2]
    empty = Candidates.from_rows([])
    assert len(score(empty, ["UCPM-CBRNDET"]).score) == 0


def test_the_ranking_keeps_the_best_when_it_is_cut_and_breaks_ties_by_position():
    rng = np.random.default_rng(7)
    rows = [
        (pk, ["UCPM-CBRNDET"], float(rng.integers(0, 100)), ALMATY, ["ru"], AVAILABLE, 4)
        for pk in range(1, 301)
    ]
    cands = candidates(*rows)
    result = score(cands, ["UCPM-CBRNDET"])
    full = result.ranking()
    assert list(result.ranking(10)) == list(full[:10])
    ties = candidates(*[(pk, ["UCPM-CBRNDET"], 12, ALMATY, ["ru"], AVAILABLE, 4) for pk in (5, 3, 9)])
    assert ranked(score(ties, ["UCPM-CBRNDET"]), ties) == [5, 3, 9]


def test_the_relation_matrix_follows_the_taxonomy():
    relation = matching.relation_matrix(PARENTS)
    assert relation[AT["GRP-DECON"], AT["RANET-DECON"]] == matching.GROUP_MEMBER
    assert relation[AT["RANET-DECON"], AT["GRP-DECON"]] == matching.PARENT
    assert relation[AT["RANET-DECON"], AT["RESCEU-CBRN-DECON"]] == matching.SIBLING
    assert relation[AT["RANET-DECON"], AT["UCPM-FHOS"]] == 0.0
    assert relation[AT["GRP-DECON"], AT["GRP-MEDICAL"]] == 0.0  # groups are not siblings of each other


def test_every_code_of_the_shared_taxonomy_is_in_a_group():
    types = taxonomy.types()
    leaves = [item for item in types.values() if not item.is_group]
    assert len(leaves) == 27 and all(types[item.parent].is_group for item in leaves)
    assert {"GRP-DETECT", "GRP-DECON", "GRP-MEDICAL", "GRP-RADIATION", "GRP-FORENSICS"} <= set(types)


@pytest.mark.django_db
def test_the_selector_ranks_registered_capabilities_leaving_out_the_affected_countrys_own(world, scene):
    from cbrnet.incidents.selectors import request_matches

    result = request_matches(user=world.sec_ca, request=scene.request)
    names = [match.capability.name for match in result.matches]
    # Detection (exact fit, nearest) first; PH decontamination (a member of the requested group);
    # the JRC mobile laboratory (a sibling of detection); Kazakhstan's own team never.
    assert names == ["UZ detection team", "PH decontamination unit", "JRC mobile laboratory"]
    assert result.candidates == 3 and result.eligible == 3
    top = result.matches[0]
    reasons = {reason.criterion: reason.text for reason in top.reasons}
    assert top.need_code == "UCPM-CBRNDET"
    assert reasons["fit"] == "UCPM-CBRNDET, as requested"
    assert "km from UZ detection team base" in reasons["travel"] and "by air" in reasons["travel"]
    assert reasons["language"] == "works in ru"
    assert set(reasons) == {"fit", "readiness", "travel", "language", "availability", "self_sufficiency"}


@pytest.mark.django_db
def test_the_selector_loads_the_candidates_in_one_query(world, scene, django_assert_num_queries):
    from cbrnet.incidents.models import Capability
    from cbrnet.incidents.selectors import matching_candidates

    with django_assert_num_queries(1):
        cands, languages = matching_candidates(Capability.objects.all())
    assert len(cands) == 4 and set(languages) == {"uz", "ru", "en", "tl", "kk"}
