"""The default questionnaire (NAQ 2024) loads from the shipped reference data, is published, is
idempotent, uses every answer type and covers every JEE technical area and 1540 matrix section."""

import csv
import re

import pytest

from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.default_template import DATA_DIR, load_default_questionnaire
from cbrnet.assessments.models import LevelDescriptor, Question, QuestionnaireVersion
from cbrnet.assessments.tests.questionnaire_helpers import registry_thematic_areas
from cbrnet.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def naq(world):
    registry_thematic_areas()
    return load_default_questionnaire(world.coe)


def test_it_is_published_with_its_sources(naq, world):
    assert naq.status == VersionStatus.PUBLISHED and naq.published_on is not None
    assert (naq.network, naq.family, naq.version) == (world.coe, "NAQ", "2024")
    assert naq.name == "CBRN Needs Assessment Questionnaire (NAQ)"
    assert "Joint external evaluation" in naq.source and "1540" in naq.source


def test_a_second_load_changes_nothing(naq, world):
    entries = AuditEntry.objects.count()
    again = load_default_questionnaire(world.coe)
    assert again.pk == naq.pk
    assert AuditEntry.objects.count() == entries
    assert QuestionnaireVersion.objects.filter(family="NAQ").count() == 1


def test_it_is_audited_as_the_system(naq):
    entry = AuditEntry.objects.filter(
        object_id=str(naq.pk), content_type__model="questionnaireversion"
    ).first()
    assert entry is not None and entry.actor_id is None


def test_it_has_a_reasonable_number_of_questions_with_every_answer_type(naq):
    questions = list(Question.objects.filter(version=naq))
    assert 80 <= len(questions) <= 150
    assert {question.answer_type for question in questions} == set(AnswerType.values)
    assert all(
        question.thematic_area_id and question.reference and question.weight > 0 for question in questions
    )


def test_every_jee_technical_area_and_indicator_is_asked(naq):
    references = set(Question.objects.filter(version=naq).values_list("reference", flat=True))
    indicators = {row["indicator_code"] for row in _csv("jee_technical_areas.csv")}
    areas = {row["code"] for row in _csv("jee_technical_areas.csv")}
    assert len(areas) == 19
    assert {f"JEE {code}" for code in indicators} <= references
    for area in areas:  # P1 … RE: at least one question per technical area
        assert any(re.fullmatch(rf"JEE {re.escape(area)}(\.\d+|\d+)", ref) for ref in references), area


def test_every_1540_matrix_section_and_measure_is_asked(naq):
    measures = _csv("unscr1540_matrix_sections.csv")
    questions = Question.objects.filter(version=naq, answer_type=AnswerType.YES_PARTLY_NO)
    by_section = {}
    for reference in questions.values_list("reference", flat=True):
        by_section[reference] = by_section.get(reference, 0) + 1
    expected = {}
    for row in measures:
        expected[f"UNSCR 1540 {row['section_code']}"] = (
            expected.get(f"UNSCR 1540 {row['section_code']}", 0) + 1
        )
    assert set(expected) == {
        "UNSCR 1540 OP1",
        "UNSCR 1540 OP2",
        "UNSCR 1540 OP3a",
        "UNSCR 1540 OP3b",
        "UNSCR 1540 OP3c",
        "UNSCR 1540 OP3d",
    }
    assert by_section == expected


def test_level_questions_have_five_descriptors_adapted_to_the_indicator(naq):
    levels = Question.objects.filter(version=naq, answer_type=AnswerType.LEVEL)
    assert levels.count() == 56
    names = [row["name"] for row in _csv("capability_levels.csv")]
    for question in levels.prefetch_related("level_descriptors"):
        descriptors = sorted(question.level_descriptors.all(), key=lambda d: d.level)
        assert [d.level for d in descriptors] == [1, 2, 3, 4, 5], question.code
        assert [d.text.split(":")[0] for d in descriptors] == names
        assert not any("attributes" in d.text for d in descriptors), question.code
    biosafety = LevelDescriptor.objects.get(question__version=naq, question__reference="JEE P7.1", level=1)
    assert "biosafety and biosecurity systems" in biosafety.text.lower() and "not in place" in biosafety.text


def test_questions_carry_domains_and_the_registry_thematic_areas(naq):
    radiation = Question.objects.get(version=naq, reference="JEE RE1")
    assert radiation.domains == "RN" and radiation.thematic_area.code == "nuclear-radiological-security"
    export = Question.objects.filter(
        version=naq, reference="UNSCR 1540 OP3d", answer_type=AnswerType.YES_PARTLY_NO
    )
    assert {q.thematic_area.code for q in export} == {"export-control", "dual-use-trade-control"}
    assert set(Question.objects.filter(version=naq).values_list("section__code", flat=True)) >= {
        "LEG",
        "BOR",
        "EXP",
        "BIO",
        "LAB",
        "SUR",
        "CHE",
        "RAD",
        "RES",
        "COM",
    }


def test_choice_questions_have_choices(naq):
    for question in Question.objects.filter(
        version=naq, answer_type__in=[AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE]
    ):
        assert question.choices.count() >= 2


def test_it_needs_the_registry_thematic_areas(world):
    with pytest.raises(LookupError, match="thematic areas"):
        load_default_questionnaire(world.coe)
    assert not QuestionnaireVersion.objects.exists()


def test_a_draft_left_behind_is_replaced_and_published(world):
    registry_thematic_areas()
    from cbrnet.assessments.tests.questionnaire_helpers import version_of

    version_of(world.coe, "2024")
    naq = load_default_questionnaire(world.coe)
    assert naq.status == VersionStatus.PUBLISHED and naq.questions.count() > 80
