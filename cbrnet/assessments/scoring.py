"""Scores of needs assessments and the gaps to close: per question, thematic area, CBRN domain and
overall, on a 0–100 scale, with coverage. The method is written down in docs/scoring.md.

Plain numpy (and scipy's sparse matrices), no Django: many assessments are scored at once, as arrays of shape
(assessments × questions). The selectors (cbrnet.assessments.selectors.scores) load the rows the user
may see and build the arrays; this module only computes.

Inputs, for A assessments and Q scored questions:

    values          float (A, Q): the answer mapped to [0, 1] (level l: (l - 1) / 4; yes 1,
                    partly 0.5, no 0); read only where `answered`
    answered        bool (A, Q): the question has a scored answer
    not_applicable  bool (A, Q): answered "not applicable": out of numerator and denominator
    weights         float (Q,): the questions' weights (0 or more)
    area_index      int (Q,): the question's thematic area, 0 … n_areas - 1
    domains         bool (Q, 5): the question's CBRN domains in DOMAINS order
                    (domain_membership() builds it from the letters; no letter = all hazards)
    present         bool (A, Q), optional: the question belongs to the assessment's questionnaire
                    (when one array holds the questions of several versions); default all

A group's score is the weighted mean of the answered values of its questions, × 100; `None` (NaN in
the arrays, None through the accessors) when no answered question of positive weight is in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

DOMAINS = "CBRNE"  # the letters of cbrnet.registry.choices.Domain, in that order
YES_PARTLY_NO_VALUES = {"yes": 1.0, "partly": 0.5, "no": 0.0}
# A gap in a thematic area that the country's region named as a priority ranks this much higher.
REGIONAL_PRIORITY_FACTOR = 1.5
LOWEST_LEVEL, HIGHEST_LEVEL = 1, 5


def level_value(level: int) -> float:
    """A capability level 1–5 on the [0, 1] scale: level 1 is 0, level 5 is 1."""
    if not LOWEST_LEVEL <= level <= HIGHEST_LEVEL:
        raise ValueError(f"A capability level is between 1 and 5, not {level}.")
    return (level - LOWEST_LEVEL) / (HIGHEST_LEVEL - LOWEST_LEVEL)


def value_level(value: float) -> float:
    """The capability level a [0, 1] value stands for (yes 5, partly 3, no 1)."""
    return LOWEST_LEVEL + value * (HIGHEST_LEVEL - LOWEST_LEVEL)


def domain_membership(codes: Iterable[str]) -> np.ndarray:
    """(Q, 5) booleans: which of the CBRN domains each question counts in. A question with several
    letters counts in each of them; one with no letter (an all-hazards question, such as the legal
    framework) counts in every domain, since the capability serves each hazard."""
    codes = list(codes)
    matrix = np.zeros((len(codes), len(DOMAINS)), dtype=bool)
    for row, code in enumerate(codes):
        letters = (code or "").upper()
        unknown = set(letters) - set(DOMAINS)
        if unknown:
            raise ValueError(f"Unknown CBRN domain letter(s) {''.join(sorted(unknown))!r} in {code!r}.")
        if letters:
            matrix[row] = [letter in letters for letter in DOMAINS]
        else:
            matrix[row] = True
    return matrix


def index_membership(index: Sequence[int] | np.ndarray, groups: int) -> np.ndarray:
    """(Q, groups) booleans from a group index per question; -1 puts a question in no group."""
    index = np.asarray(index, dtype=np.int64)
    if index.ndim != 1:
        raise ValueError("The group index is one number per question.")
    if index.size and (index.max(initial=-1) >= groups or index.min(initial=0) < -1):
        raise ValueError(f"A group index is outside 0 … {groups - 1}.")
    matrix = np.zeros((index.size, groups), dtype=bool)
    inside = index >= 0
    matrix[np.nonzero(inside)[0], index[inside]] = True
    return matrix


def _none(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


@dataclass(frozen=True)
class GroupScores:
    """Scores of groups of questions (thematic areas, domains, or the whole questionnaire), each array
    of shape (A, G). `score` and `coverage` are 0–100 and NaN where undefined; the counts are
    numbers of questions (present in the assessment's questionnaire)."""

    score: np.ndarray
    coverage: np.ndarray
    answered: np.ndarray
    not_applicable: np.ndarray
    unanswered: np.ndarray

    def score_of(self, assessment: int, group: int = 0) -> float | None:
        return _none(self.score[assessment, group])

    def coverage_of(self, assessment: int, group: int = 0) -> float | None:
        return _none(self.coverage[assessment, group])

    def row(self, assessment: int, group: int = 0) -> dict:
        """Plain Python values (None, never NaN) of one assessment's group."""
        return {
            "score": self.score_of(assessment, group),
            "coverage": self.coverage_of(assessment, group),
            "answered": int(self.answered[assessment, group]),
            "not_applicable": int(self.not_applicable[assessment, group]),
            "unanswered": int(self.unanswered[assessment, group]),
        }

    def rows(self, assessment: int) -> list[dict]:
        return [self.row(assessment, group) for group in range(self.score.shape[1])]


@dataclass(frozen=True)
class Scores:
    """Every score of A assessments: `question` (A, Q) 0–100 (NaN where unanswered or not
    applicable), `area` (A, n_areas), `domain` (A, 5) and `overall` (A, 1)."""

    question: np.ndarray
    area: GroupScores
    domain: GroupScores
    overall: GroupScores

    def question_score(self, assessment: int, question: int) -> float | None:
        return _none(self.question[assessment, question])

    def card(self, assessment: int) -> dict:
        """One assessment's scores as plain Python values (None, never NaN)."""
        return {
            "overall": self.overall.row(assessment),
            "areas": self.area.rows(assessment),
            "domains": dict(zip(DOMAINS, self.domain.rows(assessment), strict=True)),
            "questions": [self.question_score(assessment, q) for q in range(self.question.shape[1])],
        }


@dataclass(frozen=True)
class Gaps:
    """Gaps of A assessments, each array (A, Q): `levels` = target level − current level (0 where the
    target is reached, NaN where the question is unanswered, not applicable or absent), `rank_score`
    = levels × weight × priority factor (NaN likewise)."""

    levels: np.ndarray
    rank_score: np.ndarray
    current_level: np.ndarray
    factor: np.ndarray

    def ranking(self, assessment: int, weights, order=None) -> list[int]:
        """Indices of the questions with a gap (levels > 0), best first: highest rank score, then the
        larger gap, the higher weight, and the questionnaire's order (`order`, default the index)."""
        levels = self.levels[assessment]
        rank = self.rank_score[assessment]
        weights = np.asarray(weights, dtype=float)
        order = np.arange(levels.size) if order is None else np.asarray(order)
        chosen = np.nonzero(np.nan_to_num(levels, nan=0.0) > 0)[0]
        keys = np.lexsort((order[chosen], -weights[chosen], -levels[chosen], -rank[chosen]))
        return chosen[keys].tolist()


def _check(values, answered, not_applicable, weights, present):
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError("The values are a table of assessments × questions.")
    shape = values.shape
    answered = np.asarray(answered, dtype=bool)
    not_applicable = np.asarray(not_applicable, dtype=bool)
    present = np.ones(shape, dtype=bool) if present is None else np.asarray(present, dtype=bool)
    for name, array in (("answered", answered), ("not_applicable", not_applicable), ("present", present)):
        if array.shape != shape:
            raise ValueError(f"{name} has shape {array.shape}; the values have {shape}.")
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (shape[1],):
        raise ValueError(f"One weight per question is needed: {shape[1]}, not {weights.shape}.")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("Weights are finite numbers of 0 or more.")
    # "Not applicable" wins over a value recorded with it; absent questions count nowhere.
    not_applicable = not_applicable & present
    answered = answered & present & ~not_applicable
    read = values[answered]
    if not np.all(np.isfinite(read)) or np.any(read < 0) or np.any(read > 1):
        raise ValueError("Answered values are between 0 and 1.")
    return values, answered, not_applicable, weights, present


class _Operands:
    """The checked arrays, transposed once to (Q, A) in C order: a sparse (G, Q) membership matrix
    multiplies them without copying (scipy would copy an (A, Q) operand for each product)."""

    def __init__(self, values, answered, not_applicable, weights, present):
        self.rows = values.shape[0]
        self.weights = weights
        applicable = present & ~not_applicable
        self.numerator = np.ascontiguousarray(np.where(answered, values, 0.0).T)
        self.answered = np.ascontiguousarray(answered.T, dtype=float)
        self.applicable = np.ascontiguousarray(applicable.T, dtype=float)
        self.not_applicable = np.ascontiguousarray(not_applicable.T, dtype=float)
        self.unanswered = np.ascontiguousarray((applicable & ~answered).T, dtype=float)

    def groups(self, membership: np.ndarray) -> GroupScores:
        # The sums over each group's questions are products with the sparse membership matrix:
        # scipy's own loops, about A × Q operations, and no BLAS thread pool (whose threads, on a busy
        # server, cost more than the sums). Counts are whole numbers far below 2**53: exact in float64.
        weighted = sparse.csr_array((membership * self.weights[:, None]).T)  # (G, Q)
        members = sparse.csr_array(membership.T.astype(float))

        def total(matrix, operand):
            return np.asarray(matrix @ operand).reshape(matrix.shape[0], self.rows).T

        def count(operand):
            return np.rint(total(members, operand)).astype(np.int64)

        numerator = total(weighted, self.numerator)
        answered_weight = total(weighted, self.answered)
        applicable_weight = total(weighted, self.applicable)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(answered_weight > 0, 100.0 * numerator / answered_weight, np.nan)
            coverage = np.where(applicable_weight > 0, 100.0 * answered_weight / applicable_weight, np.nan)
        return GroupScores(
            score=np.clip(score, 0.0, 100.0),
            coverage=np.clip(coverage, 0.0, 100.0),
            answered=count(self.answered),
            not_applicable=count(self.not_applicable),
            unanswered=count(self.unanswered),
        )


def group_scores(values, answered, not_applicable, weights, membership, present=None) -> GroupScores:
    """Scores of the groups of `membership` (Q, G): a question counts in every group it belongs to."""
    checked = _check(values, answered, not_applicable, weights, present)
    membership = np.asarray(membership, dtype=bool)
    if membership.ndim != 2 or membership.shape[0] != checked[0].shape[1]:
        raise ValueError(f"The membership needs one row per question ({checked[0].shape[1]}).")
    return _Operands(*checked).groups(membership)


def score(
    values,
    answered,
    not_applicable,
    weights,
    area_index,
    *,
    n_areas: int | None = None,
    domains=None,
    present=None,
) -> Scores:
    """Every score of every assessment at once (see the module docstring for the arrays).
    `domains` defaults to all-hazards questions (every question in every domain)."""
    values, answered, not_applicable, weights, present = _check(
        values, answered, not_applicable, weights, present
    )
    questions = values.shape[1]
    area_index = np.asarray(area_index, dtype=np.int64)
    if n_areas is None:
        n_areas = int(area_index.max(initial=-1)) + 1
    areas = index_membership(area_index, n_areas)
    domain_matrix = (
        np.ones((questions, len(DOMAINS)), dtype=bool) if domains is None else np.asarray(domains, dtype=bool)
    )
    if domain_matrix.shape != (questions, len(DOMAINS)):
        raise ValueError(f"The domains are a ({questions}, {len(DOMAINS)}) table.")
    operands = _Operands(values, answered, not_applicable, weights, present)
    return Scores(
        question=np.where(answered, 100.0 * values, np.nan),
        area=operands.groups(areas),
        domain=operands.groups(domain_matrix),
        overall=operands.groups(np.ones((questions, 1), dtype=bool)),
    )


def gaps(
    values,
    answered,
    not_applicable,
    weights,
    target_levels,
    priority=None,
    *,
    present=None,
    factor: float = REGIONAL_PRIORITY_FACTOR,
) -> Gaps:
    """Gap of every answered question: target level − current level (the value read as a level),
    ranked by gap × weight × `factor` where `priority` (Q,) or (A, Q) is true, × 1 elsewhere.
    `target_levels` is (Q,) or (A, Q), levels 1–5."""
    values, answered, not_applicable, weights, present = _check(
        values, answered, not_applicable, weights, present
    )
    targets = np.broadcast_to(np.asarray(target_levels, dtype=float), values.shape)
    if np.any((targets < LOWEST_LEVEL) | (targets > HIGHEST_LEVEL)):
        raise ValueError("Target levels are between 1 and 5.")
    boost = (
        np.ones(values.shape)
        if priority is None
        else np.where(np.broadcast_to(np.asarray(priority, dtype=bool), values.shape), float(factor), 1.0)
    )
    current = np.where(answered, value_level(values), np.nan)
    levels = np.where(answered, np.maximum(targets - current, 0.0), np.nan)
    return Gaps(
        levels=levels, rank_score=levels * weights[None, :] * boost, current_level=current, factor=boost
    )
