"""The scoring method (cbrnet.assessments.scoring, docs/scoring.md) on hand-computed cases."""

import math

import numpy as np
import pytest

from cbrnet.assessments import scoring

NAN = float("nan")


def worked_example():
    """The example of docs/scoring.md: five questions, two thematic areas (0 "A", 1 "B").

    Q1 level 4 (0.75), weight 2, area A, domain C
    Q2 partly (0.5),   weight 1, area A, domain B
    Q3 not applicable, weight 3, area B, domains C and B
    Q4 unanswered,     weight 1, area B, all hazards
    Q5 level 2 (0.25), weight 1, area B, domains C and B
    """
    values = np.array(
        [[scoring.level_value(4), scoring.YES_PARTLY_NO_VALUES["partly"], NAN, NAN, scoring.level_value(2)]]
    )
    answered = np.array([[True, True, False, False, True]])
    not_applicable = np.array([[False, False, True, False, False]])
    weights = np.array([2.0, 1.0, 3.0, 1.0, 1.0])
    areas = np.array([0, 0, 1, 1, 1])
    domains = scoring.domain_membership(["C", "B", "CB", "", "CB"])
    return values, answered, not_applicable, weights, areas, domains


def test_levels_and_yes_partly_no_map_onto_zero_to_one():
    assert [scoring.level_value(level) for level in (1, 2, 3, 4, 5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert scoring.YES_PARTLY_NO_VALUES == {"yes": 1.0, "partly": 0.5, "no": 0.0}
    assert scoring.value_level(0.5) == 3.0
    with pytest.raises(ValueError, match="between 1 and 5"):
        scoring.level_value(0)


def test_worked_example_of_the_documentation():
    values, answered, not_applicable, weights, areas, domains = worked_example()
    result = scoring.score(values, answered, not_applicable, weights, areas, n_areas=2, domains=domains)
    card = result.card(0)

    # Area A: (2 × 0.75 + 1 × 0.5) / (2 + 1) = 2/3.
    assert card["areas"][0]["score"] == pytest.approx(200 / 3)
    assert card["areas"][0]["coverage"] == pytest.approx(100.0)
    # Area B: only Q5 answered (Q3 not applicable, Q4 unanswered): 0.25; coverage 1 of weight 2.
    assert card["areas"][1] == {
        "score": pytest.approx(25.0),
        "coverage": pytest.approx(50.0),
        "answered": 1,
        "not_applicable": 1,
        "unanswered": 1,
    }
    # Overall: (1.5 + 0.5 + 0.25) / (2 + 1 + 1) = 56.25; coverage 4 of the applicable weight 5.
    assert card["overall"] == {
        "score": pytest.approx(56.25),
        "coverage": pytest.approx(80.0),
        "answered": 3,
        "not_applicable": 1,
        "unanswered": 1,
    }
    # Chemical: Q1, Q5 answered, Q3 N/A, Q4 (all hazards) unanswered: (1.5 + 0.25) / 3.
    assert card["domains"]["C"]["score"] == pytest.approx(175 / 3)
    assert card["domains"]["C"]["coverage"] == pytest.approx(75.0)
    # Biological: Q2, Q5: (0.5 + 0.25) / 2.
    assert card["domains"]["B"]["score"] == pytest.approx(37.5)
    assert card["domains"]["B"]["coverage"] == pytest.approx(200 / 3)
    # Radiological, nuclear, explosives: only the all-hazards Q4, unanswered: no score, coverage 0.
    for letter in "RNE":
        assert card["domains"][letter] == {
            "score": None,
            "coverage": 0.0,
            "answered": 0,
            "not_applicable": 0,
            "unanswered": 1,
        }
    assert card["questions"] == [75.0, 50.0, None, None, 25.0]


def test_worked_example_gaps_rank_the_regional_priority_first():
    values, answered, not_applicable, weights, areas, _domains = worked_example()
    priority = areas == 1  # area B is a priority of the region
    result = scoring.gaps(values, answered, not_applicable, weights, np.array([4, 4, 4, 4, 4]), priority)
    levels = result.levels[0]
    # Q1 at level 4 reached its target; Q2 "partly" reads as level 3; Q5 is at level 2.
    assert levels[0] == 0.0 and levels[1] == 1.0 and levels[4] == 2.0
    assert math.isnan(levels[2]) and math.isnan(levels[3])
    # Rank scores: Q2 1 × 1 × 1 = 1; Q5 2 × 1 × 1.5 = 3.
    assert result.rank_score[0, 1] == 1.0 and result.rank_score[0, 4] == 3.0
    assert result.ranking(0, weights) == [4, 1]


def test_weights_change_the_score():
    values = np.array([[1.0, 0.0]])
    flags = np.array([[True, True]]), np.zeros((1, 2), dtype=bool)
    even = scoring.score(values, *flags, [1, 1], [0, 0])
    heavy = scoring.score(values, *flags, [3, 1], [0, 0])
    assert even.overall.score_of(0) == pytest.approx(50.0)
    assert heavy.overall.score_of(0) == pytest.approx(75.0)


def test_unanswered_questions_lower_coverage_not_the_score():
    values = np.array([[1.0, NAN, NAN]])
    answered = np.array([[True, False, False]])
    result = scoring.score(values, answered, np.zeros((1, 3), dtype=bool), [1, 1, 2], [0, 0, 0])
    assert result.overall.score_of(0) == pytest.approx(100.0)
    assert result.overall.coverage_of(0) == pytest.approx(25.0)
    assert result.overall.row(0)["unanswered"] == 2


def test_not_applicable_leaves_numerator_and_denominator():
    values = np.array([[0.5, 0.0]])
    answered = np.array([[True, True]])
    with_na = scoring.score(values, answered, np.array([[False, True]]), [1, 5], [0, 0])
    assert with_na.overall.score_of(0) == pytest.approx(50.0)  # without N/A it would be 2.5 / 6
    assert with_na.overall.coverage_of(0) == pytest.approx(100.0)
    assert with_na.question_score(0, 1) is None


def test_all_not_applicable_gives_none_everywhere_and_no_nan():
    result = scoring.score(
        np.full((1, 2), NAN), np.zeros((1, 2), dtype=bool), np.ones((1, 2), dtype=bool), [1, 1], [0, 1]
    )
    card = result.card(0)
    assert card["overall"] == {
        "score": None,
        "coverage": None,
        "answered": 0,
        "not_applicable": 2,
        "unanswered": 0,
    }
    assert [area["score"] for area in card["areas"]] == [None, None]
    assert card["domains"]["C"]["score"] is None
    assert card["questions"] == [None, None]


def test_an_empty_group_gives_none():
    values = np.array([[1.0]])
    result = scoring.score(
        values,
        np.array([[True]]),
        np.array([[False]]),
        [1],
        [0],
        n_areas=3,
        domains=[[True, False, False, False, False]],
    )
    card = result.card(0)
    assert [area["score"] for area in card["areas"]] == [100.0, None, None]
    assert card["areas"][2] == {
        "score": None,
        "coverage": None,
        "answered": 0,
        "not_applicable": 0,
        "unanswered": 0,
    }
    assert card["domains"]["B"]["score"] is None


def test_zero_weights_give_no_score_rather_than_a_division_by_zero():
    result = scoring.score(
        np.array([[1.0, 0.0]]), np.ones((1, 2), dtype=bool), np.zeros((1, 2), dtype=bool), [0, 0], [0, 0]
    )
    assert result.overall.score_of(0) is None
    assert result.overall.row(0)["answered"] == 2


def test_no_questions_and_no_assessments_do_not_crash():
    empty = scoring.score(
        np.zeros((2, 0)), np.zeros((2, 0), dtype=bool), np.zeros((2, 0), dtype=bool), [], [], n_areas=0
    )
    assert empty.overall.row(1) == {
        "score": None,
        "coverage": None,
        "answered": 0,
        "not_applicable": 0,
        "unanswered": 0,
    }
    none = scoring.score(
        np.zeros((0, 3)), np.zeros((0, 3), dtype=bool), np.zeros((0, 3), dtype=bool), [1, 1, 1], [0, 0, 1]
    )
    assert none.area.score.shape == (0, 2)


def test_all_hazards_questions_count_in_every_domain_and_letters_in_each_of_theirs():
    matrix = scoring.domain_membership(["", "C", "BRN", "E"])
    assert matrix.tolist() == [
        [True, True, True, True, True],
        [True, False, False, False, False],
        [False, True, True, True, False],
        [False, False, False, False, True],
    ]
    with pytest.raises(ValueError, match="X"):
        scoring.domain_membership(["CX"])


def test_questions_absent_from_an_assessments_questionnaire_count_nowhere():
    values = np.array([[1.0, NAN], [NAN, 0.0]])
    answered = np.array([[True, False], [False, True]])
    present = np.array([[True, False], [False, True]])
    result = scoring.score(values, answered, np.zeros((2, 2), dtype=bool), [1, 1], [0, 0], present=present)
    assert result.overall.row(0) == {
        "score": 100.0,
        "coverage": 100.0,
        "answered": 1,
        "not_applicable": 0,
        "unanswered": 0,
    }
    assert result.overall.row(1) == {
        "score": 0.0,
        "coverage": 100.0,
        "answered": 1,
        "not_applicable": 0,
        "unanswered": 0,
    }


def test_many_assessments_at_once_agree_with_one_at_a_time():
    rng = np.random.default_rng(7)
    count, questions, areas = 40, 60, 6
    levels = rng.integers(1, 6, size=(count, questions))
    values = (levels - 1) / 4
    answered = rng.random((count, questions)) < 0.8
    not_applicable = ~answered & (rng.random((count, questions)) < 0.3)
    weights = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0], size=questions)
    area_index = rng.integers(0, areas + 1, size=questions)  # area 6 stays empty below
    area_index[area_index == areas] = 0
    domains = scoring.domain_membership(rng.choice(["", "C", "B", "RN", "CBRNE", "E"], size=questions))
    targets = rng.integers(2, 6, size=questions)
    batch = scoring.score(
        values, answered, not_applicable, weights, area_index, n_areas=areas + 1, domains=domains
    )
    batch_gaps = scoring.gaps(values, answered, not_applicable, weights, targets, area_index == 2)
    for row in range(count):
        one = scoring.score(
            values[row : row + 1],
            answered[row : row + 1],
            not_applicable[row : row + 1],
            weights,
            area_index,
            n_areas=areas + 1,
            domains=domains,
        )
        assert _cards_equal(batch.card(row), one.card(0))
        one_gaps = scoring.gaps(
            values[row : row + 1],
            answered[row : row + 1],
            not_applicable[row : row + 1],
            weights,
            targets,
            area_index == 2,
        )
        assert batch_gaps.ranking(row, weights) == one_gaps.ranking(0, weights)
        # and both agree with a plain loop over the questions
        mask = answered[row] & ~not_applicable[row]
        denominator = weights[mask].sum()
        expected = None if denominator == 0 else 100 * (weights[mask] * values[row][mask]).sum() / denominator
        assert _close(batch.overall.score_of(row), expected)
        assert batch.area.score_of(row, areas) is None


def _close(actual, expected):
    if expected is None:
        return actual is None
    return actual == pytest.approx(expected)


def _cards_equal(first, second):
    def flat(card):
        rows = [card["overall"], *card["areas"], *card["domains"].values()]
        return [value for row in rows for value in row.values()] + card["questions"]

    return all(_close(a, b) for a, b in zip(flat(first), flat(second), strict=True))


def test_ranking_breaks_ties_by_gap_then_weight_then_order():
    values = np.array([[0.0, 0.0, 0.5, 0.0]])  # levels 1, 1, 3, 1
    answered = np.ones((1, 4), dtype=bool)
    weights = np.array([1.0, 2.0, 2.0, 1.0])
    # Targets 3, 2, 5, 3: gaps 2, 1, 2, 2; rank scores 2, 2, 4, 2.
    result = scoring.gaps(values, answered, np.zeros((1, 4), dtype=bool), weights, [3, 2, 5, 3])
    assert result.ranking(0, weights) == [2, 0, 3, 1]
    assert result.ranking(0, weights, order=[9, 1, 2, 0]) == [2, 3, 0, 1]


def test_bad_input_is_refused_with_a_message():
    ok = np.ones((1, 2), dtype=bool)
    no = np.zeros((1, 2), dtype=bool)
    with pytest.raises(ValueError, match="between 0 and 1"):
        scoring.score(np.array([[1.5, 0.0]]), ok, no, [1, 1], [0, 0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        scoring.score(np.array([[NAN, 0.0]]), ok, no, [1, 1], [0, 0])
    with pytest.raises(ValueError, match="weight"):
        scoring.score(np.zeros((1, 2)), ok, no, [1], [0, 0])
    with pytest.raises(ValueError, match="0 or more"):
        scoring.score(np.zeros((1, 2)), ok, no, [1, -1], [0, 0])
    with pytest.raises(ValueError, match="shape"):
        scoring.score(np.zeros((1, 2)), np.ones((2, 2), dtype=bool), no, [1, 1], [0, 0])
    with pytest.raises(ValueError, match="outside"):
        scoring.score(np.zeros((1, 2)), ok, no, [1, 1], [0, 3], n_areas=2)
    with pytest.raises(ValueError, match="Target"):
        scoring.gaps(np.zeros((1, 2)), ok, no, [1, 1], [0, 5])


def test_a_value_recorded_with_not_applicable_is_ignored():
    result = scoring.score(
        np.array([[0.0, 1.0]]), np.ones((1, 2), dtype=bool), np.array([[True, False]]), [1, 1], [0, 0]
    )
    assert result.overall.row(0) == {
        "score": 100.0,
        "coverage": 100.0,
        "answered": 1,
        "not_applicable": 1,
        "unanswered": 0,
    }
