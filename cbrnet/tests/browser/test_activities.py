"""Activities in a browser: planning one from its project's page, and registering its participants from a
file with a likely duplicate in it (reported with the registered person's id; nothing saved until the file
names that person)."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADER = ["activity", "given_name", "family_name", "email", "country", "organisation", "role", "attended", "person_id"]


def _csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return text.getvalue().encode("utf-8")


def _project(world, code="P87"):
    from cbrnet.core.audit import audit_actor
    from cbrnet.projects.models import Project

    with audit_actor(None, source="command"):
        project = Project.objects.create(network=world.coe, code=code, title="PRECA mass gatherings", status="ongoing")
        project.regions.set([world.ca])
    return project


def test_the_secretariat_plans_an_activity_from_the_projects_page(page, world, sign_in):
    from cbrnet.projects.models import Activity

    project = _project(world)
    sign_in(world.sec_ca)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Plan an activity").click()

    expect(page.get_by_role("heading", name="Add activity", level=1)).to_be_visible()
    expect(page.get_by_label("Project")).to_have_value(str(project.pk))
    page.get_by_label("Kind").select_option("table_top_exercise")
    page.get_by_label("Title").fill("Mass-gathering table-top exercise")
    page.get_by_label("Start date").fill("2026-06-20")
    page.get_by_label("End date").fill("2026-06-21")
    page.get_by_label("Country").select_option(label="Kazakhstan")
    page.get_by_label("City").fill("Astana")
    page.get_by_label("Agenda").fill("Day 1: scenario and injects. Day 2: hot wash-up.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Mass-gathering table-top exercise (2026-06-20)", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("saved")
    activity = Activity.objects.get(title="Mass-gathering table-top exercise")
    assert (activity.project, activity.status, activity.city, activity.country) == (project, "planned", "Astana", world.kz)
    assert page.url.endswith(f"/projects/activities/{activity.pk}/")

    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_role("link", name="Mass-gathering table-top exercise")).to_be_visible()


def test_participants_from_a_file_with_a_likely_duplicate_are_registered_once_the_file_names_that_person(
    page, world, sign_in, settings, tmp_path
):
    from cbrnet.core.audit import audit_actor
    from cbrnet.projects.models import Activity, Participation
    from cbrnet.registry.models import Person

    settings.MEDIA_ROOT = tmp_path  # the uploaded file is kept with its job
    project = _project(world)
    with audit_actor(None, source="command"):
        activity = Activity.objects.create(project=project, kind="training_of_trainers", title="ToT water safety",
                                           start_date="2026-03-12")
        registered = Person.objects.create(given_name="Gulnara", family_name="Mysalova", country=world.kz,
                                           organisation=world.kz_ministry)
    people_before = Person.objects.count()
    rows = [
        [activity.pk, "Aigerim", "Nurlanova", "aigerim.n@example.org", "KZ", "KZ Ministry of Health", "trainee", "yes", ""],
        [activity.pk, "GULNARA", "Mysalová", "", "KZ", "KZ Ministry of Health", "trainee", "yes", ""],
        [activity.pk, "Bek", "Uzfocal", "bek@example.org", "UZ", "", "trainer", "yes", ""],
    ]

    sign_in(world.sec_ca)
    page.goto(f"/projects/activities/{activity.pk}/")
    expect(page.get_by_text(f"write {activity.pk} in the activity column")).to_be_visible()
    page.get_by_role("link", name="Register participants from a file").click()
    expect(page.get_by_role("heading", name="Import Participants", level=1)).to_be_visible()
    page.get_by_label("File (CSV UTF-8 or XLSX)").set_input_files(
        {"name": "tot-water.csv", "mimeType": "text/csv", "buffer": _csv(rows)}
    )
    page.get_by_role("button", name="Upload and check").click()

    status = page.locator("#job-status")
    expect(status).to_contain_text("nothing was imported")
    problems = status.get_by_role("table").locator("tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text(re.compile(r"^\s*3\s*family_name", re.MULTILINE))
    expect(problems.first).to_contain_text(f"likely duplicate of person {registered.pk}")
    expect(status.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert Person.objects.count() == people_before
    assert not Participation.objects.exists()

    rows[1][-1] = registered.pk  # the same person: register them
    page.goto("/imports/participants/")
    page.get_by_label("File (CSV UTF-8 or XLSX)").set_input_files(
        {"name": "tot-water.csv", "mimeType": "text/csv", "buffer": _csv(rows)}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(status).to_contain_text("The check found no problem in 3 rows")
    status.get_by_role("button", name="Import 3 rows").click()
    expect(page.locator("#job-status")).to_contain_text("Imported:")

    assert Person.objects.count() == people_before + 1  # Aigerim only; Gulnara and Bek were registered
    assert set(Participation.objects.filter(activity=activity).values_list("person__family_name", flat=True)) == {
        "Nurlanova", "Mysalova", "Uzfocal",
    }
    page.goto(f"/projects/activities/{activity.pk}/")
    table = page.locator("#participants")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("Gulnara Mysalova")
