"""The services of countries' assessments: who may take each step at which status, what each writes
(and audits), who is notified, and that a refused step changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cbrnet import access
from cbrnet.assessments import models
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.services import assessments as services
from cbrnet.assessments.tests.assessment_helpers import (
    answer,
    assign,
    fill_required,
    make_assessment,
    make_version,
)
from cbrnet.core.audit import audit_actor, serialize
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for
from cbrnet.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def template(world):
    return make_version(world)


@pytest.fixture
def draft(world, template):
    return make_assessment(world, template)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def as_user(user, source="ui"):
    return audit_actor(user, source=source)


def unchanged(instance):
    """A snapshot of the record and of the number of audit entries, to compare after a refusal."""
    return serialize(type(instance).objects.get(pk=instance.pk)), AuditEntry.objects.count()


def assert_unchanged(instance, snapshot):
    assert (serialize(type(instance).objects.get(pk=instance.pk)), AuditEntry.objects.count()) == snapshot


def notified(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- create, update, delete -----------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["nfp_kz", "sec_ca", "admin"])
def test_the_focal_point_the_secretariat_and_an_administrator_start_an_assessment(world, template, persona):
    user = getattr(world, persona)
    with as_user(user):
        assessment = services.assessment_create(
            user=user, country=world.kz, version=template.version, year=2025
        )
    assert assessment.status == AssessmentStatus.DRAFT and assessment.network_id == world.coe.pk
    assert audit_entries_for(assessment, AuditEntry.Action.CREATE).get().actor_id == user.pk
    # The country's focal point hears of it, unless they started it themselves.
    assert bool(notified(world.nfp_kz)) == (persona != "nfp_kz")


@pytest.mark.parametrize("persona", ["team_kz", "nfp_uz", "nfp_ph", "viewer_my", "outsider"])
def test_nobody_else_starts_an_assessment_of_kazakhstan(world, template, persona):
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            user=getattr(world, persona), country=world.kz, version=template.version, year=2025
        )
    assert not models.Assessment.objects.exists()


def test_an_assessment_needs_a_published_version_of_a_network_the_country_belongs_to(world, template):
    unpublished = make_version(world, version="2025", published=False)
    with pytest.raises(ValidationError) as error:
        services.assessment_create(user=world.admin, country=world.kz, version=unpublished.version, year=2025)
    assert "version" in error.value.message_dict
    asean = make_version(world, network=world.asean, family="ASEAN")
    with pytest.raises(ValidationError) as error:
        services.assessment_create(user=world.admin, country=world.kz, version=asean.version, year=2025)
    assert "not a member" in error.value.message_dict["version"][0]
    services.assessment_create(user=world.admin, country=world.kz, version=template.version, year=2025)
    with pytest.raises(ValidationError):  # one assessment per country, version and year
        services.assessment_create(user=world.admin, country=world.kz, version=template.version, year=2025)
    assert models.Assessment.objects.count() == 1


def test_the_managers_edit_a_draft_but_not_a_team_member_nor_a_submitted_one(world, template, draft):
    with as_user(world.sec_ca):
        services.assessment_update(user=world.sec_ca, assessment=draft, title="KZ baseline")
    draft.refresh_from_db()
    assert draft.title == "KZ baseline"
    assert audit_entries_for(draft, AuditEntry.Action.UPDATE).latest("pk").actor_id == world.sec_ca.pk
    snapshot = unchanged(draft)
    with pytest.raises(PermissionDenied):
        services.assessment_update(user=world.team_kz, assessment=draft, title="Mine")
    assert_unchanged(draft, snapshot)
    answer(draft, template.questions["LEG-1"], level=2)
    other = make_version(world, version="2025")
    snapshot = unchanged(draft)
    with pytest.raises(ValidationError) as error:
        services.assessment_update(user=world.nfp_kz, assessment=draft, version=other.version)
    assert "version" in error.value.message_dict
    assert_unchanged(draft, snapshot)
    models.Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.assessment_update(user=world.nfp_kz, assessment=draft, title="Late")
    assert "status" in error.value.message_dict


def test_the_focal_point_deletes_a_draft_with_its_answers(world, template, draft):
    saved = answer(draft, template.questions["LEG-1"], level=2)
    with pytest.raises(PermissionDenied):
        services.assessment_delete(user=world.sec_ca, assessment=draft)
    with pytest.raises(PermissionDenied):
        services.assessment_delete(user=world.team_kz, assessment=draft)
    assert models.Assessment.objects.filter(pk=draft.pk).exists()
    with as_user(world.nfp_kz):
        services.assessment_delete(user=world.nfp_kz, assessment=draft)
    assert not models.Assessment.objects.filter(pk=draft.pk).exists()
    assert audit_entries_for(draft, AuditEntry.Action.DELETE).get().actor_id == world.nfp_kz.pk
    assert audit_entries_for(saved, AuditEntry.Action.DELETE).exists()  # the cascade is recorded too


def test_a_submitted_assessment_cannot_be_deleted(world, template):
    submitted = make_assessment(world, template, status=AssessmentStatus.SUBMITTED)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.assessment_delete(user=world.nfp_kz, assessment=submitted)
    assert models.Assessment.objects.filter(pk=submitted.pk).exists()


# --- sections -------------------------------------------------------------------------------------
def test_a_section_is_assigned_to_a_team_member_who_is_told(world, template, draft):
    with as_user(world.nfp_kz):
        assignment = services.section_assign(
            user=world.nfp_kz, assessment=draft, section=template.sections["LEG"], person=world.p_team_kz
        )
    assert assignment.person == world.p_team_kz
    assert audit_entries_for(assignment, AuditEntry.Action.CREATE).get().actor_id == world.nfp_kz.pk
    assert notified(world.team_kz) == ["Section to answer: LEG. Legal framework"]
    # Assigning the section again reassigns it.
    again = services.section_assign(
        user=world.sec_ca, assessment=draft, section=template.sections["LEG"], person=world.p_nfp_kz
    )
    assert again.pk == assignment.pk and models.SectionAssignment.objects.get().person == world.p_nfp_kz


def test_a_section_goes_only_to_the_country_s_team_or_focal_point_and_only_from_a_manager(
    world, template, draft
):
    with pytest.raises(ValidationError) as error:
        services.section_assign(
            user=world.nfp_kz, assessment=draft, section=template.sections["LEG"], person=world.p_nfp_uz
        )
    assert "person" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.section_assign(
            user=world.team_kz, assessment=draft, section=template.sections["LEG"], person=world.p_team_kz
        )
    other = make_version(world, version="2025")
    with pytest.raises(ValidationError) as error:
        services.section_assign(
            user=world.nfp_kz, assessment=draft, section=other.sections["LEG"], person=world.p_team_kz
        )
    assert "section" in error.value.message_dict
    assert not models.SectionAssignment.objects.exists()


# --- answers: one value per type ------------------------------------------------------------------
VALID = [
    ("LEG-1", 3, {"level": 3}),
    ("LEG-1", "4", {"level": 4}),
    ("LEG-1", 5.0, {"level": 5}),
    ("LEG-2", "partly", {"yes_partly_no": "partly"}),
    ("LEG-2", "Yes", {"yes_partly_no": "yes"}),
    ("LEG-3", "12.5", {"number": Decimal("12.5")}),
    ("LEG-3", 0, {"number": Decimal("0")}),
    ("LEG-3", "-3", {"number": Decimal("-3")}),
    ("LEG-4", "2024-03-01", {"date": datetime.date(2024, 3, 1)}),
    ("LEG-4", datetime.date(2019, 12, 31), {"date": datetime.date(2019, 12, 31)}),
    ("LAB-1", "bsl3", {"choices": ["bsl3"]}),
    ("LAB-1", "BSL-2", {"choices": ["bsl2"]}),  # the label works too
    ("LAB-2", ["pcr", "culture"], {"choices": ["pcr", "culture"]}),
    ("LAB-2", "pcr; sequencing", {"choices": ["pcr", "sequencing"]}),
    ("LAB-3", "  Two laboratories.  ", {"text": "Two laboratories."}),
]
INVALID = [
    ("LEG-1", 0, "level"),
    ("LEG-1", 6, "level"),
    ("LEG-1", "three", "level"),
    ("LEG-1", 2.5, "level"),
    ("LEG-1", True, "level"),
    ("LEG-2", "maybe", "yes_partly_no"),
    ("LEG-3", "twelve", "number"),
    ("LEG-3", "NaN", "number"),
    ("LEG-3", "1.23456", "number"),
    ("LEG-3", "1" * 20, "number"),
    ("LEG-4", "01/03/2024", "date"),
    ("LEG-4", "2024-13-01", "date"),
    ("LAB-1", "bsl4", "choices"),
    ("LAB-1", ["bsl2", "bsl3"], "choices"),
    ("LAB-2", ["pcr", "elisa"], "choices"),
    ("LAB-3", "x" * (services.TEXT_MAX + 1), "text"),
    ("LAB-4", "a file", "not_applicable"),  # evidence questions are answered with files
]


@pytest.mark.parametrize(("code", "value", "stored"), VALID, ids=[f"{c}-{v!r}"[:40] for c, v, _s in VALID])
def test_answer_save_stores_a_valid_value_in_the_field_of_its_type(
    world, template, draft, code, value, stored
):
    with as_user(world.nfp_kz):
        saved = services.answer_save(
            user=world.nfp_kz, assessment=draft, question=template.questions[code], value=value
        )
    saved.refresh_from_db()
    for name, expected in stored.items():
        assert getattr(saved, name) == expected
    assert saved.answered_by == world.nfp_kz and not saved.not_applicable
    assert audit_entries_for(saved, AuditEntry.Action.CREATE).get().actor_id == world.nfp_kz.pk


@pytest.mark.parametrize(("code", "value", "field"), INVALID, ids=[f"{c}-{v!r}"[:40] for c, v, _f in INVALID])
def test_answer_save_refuses_a_value_its_type_does_not_accept_by_field(
    world, template, draft, code, value, field
):
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=world.nfp_kz, assessment=draft, question=template.questions[code], value=value
        )
    assert field in error.value.message_dict, error.value.message_dict
    assert not models.Answer.objects.exists() and AuditEntry.objects.count() == entries


def test_not_applicable_only_where_allowed_and_never_with_a_value(world, template, draft):
    saved = services.answer_save(
        user=world.nfp_kz,
        assessment=draft,
        question=template.questions["LEG-1"],
        not_applicable=True,
        justification="No such law is needed.",
    )
    assert saved.not_applicable and saved.level is None and saved.justification == "No such law is needed."
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=world.nfp_kz, assessment=draft, question=template.questions["LAB-3"], not_applicable=True
        )
    assert "not_applicable" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=world.nfp_kz,
            assessment=draft,
            question=template.questions["LEG-2"],
            value="yes",
            not_applicable=True,
        )
    assert "yes_partly_no" in error.value.message_dict
    assert models.Answer.objects.count() == 1


def test_saving_the_same_answer_again_writes_nothing_and_an_empty_value_clears_it(world, template, draft):
    question = template.questions["LEG-1"]
    saved = services.answer_save(user=world.nfp_kz, assessment=draft, question=question, value=2)
    entries = AuditEntry.objects.count()
    services.answer_save(user=world.nfp_kz, assessment=draft, question=question, value="2")
    assert AuditEntry.objects.count() == entries
    services.answer_save(user=world.nfp_kz, assessment=draft, question=question, value="")
    saved.refresh_from_db()
    assert saved.level is None and AuditEntry.objects.count() == entries + 1
    # Nothing given and no answer yet: nothing is stored.
    assert (
        services.answer_save(user=world.nfp_kz, assessment=draft, question=template.questions["LEG-2"])
        is None
    )
    assert models.Answer.objects.count() == 1


def test_answers_change_only_while_the_assessment_is_a_draft(world, template):
    submitted = make_assessment(world, template, status=AssessmentStatus.SUBMITTED)
    saved = answer(submitted, template.questions["LEG-1"], level=2)
    snapshot = unchanged(saved)
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=world.nfp_kz, assessment=submitted, question=template.questions["LEG-1"], value=4
        )
    assert "status" in error.value.message_dict
    assert_unchanged(saved, snapshot)


def test_a_team_member_answers_only_the_sections_assigned_to_them(world, template, draft):
    leg1, lab1 = template.questions["LEG-1"], template.questions["LAB-1"]
    with pytest.raises(PermissionDenied):
        services.answer_save(user=world.team_kz, assessment=draft, question=leg1, value=2)
    assign(world, draft, template.sections["LEG"], world.p_team_kz)
    with as_user(world.team_kz):
        saved = services.answer_save(user=world.team_kz, assessment=draft, question=leg1, value=2)
    assert saved.answered_by == world.team_kz
    with pytest.raises(PermissionDenied):
        services.answer_save(user=world.team_kz, assessment=draft, question=lab1, value="bsl2")
    # The focal point and the secretariat answer any section.
    services.answer_save(user=world.nfp_kz, assessment=draft, question=lab1, value="bsl2")
    services.answer_save(
        user=world.sec_ca, assessment=draft, question=template.questions["LAB-3"], value="Text"
    )
    assert models.Answer.objects.count() == 3


@pytest.mark.parametrize("persona", ["nfp_uz", "nfp_ph", "viewer_my", "outsider", "jrc_user"])
def test_nobody_outside_the_country_s_scope_answers(world, template, draft, persona):
    with pytest.raises(PermissionDenied):
        services.answer_save(
            user=getattr(world, persona), assessment=draft, question=template.questions["LEG-1"], value=2
        )
    assert not models.Answer.objects.exists()


def test_a_question_of_another_version_is_refused(world, template, draft):
    other = make_version(world, version="2025")
    with pytest.raises(ValidationError) as error:
        services.answer_save(user=world.nfp_kz, assessment=draft, question=other.questions["LEG-1"], value=2)
    assert "question" in error.value.message_dict


def test_a_target_level_is_kept_with_the_answer(world, template, draft):
    saved = services.answer_save(
        user=world.nfp_kz, assessment=draft, question=template.questions["LEG-1"], value=2, target_level=4
    )
    assert saved.target_level == 4
    services.answer_save(user=world.nfp_kz, assessment=draft, question=template.questions["LEG-1"], value=3)
    saved.refresh_from_db()
    assert (saved.level, saved.target_level) == (3, 4)  # not given: unchanged
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=world.nfp_kz, assessment=draft, question=template.questions["LEG-1"], value=3, target_level=9
        )
    assert "target_level" in error.value.message_dict


# --- the workflow ---------------------------------------------------------------------------------
def test_the_focal_point_submits_only_a_complete_assessment(world, template, draft):
    services.answer_save(user=world.nfp_kz, assessment=draft, question=template.questions["LEG-1"], value=2)
    snapshot = unchanged(draft)
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(user=world.nfp_kz, assessment=draft)
    message = error.value.message_dict["answers"][0]
    assert message.startswith("5 required questions") and "LEG-2, LEG-3, LAB-1, LAB-2, LAB-3" in message
    assert "LEG-1" not in message and "LEG-4" not in message  # answered; optional
    assert_unchanged(draft, snapshot)
    fill_required(world, draft, template)
    with as_user(world.nfp_kz):
        services.assessment_submit(user=world.nfp_kz, assessment=draft)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED and draft.submitted_by == world.nfp_kz
    assert draft.submitted_at is not None
    entry = audit_entries_for(draft, AuditEntry.Action.UPDATE).latest("pk")
    assert entry.actor_id == world.nfp_kz.pk and entry.after["status"] == "submitted"
    assert notified(world.sec_ca) == [f"Assessment submitted: {draft}"]


def test_not_applicable_counts_as_answered_for_submission(world, template, draft):
    fill_required(world, draft, template)
    services.answer_save(
        user=world.nfp_kz, assessment=draft, question=template.questions["LEG-3"], not_applicable=True
    )
    services.assessment_submit(user=world.nfp_kz, assessment=draft)
    assert models.Assessment.objects.get(pk=draft.pk).status == AssessmentStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["sec_ca", "team_kz", "admin"])
def test_only_the_national_focal_point_submits(world, template, draft, persona):
    fill_required(world, draft, template)
    snapshot = unchanged(draft)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(user=getattr(world, persona), assessment=draft)
    assert_unchanged(draft, snapshot)


def _submitted(world, template, year=2024):
    assessment = make_assessment(world, template, year=year)
    fill_required(world, assessment, template)
    services.assessment_submit(user=world.nfp_kz, assessment=assessment)
    return models.Assessment.objects.get(pk=assessment.pk)


def test_the_secretariat_validates_and_publishes(world, template):
    assessment = _submitted(world, template)
    with as_user(world.sec_ca):
        services.assessment_validate(user=world.sec_ca, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.VALIDATED and assessment.validated_by == world.sec_ca
    assert f"Assessment validated: {assessment}" in notified(world.nfp_kz)
    assert not access.can(world.nfp_uz, "view", assessment)  # not shared yet
    with as_user(world.sec_ca):
        services.assessment_publish(user=world.sec_ca, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.PUBLISHED and assessment.published_by == world.sec_ca
    assert f"Assessment published: {assessment}" in notified(world.team_kz)
    entries = list(audit_entries_for(assessment, AuditEntry.Action.UPDATE).order_by("pk"))
    assert [entry.after["status"] for entry in entries[-3:]] == ["submitted", "validated", "published"]
    assert entries[-1].actor_id == world.sec_ca.pk
    # Published: the network reads it; a member of another network does not.
    assert access.can(world.nfp_uz, "view", assessment) and access.can(world.nfp_ph, "view", assessment)
    assert not access.can(world.viewer_my, "view", assessment)


def test_a_platform_administrator_may_validate(world, template):
    assessment = _submitted(world, template)
    services.assessment_validate(user=world.admin, assessment=assessment)
    assert models.Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.VALIDATED


@pytest.mark.parametrize("persona", ["nfp_kz", "team_kz", "nfp_uz"])
def test_the_country_does_not_validate_or_publish_its_own_assessment(world, template, persona):
    assessment = _submitted(world, template)
    snapshot = unchanged(assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_validate(user=getattr(world, persona), assessment=assessment)
    services.assessment_validate(user=world.sec_ca, assessment=assessment)
    snapshot = unchanged(assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_publish(user=getattr(world, persona), assessment=assessment)
    assert_unchanged(assessment, snapshot)


def test_steps_out_of_order_are_refused(world, template, draft):
    snapshot = unchanged(draft)
    for step in (services.assessment_validate, services.assessment_publish):
        with pytest.raises(ValidationError) as error:
            step(user=world.sec_ca, assessment=draft)
        assert "status" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.assessment_return(user=world.sec_ca, assessment=draft, note="Why?")
    assert_unchanged(draft, snapshot)
    assessment = _submitted(world, template, year=2023)
    with pytest.raises(ValidationError):
        services.assessment_publish(user=world.sec_ca, assessment=assessment)
    with pytest.raises(ValidationError):
        services.assessment_submit(user=world.nfp_kz, assessment=assessment)
    assert models.Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED


def test_the_secretariat_returns_an_assessment_with_a_note(world, template):
    assessment = _submitted(world, template)
    with pytest.raises(ValidationError) as error:
        services.assessment_return(user=world.sec_ca, assessment=assessment, note="  ")
    assert "note" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assessment_return(user=world.nfp_kz, assessment=assessment, note="Take it back")
    with as_user(world.sec_ca):
        services.assessment_return(user=world.sec_ca, assessment=assessment, note="Justify LEG-1, please.")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and assessment.status_note == "Justify LEG-1, please."
    assert assessment.submitted_at is None and assessment.submitted_by is None
    assert f"Assessment returned: {assessment}" in notified(world.nfp_kz)
    # Back in draft, the country answers again.
    services.answer_save(
        user=world.nfp_kz,
        assessment=assessment,
        question=template.questions["LEG-1"],
        value=4,
        justification="The 2021 decree.",
    )
    validated = _submitted(world, make_version(world, version="2025"))
    services.assessment_validate(user=world.sec_ca, assessment=validated)
    services.assessment_return(user=world.sec_ca, assessment=validated, note="One more check.")
    assert models.Assessment.objects.get(pk=validated.pk).status == AssessmentStatus.DRAFT


def test_assessment_steps_offers_what_the_user_may_do(world, template, draft):
    assert services.assessment_steps(user=world.nfp_kz, assessment=draft) == ["submit"]
    assert services.assessment_steps(user=world.sec_ca, assessment=draft) == []
    assert services.assessment_steps(user=world.team_kz, assessment=draft) == []
    draft.status = AssessmentStatus.SUBMITTED
    assert services.assessment_steps(user=world.sec_ca, assessment=draft) == ["validate", "return"]
    draft.status = AssessmentStatus.VALIDATED
    assert services.assessment_steps(user=world.admin, assessment=draft) == ["publish", "return"]
    assert services.assessment_steps(user=world.nfp_kz, assessment=draft) == []


# --- comments and evidence ------------------------------------------------------------------------
def test_comments_by_the_country_and_the_secretariat_until_publication(world, template, draft):
    with as_user(world.team_kz):
        comment = services.comment_add(
            user=world.team_kz, assessment=draft, text="Which law?", question=template.questions["LEG-1"]
        )
    assert comment.author == world.team_kz
    assert audit_entries_for(comment, AuditEntry.Action.CREATE).get().actor_id == world.team_kz.pk
    with pytest.raises(PermissionDenied):
        services.comment_add(user=world.nfp_uz, assessment=draft, text="Hello")
    with pytest.raises(ValidationError) as error:
        services.comment_add(user=world.nfp_kz, assessment=draft, text=" ")
    assert "text" in error.value.message_dict
    secretariat = services.comment_add(user=world.sec_ca, assessment=draft, text="Cite the decree.")
    with pytest.raises(PermissionDenied):  # someone else's comment
        services.comment_update(user=world.team_kz, comment=secretariat, text="Changed")
    services.comment_update(user=world.team_kz, comment=comment, text="Which law, exactly?")
    services.comment_delete(user=world.nfp_kz, comment=comment)  # the focal point moderates
    published = make_assessment(world, template, year=2020, status=AssessmentStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        services.comment_add(user=world.nfp_kz, assessment=published, text="Late")
    assert list(models.AssessmentComment.objects.values_list("text", flat=True)) == ["Cite the decree."]


def test_evidence_is_uploaded_within_the_model_s_limits(world, template, draft, monkeypatch):
    with as_user(world.nfp_kz):
        item = services.evidence_upload(
            user=world.nfp_kz,
            assessment=draft,
            question=template.questions["LAB-4"],
            file=SimpleUploadedFile("register.pdf", PDF),
        )
    assert item.title == "register.pdf" and item.uploaded_by == world.nfp_kz
    assert item.file.read() == PDF
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(
            user=world.nfp_kz, assessment=draft, file=SimpleUploadedFile("tool.exe", b"MZ")
        )
    assert "file" in error.value.message_dict
    monkeypatch.setattr(models, "EVIDENCE_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(user=world.nfp_kz, assessment=draft, file=SimpleUploadedFile("big.pdf", PDF))
    assert "20 MB" in error.value.message_dict["file"][0]
    assert models.Evidence.objects.count() == 1


def test_evidence_follows_the_answering_rules(world, template, draft):
    with pytest.raises(PermissionDenied):  # no section assigned to the team member
        services.evidence_upload(
            user=world.team_kz,
            assessment=draft,
            question=template.questions["LAB-4"],
            file=SimpleUploadedFile("a.pdf", PDF),
        )
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    services.evidence_upload(
        user=world.team_kz,
        assessment=draft,
        question=template.questions["LAB-4"],
        file=SimpleUploadedFile("a.pdf", PDF),
    )
    submitted = make_assessment(world, template, year=2021, status=AssessmentStatus.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(
            user=world.nfp_kz, assessment=submitted, file=SimpleUploadedFile("b.pdf", PDF)
        )
    assert "status" in error.value.message_dict
    assert models.Evidence.objects.count() == 1


def test_an_evidence_file_is_downloaded_only_by_who_may_read_the_assessment(
    world, template, draft, client_as
):
    item = services.evidence_upload(
        user=world.nfp_kz, assessment=draft, file=SimpleUploadedFile("law.pdf", PDF)
    )
    url = f"/assessments/evidence/{item.pk}/file/"
    response = client_as(world.team_kz).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert client_as(world.nfp_uz).get(url).status_code == 404
    assert (
        client_as(world.nfp_uz).get(f"/api/assessments/assessments/evidence/{item.pk}/file").status_code
        == 404
    )
    models.Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.PUBLISHED)
    assert client_as(world.nfp_uz).get(url).status_code == 200
    assert client_as(world.viewer_my).get(url).status_code == 404


def test_deleting_evidence_removes_its_file_after_the_commit(
    world, template, draft, django_capture_on_commit_callbacks
):
    item = services.evidence_upload(
        user=world.nfp_kz, assessment=draft, file=SimpleUploadedFile("law.pdf", PDF)
    )
    storage, name = item.file.storage, item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(user=world.nfp_kz, evidence=item)
    assert not models.Evidence.objects.exists() and not storage.exists(name)
