"""Assessments and their parts keep the generic CRUD, permission and audit contract (UI and API).

The manager is Kazakhstan's focal point (nfp_kz). In scope: a draft of Kazakhstan. Out of scope
(visible, not changeable): Uzbekistan's published assessment, which the network reads. Hidden: a
draft of Uzbekistan (404)."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbrnet.assessments import models
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.forms import assessments as forms
from cbrnet.assessments.tests.assessment_helpers import answer, assign, make_assessment, make_version
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% demo evidence\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class AssessmentRecords:
    def manager(self, w):
        return w.nfp_kz

    def template(self, w):
        if not hasattr(w, "template"):
            w.template = make_version(w)
        return w.template

    def kz(self, w):
        found = models.Assessment.objects.filter(country=w.kz, year=2024).first()
        return found or make_assessment(w, self.template(w), country=w.kz, year=2024)

    def uz_published(self, w):
        found = models.Assessment.objects.filter(country=w.uz, status=AssessmentStatus.PUBLISHED).first()
        return found or make_assessment(
            w, self.template(w), country=w.uz, year=2023, status=AssessmentStatus.PUBLISHED
        )

    def uz_draft(self, w):
        found = models.Assessment.objects.filter(country=w.uz, status=AssessmentStatus.DRAFT).first()
        return found or make_assessment(w, self.template(w), country=w.uz, year=2025)

    def question(self, w, code):
        return self.template(w).questions[code]

    def section(self, w, code):
        return self.template(w).sections[code]


class TestAssessment(AssessmentRecords, CrudContract):
    model, form_class, route, api = (
        models.Assessment,
        forms.AssessmentForm,
        "assessments:assessment",
        "/api/assessments/assessments/",
    )

    def in_scope(self, w):
        return self.kz(w)

    def out_of_scope(self, w):
        return self.uz_published(w)

    def hidden(self, w):
        return self.uz_draft(w)

    def create_data(self, w):
        return {"country": w.kz.pk, "version": self.template(w).version.pk, "year": 2026, "title": "KZ 2026"}

    def change_data(self, w, obj):
        return {
            "country": obj.country_id,
            "version": obj.version_id,
            "year": obj.year,
            "title": "Renamed assessment",
        }

    def invalid_data(self, w):
        return {"year": 1890}

    def deletable(self, w):
        from cbrnet.assessments.services.assessments import assessment_create

        return assessment_create(user=w.nfp_kz, country=w.kz, version=self.template(w).version, year=2027)


class TestSectionAssignment(AssessmentRecords, CrudContract):
    model, form_class, route, api = (
        models.SectionAssignment,
        forms.SectionAssignmentForm,
        "assessments:sectionassignment",
        "/api/assessments/assessments/section-assignments/",
    )

    def in_scope(self, w):
        return models.SectionAssignment.objects.filter(assessment=self.kz(w)).first() or assign(
            w, self.kz(w), self.section(w, "LEG"), w.p_team_kz
        )

    def out_of_scope(self, w):
        return models.SectionAssignment.objects.filter(assessment=self.uz_published(w)).first() or assign(
            w, self.uz_published(w), self.section(w, "LEG"), w.p_nfp_uz
        )

    def hidden(self, w):
        return models.SectionAssignment.objects.filter(assessment=self.uz_draft(w)).first() or assign(
            w, self.uz_draft(w), self.section(w, "LEG"), w.p_nfp_uz
        )

    def create_data(self, w):
        return {
            "assessment": self.kz(w).pk,
            "section": self.section(w, "LAB").pk,
            "person": w.p_team_kz.pk,
            "note": "The laboratories",
        }

    def change_data(self, w, obj):
        return {
            "assessment": obj.assessment_id,
            "section": obj.section_id,
            "person": w.p_nfp_kz.pk,
            "note": "Taken back",
        }

    def invalid_data(self, w):
        return {"person": w.p_nfp_uz.pk}  # not on Kazakhstan's team: refused by the service, by field


class TestAnswer(AssessmentRecords, CrudContract):
    model, form_class, route, api = (
        models.Answer,
        forms.AnswerForm,
        "assessments:answer",
        "/api/assessments/assessments/answers/",
    )

    def in_scope(self, w):
        return answer(self.kz(w), self.question(w, "LEG-1"), level=2)

    def out_of_scope(self, w):
        return answer(self.uz_published(w), self.question(w, "LEG-1"), level=4)

    def hidden(self, w):
        return answer(self.uz_draft(w), self.question(w, "LEG-1"), level=1)

    def create_data(self, w):
        return {
            "assessment": self.kz(w).pk,
            "question": self.question(w, "LEG-2").pk,
            "yes_partly_no": "partly",
            "justification": "The law exists; its decrees do not.",
        }

    def change_data(self, w, obj):
        if obj.question.code == "LEG-1":
            return {"assessment": obj.assessment_id, "question": obj.question_id, "level": 3}
        return {"assessment": obj.assessment_id, "question": obj.question_id, "yes_partly_no": "yes"}

    def invalid_data(self, w):
        return {"level": 2}  # a level given to a yes/partly/no question


class TestAssessmentComment(AssessmentRecords, CrudContract):
    model, form_class, route, api = (
        models.AssessmentComment,
        forms.AssessmentCommentForm,
        "assessments:assessmentcomment",
        "/api/assessments/assessments/comments/",
    )

    def comment(self, assessment, author, text, question=None):
        with audit_actor(None, source="command"):
            return models.AssessmentComment.objects.get_or_create(
                assessment=assessment, text=text, defaults={"author": author, "question": question}
            )[0]

    def in_scope(self, w):
        return self.comment(self.kz(w), w.nfp_kz, "Check the 2019 law.", self.question(w, "LEG-1"))

    def out_of_scope(self, w):
        return self.comment(self.uz_published(w), w.nfp_uz, "Published comment.")

    def hidden(self, w):
        return self.comment(self.uz_draft(w), w.nfp_uz, "Draft comment.")

    def create_data(self, w):
        return {
            "assessment": self.kz(w).pk,
            "question": self.question(w, "LEG-2").pk,
            "text": "Ask the customs service.",
        }

    def change_data(self, w, obj):
        return {
            "assessment": obj.assessment_id,
            "question": obj.question_id,
            "text": "Ask the border guards.",
        }

    def invalid_data(self, w):
        return {"text": ""}


class TestEvidence(AssessmentRecords, CrudContract):
    model, form_class, route, api = (
        models.Evidence,
        forms.EvidenceForm,
        "assessments:evidence",
        "/api/assessments/assessments/evidence/",
    )

    def evidence(self, assessment, title):
        found = models.Evidence.objects.filter(assessment=assessment, title=title).first()
        if found:
            return found
        with audit_actor(None, source="command"):
            item = models.Evidence(
                assessment=assessment, title=title, file=SimpleUploadedFile("law.pdf", PDF)
            )
            item.full_clean()
            item.save()
            return item

    def in_scope(self, w):
        return self.evidence(self.kz(w), "Law on biosafety")

    def out_of_scope(self, w):
        return self.evidence(self.uz_published(w), "UZ law")

    def hidden(self, w):
        return self.evidence(self.uz_draft(w), "UZ draft law")

    def create_data(self, w):
        # The API takes the file base64-encoded; the web form gets it as an upload (form_data below).
        return {
            "assessment": self.kz(w).pk,
            "question": self.question(w, "LAB-4").pk,
            "title": "Laboratory register",
            "file_name": "register.pdf",
            "content": base64.b64encode(PDF).decode(),
        }

    @staticmethod
    def form_data(data: dict) -> dict:
        data = {key: ("" if value is None else value) for key, value in data.items()}
        if "content" in data:
            data["file"] = SimpleUploadedFile(data.pop("file_name"), base64.b64decode(data.pop("content")))
        return data

    def change_data(self, w, obj):
        return {"assessment": obj.assessment_id, "title": "Law on biosafety (2021)"}

    def invalid_data(self, w):
        return {"content": "this is not base64!"}

    def deletable(self, w):
        from cbrnet.assessments.services.assessments import evidence_upload

        return evidence_upload(
            user=w.nfp_kz, assessment=self.kz(w), file=SimpleUploadedFile("x.pdf", PDF), title="X"
        )
