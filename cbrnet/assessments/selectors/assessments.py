"""Reads of countries' assessments: completion (the share of required questions answered or marked
not applicable), progress per section, the questions still open, and what the fill page shows.

Each of them costs a fixed number of queries whatever the number of questions (no N+1): counts and
answers are read in bulk and put together in Python, because whether an answer "answers" depends on
its question's type (docs/assessments.md, "Completion").
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from cbrnet.assessments.choices import AnswerType, AssessmentStatus
from cbrnet.assessments.models import (
    Answer,
    Assessment,
    AssessmentComment,
    Evidence,
    Question,
    Section,
    SectionAssignment,
)
from cbrnet.assessments.services.assessments import VALUE_FIELDS, answerable_section_ids, question_options

_ANSWER_COLUMNS = (
    "assessment_id",
    "question_id",
    "question__section_id",
    "question__answer_type",
    "not_applicable",
    "level",
    "yes_partly_no",
    "number",
    "date",
    "choices",
    "text",
)


def _answered_required(assessment_ids) -> dict[int, dict[int, set[int]]]:
    """assessment id -> section id -> ids of its required questions that are answered or N/A."""
    answered: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    rows = Answer.objects.filter(assessment_id__in=assessment_ids, question__required=True).values_list(
        *_ANSWER_COLUMNS
    )
    for assessment_id, question_id, section_id, answer_type, not_applicable, *values in rows:
        given = dict(
            zip(("level", "yes_partly_no", "number", "date", "choices", "text"), values, strict=True)
        )
        field_name = VALUE_FIELDS.get(answer_type)
        if not_applicable or (field_name is not None and given[field_name] not in (None, "", [])):
            answered[assessment_id][section_id].add(question_id)
    evidence = Evidence.objects.filter(
        assessment_id__in=assessment_ids, question__required=True, question__answer_type=AnswerType.EVIDENCE
    ).values_list("assessment_id", "question__section_id", "question_id")
    for assessment_id, section_id, question_id in evidence:
        answered[assessment_id][section_id].add(question_id)
    return answered


def _required_counts(version_ids) -> dict[int, dict[int, int]]:
    """version id -> section id -> number of required questions."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Question.objects.filter(version_id__in=version_ids, required=True)
        .values("version_id", "section_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["version_id"]][row["section_id"]] = row["count"]
    return counts


def _percent(answered: int, required: int) -> float:
    return 100.0 if required == 0 else 100.0 * answered / required


def completions(assessments) -> dict[int, float]:
    """assessment id -> completion percentage, for many assessments in three queries."""
    assessments = list(assessments)
    if not assessments:
        return {}
    required = _required_counts({assessment.version_id for assessment in assessments})
    answered = _answered_required([assessment.pk for assessment in assessments])
    result = {}
    for assessment in assessments:
        total = sum(required[assessment.version_id].values())
        done = sum(len(ids) for ids in answered[assessment.pk].values())
        result[assessment.pk] = _percent(done, total)
    return result


def completion(assessment: Assessment) -> float:
    """Percentage (0–100) of the required questions of the assessment that are answered or marked not
    applicable; an evidence question counts as answered once a file is attached to it. 100 when the
    questionnaire has no required question."""
    return completions([assessment])[assessment.pk]


@dataclass
class SectionProgress:
    section: Section
    required: int
    answered: int
    assignment: SectionAssignment | None = None

    @property
    def percent(self) -> float:
        return _percent(self.answered, self.required)


def section_progress(assessment: Assessment) -> list[SectionProgress]:
    """Each section of the assessment's questionnaire in order, with its required and answered
    questions and its assignee (five queries)."""
    sections = list(Section.objects.filter(version_id=assessment.version_id).order_by("order", "pk"))
    required = _required_counts([assessment.version_id])[assessment.version_id]
    answered = _answered_required([assessment.pk])[assessment.pk]
    assignments = {
        assignment.section_id: assignment
        for assignment in SectionAssignment.objects.filter(assessment=assessment).select_related("person")
    }
    return [
        SectionProgress(
            section=section,
            required=required.get(section.pk, 0),
            answered=len(answered.get(section.pk, ())),
            assignment=assignments.get(section.pk),
        )
        for section in sections
    ]


def completion_summary(progress: list[SectionProgress]) -> dict:
    """The completion figures a page shows, from the sections' progress: `completion` (0–100),
    `completion_percent` (rounded down: 100 % only when complete) and the counts."""
    required = sum(item.required for item in progress)
    answered = sum(item.answered for item in progress)
    percent = _percent(answered, required)
    return {
        "completion": percent,
        "completion_percent": int(percent),
        "required_total": required,
        "answered_total": answered,
    }


def missing_required(assessment: Assessment) -> list[Question]:
    """The required questions neither answered nor marked not applicable, in questionnaire order."""
    answered = set().union(*_answered_required([assessment.pk])[assessment.pk].values())
    questions = Question.objects.filter(version_id=assessment.version_id, required=True).exclude(
        pk__in=answered
    )
    return list(questions.select_related("section").order_by("section__order", "section__pk", "order", "pk"))


# --- the fill page --------------------------------------------------------------------------------
@dataclass
class QuestionBlock:
    """One question as the fill page shows it: the question, its stored answer, its comments and
    evidence, and whether the user may answer it now."""

    question: Question
    answer: Answer | None
    editable: bool
    comments: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    saved: bool = False
    submitted: dict | None = None  # what the user sent, shown again when it was refused

    @property
    def answered(self) -> bool:
        if self.answer is None:
            return self.question.answer_type == AnswerType.EVIDENCE and bool(self.evidence)
        if self.answer.not_applicable:
            return True
        name = VALUE_FIELDS.get(self.question.answer_type)
        if name is None:
            return bool(self.evidence)
        return getattr(self.answer, name) not in (None, "", [])

    @property
    def levels(self) -> list[tuple[int, str]]:
        descriptors = {item.level: item.text for item in self.question.level_descriptors.all()}
        return [(level, descriptors.get(level, "")) for level in range(1, 6)]

    @property
    def options(self) -> list[tuple[str, str]]:
        return question_options(self.question)

    @property
    def chosen(self) -> list[str]:
        if self.submitted is not None:
            return self.submitted.get("values", [])
        return list(self.answer.choices or []) if self.answer else []

    @property
    def current(self) -> str:
        """The value as the form shows it (a level, yes/partly/no, a number, a date, text)."""
        if self.submitted is not None:
            values = self.submitted.get("values", [])
            return values[0] if values else ""
        if self.answer is None or self.answer.not_applicable:
            return ""
        name = VALUE_FIELDS.get(self.question.answer_type)
        value = getattr(self.answer, name) if name else None
        if value is None:
            return ""
        if name == "number":
            return f"{value.normalize():f}"
        if name == "date":
            return value.isoformat()
        return str(value)

    @property
    def not_applicable(self) -> bool:
        if self.submitted is not None:
            return self.submitted.get("not_applicable", False)
        return bool(self.answer and self.answer.not_applicable)

    @property
    def justification(self) -> str:
        if self.submitted is not None:
            return self.submitted.get("justification", "")
        return self.answer.justification if self.answer else ""


def _questions(**filters):
    return (
        Question.objects.filter(**filters)
        .prefetch_related("level_descriptors", "choices")
        .order_by("order", "pk")
    )


def question_blocks(*, user, assessment: Assessment, questions) -> list[QuestionBlock]:
    """The blocks of `questions` (a queryset of one assessment's questions) for the user: answers,
    comments and evidence in one query each."""
    questions = list(questions)
    ids = [question.pk for question in questions]
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(assessment=assessment, question_id__in=ids)
    }
    comments = defaultdict(list)
    for comment in AssessmentComment.objects.filter(
        assessment=assessment, question_id__in=ids
    ).select_related("author"):
        comments[comment.question_id].append(comment)
    evidence = defaultdict(list)
    for item in Evidence.objects.filter(assessment=assessment, question_id__in=ids).order_by("created", "pk"):
        evidence[item.question_id].append(item)
    draft = assessment.status == AssessmentStatus.DRAFT
    sections = answerable_section_ids(user, assessment) if draft else set()
    return [
        QuestionBlock(
            question=question,
            answer=answers.get(question.pk),
            comments=comments[question.pk],
            evidence=evidence[question.pk],
            editable=draft and (sections is None or question.section_id in sections),
        )
        for question in questions
    ]


def question_block(*, user, assessment: Assessment, question: Question) -> QuestionBlock:
    """One question's block (after its answer was saved)."""
    return question_blocks(user=user, assessment=assessment, questions=_questions(pk=question.pk))[0]


def fill_page(*, user, assessment: Assessment, section: Section | None) -> dict:
    """What the fill page of one section shows: every section with its progress, the section's
    questions as blocks, and the completion."""
    progress = section_progress(assessment)
    if section is None and progress:
        section = progress[0].section
    blocks = (
        question_blocks(user=user, assessment=assessment, questions=_questions(section=section))
        if section
        else []
    )
    return {
        **completion_summary(progress),
        "sections": progress,
        "section": section,
        "blocks": blocks,
        "editable_any": any(block.editable for block in blocks),
    }
