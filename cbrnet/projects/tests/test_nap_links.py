"""Projects and National Action Plans meet on two pages: a project's page lists the NAP actions it
carries out, and the "uncovered priorities" page lists the open NAP actions no project carries yet —
each as far as the user may see the plans."""

import pytest
from django.urls import reverse

from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.tests.helpers import action_of, full_plan, objective_of, plan_of
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.projects.tests.test_crud import project_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world):
    """An approved UZ plan (shared with the network) and a draft KZ plan (the country's own)."""
    approved = plan_of(world, world.uz, status=PlanStatus.APPROVED, title="UZ plan")
    carried = action_of(objective_of(approved), title="Mobile laboratory deployment drills")
    waiting = action_of(objective_of(approved, title="Legislation", order=2), title="Draft the biosafety law")
    draft = plan_of(world, world.kz, title="KZ plan")
    secret = action_of(objective_of(draft), title="Kazakh border guard training")
    project = project_in(world, "P53", [world.ca], title="Biosafety legislation", status="ongoing")
    with audit_actor(None, source="command"):
        carried.projects.add(project)
    return {"project": project, "carried": carried, "waiting": waiting, "secret": secret}


def test_the_project_page_lists_the_nap_actions_it_carries_out(world, plans):
    page = client_for(world.nfp_ph).get(plans["project"].get_absolute_url()).content.decode()
    assert "Mobile laboratory deployment drills" in page
    assert "Draft the biosafety law" not in page


def test_the_uncovered_page_lists_open_nap_actions_without_a_project_as_far_as_plans_are_visible(world, plans):
    url = reverse("projects:project_uncovered")
    for persona, sees_secret in ((world.nfp_kz, True), (world.sec_ca, True), (world.nfp_uz, False), (world.nfp_ph, False)):
        page = client_for(persona).get(url, {"region": world.ca.pk}).content.decode()
        assert "Draft the biosafety law" in page, persona
        assert "Mobile laboratory deployment drills" not in page, persona  # a project carries it
        assert ("Kazakh border guard training" in page) is sees_secret, persona


def test_linking_a_project_takes_the_action_off_the_uncovered_page(world, plans):
    url = reverse("projects:project_uncovered")
    assert "Draft the biosafety law" in client_for(world.sec_ca).get(url).content.decode()
    with audit_actor(None, source="command"):
        plans["waiting"].projects.add(plans["project"])
    assert "Draft the biosafety law" not in client_for(world.sec_ca).get(url).content.decode()


def test_the_uncovered_page_keeps_its_query_count_with_many_actions(world, django_assert_max_num_queries):
    for number in range(12):
        full_plan(world, world.uz, status=PlanStatus.APPROVED, title=f"UZ plan {number}")
    client = client_for(world.sec_ca)
    url = reverse("projects:project_uncovered")
    client.get(url)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200


def test_a_project_idea_raised_from_a_nap_action_is_linked_to_it(world, plans):
    from cbrnet.projects.models import Project

    client = client_for(world.sec_ca)
    action = plans["waiting"]
    form = client.get(reverse("projects:project_idea"), {"nap_action": action.pk}).content.decode()
    assert 'value="Draft the biosafety law"' in form  # the title starts from the action's
    response = client.post(reverse("projects:project_idea"), {
        "region": world.ca.pk, "title": "Biosafety law drafting support", "nap_actions": [action.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    idea = Project.objects.get(title="Biosafety law drafting support")
    assert idea.status == "idea" and idea.origin == "nap_gap"
    assert list(idea.nap_actions.all()) == [action]
    assert "Draft the biosafety law" in client.get(idea.get_absolute_url()).content.decode()


def test_an_idea_cannot_be_linked_to_another_countrys_nap_action(world, plans):
    from cbrnet.projects.models import Project

    response = client_for(world.nfp_uz).post(reverse("projects:project_idea"), {
        "region": world.ca.pk, "title": "Border guards", "nap_actions": [plans["secret"].pk],  # KZ's draft plan
    })
    assert response.status_code == 400
    assert "nap_actions" in response.content.decode() or "National Action Plan actions" in response.content.decode()
    assert not Project.objects.filter(title="Border guards").exists()


def test_the_api_raises_an_idea_linked_to_nap_actions(world, plans):
    client = client_for(world.nfp_uz)
    response = client.post("/api/projects/ideas", {
        "region": world.ca.pk, "title": "Dual-use control list", "nap_actions": [plans["waiting"].pk],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    assert list(plans["waiting"].projects.values_list("pk", flat=True)) == [response.json()["id"]]
    refused = client.post("/api/projects/ideas", {
        "region": world.ca.pk, "title": "Other", "nap_actions": [plans["secret"].pk],
    }, content_type="application/json")
    assert refused.status_code == 422
    assert {error["field"] for error in refused.json()["errors"]} == {"nap_actions"}
