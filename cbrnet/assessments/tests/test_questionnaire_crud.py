"""Questionnaire versions, sections, questions, level descriptors and choices keep the generic CRUD,
permission and audit contract. The manager is the Central Asia secretariat (a region of the CoE
network, whose templates it builds); "out of scope" is a published version (visible, immutable)."""

import pytest

from cbrnet.assessments import models
from cbrnet.assessments.choices import AnswerType
from cbrnet.assessments.forms import questionnaires as forms
from cbrnet.assessments.tests.questionnaire_helpers import (
    complete_version,
    published_version,
    question_of,
    section_of,
    version_of,
)
from cbrnet.core.testing import CrudContract, client_for

pytestmark = pytest.mark.django_db

API = "/api/assessments/questionnaires/"


class TestQuestionnaireVersion(CrudContract):
    model, form_class, route, api = (
        models.QuestionnaireVersion,
        forms.QuestionnaireVersionForm,
        "assessments:questionnaireversion",
        API,
    )

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        return version_of(w.coe, "2030")

    def out_of_scope(self, w):
        return published_version(w, "2024")

    def create_data(self, w):
        return {
            "network": w.coe.pk,
            "family": "NAQ",
            "version": "2031",
            "name": "NAQ 2031",
            "description": "A new draft",
            "source": "WHO JEE",
        }

    def change_data(self, w, obj):
        return {"network": obj.network_id, "family": obj.family, "version": obj.version, "name": "Renamed"}

    def invalid_data(self, w):
        return {"family": "bad code!"}

    def test_a_secretariat_cannot_build_templates_of_another_network(self, world):
        response = client_for(world.sec_ca).post(
            self.api, {**self.create_data(world), "network": world.asean.pk}, content_type="application/json"
        )
        assert response.status_code == 403
        assert not models.QuestionnaireVersion.objects.filter(network=world.asean).exists()

    def test_the_status_cannot_be_set_by_editing(self, world):
        draft = self.in_scope(world)
        client_for(world.sec_ca).patch(
            f"{self.api}{draft.pk}", {"status": "published"}, content_type="application/json"
        )
        draft.refresh_from_db()
        assert draft.status == "draft"


class TestSection(CrudContract):
    model, form_class, route, api = (
        models.Section,
        forms.SectionForm,
        "assessments:section",
        f"{API}sections/",
    )

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        return section_of(version_of(w.coe, "2030"))

    def out_of_scope(self, w):
        return section_of(published_version(w, "2024"))

    def create_data(self, w):
        return {"version": version_of(w.coe, "2030").pk, "code": "BIO", "title": "Biosafety", "order": 2}

    def change_data(self, w, obj):
        return {"version": obj.version_id, "code": obj.code, "title": "Renamed", "order": obj.order}

    def invalid_data(self, w):
        return {"code": "bad code!"}

    def test_a_section_cannot_be_added_to_a_published_version(self, world):
        published = published_version(world, "2024")
        count = models.Section.objects.count()
        response = client_for(world.sec_ca).post(
            self.api, {**self.create_data(world), "version": published.pk}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"version"}
        assert models.Section.objects.count() == count


class TestQuestion(CrudContract):
    model, form_class, route, api = (
        models.Question,
        forms.QuestionForm,
        "assessments:question",
        f"{API}questions/",
    )

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        return question_of(section_of(version_of(w.coe, "2030")), "Q1", w.area)

    def out_of_scope(self, w):
        return published_version(w, "2024").level_question

    def create_data(self, w):
        return {
            "section": section_of(version_of(w.coe, "2030")).pk,
            "code": "Q9",
            "text": "Are borders controlled?",
            "answer_type": AnswerType.YES_PARTLY_NO,
            "thematic_area": w.area.pk,
            "domains": "CB",
            "weight": "1.5",
            "target_level": 5,
            "reference": "UNSCR 1540 OP3c",
            "order": 4,
        }

    def change_data(self, w, obj):
        return {
            "section": obj.section_id,
            "code": obj.code,
            "text": "Changed?",
            "answer_type": obj.answer_type,
            "thematic_area": obj.thematic_area_id,
            "weight": "2",
            "target_level": 3,
            "order": obj.order,
        }

    def invalid_data(self, w):
        return {"target_level": 9}

    def deletable(self, w):
        from cbrnet.assessments.services.questionnaires import question_create

        return question_create(
            user=w.sec_ca,
            section=section_of(version_of(w.coe, "2030")),
            code="Q8",
            text="To delete?",
            thematic_area=w.area,
        )

    def test_domains_and_weight_are_stored(self, world):
        response = client_for(world.sec_ca).post(
            self.api, self.create_data(world), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["domains"] == "CB" and body["version"] == version_of(world.coe, "2030").pk
        stored = models.Question.objects.get(pk=body["id"])
        assert str(stored.weight) == "1.50" and stored.reference == "UNSCR 1540 OP3c"

    def test_an_unknown_domain_is_refused_by_field(self, world):
        response = client_for(world.sec_ca).post(
            self.api, {**self.create_data(world), "domains": "CQ"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert "domains" in {error["field"] for error in response.json()["errors"]}


class PartContract(CrudContract):
    """Descriptors and choices: their question (made with some of them) exists before the contract
    counts rows."""

    def manager(self, w):
        self._question(w)
        return w.sec_ca

    def stranger(self, w):
        self._question(w)
        return w.outsider


class TestLevelDescriptor(PartContract):
    model, form_class, route, api = (
        models.LevelDescriptor,
        forms.LevelDescriptorForm,
        "assessments:leveldescriptor",
        f"{API}level-descriptors/",
    )

    def _question(self, w):
        return question_of(section_of(version_of(w.coe, "2030")), "Q1", w.area, levels=(1, 2))

    def in_scope(self, w):
        return self._question(w).level_descriptors.get(level=1)

    def out_of_scope(self, w):
        return published_version(w, "2024").level_question.level_descriptors.get(level=1)

    def create_data(self, w):
        return {
            "question": self._question(w).pk,
            "level": 4,
            "text": "Demonstrated capacity: in place and working.",
        }

    def change_data(self, w, obj):
        return {"question": obj.question_id, "level": obj.level, "text": "Changed"}

    def invalid_data(self, w):
        return {"level": 7}


class TestChoice(PartContract):
    model, form_class, route, api = models.Choice, forms.ChoiceForm, "assessments:choice", f"{API}choices/"

    def _question(self, w):
        return question_of(
            section_of(version_of(w.coe, "2030")), "Q2", w.area, answer_type=AnswerType.SINGLE_CHOICE
        )

    def in_scope(self, w):
        return self._question(w).choices.get(value="a")

    def out_of_scope(self, w):
        published = complete_version(w, "2024")
        from cbrnet.assessments.choices import VersionStatus

        models.QuestionnaireVersion.objects.filter(pk=published.pk).update(status=VersionStatus.PUBLISHED)
        return models.Choice.objects.get(question__version=published, value="a")

    def create_data(self, w):
        return {"question": self._question(w).pk, "order": 3, "value": "c", "label": "Option C"}

    def change_data(self, w, obj):
        return {"question": obj.question_id, "order": obj.order, "value": obj.value, "label": "Renamed"}

    def invalid_data(self, w):
        return {"value": "bad value!"}
