"""Demo assessments: needs assessments of some CoE partner countries on the default questionnaire, at
every stage of the cycle, with plausible (invented) answers, loaded idempotently.

Kazakhstan has a published assessment of 2022 and one of 2024 (so that results can be compared over
time), Uzbekistan a validated one, Kyrgyzstan and Thailand submitted ones, Tajikistan and the
Philippines drafts partly filled in, and Kazakhstan has started its 2026 assessment, two of
whose sections are assigned to the demo national-team member (team-kz). Every answer comes from a random generator seeded by the
country and year, so a second run plans exactly the same rows and writes nothing. The records say
they are demo records; nothing in them is a real country's assessment.
"""

import datetime
import random

from cbrnet.assessments.choices import AnswerType, AssessmentStatus, YesPartlyNo
from cbrnet.assessments.models import (
    Answer,
    Assessment,
    AssessmentComment,
    Question,
    Section,
    SectionAssignment,
)

DEMO_NOTE = "Demo record: invented answers of the demo data set; they describe no real country."
UTC = datetime.UTC

# (iso2, year, status, typical level, share of questions answered, focal point login)
PLAN = (
    ("KZ", 2022, AssessmentStatus.PUBLISHED, 2.4, 1.0, "nfp-kz"),
    ("KZ", 2024, AssessmentStatus.PUBLISHED, 3.1, 1.0, "nfp-kz"),
    ("UZ", 2024, AssessmentStatus.VALIDATED, 2.7, 1.0, "nfp-uz"),
    ("KG", 2025, AssessmentStatus.SUBMITTED, 2.2, 1.0, None),
    ("TH", 2025, AssessmentStatus.SUBMITTED, 3.4, 1.0, "nfp-th"),
    ("TJ", 2025, AssessmentStatus.DRAFT, 2.0, 0.35, None),
    ("PH", 2025, AssessmentStatus.DRAFT, 3.0, 0.6, "nfp-ph"),
    ("KZ", 2026, AssessmentStatus.DRAFT, 3.3, 0.25, "nfp-kz"),
)
SECRETARIAT_LOGINS = {"KZ": "sec-ca", "UZ": "sec-ca", "KG": "sec-ca", "TJ": "sec-ca"}
JUSTIFICATIONS = (
    "Demo justification: the national team reviewed the relevant law and its implementing decrees.",
    "Demo justification: confirmed during the national team's workshop with the ministries concerned.",
    "Demo justification: based on the last inter-agency exercise and its after-action report.",
    "Demo justification: the responsible agency reports that procedures exist but are not yet tested.",
)
TEXTS = (
    "Demo answer: responsibilities are shared between the ministries of health, emergencies and the interior.",
    "Demo answer: a national coordination committee meets twice a year; minutes are kept by its secretariat.",
    "Demo answer: training is provided by the national civil protection academy once a year.",
)


def _at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 9, 0, tzinfo=UTC)


def _value(question: Question, options: list[str], rng: random.Random, typical: float) -> dict:
    """Plausible answer fields for one question (a value of its type, sometimes not applicable)."""
    fields = {
        "level": None,
        "yes_partly_no": "",
        "number": None,
        "date": None,
        "choices": [],
        "text": "",
        "not_applicable": False,
    }
    kind = question.answer_type
    if question.allow_not_applicable and rng.random() < 0.04:
        fields["not_applicable"] = True
        return fields
    level = max(1, min(5, round(rng.gauss(typical, 0.8))))
    if kind == AnswerType.LEVEL:
        fields["level"] = level
    elif kind == AnswerType.YES_PARTLY_NO:
        fields["yes_partly_no"] = (
            YesPartlyNo.YES if level >= 4 else YesPartlyNo.PARTLY if level >= 2 else YesPartlyNo.NO
        )
    elif kind == AnswerType.NUMBER:
        from decimal import Decimal

        fields["number"] = Decimal(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40)))
    elif kind == AnswerType.DATE:
        fields["date"] = datetime.date(rng.randint(2012, 2023), rng.randint(1, 12), rng.randint(1, 28))
    elif kind == AnswerType.SINGLE_CHOICE and options:
        fields["choices"] = [rng.choice(options)]
    elif kind == AnswerType.MULTIPLE_CHOICE and options:
        fields["choices"] = sorted(
            rng.sample(options, rng.randint(1, min(3, len(options)))), key=options.index
        )
    elif kind == AnswerType.TEXT:
        fields["text"] = rng.choice(TEXTS)
    elif question.allow_not_applicable:
        fields["not_applicable"] = True  # evidence questions: the demo has no files
    return fields


def load_assessments(reference, report) -> dict[tuple[str, int], Assessment]:
    """The demo assessments on the default questionnaire of the EU CBRN CoE; nothing when the
    default questionnaire cannot be loaded (no thematic areas) or its countries are missing."""
    from cbrnet.accounts.models import User
    from cbrnet.assessments.default_template import load_default_questionnaire
    from cbrnet.registry.demo import EU_COE, upsert
    from cbrnet.registry.models import Person

    network = reference.networks.get(EU_COE)
    if network is None:
        return {}
    version = load_default_questionnaire(network, report)
    if version is None:
        return {}
    questions = list(
        Question.objects.filter(version=version)
        .prefetch_related("choices")
        .order_by("section__order", "order", "pk")
    )
    options = {question.pk: [choice.value for choice in question.choices.all()] for question in questions}
    sections = list(Section.objects.filter(version=version).order_by("order", "pk"))
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=["nfp-kz", "nfp-uz", "nfp-th", "nfp-ph", "sec-ca", "team-kz"]
        )
    }
    team_kz = Person.objects.filter(user_account__username="team-kz").first()
    loaded = {}
    for iso2, year, status, typical, share, focal_login in PLAN:
        country = reference.countries.get(iso2)
        if country is None:
            continue
        focal = users.get(focal_login) if focal_login else None
        secretariat = users.get(SECRETARIAT_LOGINS.get(iso2, ""))
        reached = list(AssessmentStatus).index(status)
        values = {
            "title": f"Needs assessment of {country.name}, {year} (demo)",
            "network": version.network,
            "status": status,
            "status_note": DEMO_NOTE,
            "submitted_at": _at(year, 5, 15) if reached >= 1 else None,
            "submitted_by": focal if reached >= 1 else None,
            "validated_at": _at(year, 7, 1) if reached >= 2 else None,
            "validated_by": secretariat if reached >= 2 else None,
            "published_at": _at(year, 9, 1) if reached >= 3 else None,
            "published_by": secretariat if reached >= 3 else None,
        }
        assessment = upsert(
            Assessment,
            lookup={"country": country, "version": version, "year": year},
            values=values,
            report=report,
        )
        loaded[(iso2, year)] = assessment
        stored = {answer.question_id: answer for answer in Answer.objects.filter(assessment=assessment)}
        rng = random.Random(f"{iso2}-{year}-{version.family}-{version.version}")
        for question in questions:
            answered = rng.random() < share
            fields = _value(question, options[question.pk], rng, typical)
            justification = rng.choice(JUSTIFICATIONS) if rng.random() < 0.3 else ""
            if not answered:
                continue
            upsert(
                Answer,
                lookup={"assessment": assessment, "question": question},
                values={**fields, "justification": justification, "answered_by": focal},
                report=report,
                existing=stored.get(question.pk),
            )
        if iso2 == "KZ" and team_kz is not None and status == AssessmentStatus.DRAFT:
            for section in sections[:2]:
                upsert(
                    SectionAssignment,
                    lookup={"assessment": assessment, "section": section},
                    values={"person": team_kz, "note": "Demo assignment."},
                    report=report,
                )
        if reached >= 1 and secretariat is not None:
            upsert(
                AssessmentComment,
                lookup={"assessment": assessment, "question": None, "author": secretariat},
                values={
                    "text": "Demo comment: thank you for the thorough justifications; please attach the "
                    "laws cited once they are published."
                },
                report=report,
            )
    return loaded
