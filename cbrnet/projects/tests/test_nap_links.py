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
