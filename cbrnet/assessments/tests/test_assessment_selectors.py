"""Completion and progress of an assessment: the share of required questions answered or marked not
applicable, per assessment and per section, in a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbrnet.assessments import models
from cbrnet.assessments.selectors import assessments as selectors
from cbrnet.assessments.services import assessments as services
from cbrnet.assessments.tests.assessment_helpers import (
    answer,
    assign,
    fill_required,
    make_assessment,
    make_version,
)
from cbrnet.core.audit import audit_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(world):
    return make_version(world)


@pytest.fixture
def draft(world, template):
    return make_assessment(world, template)


def test_an_empty_assessment_is_zero_percent_complete(draft):
    assert selectors.completion(draft) == 0.0


def test_each_required_answer_or_not_applicable_counts_and_nothing_else(world, template, draft):
    q = template.questions
    answer(draft, q["LEG-1"], level=3)
    assert selectors.completion(draft) == pytest.approx(100 / 6)
    answer(draft, q["LEG-3"], not_applicable=True)
    assert selectors.completion(draft) == pytest.approx(200 / 6)
    answer(draft, q["LEG-4"], date="2020-01-01")  # optional: no change
    answer(draft, q["LAB-3"], justification="To do")  # a justification is no answer
    answer(draft, q["LAB-2"], choices=[])  # nothing chosen yet
    assert selectors.completion(draft) == pytest.approx(200 / 6)
    answer(draft, q["LEG-2"], yes_partly_no="no")
    answer(draft, q["LAB-1"], choices=["none"])
    answer(draft, q["LAB-2"], choices=["pcr"])
    answer(draft, q["LAB-3"], text="Two laboratories.")
    assert selectors.completion(draft) == 100.0
    answer(draft, q["LEG-1"], level=None)  # cleared
    assert selectors.completion(draft) == pytest.approx(500 / 6)


def test_a_required_evidence_question_counts_once_a_file_is_attached(
    world, template, draft, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    evidence_question = template.questions["LAB-4"]
    with audit_actor(None, source="command"):
        models.Question.objects.filter(pk=evidence_question.pk).update(required=True)
    fill_required(world, draft, template)
    assert selectors.completion(draft) == pytest.approx(600 / 7)
    assert [question.code for question in selectors.missing_required(draft)] == ["LAB-4"]
    services.evidence_upload(
        user=world.nfp_kz,
        assessment=draft,
        question=evidence_question,
        file=SimpleUploadedFile("register.pdf", b"%PDF-1.4"),
    )
    assert selectors.completion(draft) == 100.0 and selectors.missing_required(draft) == []


def test_a_questionnaire_without_required_questions_is_complete(world, template, draft):
    models.Question.objects.filter(version=template.version).update(required=False)
    assert selectors.completion(draft) == 100.0


def test_section_progress_counts_each_section_with_its_assignee(world, template, draft):
    q = template.questions
    answer(draft, q["LEG-1"], level=2)
    answer(draft, q["LEG-2"], not_applicable=True)
    answer(draft, q["LAB-3"], text="Text")
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    progress = selectors.section_progress(draft)
    assert [(item.section.code, item.answered, item.required) for item in progress] == [
        ("LEG", 2, 3),
        ("LAB", 1, 3),
    ]
    assert progress[0].percent == pytest.approx(200 / 3)
    assert progress[0].assignment is None and progress[1].assignment.person == world.p_team_kz
    summary = selectors.completion_summary(progress)
    assert summary == {"completion": 50.0, "completion_percent": 50, "required_total": 6, "answered_total": 3}


def test_completion_is_rounded_down_so_that_100_means_complete(world, template, draft):
    models.Question.objects.filter(version=template.version).exclude(code="LEG-1").update(required=False)
    for number in range(200):
        models.Question.objects.create(
            version=template.version,
            section=template.sections["LEG"],
            order=100 + number,
            code=f"X-{number}",
            text="Extra",
            thematic_area=world.area,
            required=True,
            answer_type="level",
        )
    for question in models.Question.objects.filter(version=template.version, required=True).exclude(
        code="X-0"
    ):
        models.Answer.objects.create(assessment=draft, question=question, level=3)
    summary = selectors.completion_summary(selectors.section_progress(draft))
    assert summary["completion"] > 99.5 and summary["completion_percent"] == 99


def test_completion_reads_in_a_fixed_number_of_queries(world, template, draft, django_assert_num_queries):
    for number in range(30):
        question = models.Question.objects.create(
            version=template.version,
            section=template.sections["LAB"],
            order=100 + number,
            code=f"Y-{number}",
            text="Extra",
            thematic_area=world.area,
            required=True,
            answer_type="level",
        )
        models.Answer.objects.create(assessment=draft, question=question, level=2)
    with django_assert_num_queries(3):
        assert selectors.completion(draft) == pytest.approx(3000 / 36)
    with django_assert_num_queries(5):
        selectors.section_progress(draft)
    others = [make_assessment(world, template, year=year) for year in (2019, 2020, 2021)]
    with django_assert_num_queries(3):
        figures = selectors.completions([draft, *others])
    assert figures[others[0].pk] == 0.0 and figures[draft.pk] == pytest.approx(3000 / 36)
