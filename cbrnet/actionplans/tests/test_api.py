"""The action plan API beyond CRUD: workflow steps, drafting from gaps, timeline, progress, project
links, and the methodology of a region."""

import pytest

from cbrnet.actionplans import services
from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.tests.helpers import (
    action_of,
    assessment_of,
    full_plan,
    gaps_from_answers,
    objective_of,
    plan_of,
    report_of,
)
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.projects.models import Project

pytestmark = pytest.mark.django_db
API = "/api/actionplans"


def post(user, path, data=None):
    return client_for(user).post(f"{API}{path}", data or {}, content_type="application/json")


def fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_a_plan_goes_through_the_workflow(world):
    plan = full_plan(world, world.kz, lead=world.kz_ministry)
    assert post(world.sec_ca, f"/plans/{plan.pk}/submit").status_code == 403
    response = post(world.nfp_kz, f"/plans/{plan.pk}/submit", {"note": "For review"})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    response = post(world.sec_ca, f"/plans/{plan.pk}/return", {"note": ""})
    assert response.status_code == 422 and fields(response) == {"note"}
    assert post(world.sec_ca, f"/plans/{plan.pk}/approve").json()["status"] == "approved"
    response = post(world.nfp_kz, f"/plans/{plan.pk}/adopt", {"adopted_on": "2025-02-03"})
    assert response.status_code == 422
    response = post(
        world.nfp_kz,
        f"/plans/{plan.pk}/adopt",
        {"adopted_on": "2025-02-03", "adoption_reference": "Decree 45"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["adopted_on"], body["adoption_reference"]) == (
        "adopted",
        "2025-02-03",
        "Decree 45",
    )
    steps = [
        entry.after.get("status")
        for entry in audit_entries_for(plan, AuditEntry.Action.UPDATE).order_by("pk")
    ]
    assert steps == ["submitted", "approved", "adopted"]
    assert {entry.source for entry in audit_entries_for(plan, AuditEntry.Action.UPDATE)} == {"api"}


def test_a_step_on_a_hidden_plan_is_404_and_a_wrong_step_names_the_status(world):
    plan = full_plan(world, world.uz, lead=world.uz_fp)
    assert post(world.nfp_kz, f"/plans/{plan.pk}/submit").status_code == 404
    response = post(world.admin, f"/plans/{plan.pk}/approve")
    assert response.status_code == 422 and fields(response) == {"status"}


def test_drafting_from_gaps_through_the_api(world, monkeypatch):
    monkeypatch.setattr(services, "ranked_gaps", lambda *, user, assessment: gaps_from_answers(assessment))
    assessment = assessment_of(world, world.kz, levels={"B1": 1, "B2": 2, "L1": 3})
    uz_assessment = assessment_of(world, world.uz, levels={"B1": 1})
    plan = plan_of(world, world.kz)
    response = post(world.nfp_kz, f"/plans/{plan.pk}/draft-from-gaps", {"assessment": uz_assessment.pk})
    assert response.status_code == 422 and fields(response) == {"assessment"}
    response = post(
        world.nfp_kz, f"/plans/{plan.pk}/draft-from-gaps", {"assessment": assessment.pk, "cut_off": 1.5}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["gaps"], body["below_cut_off"], len(body["actions"]), len(body["objectives"])) == (
        3,
        1,
        2,
        1,
    )
    assert (
        post(
            world.nfp_kz, f"/plans/{plan.pk}/draft-from-gaps", {"assessment": assessment.pk, "limit": 0}
        ).status_code
        == 422
    )
    assert (
        post(world.nfp_uz, f"/plans/{plan.pk}/draft-from-gaps", {"assessment": assessment.pk}).status_code
        == 404
    )


def test_timeline_and_progress(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    report_of(plan.actions.get(), percent=40)
    client = client_for(world.team_kz)
    timeline = client.get(f"{API}/plans/{plan.pk}/timeline").json()
    assert [row["kind"] for row in timeline["rows"]] == ["objective", "action"]
    assert timeline["rows"][1]["percent"] == 40.0 and timeline["first"] == "2025-01-01"
    progress = client.get(f"{API}/plans/{plan.pk}/progress").json()
    assert (progress["actions"], progress["percent_complete"], progress["by_status"]["planned"]) == (
        1,
        40.0,
        1,
    )
    assert progress["indicators"][0]["name"] == "Border guards trained"
    full_plan(world, world.uz, title="UZ in preparation")
    listing = client_for(world.nfp_kz).get(f"{API}/progress", {"status": "approved"}).json()
    assert [row["plan"] for row in listing["results"]] == [plan.pk] and listing["count"] == 1
    assert client_for(world.nfp_kz).get(f"{API}/progress", {"country": "x"}).status_code == 422
    assert (
        client_for(world.nfp_uz).get(f"{API}/plans/{plan.pk}/progress").status_code == 200
    )  # shared once approved
    assert client_for(world.outsider).get(f"{API}/plans/{plan.pk}/timeline").status_code == 404


def test_projects_are_linked_and_listed_through_the_api(world):
    plan = full_plan(world, world.kz, status=PlanStatus.ADOPTED)
    action = plan.actions.get()
    open_action = action_of(plan.objectives.get(), title="Not carried", order=2)
    with audit_actor(None, source="command"):
        p53 = Project.objects.create(network=world.coe, code="P53", title="Biosafety")
        p53.regions.set([world.ca])
    response = post(world.team_kz, f"/actions/{action.pk}/projects", {"project": p53.pk})
    assert response.status_code == 200 and response.json()["projects"] == [p53.pk]
    response = post(world.team_kz, f"/actions/{action.pk}/projects", {"project": p53.pk})
    assert response.status_code == 422 and fields(response) == {"project"}
    assert post(world.team_kz, f"/actions/{action.pk}/projects", {"project": 99999}).status_code == 422
    client = client_for(world.sec_ca)
    assert [row["id"] for row in client.get(f"{API}/actions/for-project", {"project": p53.pk}).json()] == [
        action.pk
    ]
    unaddressed = client.get(f"{API}/actions/unaddressed", {"region": world.ca.pk}).json()
    assert [row["id"] for row in unaddressed] == [open_action.pk]
    response = client_for(world.team_kz).delete(f"{API}/actions/{action.pk}/projects/{p53.pk}")
    assert response.status_code == 200 and response.json()["projects"] == []


def test_the_methodology_of_a_region(world):
    full_plan(world, world.kz, status=PlanStatus.APPROVED)
    plan_of(world, world.uz)
    response = client_for(world.viewer_my).get(f"{API}/methodology", {"region": world.ca.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(row["iso2"], row["stage"]) for row in body["countries"]] == [("KZ", 5), ("UZ", 4)]
    assert body["countries"][0]["stage_label"] == "National Action Plan developed"
    figures = body["figures"]
    assert (
        figures["nfp_appointed"],
        figures["national_teams"],
        figures["nap_in_preparation"],
        figures["nap_developed"],
    ) == (2, 1, 1, 1)
    assert figures["by_stage"]["5"] == 1
    assert client_for(world.viewer_my).get(f"{API}/methodology").status_code == 422
    assert client_for(world.viewer_my).get(f"{API}/methodology", {"region": 99999}).status_code == 404
    assert client_for(None).get(f"{API}/methodology", {"region": world.ca.pk}).status_code == 401


def test_an_objective_of_another_plan_cannot_receive_actions_through_the_api_of_a_stranger(world):
    objective = objective_of(plan_of(world, world.kz))
    response = post(world.nfp_uz, "/actions/", {"objective": objective.pk, "title": "Not mine"})
    assert response.status_code in (403, 422)
    assert not objective.actions.exists()
