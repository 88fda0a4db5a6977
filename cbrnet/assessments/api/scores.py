"""Scores, gaps and comparisons of needs assessments, read-only, under /api/assessments/scores/
(the method: docs/scoring.md). Everything goes through the selectors, which read through the access
engine: an assessment the user may not see is a 404, and never enters a history or a comparison.
Scores are 0–100 with two decimals, or null where nothing can be scored."""

from ninja import Query, Router, Schema
from pydantic import Field

from cbrnet import access
from cbrnet.assessments.selectors import scores as selectors
from cbrnet.registry.models import Country, Region

router = Router(tags=["assessment scores"])

# The code of a questionnaire family (QuestionnaireVersion.family).
Family = Field(
    ..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="e.g. NAQ"
)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class GroupOut(Schema):
    id: int | None = None  # the thematic area's id (null for domains)
    code: str
    name: str
    score: float | None
    coverage: float | None
    answered: int
    not_applicable: int
    unanswered: int


class QuestionScoreOut(Schema):
    id: int
    code: str
    thematic_area: int
    domains: str
    weight: float
    status: str
    answer: str
    current_level: int | None
    target_level: int
    score: float | None


class ScoreCardOut(Schema):
    assessment: int
    country: int
    version: int
    family: str
    year: int
    status: str
    overall: float | None
    coverage: float | None
    answered: int
    not_applicable: int
    unanswered: int
    not_scored: int
    thematic_areas: list[GroupOut]
    domains: list[GroupOut]
    questions: list[QuestionScoreOut]


class GapOut(Schema):
    rank: int
    question: int
    code: str
    text: str
    thematic_area: int
    domains: str
    current_level: int | None
    target_level: int
    gap: float
    weight: float
    regional_priority: bool
    priority_factor: float
    rank_score: float


class AreaOut(Schema):
    id: int
    code: str
    name: str


class AreaScoreOut(Schema):
    thematic_area: int
    score: float | None


class QuestionValueOut(Schema):
    question: int
    score: float | None


class HistoryPointOut(Schema):
    assessment: int
    year: int
    version: int
    status: str
    overall: float | None
    coverage: float | None
    thematic_areas: list[AreaScoreOut]
    comparable_overall: float | None
    comparable_coverage: float | None
    questions: list[QuestionValueOut]


class HistoryOut(Schema):
    country: int
    family: str
    reference_version: int | None
    thematic_areas: list[AreaOut]
    points: list[HistoryPointOut]


class ComparisonRowOut(Schema):
    country: int
    iso2: str
    name: str
    assessment: int | None
    year: int | None
    version: int | None
    status: str | None
    overall: float | None
    coverage: float | None
    scores: list[float | None]  # in the order of `thematic_areas`


class ComparisonOut(Schema):
    region: int
    family: str
    thematic_areas: list[AreaOut]
    countries: list[ComparisonRowOut]
    average_overall: float | None
    average_by_area: list[float | None]


class FamilyQuery(Schema):
    family: str = Family


def _group(group: selectors.GroupScore) -> dict:
    return {
        "id": group.thematic_area.pk if group.thematic_area else None,
        "code": group.key,
        "name": group.label,
        "score": _round(group.score),
        "coverage": _round(group.coverage),
        "answered": group.answered,
        "not_applicable": group.not_applicable,
        "unanswered": group.unanswered,
    }


def _areas(areas) -> list[dict]:
    return [{"id": area.pk, "code": area.code, "name": area.name} for area in areas]


@router.get(
    "/assessments/{int:pk}",
    response=ScoreCardOut,
    operation_id="assessment_scores",
    summary="Scores of an assessment: overall, by thematic area, by CBRN domain and per question",
)
def assessment_scores(request, pk: int):
    card = selectors.assessment_scores(user=request.user, assessment=pk)
    assessment = card.assessment
    return {
        "assessment": assessment.pk,
        "country": assessment.country_id,
        "version": assessment.version_id,
        "family": assessment.version.family,
        "year": assessment.year,
        "status": assessment.status,
        "overall": _round(card.overall),
        "coverage": _round(card.coverage),
        "answered": card.answered,
        "not_applicable": card.not_applicable,
        "unanswered": card.unanswered,
        "not_scored": card.not_scored,
        "thematic_areas": [_group(group) for group in card.by_area],
        "domains": [_group(group) for group in card.by_domain],
        "questions": [
            {
                "id": row.question.pk,
                "code": row.question.code,
                "thematic_area": row.question.thematic_area_id,
                "domains": row.question.domains,
                "weight": row.weight,
                "status": row.status,
                "answer": row.answer_label,
                "current_level": row.current_level,
                "target_level": row.target_level,
                "score": _round(row.score),
            }
            for row in card.questions
        ],
    }


@router.get(
    "/assessments/{int:pk}/gaps",
    response=list[GapOut],
    operation_id="assessment_gaps",
    summary="Gaps of an assessment to its target levels, ranked by gap × weight × regional priority",
)
def assessment_gaps(request, pk: int):
    return [
        {
            "rank": gap.rank,
            "question": gap.question.pk,
            "code": gap.question.code,
            "text": gap.question.text,
            "thematic_area": gap.thematic_area.pk,
            "domains": gap.domains,
            "current_level": gap.current_level,
            "target_level": gap.target_level,
            "gap": gap.gap,
            "weight": gap.weight,
            "regional_priority": gap.regional_priority,
            "priority_factor": gap.priority_factor,
            "rank_score": round(gap.rank_score, 4),
        }
        for gap in selectors.assessment_gaps(user=request.user, assessment=pk)
    ]


@router.get(
    "/countries/{int:pk}/history",
    response=HistoryOut,
    operation_id="country_score_history",
    summary="One country's assessments of a questionnaire over time",
)
def country_history(request, pk: int, query: Query[FamilyQuery]):
    country = access.get_object_for(request.user, Country, "view", pk=pk)
    history = selectors.country_history(user=request.user, country=country, family=query.family)
    return {
        "country": country.pk,
        "family": history.family,
        "reference_version": history.reference_version.pk if history.reference_version else None,
        "thematic_areas": _areas(history.areas),
        "points": [
            {
                "assessment": point.assessment.pk,
                "year": point.year,
                "version": point.assessment.version_id,
                "status": point.assessment.status,
                "overall": _round(point.overall),
                "coverage": _round(point.coverage),
                "thematic_areas": [
                    {"thematic_area": area_id, "score": _round(value)}
                    for area_id, value in point.by_area.items()
                ],
                "comparable_overall": _round(point.comparable_overall),
                "comparable_coverage": _round(point.comparable_coverage),
                "questions": [
                    {"question": question_id, "score": _round(value)}
                    for question_id, value in point.questions.items()
                ],
            }
            for point in history.points
        ],
    }


@router.get(
    "/regions/{int:pk}/comparison",
    response=ComparisonOut,
    operation_id="region_score_comparison",
    summary="Every country of a region side by side: scores by thematic area of each one's latest assessment",
)
def region_comparison(request, pk: int, query: Query[FamilyQuery]):
    region = access.get_object_for(request.user, Region, "view", pk=pk)
    comparison = selectors.region_comparison(user=request.user, region=region, family=query.family)
    return {
        "region": region.pk,
        "family": comparison.family,
        "thematic_areas": _areas(comparison.areas),
        "countries": [
            {
                "country": row.country.pk,
                "iso2": row.country.iso2,
                "name": row.country.name,
                "assessment": row.assessment.pk if row.assessment else None,
                "year": row.assessment.year if row.assessment else None,
                "version": row.assessment.version_id if row.assessment else None,
                "status": row.assessment.status if row.assessment else None,
                "overall": _round(row.overall),
                "coverage": _round(row.coverage),
                "scores": [_round(value) for value in row.cells],
            }
            for row in comparison.rows
        ],
        "average_overall": _round(comparison.average_overall),
        "average_by_area": [_round(value) for value in comparison.average_by_area],
    }
