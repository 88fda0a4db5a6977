"""The web pages of assessments: the list and its filters, the assessment's page with the steps each
user is offered, the fill page (one input per question, read-only when it must be) and its autosave,
comments and evidence; the query counts of the list and fill pages."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbrnet.assessments import models
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.tests.assessment_helpers import (
    answer,
    assign,
    fill_required,
    make_assessment,
    make_version,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def template(world):
    return make_version(world)


@pytest.fixture
def draft(world, template):
    return make_assessment(world, template)


def fill_url(assessment, section=None):
    return f"/assessments/{assessment.pk}/fill/" + (f"?section={section.pk}" if section else "")


def answer_url(assessment, question):
    return f"/assessments/{assessment.pk}/questions/{question.pk}/answer/"


# --- list -----------------------------------------------------------------------------------------
def test_the_list_filters_by_country_version_year_and_status(world, template, client_as):
    kz = make_assessment(world, template, year=2024)
    kz_old = make_assessment(world, template, year=2022, status=AssessmentStatus.PUBLISHED)
    uz = make_assessment(world, template, country=world.uz, year=2024, status=AssessmentStatus.SUBMITTED)
    client = client_as(world.sec_ca)
    page = client.get("/assessments/").content.decode()
    assert all(item.get_absolute_url() in page for item in (kz, kz_old, uz))
    cases = {
        f"country={world.uz.pk}": {uz},
        f"version={template.version.pk}&year=2022": {kz_old},
        "status=submitted": {uz},
        "year=2024": {kz, uz},
    }
    for query, expected in cases.items():
        page = client.get(f"/assessments/?{query}").content.decode()
        shown = {item for item in (kz, kz_old, uz) if f'href="{item.get_absolute_url()}"' in page}
        assert shown == expected, query
    # Kazakhstan's focal point does not see Uzbekistan's unpublished assessment.
    page = client_as(world.nfp_kz).get("/assessments/").content.decode()
    assert uz.get_absolute_url() not in page and kz.get_absolute_url() in page


def test_the_list_page_query_count_does_not_grow_with_rows(
    world, template, client_as, django_assert_max_num_queries
):
    client = client_as(world.sec_ca)
    make_assessment(world, template, year=2000)
    client.get("/assessments/")
    with django_assert_max_num_queries(14) as few:
        client.get("/assessments/")
    for year in range(2001, 2030):
        make_assessment(world, template, year=year, country=world.uz if year % 2 else world.kz)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/assessments/", {"per_page": 100})
    assert response.content.decode().count('href="/assessments/') >= 30


# --- the assessment's page ------------------------------------------------------------------------
def test_the_assessment_page_shows_completion_sections_and_the_focal_point_s_step(
    world, template, draft, client_as
):
    answer(draft, template.questions["LEG-1"], level=3)
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    page = client_as(world.nfp_kz).get(draft.get_absolute_url()).content.decode()
    assert '<progress max="100" value="16"' in page and "16 %" in page
    assert "Submit to the secretariat" in page and "Validate" not in page
    assert "Fill in the answers" in page and "Upload the workbook" in page
    assert "Dana Kazteam" in page and "1/3" in page and "0/3" in page
    assert (
        f"/assessments/section-assignments/add/?assessment={draft.pk}&amp;section={template.sections['LEG'].pk}"
        in page
    )
    secretariat = client_as(world.sec_ca).get(draft.get_absolute_url()).content.decode()
    assert "Submit to the secretariat" not in secretariat
    team = client_as(world.team_kz).get(draft.get_absolute_url()).content.decode()
    assert (
        "Submit to the secretariat" not in team and "Fill in the answers" in team and "Reassign" not in team
    )


def test_the_secretariat_is_offered_validation_and_return_of_a_submitted_assessment(
    world, template, client_as
):
    submitted = make_assessment(world, template, status=AssessmentStatus.SUBMITTED)
    page = client_as(world.sec_ca).get(submitted.get_absolute_url()).content.decode()
    assert f'action="/assessments/{submitted.pk}/validate/"' in page
    assert f'action="/assessments/{submitted.pk}/return/"' in page
    assert "Upload the workbook" not in page and "Read the answers" in page
    page = client_as(world.nfp_kz).get(submitted.get_absolute_url()).content.decode()
    assert "/validate/" not in page and "/return/" not in page


def test_the_workflow_buttons_call_the_services(world, template, draft, client_as):
    client = client_as(world.nfp_kz)
    response = client.post(f"/assessments/{draft.pk}/submit/", follow=True)
    assert "required questions are neither answered nor marked not applicable" in response.content.decode()
    assert models.Assessment.objects.get(pk=draft.pk).status == AssessmentStatus.DRAFT
    fill_required(world, draft, template)
    response = client.post(f"/assessments/{draft.pk}/submit/", follow=True)
    assert "Assessment submitted to the secretariat." in response.content.decode()
    assert client.post(f"/assessments/{draft.pk}/validate/").status_code == 403
    secretariat = client_as(world.sec_ca)
    response = secretariat.post(f"/assessments/{draft.pk}/return/", {"note": ""}, follow=True)
    assert "Note:" in response.content.decode()
    secretariat.post(f"/assessments/{draft.pk}/return/", {"note": "Justify LEG-1."})
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT and draft.status_note == "Justify LEG-1."
    assert "Justify LEG-1." in client.get(draft.get_absolute_url()).content.decode()
    assert client_as(world.nfp_uz).post(f"/assessments/{draft.pk}/submit/").status_code == 404


# --- the fill page --------------------------------------------------------------------------------
def test_the_fill_page_has_one_input_per_question_by_type(world, template, draft, client_as):
    answer(draft, template.questions["LEG-1"], level=4, justification="Tested.")
    answer(draft, template.questions["LEG-3"], not_applicable=True)
    page = client_as(world.nfp_kz).get(fill_url(draft)).content.decode()
    leg1, leg3 = template.questions["LEG-1"].pk, template.questions["LEG-3"].pk
    # Level questions: radio buttons with each level's descriptor.
    assert (
        f'<input type="radio" name="value" value="4" id="q{leg1}-value-4" data-answer-value checked>' in page
    )
    assert "<strong>3</strong> — Developed capacity" in page
    assert f'id="q{leg1}-justification" rows="2">Tested.</textarea>' in page
    assert (
        f'<input type="number" step="any" name="value" id="q{leg3}-value" value="" data-answer-value disabled>'
        in page
    )
    assert f'id="q{leg3}-na" data-not-applicable checked>' in page
    assert 'type="date"' in page
    assert (
        f'hx-post="{answer_url(draft, template.questions["LEG-1"])}"' in page
        and 'hx-trigger="change"' in page
    )
    assert "<script>" not in page and ' style="' not in page  # the strict CSP
    lab = client_as(world.nfp_kz).get(fill_url(draft, template.sections["LAB"])).content.decode()
    assert 'value="bsl3"' in lab and 'type="checkbox" name="value" value="sequencing"' in lab
    assert f'<textarea name="value" id="q{template.questions["LAB-3"].pk}-value"' in lab
    assert f'id="q{template.questions["LAB-3"].pk}-na"' not in lab  # N/A not allowed there
    assert "Answer this question with evidence files" in lab and 'type="file"' in lab


def test_the_fill_page_is_read_only_after_submission_and_for_unassigned_sections(world, template, client_as):
    submitted = make_assessment(world, template, status=AssessmentStatus.SUBMITTED)
    page = client_as(world.nfp_kz).get(fill_url(submitted)).content.decode()
    assert "hx-post" not in page and page.count('<fieldset class="answer-fields" disabled>') == 4
    assert "its answers are read-only" in page
    draft = make_assessment(world, template, year=2025)
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    team = client_as(world.team_kz)
    assert "hx-post" not in team.get(fill_url(draft, template.sections["LEG"])).content.decode()
    assert team.get(fill_url(draft, template.sections["LAB"])).content.decode().count("hx-post") == 4
    assert client_as(world.nfp_uz).get(fill_url(draft)).status_code == 404


def test_the_fill_page_query_count_does_not_grow_with_questions(
    world, template, draft, client_as, django_assert_max_num_queries
):
    client = client_as(world.nfp_kz)
    section = template.sections["LEG"]
    client.get(fill_url(draft, section))
    with django_assert_max_num_queries(20) as few:
        client.get(fill_url(draft, section))
    for number in range(40):
        question = models.Question.objects.create(
            version=template.version,
            section=section,
            order=100 + number,
            code=f"Z-{number}",
            text="More",
            thematic_area=world.area,
            answer_type="level",
        )
        models.LevelDescriptor.objects.create(question=question, level=1, text="None")
        models.Answer.objects.create(assessment=draft, question=question, level=2)
        models.AssessmentComment.objects.create(
            assessment=draft, question=question, text="Why?", author=world.nfp_kz
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(fill_url(draft, section))
    assert response.content.decode().count('<article class="question') == 44


def test_autosave_answers_with_the_state_and_the_new_completion(world, template, draft, client_as):
    client = client_as(world.nfp_kz)
    question = template.questions["LEG-1"]
    response = client.post(
        answer_url(draft, question), {"value": "3", "justification": "The 2019 law."}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="state-{question.pk}"' in body and "Saved at" in body
    assert '<div id="completion" class="completion" hx-swap-oob="true">' in body and "16 %" in body
    assert (
        f'<span id="section-progress-{template.sections["LEG"].pk}" class="section-progress" hx-swap-oob="true">1/3'
        in body
    )
    saved = models.Answer.objects.get(assessment=draft, question=question)
    assert saved.level == 3 and saved.justification == "The 2019 law."
    # A refused value comes back as the question's error; nothing changes.
    response = client.post(answer_url(draft, question), {"value": "9"}, **HTMX)
    assert response.status_code == 200 and "Not saved:" in response.content.decode()
    assert "give a level from 1 to 5" in response.content.decode()
    assert models.Answer.objects.get(pk=saved.pk).level == 3
    # Multiple choice and N/A.
    client.post(answer_url(draft, template.questions["LAB-2"]), {"value": ["pcr", "culture"]}, **HTMX)
    client.post(answer_url(draft, template.questions["LEG-3"]), {"not_applicable": "1"}, **HTMX)
    assert models.Answer.objects.get(question=template.questions["LAB-2"]).choices == ["pcr", "culture"]
    assert models.Answer.objects.get(question=template.questions["LEG-3"]).not_applicable
    # Without htmx: back to the page, at the question.
    response = client.post(answer_url(draft, template.questions["LEG-2"]), {"value": "yes"})
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"?section={template.sections['LEG'].pk}#question-{template.questions['LEG-2'].pk}"
    )


def test_autosave_refuses_an_unassigned_section_and_a_submitted_assessment(world, template, draft, client_as):
    team = client_as(world.team_kz)
    response = team.post(answer_url(draft, template.questions["LEG-1"]), {"value": "2"}, **HTMX)
    assert "not assigned to you" in response.content.decode()
    assert team.post(answer_url(draft, template.questions["LEG-1"]), {"value": "2"}).status_code == 403
    models.Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.SUBMITTED)
    response = client_as(world.nfp_kz).post(
        answer_url(draft, template.questions["LEG-1"]), {"value": "2"}, **HTMX
    )
    assert "only while it is a draft" in response.content.decode()
    assert not models.Answer.objects.exists()
    other = make_version(world, version="2025")
    assert (
        client_as(world.nfp_kz).post(answer_url(draft, other.questions["LEG-1"]), {"value": "2"}).status_code
        == 404
    )


def test_comments_and_evidence_from_the_fill_page(world, template, draft, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(world.team_kz)
    question = template.questions["LAB-4"]
    response = client.post(
        f"/assessments/{draft.pk}/comments/add/", {"text": "Which register?", "question": question.pk}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{question.pk}")
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    upload = SimpleUploadedFile("register.pdf", b"%PDF-1.4 register")
    client.post(
        f"/assessments/{draft.pk}/evidence/add/",
        {"file": upload, "question": question.pk, "title": "Register"},
    )
    item = models.Evidence.objects.get()
    assert item.question == question and item.uploaded_by == world.team_kz
    page = client.get(fill_url(draft, template.sections["LAB"])).content.decode()
    assert "Which register?" in page and f'href="/assessments/evidence/{item.pk}/file/">Register</a>' in page
    bad = client.post(
        f"/assessments/{draft.pk}/evidence/add/",
        {"file": SimpleUploadedFile("run.exe", b"MZ"), "question": question.pk},
        follow=True,
    )
    assert "Evidence:" in bad.content.decode() and models.Evidence.objects.count() == 1


def test_a_general_comment_from_the_assessment_page(world, template, draft, client_as):
    client = client_as(world.sec_ca)
    client.post(f"/assessments/{draft.pk}/comments/add/", {"text": "Please add the customs law."})
    page = client.get(draft.get_absolute_url()).content.decode()
    assert re.search(r"sec-ca, \d{4}-\d{2}-\d{2} \d{2}:\d{2}</span><br>Please add the customs law.", page)
