"""The pages of questionnaire templates: a published version's page shows its level descriptors
and offers only what the user may do; the builder adds, edits and deletes sections and questions in
place (htmx fragments, and plain form posts without JavaScript), and edits descriptors and choices on
the question; publish, retire and new-version buttons; query counts that do not grow with the size."""

import re

import pytest
from django.urls import reverse

from cbrnet.assessments import models
from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.tests.questionnaire_helpers import (
    complete_version,
    published_version,
    question_of,
    section_of,
    version_of,
)
from cbrnet.core.testing import client_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(version):
    return reverse("assessments:questionnaireversion_detail", args=[version.pk])


def builder(version):
    return reverse("assessments:questionnaireversion_builder", args=[version.pk])


def test_a_published_version_shows_its_questions_and_level_descriptors_read_only(world):
    version = published_version(world, "2024")
    html = client_for(world.nfp_kz).get(detail(version)).content.decode()
    assert "Level 4 of Q1" in html and "Question Q1?" in html and "Published" in html
    assert builder(version) not in html
    for action in ("publish", "retire", "new_version"):
        assert reverse(f"assessments:questionnaireversion_{action}", args=[version.pk]) not in html
    assert reverse("assessments:questionnaireversion_export", args=[version.pk, "xlsx"]) in html


def test_buttons_follow_what_the_user_may_do(world):
    draft = complete_version(world, "2030")
    published = published_version(world, "2024")
    client = client_for(world.sec_ca)
    html = client.get(detail(draft)).content.decode()
    assert (
        builder(draft) in html
        and reverse("assessments:questionnaireversion_publish", args=[draft.pk]) in html
    )
    assert reverse("assessments:questionnaireversion_retire", args=[draft.pk]) not in html
    html = client.get(detail(published)).content.decode()
    assert reverse("assessments:questionnaireversion_retire", args=[published.pk]) in html
    assert reverse("assessments:questionnaireversion_new_version", args=[published.pk]) in html
    assert builder(published) not in html
    assert reverse("assessments:questionnaireversion_publish", args=[draft.pk]) not in (
        client_for(world.nfp_kz).get(detail(draft)).content.decode()
    )


def test_a_draft_page_lists_what_keeps_it_from_being_published(world):
    draft = version_of(world.coe, "2030")
    question_of(section_of(draft), "Q1", world.area, levels=(1, 2))
    html = client_for(world.sec_ca).get(detail(draft)).content.decode()
    assert "Question Q1 has no descriptor for level 3, 4, 5." in html


def test_publish_retire_and_new_version_through_the_pages(world):
    draft = complete_version(world, "2030")
    client = client_for(world.sec_ca)
    assert (
        client.post(reverse("assessments:questionnaireversion_publish", args=[draft.pk])).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    url = reverse("assessments:questionnaireversion_new_version", args=[draft.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": "2030"})
    assert response.status_code == 400 and "already has version 2030" in response.content.decode()
    response = client.post(url, {"version": "2032", "name": ""})
    new = models.QuestionnaireVersion.objects.get(version="2032")
    assert response.status_code == 302 and response["Location"] == builder(new)
    assert client.post(reverse("assessments:questionnaireversion_retire", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETIRED
    assert client_for(world.nfp_kz).get(url).status_code == 403


def test_publishing_an_incomplete_draft_shows_the_reasons_and_changes_nothing(world):
    draft = version_of(world.coe, "2030")
    response = client_for(world.sec_ca).post(
        reverse("assessments:questionnaireversion_publish", args=[draft.pk]), follow=True
    )
    assert "The version has no questions yet." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_builder_adds_edits_and_deletes_sections_in_place(world):
    draft = version_of(world.coe, "2030")
    client = client_for(world.sec_ca)
    assert client.get(builder(draft)).status_code == 200
    add = reverse("assessments:section_builder_add", args=[draft.pk])
    response = client.post(add, {"code": "LEG", "title": "Legal framework"}, **HTMX)
    section = models.Section.objects.get(version=draft, code="LEG")
    assert response.status_code == 200 and f'id="builder-section-{section.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(add, {"code": "bad code!", "title": ""}, **HTMX)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert models.Section.objects.filter(version=draft).count() == 1
    edit = reverse("assessments:section_builder_edit", args=[draft.pk, section.pk])
    assert "Edit section LEG" in client.get(edit, **HTMX).content.decode()
    response = client.post(edit, {"code": "LEG", "title": "Laws", "order": "3"}, **HTMX)
    section.refresh_from_db()
    assert (section.title, section.order) == ("Laws", 3) and "Laws" in response.content.decode()
    response = client.post(reverse("assessments:section_builder_delete", args=[section.pk]), **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not models.Section.objects.filter(pk=section.pk).exists()


def test_the_builder_works_without_javascript(world):
    draft = version_of(world.coe, "2030")
    client = client_for(world.sec_ca)
    response = client.post(
        reverse("assessments:section_builder_add", args=[draft.pk]), {"code": "BIO", "title": "Bio"}
    )
    assert response.status_code == 302 and response["Location"] == builder(draft)
    section = models.Section.objects.get(version=draft, code="BIO")
    response = client.get(reverse("assessments:question_builder_add", args=[section.pk]))
    assert response.status_code == 302 and "questions/add/" in response["Location"]


def test_the_builder_adds_a_question_and_edits_its_descriptors_and_choices(world):
    draft = version_of(world.coe, "2030")
    section = section_of(draft)
    client = client_for(world.sec_ca)
    add = reverse("assessments:question_builder_add", args=[section.pk])
    form = client.get(add, **HTMX).content.decode()
    prefix = re.search(r'name="([^"]+)-code"', form).group(1)
    data = {
        f"{prefix}-{name}": value
        for name, value in {
            "code": "Q1",
            "text": "Is there a biosafety law?",
            "answer_type": AnswerType.LEVEL,
            "domains": "B",
            "thematic_area": world.area.pk,
            "weight": "1",
            "target_level": "4",
            "required": "on",
            "allow_not_applicable": "on",
        }.items()
    }
    response = client.post(add, data, **HTMX)
    question = models.Question.objects.get(version=draft, code="Q1")
    assert response["HX-Retarget"] == f"#builder-section-{section.pk}"
    assert "Is there a biosafety law?" in response.content.decode() and question.domains == "B"
    descriptors = {f"q{question.pk}-level_{level}": f"Level {level} text" for level in range(1, 6)}
    response = client.post(
        reverse("assessments:question_descriptors", args=[question.pk]), descriptors, **HTMX
    )
    assert response.status_code == 200 and "Level 5 text" in response.content.decode()
    assert question.level_descriptors.count() == 5

    choice_question = question_of(section, "Q2", world.area, answer_type=AnswerType.SINGLE_CHOICE, choices=())
    url = reverse("assessments:question_choice_add", args=[choice_question.pk])
    client.post(url, {f"q{choice_question.pk}-value": "yes", f"q{choice_question.pk}-label": "Yes"}, **HTMX)
    response = client.post(
        url, {f"q{choice_question.pk}-value": "yes", f"q{choice_question.pk}-label": "Again"}, **HTMX
    )
    assert choice_question.choices.count() == 1 and 'class="message error"' in response.content.decode()
    choice = choice_question.choices.get()
    client.post(reverse("assessments:question_choice_delete", args=[choice.pk]), **HTMX)
    assert not choice_question.choices.exists()
    client.post(reverse("assessments:question_builder_delete", args=[question.pk]), **HTMX)
    assert not models.Question.objects.filter(pk=question.pk).exists()


def test_the_builder_is_for_managers_of_drafts_only(world):
    draft = version_of(world.coe, "2030")
    section = section_of(draft)
    assert client_for(world.nfp_kz).get(builder(draft)).status_code == 403
    response = client_for(world.nfp_kz).post(reverse("assessments:section_builder_delete", args=[section.pk]))
    assert response.status_code == 403 and models.Section.objects.filter(pk=section.pk).exists()
    assert client_for(world.sec_ca).get(builder(version_of(world.asean, "2030"))).status_code == 403


@pytest.mark.parametrize("page", ["detail", "builder"])
def test_version_pages_keep_their_query_count_whatever_the_size(world, page, django_assert_max_num_queries):
    draft = complete_version(world, "2030")
    client = client_for(world.sec_ca)
    url = detail(draft) if page == "detail" else builder(draft)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for index in range(2, 8):
        section = section_of(draft, f"S{index}", f"Section {index}", index)
        for number in range(4):
            question_of(section, f"S{index}Q{number}", world.area, order=number)
            question_of(
                section, f"S{index}C{number}", world.area, answer_type=AnswerType.SINGLE_CHOICE, order=9
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
