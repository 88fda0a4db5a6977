"""The API of assessments beyond the CRUD contract: workflow steps, the answer upsert by question
code, the completion figures and evidence uploads; problem details naming the field."""

import base64

import pytest

from cbrnet.assessments import models
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.tests.assessment_helpers import (
    COMPLETE,
    answer,
    assign,
    make_assessment,
    make_version,
)
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for

pytestmark = pytest.mark.django_db
BASE = "/api/assessments/assessments"


@pytest.fixture
def template(world):
    return make_version(world)


@pytest.fixture
def draft(world, template):
    return make_assessment(world, template)


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


def test_answers_are_upserted_by_question_code(world, template, draft, client_as):
    client = client_as(world.nfp_kz)
    response = put(client, f"{BASE}/{draft.pk}/answers/LEG-1", {"value": 3, "justification": "The 2019 law."})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["level"] == 3 and body["question"] == template.questions["LEG-1"].pk
    saved = models.Answer.objects.get(pk=body["id"])
    assert audit_entries_for(saved, AuditEntry.Action.CREATE).get().source == "api"
    response = put(client, f"{BASE}/{draft.pk}/answers/LEG-1", {"value": "4"})
    assert response.json()["id"] == saved.pk and response.json()["level"] == 4
    response = put(client, f"{BASE}/{draft.pk}/answers/LAB-2", {"value": ["pcr", "culture"]})
    assert response.json()["choices"] == ["pcr", "culture"]
    response = put(client, f"{BASE}/{draft.pk}/answers/LEG-3", {"not_applicable": True})
    assert response.json()["not_applicable"] is True
    response = put(client, f"{BASE}/{draft.pk}/answers/LEG-2", {"value": "maybe"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["yes_partly_no"]
    assert put(client, f"{BASE}/{draft.pk}/answers/NOPE-1", {"value": 3}).status_code == 404
    assert put(client, f"{BASE}/{draft.pk}/answers/LEG-4", {}).status_code == 204
    assert models.Answer.objects.filter(assessment=draft).count() == 3


def test_the_upsert_keeps_the_answering_rules(world, template, draft, client_as):
    assert put(client_as(world.team_kz), f"{BASE}/{draft.pk}/answers/LEG-1", {"value": 3}).status_code == 403
    assign(world, draft, template.sections["LEG"], world.p_team_kz)
    assert put(client_as(world.team_kz), f"{BASE}/{draft.pk}/answers/LEG-1", {"value": 3}).status_code == 200
    assert put(client_as(world.nfp_uz), f"{BASE}/{draft.pk}/answers/LEG-1", {"value": 3}).status_code == 404
    models.Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.SUBMITTED)
    response = put(client_as(world.nfp_kz), f"{BASE}/{draft.pk}/answers/LEG-1", {"value": 1})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    assert models.Answer.objects.get().level == 3


def test_the_generic_answer_endpoints_go_through_answer_save(world, template, draft, client_as):
    client = client_as(world.nfp_kz)
    data = {"assessment": draft.pk, "question": template.questions["LEG-1"].pk, "level": 7}
    response = client.post(f"{BASE}/answers/", data, content_type="application/json")
    assert response.status_code == 422 and "level" in {error["field"] for error in response.json()["errors"]}
    data = {"assessment": draft.pk, "question": template.questions["LAB-3"].pk, "not_applicable": True}
    response = client.post(f"{BASE}/answers/", data, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "not_applicable"
    assign(world, draft, template.sections["LEG"], world.p_team_kz)
    saved = answer(draft, template.questions["LAB-1"], choices=["bsl2"])
    team = client_as(world.team_kz)
    response = team.patch(
        f"{BASE}/answers/{saved.pk}", {"choices": ["none"]}, content_type="application/json"
    )
    assert response.status_code == 403  # not their section
    assert models.Answer.objects.get(pk=saved.pk).choices == ["bsl2"]


def test_the_workflow_through_the_api(world, template, draft, client_as):
    nfp, secretariat = client_as(world.nfp_kz), client_as(world.sec_ca)
    response = nfp.post(f"{BASE}/{draft.pk}/submit")
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["field"] == "answers"
        and "LEG-1" in response.json()["errors"][0]["message"]
    )
    for code, value in COMPLETE.items():
        assert put(nfp, f"{BASE}/{draft.pk}/answers/{code}", {"value": value}).status_code == 200
    assert secretariat.post(f"{BASE}/{draft.pk}/submit").status_code == 403
    response = nfp.post(f"{BASE}/{draft.pk}/submit")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["submitted_by"] == world.nfp_kz.pk
    assert nfp.post(f"{BASE}/{draft.pk}/validate").status_code == 403
    response = secretariat.post(f"{BASE}/{draft.pk}/return", {"note": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    assert secretariat.post(f"{BASE}/{draft.pk}/validate").json()["status"] == "validated"
    assert secretariat.post(f"{BASE}/{draft.pk}/publish").json()["status"] == "published"
    assert (
        client_as(world.nfp_uz).get(f"{BASE}/{draft.pk}").status_code == 200
    )  # published: the network reads it
    assert secretariat.post(f"{BASE}/{draft.pk}/publish").status_code == 422
    assert nfp.delete(f"{BASE}/{draft.pk}").status_code == 422  # no longer a draft
    assert models.Assessment.objects.filter(pk=draft.pk).exists()


def test_the_completion_endpoint(world, template, draft, client_as):
    answer(draft, template.questions["LEG-1"], level=2)
    answer(draft, template.questions["LAB-3"], text="Text")
    assign(world, draft, template.sections["LAB"], world.p_team_kz)
    body = client_as(world.team_kz).get(f"{BASE}/{draft.pk}/completion").json()
    assert body["completion"] == pytest.approx(33.33) and (body["answered"], body["required"]) == (2, 6)
    assert body["missing"] == ["LEG-2", "LEG-3", "LAB-1", "LAB-2"]
    assert [
        (item["code"], item["answered"], item["required"], item["assigned_to"]) for item in body["sections"]
    ] == [("LEG", 1, 3, None), ("LAB", 1, 3, world.p_team_kz.pk)]
    assert client_as(world.nfp_uz).get(f"{BASE}/{draft.pk}/completion").status_code == 404


def test_evidence_through_the_api(world, template, draft, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(world.nfp_kz)
    data = {
        "assessment": draft.pk,
        "title": "Law",
        "file_name": "law.pdf",
        "content": base64.b64encode(b"%PDF-1.4 law").decode(),
    }
    response = client.post(f"{BASE}/evidence/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["file_name"].endswith("law.pdf") and item["uploaded_by"] == world.nfp_kz.pk
    assert client.get(item["file"]).status_code == 200
    response = client.post(
        f"{BASE}/evidence/", {**data, "file_name": "tool.exe"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"{BASE}/evidence/upload",
        {
            "assessment": draft.pk,
            "question": template.questions["LAB-4"].pk,
            "title": "Register",
            "file": SimpleUploadedFile("register.pdf", b"%PDF-1.4 register"),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["question"] == template.questions["LAB-4"].pk
    assert models.Evidence.objects.count() == 2
