"""The projects API beyond generic CRUD: pipeline, ideas, totals and certificates, persona by persona."""

import csv
import io

import pytest
from django.test import Client

from cbrnet.core.testing import client_for
from cbrnet.projects import models, services
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in

pytestmark = pytest.mark.django_db

PERSONAS = ("outsider", "nfp_kz", "nfp_uz", "team_kz", "sec_ca", "nfp_ph", "nfp_th", "viewer_my", "jrc_user", "admin")
# What each operation answers to each persona (anonymous: 401 everywhere), on a CA project idea and on the
# certificate of a Kazakh participant of a CA activity (see the docs/access-control.md rows).
EXPECTED = {
    "project_advance": {"sec_ca": 200, "admin": 200, "*": 403},
    "project_raise_idea": {"nfp_kz": 201, "nfp_uz": 201, "sec_ca": 201, "admin": 201, "*": 403},
    "project_pipeline": {"*": 200},
    "project_uncovered_priorities": {"*": 200},
    "training_totals": {"*": 200},
    "training_totals_export": {"*": 200},
    "participation_certificate_issue": {"sec_ca": 200, "admin": 200, "nfp_kz": 403, "team_kz": 403, "*": 404},
    "participation_certificate": {"sec_ca": 200, "admin": 200, "nfp_kz": 200, "team_kz": 200, "*": 404},
}


def call(client, operation, w, fixture):
    if operation == "project_advance":
        idea = models.Project.objects.create(network=w.coe, title="Idea", status="idea")  # a fresh one each time
        idea.regions.set([w.ca])
        return client.post(f"/api/projects/{idea.pk}/advance", {"to_status": "proposal"}, content_type="application/json")
    if operation == "project_raise_idea":
        return client.post("/api/projects/ideas", {"region": w.ca.pk, "title": "Border detection"},
                           content_type="application/json")
    if operation == "project_pipeline":
        return client.get("/api/projects/pipeline")
    if operation == "project_uncovered_priorities":
        return client.get("/api/projects/uncovered-priorities")
    if operation == "training_totals":
        return client.get("/api/projects/training-totals", {"group_by": ["country", "year"]})
    if operation == "training_totals_export":
        return client.get("/api/projects/training-totals/export", {"format": "csv"})
    if operation == "participation_certificate_issue":
        return client.post(f"/api/projects/participations/{fixture.pk}/certificate", {},
                           content_type="application/json")
    if operation == "participation_certificate":
        return client.get(f"/api/projects/participations/{fixture.pk}/certificate")
    raise ValueError(operation)


def test_extra_operations_answer_each_persona(world):
    from cbrnet.tests.matrix import EXTRA_OPERATIONS

    projects_operations = {name for name, where in EXTRA_OPERATIONS.items() if "cbrnet/projects/" in where}
    assert projects_operations == set(EXPECTED)
    activity = activity_of(project_in(world, "P53", [world.ca]))
    participation = participation_of(activity, world.p_hidden_kz, attended="yes")
    services.participation_certificate_issue(user=world.admin, participation=participation)
    problems = []
    for operation, expected in EXPECTED.items():
        response = call(Client(), operation, world, participation)
        if response.status_code != 401:
            problems.append(f"anonymous / {operation}: {response.status_code}")
        for persona in PERSONAS:
            want = expected.get(persona, expected["*"])
            response = call(client_for(getattr(world, persona)), operation, world, participation)
            if response.status_code != want:
                problems.append(f"{persona} / {operation}: got {response.status_code}, want {want}")
    assert not problems, "\n".join(problems)


def test_advance_refuses_a_step_the_pipeline_does_not_allow_naming_the_field(world):
    project = project_in(world, "P87", [world.ca], status="ongoing")
    response = client_for(world.sec_ca).post(f"/api/projects/{project.pk}/advance", {"to_status": "idea"},
                                             content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "to_status"
    response = client_for(world.sec_ca).post(f"/api/projects/{project.pk}/advance", {"to_status": "finished"},
                                             content_type="application/json")
    assert response.status_code == 422
    response = client_for(world.sec_ca).post(f"/api/projects/{project.pk}/advance",
                                             {"to_status": "closed", "note": "Final report accepted"},
                                             content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["status_note"] == "Final report accepted"


def test_a_raised_idea_is_validated_by_field(world):
    client = client_for(world.nfp_kz)
    response = client.post("/api/projects/ideas", {"region": world.ca.pk, "title": ""}, content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"title"}
    response = client.post("/api/projects/ideas", {"region": world.ca.pk, "title": "x", "cbrn_areas": ["Z"]},
                           content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"cbrn_areas"}
    response = client.post("/api/projects/ideas", {"region": 999999, "title": "x"}, content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"region"}
    assert not models.Project.objects.exists()


def test_training_totals_are_grouped_filtered_and_exported(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    participation_of(activity, world.p_hidden_kz, attended="yes")
    participation_of(activity, world.p_nfp_uz, attended="partly")
    client = client_for(world.jrc_user)
    body = client.get("/api/projects/training-totals", {"group_by": "country"}).json()
    assert body["group_by"] == ["country"]
    assert {row["country"]["code"]: row["people"] for row in body["rows"]} == {"KZ": 1, "UZ": 1}
    assert body["headlines"][0]["text"] == "2 people from 2 countries trained in 2024"
    body = client.get("/api/projects/training-totals", {"group_by": "country", "country": world.kz.pk}).json()
    assert [row["country"]["code"] for row in body["rows"]] == ["KZ"]
    response = client.get("/api/projects/training-totals", {"group_by": "shoe_size"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "group_by"
    response = client.get("/api/projects/training-totals", {"year_from": 2024, "year_to": 2020})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "year_to"
    export = client.get("/api/projects/training-totals/export", {"format": "csv", "group_by": ["country", "year"]})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Country", "ISO code", "Year", "People", "Participations", "Activities"]
    assert ["Kazakhstan", "KZ", "2024", "1", "1", "1"] in rows
    assert client.get("/api/projects/training-totals/export", {"format": "pdf"}).status_code == 422
    xlsx = client.get("/projects/training-totals/", {"group_by": "gender", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
