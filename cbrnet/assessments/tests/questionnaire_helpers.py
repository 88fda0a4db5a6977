"""Test helpers of questionnaire templates: versions and their parts written directly through the
models (audited as the system), on top of the personas of cbrnet.core.testing."""

import datetime

from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.models import Choice, LevelDescriptor, Question, QuestionnaireVersion, Section
from cbrnet.core.audit import audit_actor
from cbrnet.registry.demo.common import LoadReport
from cbrnet.registry.demo.reference import load_thematic_areas


def registry_thematic_areas() -> dict:
    """The registry's thematic areas, as the demo loads them (the default template needs them)."""
    with audit_actor(None, source="command"):
        return load_thematic_areas(LoadReport())


def version_of(network, version="2030", *, family="NAQ", status=VersionStatus.DRAFT, previous=None):
    with audit_actor(None, source="command"):
        record, _ = QuestionnaireVersion.objects.get_or_create(
            network=network,
            family=family,
            version=version,
            defaults={
                "name": f"{family} {version}",
                "status": status,
                "previous": previous,
                "published_on": datetime.date(2024, 1, 1) if status != VersionStatus.DRAFT else None,
            },
        )
    return record


def section_of(version, code="LEG", title="Legal framework", order=1):
    with audit_actor(None, source="command"):
        return Section.objects.get_or_create(
            version=version, code=code, defaults={"title": title, "order": order}
        )[0]


def question_of(
    section,
    code,
    area,
    *,
    answer_type=AnswerType.LEVEL,
    levels=(1, 2, 3, 4, 5),
    choices=("a", "b"),
    maps_to=None,
    order=1,
    **values,
):
    """A question; a level question gets descriptors for `levels`, a choice question `choices`."""
    with audit_actor(None, source="command"):
        question, created = Question.objects.get_or_create(
            version=section.version,
            code=code,
            defaults={
                "section": section,
                "text": f"Question {code}?",
                "answer_type": answer_type,
                "thematic_area": area,
                "maps_to": maps_to,
                "order": order,
                **values,
            },
        )
        if created and answer_type == AnswerType.LEVEL:
            for level in levels:
                LevelDescriptor.objects.create(
                    question=question, level=level, text=f"Level {level} of {code}"
                )
        if created and answer_type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
            for index, value in enumerate(choices, start=1):
                Choice.objects.create(question=question, order=index, value=value, label=value.upper())
    return question


def complete_version(w, version="2030", *, network=None, status=VersionStatus.DRAFT, previous=None):
    """A version that passes the publication checks: one section, a level question with five
    descriptors, a choice question with two choices and a yes / partly / no question."""
    record = version_of(network or w.coe, version, status=status, previous=previous)
    section = section_of(record)
    level = question_of(section, "Q1", w.area, order=1)
    question_of(section, "Q2", w.area, answer_type=AnswerType.SINGLE_CHOICE, order=2)
    question_of(section, "Q3", w.area, answer_type=AnswerType.YES_PARTLY_NO, order=3)
    record.level_question = level
    return record


def published_version(w, version="2024", **kwargs):
    return complete_version(w, version, status=VersionStatus.PUBLISHED, **kwargs)
