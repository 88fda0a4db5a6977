"""Test helpers of the scores: questionnaire versions, assessments and answers written directly
through the models (audited as the system), on top of the personas of cbrnet.core.testing.

A question is given as (code, area, answer type, weight, domains, target level[, maps_to code]);
an answer as a level (1–5), "yes" / "partly" / "no", "na" (not applicable), "" (a row without a
value: unanswered), or a (value, target level) pair.
"""

import datetime
import itertools
from types import SimpleNamespace

from cbrnet.assessments.choices import AnswerType, AssessmentStatus, VersionStatus
from cbrnet.assessments.models import Answer, Assessment, Question, QuestionnaireVersion, Section
from cbrnet.core.audit import audit_actor
from cbrnet.registry.models import RegionalPriority, ThematicArea

LEVEL, YPN, NUMBER = AnswerType.LEVEL, AnswerType.YES_PARTLY_NO, AnswerType.NUMBER
_days = itertools.count()


def make_areas() -> SimpleNamespace:
    """Three thematic areas: legal framework, border control (the world's), biosafety."""
    with audit_actor(None, source="command"):
        legal, _ = ThematicArea.objects.get_or_create(
            code="legal-framework", defaults={"name": "Legal framework", "order": 0}
        )
        border, _ = ThematicArea.objects.get_or_create(
            code="border-control", defaults={"name": "Border control", "order": 1}
        )
        bio, _ = ThematicArea.objects.get_or_create(
            code="biosafety", defaults={"name": "Biosafety and biosecurity", "order": 2}
        )
    return SimpleNamespace(legal=legal, border=border, bio=bio)


def make_version(
    network,
    questions,
    *,
    family="NAQ",
    version="2024",
    previous=None,
    published_on=None,
    status=VersionStatus.PUBLISHED,
) -> QuestionnaireVersion:
    """A questionnaire version with one section per thematic area; `version.q[code]` is the question."""
    with audit_actor(None, source="command"):
        record = QuestionnaireVersion.objects.create(
            network=network,
            family=family,
            version=version,
            name=f"{family} {version}",
            previous=previous,
            status=status,
            published_on=published_on or datetime.date(2020, 1, 1) + datetime.timedelta(days=next(_days)),
        )
        record.q = {}
        sections = {}
        for order, spec in enumerate(questions, start=1):
            code, area, kind, weight, domains, target, *rest = spec
            section = sections.get(area.pk)
            if section is None:
                section = sections[area.pk] = Section.objects.create(
                    version=record, order=len(sections) + 1, code=f"S{len(sections) + 1}", title=area.name
                )
            maps_to = previous.q[rest[0]] if rest and rest[0] else None
            record.q[code] = Question.objects.create(
                version=record,
                section=section,
                order=order,
                code=code,
                text=f"Question {code}?",
                answer_type=kind,
                domains=domains,
                thematic_area=area,
                weight=weight,
                target_level=target,
                maps_to=maps_to,
            )
    return record


def make_assessment(country, version, year, answers=None, *, status=AssessmentStatus.PUBLISHED) -> Assessment:
    with audit_actor(None, source="command"):
        assessment = Assessment.objects.create(country=country, version=version, year=year, status=status)
        for code, given in (answers or {}).items():
            value, target = given if isinstance(given, tuple) else (given, None)
            question = version.q[code]
            fields = {"target_level": target}
            if value == "na":
                fields["not_applicable"] = True
            elif isinstance(value, int):
                fields["level"] = value
            elif value in ("yes", "partly", "no"):
                fields["yes_partly_no"] = value
            Answer.objects.create(assessment=assessment, question=question, **fields)
    return assessment


def make_priority(region, area, title=None) -> RegionalPriority:
    with audit_actor(None, source="command"):
        return RegionalPriority.objects.create(
            region=region, thematic_area=area, title=title or f"Priority {area.name}"
        )


def worked_example(world) -> SimpleNamespace:
    """The example of docs/scoring.md, as records: Kazakhstan's published 2024 assessment.

    Q1 level 4, weight 2, legal framework, chemical
    Q2 partly, weight 1, legal framework, biological
    Q3 not applicable, weight 3, border control, chemical and biological
    Q4 unanswered, weight 1, border control, all hazards
    Q5 level 2, weight 1, border control, chemical and biological
    Q6 a number (not scored), weight 1, border control
    Border control is a priority of Central Asia; every target is level 4.
    """
    areas = make_areas()
    version = make_version(
        world.coe,
        [
            ("Q1", areas.legal, LEVEL, 2, "C", 4),
            ("Q2", areas.legal, YPN, 1, "B", 4),
            ("Q3", areas.border, LEVEL, 3, "CB", 4),
            ("Q4", areas.border, LEVEL, 1, "", 4),
            ("Q5", areas.border, LEVEL, 1, "CB", 4),
            ("Q6", areas.border, NUMBER, 1, "", 4),
        ],
    )
    assessment = make_assessment(
        world.kz, version, 2024, {"Q1": 4, "Q2": "partly", "Q3": "na", "Q4": "", "Q5": 2}
    )
    make_priority(world.ca, areas.border)
    return SimpleNamespace(areas=areas, version=version, assessment=assessment)
