"""The services of questionnaire templates: a published version never changes, whatever the path
(service, web page, builder, API, import); who may build; the publication checks, each naming what
is missing; mapping onto the previous version; retiring; starting a new version from a published one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cbrnet.assessments import models
from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.services import questionnaires as services
from cbrnet.assessments.tests.questionnaire_helpers import (
    complete_version,
    published_version,
    question_of,
    section_of,
    version_of,
)
from cbrnet.core.audit import audit_actor, serialize
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for

pytestmark = pytest.mark.django_db


def snapshot(version):
    """Every stored value of a version and its parts, and the number of audit entries."""
    rows = [serialize(version)]
    for model, lookup in (
        (models.Section, "version"),
        (models.Question, "version"),
        (models.LevelDescriptor, "question__version"),
        (models.Choice, "question__version"),
    ):
        rows += [serialize(row) for row in model.objects.filter(**{lookup: version}).order_by("pk")]
    return rows, AuditEntry.objects.count()


# --- a published version never changes -------------------------------------------------------------------


def _writes(w, version):
    section = version.sections.get()
    question = version.level_question
    choice_question = version.questions.get(code="Q2")
    descriptor = question.level_descriptors.get(level=1)
    choice = choice_question.choices.first()
    user = w.sec_ca
    return {
        "version_update": lambda: services.questionnaire_version_update(
            user=user, version=version, changes={"name": "x"}
        ),
        "version_delete": lambda: services.questionnaire_version_delete(user=user, version=version),
        "version_publish": lambda: services.questionnaire_version_publish(user=user, version=version),
        "section_create": lambda: services.section_create(
            user=user, version=version, code="NEW", title="New"
        ),
        "section_update": lambda: services.section_update(user=user, section=section, changes={"title": "x"}),
        "section_delete": lambda: services.section_delete(user=user, section=section),
        "question_create": lambda: services.question_create(
            user=user, section=section, code="Q9", text="New?", thematic_area=w.area
        ),
        "question_update": lambda: services.question_update(
            user=user, question=question, changes={"text": "x"}
        ),
        "question_delete": lambda: services.question_delete(user=user, question=question),
        "descriptor_create": lambda: services.level_descriptor_create(
            user=user, question=question, level=1, text="x"
        ),
        "descriptor_update": lambda: services.level_descriptor_update(
            user=user, descriptor=descriptor, changes={"text": "x"}
        ),
        "descriptor_delete": lambda: services.level_descriptor_delete(user=user, descriptor=descriptor),
        "descriptors_save": lambda: services.question_descriptors_save(
            user=user, question=question, texts={1: "x"}
        ),
        "choice_create": lambda: services.choice_create(
            user=user, question=choice_question, value="z", label="Z"
        ),
        "choice_update": lambda: services.choice_update(user=user, choice=choice, changes={"label": "x"}),
        "choice_delete": lambda: services.choice_delete(user=user, choice=choice),
    }


@pytest.mark.parametrize("status", [VersionStatus.PUBLISHED, VersionStatus.RETIRED])
def test_no_service_changes_a_published_or_retired_version(world, status):
    version = complete_version(world, "2024")
    models.QuestionnaireVersion.objects.filter(pk=version.pk).update(status=status)
    version.refresh_from_db()
    before = snapshot(version)
    for name, write in _writes(world, version).items():
        with pytest.raises(ValidationError) as error:
            write()
        assert "never changes" in " ".join(error.value.messages) or name == "version_publish", name
    assert snapshot(version) == before


def test_the_web_pages_and_the_api_refuse_changes_to_a_published_version(world):
    version = published_version(world, "2024")
    section = version.sections.get()
    question = version.level_question
    before = snapshot(version)
    client = client_for(world.sec_ca)
    api = "/api/assessments/questionnaires/"
    assert (
        client.post(
            f"/assessments/questionnaires/sections/{section.pk}/edit/",
            {"version": version.pk, "code": "X", "title": "X", "order": 1},
        ).status_code
        == 403
    )
    assert client.post(f"/assessments/questionnaires/sections/{section.pk}/delete/").status_code == 403
    assert client.get(f"/assessments/questionnaires/{version.pk}/builder/").status_code == 403
    assert (
        client.post(
            f"/assessments/questionnaires/{version.pk}/builder/sections/add/",
            {"code": "X", "title": "X"},
            HTTP_HX_REQUEST="true",
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/assessments/questionnaires/builder/questions/{question.pk}/descriptors/",
            {f"q{question.pk}-level_1": "x"},
        ).status_code
        == 403
    )
    assert (
        client.patch(f"{api}{version.pk}", {"name": "x"}, content_type="application/json").status_code == 403
    )
    assert (
        client.patch(
            f"{api}questions/{question.pk}", {"text": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.delete(f"{api}sections/{section.pk}").status_code == 403
    response = client.post(
        f"{api}questions/",
        {"section": section.pk, "code": "Q9", "text": "x", "thematic_area": world.area.pk},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "section"
    assert snapshot(version) == before


def test_an_import_never_changes_an_existing_version(world):
    from cbrnet.assessments.selectors.questionnaires import template_document_of

    version = published_version(world, "2024")
    before = snapshot(version)
    document = template_document_of(version)
    document["sections"][0]["title"] = "Changed by an import"
    with pytest.raises(services.TemplateImportError) as error:
        services.questionnaire_version_import(
            user=world.sec_ca, network=world.coe, data=__import__("json").dumps(document).encode()
        )
    assert [problem.path for problem in error.value.problems] == ["version.version"]
    assert snapshot(version) == before


# --- who builds --------------------------------------------------------------------------------------------


def test_only_managers_of_the_network_build_its_templates(world):
    draft = version_of(world.coe, "2030")
    for user in (world.nfp_kz, world.team_kz, world.viewer_my, world.outsider, world.nfp_ph):
        with pytest.raises(PermissionDenied):
            services.section_create(user=user, version=draft, code="X", title="X")
    asean = version_of(world.asean, "2030")
    with pytest.raises(PermissionDenied):
        services.section_create(user=world.sec_ca, version=asean, code="X", title="X")
    with audit_actor(world.admin, source="command"):
        section = services.section_create(user=world.admin, version=asean, code="X", title="X")
    assert (
        section.order == 1
        and audit_entries_for(section, AuditEntry.Action.CREATE).get().actor_id == world.admin.pk
    )
    with pytest.raises(PermissionDenied):
        services.questionnaire_version_create(
            user=world.nfp_kz, network=world.coe, family="NAQ", version="2040", name="x"
        )
    with pytest.raises(PermissionDenied):  # a CA secretariat officer builds CoE templates, not ASEAN ones
        services.questionnaire_version_create(
            user=world.sec_ca, network=world.asean, family="NAQ", version="2040", name="x"
        )
    assert not models.QuestionnaireVersion.objects.filter(version="2040").exists()


def test_parts_are_placed_at_the_end_in_order(world):
    draft = version_of(world.coe, "2030")
    first = services.section_create(user=world.sec_ca, version=draft, code="A", title="A")
    second = services.section_create(user=world.sec_ca, version=draft, code="B", title="B")
    question = services.question_create(
        user=world.sec_ca, section=second, code="Q1", text="?", thematic_area=world.area
    )
    assert (first.order, second.order, question.order, question.version_id) == (1, 2, 1, draft.pk)


def test_a_question_cannot_move_to_a_section_of_another_version(world):
    question = question_of(section_of(version_of(world.coe, "2030")), "Q1", world.area)
    other = section_of(version_of(world.coe, "2031"))
    with pytest.raises(ValidationError) as error:
        services.question_update(user=world.sec_ca, question=question, changes={"section": other})
    assert "section" in error.value.message_dict


def test_a_new_answer_type_drops_the_descriptors_that_no_longer_apply(world):
    question = question_of(section_of(version_of(world.coe, "2030")), "Q1", world.area)
    services.question_update(
        user=world.sec_ca, question=question, changes={"answer_type": AnswerType.YES_PARTLY_NO}
    )
    assert not question.level_descriptors.exists()
    with pytest.raises(ValidationError) as error:
        services.level_descriptor_create(user=world.sec_ca, question=question, level=1, text="x")
    assert "question" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.choice_create(user=world.sec_ca, question=question, value="x", label="X")


def test_descriptors_are_saved_together_and_only_what_differs_is_written(world):
    question = question_of(section_of(version_of(world.coe, "2030")), "Q1", world.area, levels=(1, 2))
    entries = AuditEntry.objects.count()
    services.question_descriptors_save(
        user=world.sec_ca,
        question=question,
        texts={1: "Level 1 of Q1", 2: "", 3: "Three", 4: "Four", 5: "Five"},
    )
    assert dict(question.level_descriptors.values_list("level", "text")) == {
        1: "Level 1 of Q1",
        3: "Three",
        4: "Four",
        5: "Five",
    }
    assert AuditEntry.objects.count() == entries + 4  # one delete, three creates; level 1 untouched


# --- publishing -------------------------------------------------------------------------------------------


def test_publishing_names_everything_that_is_missing(world):
    draft = version_of(world.coe, "2030")
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_publish(user=world.sec_ca, version=draft)
    assert set(error.value.message_dict) == {"questions"}
    section = section_of(draft)
    section_of(draft, "EMPTY", "Empty", 2)
    question_of(section, "Q1", world.area, levels=(1, 2, 3))
    question_of(section, "Q2", world.area, answer_type=AnswerType.MULTIPLE_CHOICE, choices=("only",))
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_publish(user=world.sec_ca, version=draft)
    problems = error.value.message_dict
    assert set(problems) == {"sections", "level_descriptors", "choices"}
    assert problems["level_descriptors"] == ["Question Q1 has no descriptor for level 4, 5."]
    assert "Q2" in problems["choices"][0] and "EMPTY" in problems["sections"][0]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_complete_draft_is_published_by_a_manager_and_audited(world):
    draft = complete_version(world, "2030")
    with pytest.raises(PermissionDenied):
        services.questionnaire_version_publish(user=world.nfp_kz, version=draft)
    with audit_actor(world.sec_ca, source="command"):
        published = services.questionnaire_version_publish(user=world.sec_ca, version=draft)
    assert published.status == VersionStatus.PUBLISHED and published.published_on is not None
    entry = audit_entries_for(published, AuditEntry.Action.UPDATE).order_by("-pk").first()
    assert entry.actor_id == world.sec_ca.pk and entry.after["status"] == "published"
    with pytest.raises(ValidationError):
        services.questionnaire_version_publish(user=world.sec_ca, version=published)


def test_a_draft_cannot_be_published_before_its_previous_version(world):
    older = complete_version(world, "2024")
    newer = complete_version(world, "2026")
    models.QuestionnaireVersion.objects.filter(pk=newer.pk).update(previous=older)
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_publish(user=world.sec_ca, version=newer)
    assert "previous" in error.value.message_dict


# --- mapping onto the previous version ----------------------------------------------------------------------


def test_questions_map_only_onto_questions_of_the_previous_version(world):
    older = published_version(world, "2024")
    unrelated = published_version(world, "2020")
    draft = version_of(world.coe, "2026", previous=older)
    section = section_of(draft)
    question = services.question_create(
        user=world.sec_ca,
        section=section,
        code="N1",
        text="?",
        thematic_area=world.area,
        maps_to=older.level_question,
    )
    assert question.maps_to == older.level_question
    with pytest.raises(ValidationError) as error:
        services.question_update(
            user=world.sec_ca, question=question, changes={"maps_to": unrelated.level_question}
        )
    assert "maps_to" in error.value.message_dict
    lonely = version_of(world.coe, "2027")
    with pytest.raises(ValidationError) as error:
        services.question_create(
            user=world.sec_ca,
            section=section_of(lonely),
            code="N1",
            text="?",
            thematic_area=world.area,
            maps_to=older.level_question,
        )
    assert "maps_to" in error.value.message_dict


def test_the_previous_version_cannot_change_while_questions_map_onto_it(world):
    older = published_version(world, "2024")
    other = published_version(world, "2022")
    draft = services.questionnaire_version_new_from(user=world.sec_ca, version=older, new_version="2026")
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_update(user=world.sec_ca, version=draft, changes={"previous": other})
    assert "previous" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_update(
            user=world.sec_ca,
            version=version_of(world.coe, "2028"),
            changes={"previous": version_of(world.coe, "2029")},
        )
    assert "previous" in error.value.message_dict  # a draft is no previous version


# --- retiring and new versions ---------------------------------------------------------------------------------


def test_a_published_version_is_retired_by_a_manager_only(world):
    version = published_version(world, "2024")
    with pytest.raises(PermissionDenied):
        services.questionnaire_version_retire(user=world.nfp_kz, version=version)
    retired = services.questionnaire_version_retire(user=world.sec_ca, version=version)
    assert retired.status == VersionStatus.RETIRED
    with pytest.raises(ValidationError):
        services.questionnaire_version_retire(user=world.sec_ca, version=retired)
    with pytest.raises(ValidationError):
        services.questionnaire_version_retire(user=world.sec_ca, version=version_of(world.coe, "2030"))


def test_a_new_version_copies_everything_and_maps_onto_the_copied_questions(world):
    older = published_version(world, "2024")
    draft = services.questionnaire_version_new_from(
        user=world.sec_ca, version=older, new_version="2026", name="NAQ revised"
    )
    assert (draft.status, draft.previous_id, draft.name, draft.network_id) == (
        VersionStatus.DRAFT,
        older.pk,
        "NAQ revised",
        older.network_id,
    )
    old_questions = {q.code: q for q in older.questions.all()}
    new_questions = list(draft.questions.select_related("maps_to", "section"))
    assert {q.code for q in new_questions} == set(old_questions)
    for question in new_questions:
        assert question.maps_to == old_questions[question.code] and question.section.version_id == draft.pk
    copied = draft.questions.get(code="Q1")
    assert list(copied.level_descriptors.values_list("level", "text")) == list(
        older.level_question.level_descriptors.values_list("level", "text")
    )
    assert list(draft.questions.get(code="Q2").choices.values_list("value", flat=True)) == ["a", "b"]
    services.questionnaire_version_publish(user=world.sec_ca, version=draft)  # complete as copied


def test_new_versions_come_from_published_versions_with_a_new_label(world):
    older = published_version(world, "2024")
    with pytest.raises(ValidationError) as error:
        services.questionnaire_version_new_from(user=world.sec_ca, version=older, new_version="2024")
    assert "version" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.questionnaire_version_new_from(
            user=world.sec_ca, version=version_of(world.coe, "2030"), new_version="2031"
        )
    with pytest.raises(PermissionDenied):
        services.questionnaire_version_new_from(user=world.nfp_kz, version=older, new_version="2026")
    assert models.QuestionnaireVersion.objects.count() == 2
