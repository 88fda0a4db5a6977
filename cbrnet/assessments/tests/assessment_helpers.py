"""A small published questionnaire and assessments for the personas' world (cbrnet.core.testing),
written through the models as the system. One question of each answer type:

    LEG  Legal framework      LEG-1 level (required)          LEG-2 yes/partly/no (required)
                              LEG-3 number (required, N/A)    LEG-4 date (optional)
    LAB  Laboratories         LAB-1 single choice (required)  LAB-2 multiple choice (required)
                              LAB-3 text (required, no N/A)   LAB-4 evidence (optional)

Six required questions, so each one answered is worth 16.67 % of completion.
"""

import datetime
from types import SimpleNamespace

from cbrnet.assessments import models
from cbrnet.assessments.choices import AnswerType, AssessmentStatus, VersionStatus
from cbrnet.core.audit import audit_actor

QUESTIONS = (
    # section, code, type, required, allow N/A
    ("LEG", "LEG-1", AnswerType.LEVEL, True, True),
    ("LEG", "LEG-2", AnswerType.YES_PARTLY_NO, True, True),
    ("LEG", "LEG-3", AnswerType.NUMBER, True, True),
    ("LEG", "LEG-4", AnswerType.DATE, False, True),
    ("LAB", "LAB-1", AnswerType.SINGLE_CHOICE, True, True),
    ("LAB", "LAB-2", AnswerType.MULTIPLE_CHOICE, True, True),
    ("LAB", "LAB-3", AnswerType.TEXT, True, False),
    ("LAB", "LAB-4", AnswerType.EVIDENCE, False, True),
)
LEVEL_TEXTS = {
    1: "No capacity",
    2: "Limited capacity",
    3: "Developed capacity",
    4: "Demonstrated capacity",
    5: "Sustainable capacity",
}
COMPLETE = {
    "LEG-1": 3,
    "LEG-2": "partly",
    "LEG-3": "12",
    "LAB-1": "bsl3",
    "LAB-2": ["pcr", "sequencing"],
    "LAB-3": "Two reference laboratories share the work.",
}


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def make_version(w, *, network=None, family="NAQ", version="2024", published=True) -> SimpleNamespace:
    """A questionnaire version with two sections and one question of each answer type; returns a
    namespace with `version`, `sections` (by code) and `questions` (by code)."""
    with audit_actor(None, source="command"):
        record = _save(
            models.QuestionnaireVersion(
                network=network or w.coe,
                family=family,
                version=version,
                name="Needs assessment questionnaire",
            )
        )
        sections = {
            "LEG": _save(models.Section(version=record, order=1, code="LEG", title="Legal framework")),
            "LAB": _save(models.Section(version=record, order=2, code="LAB", title="Laboratories")),
        }
        questions = {}
        for order, (section, code, kind, required, allow_na) in enumerate(QUESTIONS, start=1):
            question = _save(
                models.Question(
                    version=record,
                    section=sections[section],
                    order=order,
                    code=code,
                    answer_type=kind,
                    text=f"Question {code}",
                    thematic_area=w.area,
                    required=required,
                    allow_not_applicable=allow_na,
                    domains="CB",
                )
            )
            questions[code] = question
            if kind == AnswerType.LEVEL:
                for level, text in LEVEL_TEXTS.items():
                    _save(models.LevelDescriptor(question=question, level=level, text=text))
            if kind == AnswerType.SINGLE_CHOICE:
                for number, (value, label) in enumerate(
                    (("bsl2", "BSL-2"), ("bsl3", "BSL-3"), ("none", "None"))
                ):
                    _save(models.Choice(question=question, order=number, value=value, label=label))
            if kind == AnswerType.MULTIPLE_CHOICE:
                for number, (value, label) in enumerate(
                    (("pcr", "PCR"), ("culture", "Culture"), ("sequencing", "Sequencing"))
                ):
                    _save(models.Choice(question=question, order=number, value=value, label=label))
        if published:
            record.status = VersionStatus.PUBLISHED
            record.published_on = datetime.date(2024, 1, 15)
            _save(record)
    return SimpleNamespace(version=record, sections=sections, questions=questions)


def make_assessment(w, template, *, country=None, year=2024, status=AssessmentStatus.DRAFT, **values):
    """An assessment of `country` (default Kazakhstan) on `template`, at `status`."""
    with audit_actor(None, source="command"):
        assessment = models.Assessment(
            country=country or w.kz,
            version=template.version,
            year=year,
            network=template.version.network,
            status=status,
            **values,
        )
        return _save(assessment)


def answer(assessment, question, **fields):
    with audit_actor(None, source="command"):
        record = models.Answer.objects.filter(
            assessment=assessment, question=question
        ).first() or models.Answer(assessment=assessment, question=question)
        for name, value in fields.items():
            setattr(record, name, value)
        return _save(record)


def fill_required(w, assessment, template, user=None) -> None:
    """Answer every required question (through the service, as the focal point of the country)."""
    from cbrnet.assessments.services.assessments import answer_save

    for code, value in COMPLETE.items():
        answer_save(
            user=user or w.nfp_kz, assessment=assessment, question=template.questions[code], value=value
        )


def assign(w, assessment, section, person):
    with audit_actor(None, source="command"):
        return _save(models.SectionAssignment(assessment=assessment, section=section, person=person))
