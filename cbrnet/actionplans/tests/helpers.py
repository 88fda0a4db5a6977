"""Assessments and action plans for the personas' world (cbrnet.core.testing.build_world), written
through the models as the system (so they are audited like any record)."""

import datetime
from dataclasses import dataclass

from cbrnet.actionplans import models
from cbrnet.actionplans.choices import ActionStatus, PlanStatus
from cbrnet.assessments.choices import AssessmentStatus, VersionStatus
from cbrnet.assessments.models import Answer, Assessment, Question, QuestionnaireVersion, Section
from cbrnet.core.audit import audit_actor
from cbrnet.registry.models import ThematicArea


def record(model, **values):
    with audit_actor(None, source="command"):
        instance = model(**values)
        instance.full_clean()
        instance.save()
    return instance


def questionnaire(w, *, questions=3):
    """A published two-area questionnaire of the CoE network: questions B1… in border control
    (weight 2) and L1… in laboratories (weight 1), target level 4."""
    version = QuestionnaireVersion.objects.filter(network=w.coe, family="NAQ", version="2024").first()
    if version is not None:
        return version
    laboratories = ThematicArea.objects.filter(code="laboratories").first() or record(
        ThematicArea, code="laboratories", name="Laboratories", order=2
    )
    with audit_actor(None, source="command"):
        version = QuestionnaireVersion.objects.create(
            network=w.coe,
            family="NAQ",
            version="2024",
            name="Needs Assessment Questionnaire",
            status=VersionStatus.PUBLISHED,
            published_on=datetime.date(2024, 1, 15),
        )
        border = Section.objects.create(version=version, order=1, code="B", title="Border control")
        labs = Section.objects.create(version=version, order=2, code="L", title="Laboratories")
        for number in range(1, questions + 1):
            Question.objects.create(
                version=version,
                section=border,
                order=number,
                code=f"B{number}",
                text=f"Border control capability {number}",
                thematic_area=w.area,
                weight=2,
                domains="CB",
                target_level=4,
            )
            Question.objects.create(
                version=version,
                section=labs,
                order=number,
                code=f"L{number}",
                text=f"Laboratory capability {number}",
                thematic_area=laboratories,
                weight=1,
                domains="B",
                target_level=4,
            )
    return version


def assessment_of(w, country, *, year=2024, status=AssessmentStatus.PUBLISHED, levels=None):
    """An assessment of `country` with answers: `levels` maps question codes to levels."""
    version = questionnaire(w)
    found = Assessment.objects.filter(country=country, version=version, year=year).first()
    if found is not None:
        return found
    with audit_actor(None, source="command"):
        assessment = Assessment.objects.create(country=country, version=version, year=year, status=status)
        for code, level in (levels or {}).items():
            Answer.objects.create(
                assessment=assessment, question=version.questions.get(code=code), level=level
            )
    return assessment


def plan_of(w, country, *, status=PlanStatus.DRAFT, title=None, network=None, **values):
    values.setdefault("start_year", 2025)
    values.setdefault("end_year", 2028)
    with audit_actor(None, source="command"):
        plan = models.ActionPlan(
            country=country,
            network=network or w.coe,
            title=title or f"National CBRN Action Plan of {country}",
            status=status,
            **values,
        )
        plan.full_clean()
        plan.save()
    return plan


def objective_of(plan, *, title="Strengthen border control", order=1, **values):
    return record(models.Objective, plan=plan, title=title, order=order, **values)


def action_of(objective, *, title="Train border guards", order=1, **values):
    values.setdefault("start_date", datetime.date(2025, 3, 1))
    values.setdefault("end_date", datetime.date(2026, 6, 30))
    return record(models.Action, plan=objective.plan, objective=objective, title=title, order=order, **values)


def indicator_of(action, *, name="Border guards trained", **values):
    values.setdefault("baseline", 0)
    values.setdefault("target", 200)
    return record(models.Indicator, action=action, name=name, **values)


def report_of(action, *, percent=40, status=ActionStatus.IN_PROGRESS, date=None, **values):
    return record(
        models.ProgressReport,
        action=action,
        percent_complete=percent,
        status=status,
        date=date or datetime.date(2025, 9, 1),
        narrative="Two courses held.",
        **values,
    )


def full_plan(w, country, *, status=PlanStatus.DRAFT, lead=None, **values):
    """A plan with one objective, one action (with a lead agency) and one indicator."""
    plan = plan_of(w, country, status=status, **values)
    objective = objective_of(plan)
    action = action_of(objective, lead_agency=lead)
    indicator_of(action)
    return plan


@dataclass(frozen=True)
class StandInGap:
    """A gap as the scoring part describes it (cbrnet.assessments.selectors.scores.Gap)."""

    question: Question
    thematic_area: ThematicArea
    domains: str
    current_level: int | None
    target_level: int
    weight: float
    regional_priority: bool
    rank_score: float


def gaps_from_answers(assessment) -> list[StandInGap]:
    """Stand-in gaps computed by hand from the answers: (target − current) × weight × (2 when the
    area is a regional priority of the country's region, else 1), best first."""
    from cbrnet.registry.models import Membership, RegionalPriority

    regions = Membership.objects.current().filter(country=assessment.country).values("region_id")
    priority_areas = set(
        RegionalPriority.objects.filter(region_id__in=regions).values_list("thematic_area_id", flat=True)
    )
    answers = {answer.question_id: answer for answer in assessment.answers.all()}
    gaps = []
    for question in assessment.version.questions.select_related("thematic_area").order_by("code"):
        answer = answers.get(question.pk)
        if answer is None or answer.level is None or answer.level >= question.target_level:
            continue
        priority = question.thematic_area_id in priority_areas
        score = (question.target_level - answer.level) * float(question.weight) * (2 if priority else 1)
        gaps.append(
            StandInGap(
                question,
                question.thematic_area,
                question.domains,
                answer.level,
                question.target_level,
                float(question.weight),
                priority,
                score,
            )
        )
    return sorted(gaps, key=lambda gap: -gap.rank_score)
