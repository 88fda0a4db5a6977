"""Scores, gaps and comparisons of needs assessments (the method: docs/scoring.md).

Every selector takes the user and reads only through the access engine: an assessment the user may
not see is a 404 when asked for directly and never enters a history or a comparison (an NFP sees
their own country's drafts; other countries' assessments only once published). Each loads its rows
in a few queries, whatever the number of assessments and questions (no N+1), and leaves the
arithmetic to cbrnet.assessments.scoring, which scores all assessments at once.

Public interface (used by the action plans and the fact sheets):

    assessment_scores(*, user, assessment) -> ScoreCard
    assessment_gaps(*, user, assessment) -> list[Gap]                 ranked, best first
    country_history(*, user, country, family) -> CountryHistory
    region_comparison(*, user, region, family) -> RegionComparison
    country_families(*, user, country) / region_families(*, user, region) -> list[str]
    country_region(*, user, country, network) -> Region | None
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Subquery

from cbrnet import access
from cbrnet.assessments import scoring
from cbrnet.assessments.choices import SCORED_TYPES, AnswerType, YesPartlyNo
from cbrnet.assessments.models import Answer, Assessment, Question, QuestionnaireVersion
from cbrnet.registry.choices import Domain
from cbrnet.registry.models import Country, Membership, Network, Region, RegionalPriority, ThematicArea

SCORED = frozenset(str(kind) for kind in SCORED_TYPES)
ANSWERED, NOT_APPLICABLE, UNANSWERED = "answered", "not_applicable", "unanswered"
ANSWER_COLUMNS = ("assessment_id", "question_id", "level", "yes_partly_no", "not_applicable", "target_level")


# --- results -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupScore:
    """The score of a group of questions: a thematic area, a CBRN domain, or the whole questionnaire.
    `score` and `coverage` are 0–100, or None when nothing in the group can be scored."""

    key: str  # the thematic area's code, the domain letter, or "overall"
    label: str
    score: float | None
    coverage: float | None
    answered: int
    not_applicable: int
    unanswered: int
    thematic_area: ThematicArea | None = None

    @property
    def questions(self) -> int:
        return self.answered + self.not_applicable + self.unanswered


@dataclass(frozen=True)
class QuestionScore:
    """One scored question of an assessment: its status, score and levels."""

    question: Question
    status: str  # ANSWERED, NOT_APPLICABLE or UNANSWERED
    score: float | None
    current_level: int | None  # the level answered, or the level yes / partly / no reads as (5 / 3 / 1)
    answer_label: str
    target_level: int
    weight: float


@dataclass(frozen=True)
class ScoreCard:
    """The scores of one assessment: overall, by thematic area, by CBRN domain and per question."""

    assessment: Assessment
    overall: float | None
    coverage: float | None
    answered: int
    not_applicable: int
    unanswered: int
    not_scored: int  # questions of a type that is not scored (number, date, choice, text, evidence)
    by_area: tuple[GroupScore, ...]
    by_domain: tuple[GroupScore, ...]
    questions: tuple[QuestionScore, ...]

    @property
    def area_scores(self) -> dict[int, float | None]:
        """Thematic area id → score."""
        return {group.thematic_area.pk: group.score for group in self.by_area}

    @property
    def domain_scores(self) -> dict[str, float | None]:
        """Domain letter (C, B, R, N, E) → score."""
        return {group.key: group.score for group in self.by_domain}


@dataclass(frozen=True)
class Gap:
    """A question whose current level is below its target, with its place in the ranking."""

    question: Question
    thematic_area: ThematicArea
    domains: str  # the question's letters; "" for an all-hazards question
    current_level: int | None
    target_level: int
    gap: float  # target level − current level, in levels
    weight: float
    regional_priority: bool
    priority_factor: float
    rank_score: float  # gap × weight × priority factor
    rank: int  # 1 for the first
    answer_label: str
    score: float | None  # the question's score, 0–100


@dataclass(frozen=True)
class HistoryPoint:
    """One assessment of a country's history. `overall`, `coverage` and `by_area` are the
    assessment's own scores; `comparable_*` and `questions` are on the questions of the history's
    reference version, which older answers reach through Question.maps_to."""

    assessment: Assessment
    year: int
    overall: float | None
    coverage: float | None
    by_area: dict[int, float | None]
    comparable_overall: float | None
    comparable_coverage: float | None
    questions: dict[int, float | None]


@dataclass(frozen=True)
class CountryHistory:
    """One country's assessments of one questionnaire family, oldest first."""

    country: Country
    family: str
    reference_version: QuestionnaireVersion | None
    areas: tuple[ThematicArea, ...]
    points: tuple[HistoryPoint, ...]
    reference_questions: tuple[Question, ...] = ()

    def area_series(self, area_id: int) -> list[tuple[int, float | None]]:
        return [(point.year, point.by_area.get(area_id)) for point in self.points]


@dataclass(frozen=True)
class ComparisonRow:
    """A country of the region: its latest assessment the user may see (None if there is none) and
    its scores, `cells` in the order of RegionComparison.areas."""

    country: Country
    assessment: Assessment | None
    overall: float | None
    coverage: float | None
    cells: tuple[float | None, ...]
    area_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def area_scores(self) -> dict[int, float | None]:
        """Thematic area id → score."""
        return dict(zip(self.area_ids, self.cells, strict=True))


@dataclass(frozen=True)
class RegionComparison:
    """Every country of a region side by side: scores by thematic area of each one's latest
    assessment of the family. The averages are plain means over the countries that have a score."""

    region: Region
    family: str
    areas: tuple[ThematicArea, ...]
    rows: tuple[ComparisonRow, ...]
    average_overall: float | None
    average_by_area: tuple[float | None, ...]

    @property
    def assessed(self) -> int:
        return sum(1 for row in self.rows if row.assessment is not None)


# --- loading ------------------------------------------------------------------------------------------
def _visible_assessment(user, assessment: Assessment | int) -> Assessment:
    pk = assessment.pk if isinstance(assessment, Assessment) else assessment
    return access.get_object_for(user, Assessment.objects.select_related("version", "country"), "view", pk=pk)


def _questions(user, **filters) -> list[Question]:
    return list(
        access.restrict(Question.objects.filter(**filters), user)
        .select_related("thematic_area", "section")
        .order_by("version_id", "section__order", "order", "pk")
    )


def _answer_rows(user, assessment_ids: Iterable[int]) -> list[tuple]:
    ids = list(assessment_ids)
    if not ids:
        return []
    # No ordering: the model's default one would join the assessment, country, question and section.
    answers = access.restrict(Answer.objects.filter(assessment_id__in=ids), user).order_by()
    return list(answers.values_list(*ANSWER_COLUMNS))


YES_PARTLY_NO_CODES = ("", *scoring.YES_PARTLY_NO_VALUES)  # code 0: none; 1 yes, 2 partly, 3 no


@dataclass
class _Table:
    """The arrays of scoring for some assessments (rows) and questions (columns)."""

    questions: list[Question]
    values: np.ndarray
    answered: np.ndarray
    not_applicable: np.ndarray
    present: np.ndarray
    targets: np.ndarray
    levels: np.ndarray  # the raw level answered, 0 where none (for labels)
    yes_partly_no: np.ndarray  # index into YES_PARTLY_NO_CODES, 0 where none (for labels)
    area_ids: list[int]
    area_index: np.ndarray
    domains: np.ndarray
    weights: np.ndarray

    def score(self) -> scoring.Scores:
        return scoring.score(
            self.values,
            self.answered,
            self.not_applicable,
            self.weights,
            self.area_index,
            n_areas=len(self.area_ids),
            domains=self.domains,
            present=self.present,
        )


def _table(
    assessments: Sequence[Assessment], questions: Sequence[Question], answer_rows, sources=None, kinds=None
) -> _Table:
    """Fill the arrays. `sources` maps (version id, column) → the id of the question whose answer
    fills that column for an assessment of that version, and `kinds` gives the answer type of each
    such question (an older question may have had another type); by default a column is filled by
    the answer to its own question, in the assessments of the question's own version. Vectorised:
    the answers of a whole region (tens of thousands) are placed with a few numpy operations."""
    questions = [question for question in questions if question.answer_type in SCORED]
    rows, columns = len(assessments), len(questions)
    if sources is None:
        sources = {(question.version_id, column): question.pk for column, question in enumerate(questions)}
    if kinds is None:
        kinds = {question.pk: question.answer_type for question in questions}
    versions = sorted({assessment.version_id for assessment in assessments})
    version_number = {version_id: number for number, version_id in enumerate(versions)}
    row_version = np.array(
        [version_number[assessment.version_id] for assessment in assessments], dtype=np.int64
    )

    # The (version, source question) → column pairs, as sorted integer keys for a vectorised join.
    pairs = [
        (version_number[version_id], source, column)
        for (version_id, column), source in sources.items()
        if source is not None and version_id in version_number
    ]
    pair_version, pair_source, pair_column = (
        (np.array(part, dtype=np.int64) for part in zip(*pairs, strict=True))
        if pairs
        else (np.zeros(0, dtype=np.int64),) * 3
    )
    present = np.zeros((rows, columns), dtype=bool)
    for number in range(len(versions)):
        present[np.ix_(row_version == number, pair_column[pair_version == number])] = True
    stride = int(max([0, *pair_source.tolist(), *(row[1] for row in answer_rows)])) + 1
    pair_key = pair_version * stride + pair_source
    order = np.argsort(pair_key, kind="stable")
    pair_key, pair_column = pair_key[order], pair_column[order]

    values = np.full((rows, columns), np.nan)
    answered = np.zeros((rows, columns), dtype=bool)
    not_applicable = np.zeros((rows, columns), dtype=bool)
    levels = np.zeros((rows, columns), dtype=np.int8)
    yes_partly_no = np.zeros((rows, columns), dtype=np.int8)
    targets = np.broadcast_to(
        np.array([question.target_level for question in questions], dtype=float), (rows, columns)
    ).copy()
    row_of = {assessment.pk: row for row, assessment in enumerate(assessments)}
    kept = [answer for answer in answer_rows if answer[0] in row_of]
    if kept and columns:
        assessment_ids, question_ids, answer_levels, answer_ypn, answer_na, answer_targets = zip(
            *kept, strict=True
        )
        answer_row = np.array([row_of[pk] for pk in assessment_ids], dtype=np.int64)
        answer_key = row_version[answer_row] * stride + np.array(question_ids, dtype=np.int64)
        # Each answer fills every column its question is the source of for its row's version.
        left = np.searchsorted(pair_key, answer_key, "left")
        count = np.searchsorted(pair_key, answer_key, "right") - left
        which = np.repeat(np.arange(len(kept)), count)
        offset = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
        cell_row, cell_column = answer_row[which], pair_column[np.repeat(left, count) + offset]

        level = np.array([-1 if value is None else value for value in answer_levels], dtype=np.int64)[which]
        code = {value: index for index, value in enumerate(YES_PARTLY_NO_CODES)}
        ypn = np.array([code.get(value, 0) for value in answer_ypn], dtype=np.int8)[which]
        na = np.array(answer_na, dtype=bool)[which]
        target = np.array([0 if value is None else value for value in answer_targets], dtype=np.int64)[which]
        kind = np.array([kinds.get(pk, "") for pk in question_ids], dtype=object)[which]
        is_level = ~na & (kind == AnswerType.LEVEL) & (level >= 1) & (level <= 5)
        is_ypn = ~na & (kind == AnswerType.YES_PARTLY_NO) & (ypn > 0)
        ypn_value = np.array([np.nan, *scoring.YES_PARTLY_NO_VALUES.values()])[ypn]

        has_target = (target >= 1) & (target <= 5)
        targets[cell_row[has_target], cell_column[has_target]] = target[has_target]
        not_applicable[cell_row[na], cell_column[na]] = True
        values[cell_row[is_level], cell_column[is_level]] = (level[is_level] - 1) / 4
        levels[cell_row[is_level], cell_column[is_level]] = level[is_level]
        values[cell_row[is_ypn], cell_column[is_ypn]] = ypn_value[is_ypn]
        yes_partly_no[cell_row[is_ypn], cell_column[is_ypn]] = ypn[is_ypn]
        answered[cell_row[is_level | is_ypn], cell_column[is_level | is_ypn]] = True

    areas = {question.thematic_area_id: question.thematic_area for question in questions}
    area_ids = sorted(areas, key=lambda pk: _area_sort_key(areas[pk]))
    area_position = {pk: index for index, pk in enumerate(area_ids)}
    return _Table(
        questions=questions,
        values=values,
        answered=answered,
        not_applicable=not_applicable,
        present=present,
        targets=targets,
        levels=levels,
        yes_partly_no=yes_partly_no,
        area_ids=area_ids,
        area_index=np.array([area_position[q.thematic_area_id] for q in questions], dtype=np.int64),
        domains=scoring.domain_membership(question.domains for question in questions),
        weights=np.array([float(question.weight) for question in questions], dtype=float),
    )


def _area_sort_key(area: ThematicArea):
    return (area.order, area.name, area.pk)


def _areas_of(table: _Table) -> list[ThematicArea]:
    areas = {question.thematic_area_id: question.thematic_area for question in table.questions}
    return [areas[pk] for pk in table.area_ids]


def _group(row: dict, *, key: str, label: str, thematic_area=None) -> GroupScore:
    return GroupScore(key=key, label=label, thematic_area=thematic_area, **row)


def _answer_label(table: _Table, row: int, column: int) -> str:
    if table.not_applicable[row, column]:
        return str(Answer._meta.get_field("not_applicable").verbose_name)
    if not table.answered[row, column]:
        return ""
    code = int(table.yes_partly_no[row, column])
    if code:
        return str(YesPartlyNo(YES_PARTLY_NO_CODES[code]).label)
    return str(int(table.levels[row, column]))


def _current_level(table: _Table, row: int, column: int) -> int | None:
    if not table.answered[row, column]:
        return None
    return int(round(scoring.value_level(table.values[row, column])))


# --- one assessment ----------------------------------------------------------------------------------
def _assessment_table(user, assessment: Assessment) -> tuple[Assessment, _Table, int]:
    assessment = _visible_assessment(user, assessment)
    questions = _questions(user, version_id=assessment.version_id)
    not_scored = sum(1 for question in questions if question.answer_type not in SCORED)
    table = _table([assessment], questions, _answer_rows(user, [assessment.pk]))
    return assessment, table, not_scored


def assessment_scores(*, user, assessment: Assessment | int) -> ScoreCard:
    """The scores of one assessment the user may see (404 otherwise): overall, by thematic area, by
    CBRN domain and per scored question, with coverage and counts. Three queries."""
    assessment, table, not_scored = _assessment_table(user, assessment)
    result = table.score()
    overall = result.overall.row(0)
    areas = _areas_of(table)
    by_area = tuple(
        _group(row, key=area.code, label=area.name, thematic_area=area)
        for area, row in zip(areas, result.area.rows(0), strict=True)
    )
    by_domain = tuple(
        _group(row, key=letter, label=str(Domain(letter).label))
        for letter, row in zip(scoring.DOMAINS, result.domain.rows(0), strict=True)
    )
    questions = tuple(
        QuestionScore(
            question=question,
            status=(
                NOT_APPLICABLE
                if table.not_applicable[0, column]
                else ANSWERED
                if table.answered[0, column]
                else UNANSWERED
            ),
            score=result.question_score(0, column),
            current_level=_current_level(table, 0, column),
            answer_label=_answer_label(table, 0, column),
            target_level=int(table.targets[0, column]),
            weight=float(table.weights[column]),
        )
        for column, question in enumerate(table.questions)
    )
    return ScoreCard(
        assessment=assessment,
        overall=overall["score"],
        coverage=overall["coverage"],
        answered=overall["answered"],
        not_applicable=overall["not_applicable"],
        unanswered=overall["unanswered"],
        not_scored=not_scored,
        by_area=by_area,
        by_domain=by_domain,
        questions=questions,
    )


def priority_area_ids(*, user, country: Country | int, network: Network | int) -> set[int]:
    """Thematic areas named by a RegionalPriority of the country's current region(s) in the network.
    One query."""
    country_id = country.pk if isinstance(country, Country) else country
    network_id = network.pk if isinstance(network, Network) else network
    regions = access.restrict(
        Membership.objects.current().filter(country_id=country_id, network_id=network_id), user
    ).values("region_id")
    return set(
        access.restrict(
            RegionalPriority.objects.filter(region_id__in=Subquery(regions), thematic_area__isnull=False),
            user,
        ).values_list("thematic_area_id", flat=True)
    )


def assessment_gaps(*, user, assessment: Assessment | int) -> list[Gap]:
    """The questions of an assessment below their target level, ranked by gap × weight × the
    regional-priority factor (scoring.REGIONAL_PRIORITY_FACTOR when the question's thematic area is a
    priority of the country's current region, 1 otherwise); ties by the larger gap, the higher weight
    and the questionnaire's order. Unanswered and not-applicable questions are not gaps (their
    current level is unknown). Four queries."""
    assessment, table, _not_scored = _assessment_table(user, assessment)
    priorities = priority_area_ids(user=user, country=assessment.country_id, network=assessment.network_id)
    priority = np.array([question.thematic_area_id in priorities for question in table.questions], dtype=bool)
    result = scoring.gaps(
        table.values,
        table.answered,
        table.not_applicable,
        table.weights,
        table.targets,
        priority,
        present=table.present,
    )
    gaps = []
    for rank, column in enumerate(result.ranking(0, table.weights), start=1):
        question = table.questions[column]
        gaps.append(
            Gap(
                question=question,
                thematic_area=question.thematic_area,
                domains=question.domains,
                current_level=_current_level(table, 0, column),
                target_level=int(table.targets[0, column]),
                gap=float(result.levels[0, column]),
                weight=float(table.weights[column]),
                regional_priority=bool(priority[column]),
                priority_factor=float(result.factor[0, column]),
                rank_score=float(result.rank_score[0, column]),
                rank=rank,
                answer_label=_answer_label(table, 0, column),
                score=float(100.0 * table.values[0, column]),
            )
        )
    return gaps


# --- comparisons -------------------------------------------------------------------------------------
def _version_recency(version: QuestionnaireVersion):
    return (version.published_on or datetime.date.min, version.pk)


def _assessment_recency(assessment: Assessment):
    return (assessment.year, *_version_recency(assessment.version), assessment.pk)


def _family_assessments(user, family: str, **filters) -> list[Assessment]:
    return list(
        access.restrict(Assessment.objects.filter(version__family=family, **filters), user)
        .select_related("version", "country")
        .order_by()  # chosen and sorted in Python (by year, version, id)
    )


def _maps_to_sources(
    reference: list[Question], family_questions: list[Question]
) -> dict[tuple[int, int], int]:
    """(version id, column of a reference question) → the question of that version it continues,
    following Question.maps_to back through the versions."""
    by_id = {question.pk: question for question in family_questions}
    sources: dict[tuple[int, int], int] = {}
    for column, question in enumerate(reference):
        current, seen = question, set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            sources.setdefault((current.version_id, column), current.pk)
            current = by_id.get(current.maps_to_id) if current.maps_to_id else None
    return sources


def country_history(*, user, country: Country, family: str) -> CountryHistory:
    """One country's assessments of a questionnaire family over time, oldest first: each one's own
    overall and thematic-area scores (areas are the shared taxonomy, so they compare directly across
    versions), and its overall and per-question scores on the questions of the reference version —
    the newest version among these assessments — with older answers carried onto them through
    Question.maps_to. Three queries."""
    assessments = sorted(_family_assessments(user, family, country=country), key=_assessment_recency)
    if not assessments:
        return CountryHistory(country=country, family=family, reference_version=None, areas=(), points=())
    reference = max((assessment.version for assessment in assessments), key=_version_recency)
    networks = {assessment.network_id for assessment in assessments}
    family_questions = _questions(user, version__family=family, version__network_id__in=networks)
    rows = _answer_rows(user, [assessment.pk for assessment in assessments])
    versions = {assessment.version_id for assessment in assessments}

    own = _table(assessments, [q for q in family_questions if q.version_id in versions], rows)
    own_scores = own.score()
    reference_questions = [
        q for q in family_questions if q.version_id == reference.pk and q.answer_type in SCORED
    ]
    comparable = _table(
        assessments,
        reference_questions,
        rows,
        _maps_to_sources(reference_questions, family_questions),
        {question.pk: question.answer_type for question in family_questions},
    )
    # A reference question with no counterpart in an older version counts as unanswered there: the
    # comparable coverage then shows how much of today's questionnaire the old answers cover.
    comparable.present[:] = True
    comparable_scores = comparable.score()

    points = []
    for row, assessment in enumerate(assessments):
        overall = own_scores.overall.row(row)
        points.append(
            HistoryPoint(
                assessment=assessment,
                year=assessment.year,
                overall=overall["score"],
                coverage=overall["coverage"],
                by_area={
                    area_id: own_scores.area.score_of(row, index)
                    for index, area_id in enumerate(own.area_ids)
                    if own.present[row][own.area_index == index].any()
                },
                comparable_overall=comparable_scores.overall.score_of(row),
                comparable_coverage=comparable_scores.overall.coverage_of(row),
                questions={
                    question.pk: comparable_scores.question_score(row, column)
                    for column, question in enumerate(comparable.questions)
                },
            )
        )
    return CountryHistory(
        country=country,
        family=family,
        reference_version=reference,
        areas=tuple(_areas_of(own)),
        points=tuple(points),
        reference_questions=tuple(comparable.questions),
    )


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


def region_comparison(*, user, region: Region, family: str) -> RegionComparison:
    """Every country of the region (current members) side by side: the latest assessment of the
    family each one has in the region's network that the user may see (latest year, then newest
    version), scored by thematic area; a country with none has an empty row. Four queries."""
    memberships = list(
        access.restrict(Membership.objects.current().filter(region=region), user)
        .select_related("country")
        .order_by("country__name", "pk")
    )
    countries = list({membership.country_id: membership.country for membership in memberships}.values())
    latest: dict[int, Assessment] = {}
    for assessment in _family_assessments(
        user, family, country_id__in=[country.pk for country in countries], network_id=region.network_id
    ):
        held = latest.get(assessment.country_id)
        if held is None or _assessment_recency(assessment) > _assessment_recency(held):
            latest[assessment.country_id] = assessment
    chosen = [latest[country.pk] for country in countries if country.pk in latest]
    versions = {assessment.version_id for assessment in chosen}
    questions = _questions(user, version_id__in=versions) if versions else []
    table = _table(chosen, questions, _answer_rows(user, [assessment.pk for assessment in chosen]))
    result = table.score()
    areas = tuple(_areas_of(table))
    area_ids = tuple(area.pk for area in areas)
    position = {assessment.country_id: row for row, assessment in enumerate(chosen)}
    rows = []
    for country in countries:
        row = position.get(country.pk)
        if row is None:
            rows.append(
                ComparisonRow(
                    country=country,
                    assessment=None,
                    overall=None,
                    coverage=None,
                    cells=(None,) * len(areas),
                    area_ids=area_ids,
                )
            )
            continue
        rows.append(
            ComparisonRow(
                country=country,
                assessment=chosen[row],
                overall=result.overall.score_of(row),
                coverage=result.overall.coverage_of(row),
                cells=tuple(result.area.score_of(row, index) for index in range(len(areas))),
                area_ids=area_ids,
            )
        )
    return RegionComparison(
        region=region,
        family=family,
        areas=areas,
        rows=tuple(rows),
        average_overall=_mean(row.overall for row in rows),
        average_by_area=tuple(_mean(row.cells[index] for row in rows) for index in range(len(areas))),
    )


# --- navigation --------------------------------------------------------------------------------------
def _families(queryset) -> list[str]:
    """Distinct questionnaire families of the assessments, the most recently assessed first."""
    seen: dict[str, tuple] = {}
    for family, year, pk in queryset.values_list("version__family", "year", "pk"):
        key = (year, pk)
        if family not in seen or key > seen[family]:
            seen[family] = key
    return sorted(seen, key=lambda family: seen[family], reverse=True)


def country_families(*, user, country: Country) -> list[str]:
    """The questionnaire families of the country's assessments the user may see, latest first."""
    return _families(access.restrict(Assessment.objects.filter(country=country), user))


def region_families(*, user, region: Region) -> list[str]:
    """The questionnaire families of the visible assessments of the region's countries, latest first."""
    countries = Membership.objects.current().filter(region=region).values("country_id")
    return _families(
        access.restrict(
            Assessment.objects.filter(country_id__in=Subquery(countries), network_id=region.network_id), user
        )
    )


def country_region(*, user, country: Country | int, network: Network | int) -> Region | None:
    """The country's current region in the network, if any."""
    country_id = country.pk if isinstance(country, Country) else country
    network_id = network.pk if isinstance(network, Network) else network
    membership = (
        access.restrict(
            Membership.objects.current().filter(country_id=country_id, network_id=network_id), user
        )
        .select_related("region")
        .order_by("pk")
        .first()
    )
    return membership.region if membership else None
