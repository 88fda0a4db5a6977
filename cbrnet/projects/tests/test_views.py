"""The web pages of projects: pipeline actions, ideas, activity and totals pages, and their query counts."""

import datetime

import pytest
from django.test.utils import CaptureQueriesContext

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.projects import models
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in
from cbrnet.registry.models import Person

pytestmark = pytest.mark.django_db


def test_the_secretariat_moves_a_project_from_its_page_and_others_do_not_see_the_form(world):
    project = project_in(world, "", [world.ca], title="Border detection idea", status="idea")
    page = client_for(world.sec_ca).get(project.get_absolute_url()).content.decode()
    assert f'action="/projects/{project.pk}/advance/"' in page
    assert f'action="/projects/{project.pk}/advance/"' not in client_for(world.nfp_kz).get(project.get_absolute_url()).content.decode()
    response = client_for(world.nfp_kz).post(f"/projects/{project.pk}/advance/", {"to_status": "proposal"})
    assert response.status_code == 403
    response = client_for(world.sec_ca).post(f"/projects/{project.pk}/advance/", {"to_status": "proposal", "note": "RTM"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "proposal" and project.status_note == "RTM"
    response = client_for(world.sec_ca).post(f"/projects/{project.pk}/advance/", {"to_status": "closed"}, follow=True)
    assert "cannot move from Proposal to Closed" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "proposal"


def test_a_focal_point_raises_an_idea_through_the_form(world):
    client = client_for(world.nfp_kz)
    assert client.get("/projects/ideas/new/").status_code == 200
    response = client.post("/projects/ideas/new/", {"region": world.ca.pk, "title": "Chemical waste registry",
                                                    "cbrn_areas": ["C"], "origin": "round_table",
                                                    "origin_detail": "21st CA round table"})
    assert response.status_code == 302, response.content.decode()[:2000]
    idea = models.Project.objects.get(title="Chemical waste registry")
    assert (idea.status, idea.cbrn_areas, idea.origin) == ("idea", "C", "round_table")
    response = client.post("/projects/ideas/new/", {"region": world.sea.pk, "title": "Elsewhere"})
    assert response.status_code == 400 and not models.Project.objects.filter(title="Elsewhere").exists()
    assert client_for(world.team_kz).get("/projects/ideas/new/").status_code == 403
    assert client_for(world.outsider).get("/projects/ideas/new/").status_code == 403


def test_planning_an_activity_starts_from_the_project_page(world):
    project = project_in(world, "P87", [world.ca], status="ongoing")
    page = client_for(world.sec_ca).get(project.get_absolute_url()).content.decode()
    assert f"/projects/activities/add/?project={project.pk}" in page
    assert "/projects/activities/add/" not in client_for(world.nfp_kz).get(project.get_absolute_url()).content.decode()
    form = client_for(world.sec_ca).get(f"/projects/activities/add/?project={project.pk}").content.decode()
    assert f'<option value="{project.pk}" selected>' in form


def _many_participants(world, activity, count):
    with audit_actor(None, source="command"):
        for number in range(count):
            person = Person.objects.create(given_name=f"Trainee{number}", family_name="Kazlist",
                                           organisation=world.kz_ministry, country=world.kz)
            participation_of(activity, person, attended="yes")


def _queries(client, url):
    from django.db import connection

    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_activity_page_query_count_does_not_grow_with_participants(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    client = client_for(world.sec_ca)
    _many_participants(world, activity, 3)
    few = _queries(client, activity.get_absolute_url())
    _many_participants(world, activity, 0)
    with audit_actor(None, source="command"):
        for number in range(25):
            person = Person.objects.create(given_name=f"More{number}", family_name="Kazmore",
                                           organisation=world.kz_ministry, country=world.kz)
            participation_of(activity, person, attended="partly")
    assert _queries(client, activity.get_absolute_url()) == few
    assert few <= 25


def test_the_totals_pipeline_and_uncovered_pages_keep_their_query_counts(world):
    activity = activity_of(project_in(world, "P53", [world.ca], status="ongoing"))
    _many_participants(world, activity, 2)
    client = client_for(world.nfp_uz)
    counts = {url: _queries(client, url) for url in (
        "/projects/training-totals/?group_by=country&group_by=year&group_by=gender",
        "/projects/pipeline/", "/projects/uncovered-priorities/", "/projects/participants/",
    )}
    _many_participants(world, activity_of(activity.project, "Second training", start_date=datetime.date(2025, 1, 1)), 10)
    for number in range(10):
        project_in(world, f"P{300 + number}", [world.ca], status="ongoing")
    for url, count in counts.items():
        assert _queries(client, url) == count, url
        assert count <= 25, (url, count)


def test_the_totals_page_shows_the_headline_and_refuses_bad_choices_by_field(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    _many_participants(world, activity, 3)
    page = client_for(world.outsider).get("/projects/training-totals/").content.decode()
    assert "3 people from 1 country trained in 2024" in page
    response = client_for(world.outsider).get("/projects/training-totals/", {"year_from": "1800"})
    assert response.status_code == 400 and "From year" in response.content.decode()
    assert client_for(None).get("/projects/training-totals/").status_code == 302


def test_a_secretariat_registers_a_participant_from_the_activity_page(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    page = client_for(world.sec_ca).get(activity.get_absolute_url()).content.decode()
    assert f"/projects/participants/add/?activity={activity.pk}" in page
    response = client_for(world.sec_ca).post("/projects/participants/add/", {
        "activity": activity.pk, "person": world.p_team_kz.pk, "role": "trainee", "attended": "",
    })
    assert response.status_code == 302
    assert models.Participation.objects.filter(activity=activity, person=world.p_team_kz).exists()
    other = activity_of(project_in(world, "P81", [world.sea]), "SEA training")
    response = client_for(world.sec_ca).post("/projects/participants/add/", {
        "activity": other.pk, "person": world.p_team_kz.pk, "role": "trainee",
    })
    assert response.status_code == 400  # not an activity the secretariat manages
    assert not models.Participation.objects.filter(activity=other).exists()


def test_a_persons_training_record_lists_what_when_and_in_which_role_as_far_as_one_may_see(world):
    from cbrnet.core.testing import _user

    ca = activity_of(project_in(world, "P53", [world.ca]), "CA training", start_date=datetime.date(2022, 3, 1))
    sea = activity_of(project_in(world, "P81", [world.sea]), "SEA workshop", start_date=datetime.date(2023, 5, 2))
    participation_of(ca, world.p_hidden_kz, attended="yes")
    participation_of(sea, world.p_hidden_kz, role="facilitator", attended="yes")
    with audit_actor(None, source="command"):
        own = _user("hidden-kz", world.p_hidden_kz)
    url = f"/projects/people/{world.p_hidden_kz.pk}/training/"
    page = client_for(own).get(url).content.decode()
    assert "CA training" in page and "SEA workshop" in page and "Facilitator" in page and "2023-05-02" in page
    page = client_for(world.nfp_kz).get(url).content.decode()  # the country sees both
    assert "CA training" in page and "SEA workshop" in page
    assert client_for(world.nfp_ph).get(url).status_code == 404  # neither the person nor a participation
    assert client_for(world.nfp_uz).get(url).status_code == 404
