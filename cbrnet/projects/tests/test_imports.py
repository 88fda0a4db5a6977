"""Bulk registration of participants: matching against the registry, likely duplicates, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbrnet.core import imports
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.core.tests.test_imports import csv_bytes, media  # noqa: F401 - the fixture
from cbrnet.projects import models
from cbrnet.projects.imports import PARTICIPANTS, normalised
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in
from cbrnet.registry.models import Person

pytestmark = pytest.mark.django_db

HEADER = ["activity", "given_name", "family_name", "email", "country", "organisation", "gender", "role", "attended",
          "person_id", "create_new"]


@pytest.fixture
def setting(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    with audit_actor(None, source="command"):
        namesake = Person.objects.create(
            given_name="Aliya", family_name="Sarsenbayeva", organisation=world.kz_ministry, country=world.kz,
            email="aliya.s@example.org",
        )
    return activity, namesake


def run(user, rows, *, commit=False):
    return imports.run_import(spec=PARTICIPANTS, user=user, data=csv_bytes([HEADER, *rows]), file_format="csv",
                              commit=commit)


def row(activity, given="", family="", email="", country="KZ", organisation="", gender="", role="", attended="yes",
        person_id="", create_new=""):
    return [str(activity.pk), given, family, email, country, organisation, gender, role, attended, str(person_id),
            create_new]


def test_names_are_compared_without_case_accents_or_extra_spaces():
    assert normalised("  Áliya ") == normalised("ALIYA") == "aliya"
    assert normalised("Ólafsdóttir  Jónsdóttir") == "olafsdottir jonsdottir"
    assert normalised("Сарсенбаева") == normalised("САРСЕНБАЕВА")


def test_a_likely_duplicate_is_reported_with_the_existing_persons_id_and_nothing_is_written(world, setting):
    activity, namesake = setting
    people, participations = Person.objects.count(), models.Participation.objects.count()
    report = run(world.sec_ca, [
        row(activity, "Dana", "Bekova", "dana.b@example.org", organisation="KZ Ministry of Health", gender="female"),
        row(activity, "ÁLIYA", "Sarsenbayeva ", "", organisation="KZ Ministry of Health"),
        row(activity, "Hidden", "K.", "HIDDEN@example.org"),
    ], commit=True)
    assert not report.committed
    assert [(problem.row, problem.column) for problem in report.problems] == [(3, "family_name")]
    message = report.problems[0].message
    assert f"likely duplicate of person {namesake.pk}" in message and "person_id" in message and "create_new" in message
    assert (Person.objects.count(), models.Participation.objects.count()) == (people, participations)


def test_the_duplicate_is_registered_by_its_id_or_created_anew_on_request(world, setting):
    activity, namesake = setting
    people = Person.objects.count()
    rows = [
        row(activity, "Dana", "Bekova", "dana.b@example.org", organisation="KZ Ministry of Health", gender="female"),
        row(activity, "Aliya", "Sarsenbayeva", person_id=namesake.pk, role="trainer"),
        row(activity, "Hidden", "K.", "HIDDEN@example.org", attended="partly"),
    ]
    check = run(world.sec_ca, rows)
    assert check.ok and not check.committed, check.problems
    assert Person.objects.count() == people  # a check writes nothing
    report = run(world.sec_ca, rows, commit=True)
    assert report.ok and report.committed
    assert report.created == {"participation": 3, "person": 1}
    registered = {p.person_id: p for p in models.Participation.objects.filter(activity=activity)}
    assert registered[namesake.pk].role == "trainer"
    assert registered[world.p_hidden_kz.pk].attended == "partly"  # matched by e-mail, whatever the case
    dana = Person.objects.get(email="dana.b@example.org")
    assert not dana.directory_listed and dana.country == world.kz and dana.gender == "female"
    assert registered[dana.pk].gender == "female" and registered[dana.pk].organisation == world.kz_ministry
    assert Person.objects.count() == people + 1

    other = activity_of(activity.project, "Second training")
    report = run(world.sec_ca, [row(other, "Aliya", "Sarsenbayeva", create_new="yes")], commit=True)
    assert report.committed
    assert Person.objects.filter(family_name="Sarsenbayeva").count() == 2


def test_rows_are_refused_by_column(world, setting):
    activity, namesake = setting
    participation_of(activity, world.p_team_kz)
    sea_activity = activity_of(project_in(world, "P81", [world.sea]), "BIOSEC")
    with audit_actor(None, source="command"):
        stranger = Person.objects.create(given_name="Somsak", family_name="Private", country=world.th)
    report = run(world.sec_ca, [
        row(sea_activity, "Dana", "Bekova"),                          # 2: not their activity
        row(activity, "Dana", "Bekova", country="XX"),                # 3: unknown country
        row(activity, "", "", "someone@example.org"),                 # 4: a new person needs names
        row(activity, "Dana", "Bekova", role="chief"),                # 5: unknown role
        row(activity, "Somsak", "Other", person_id=stranger.pk),      # 6: an invisible person, not a namesake
        row(activity, person_id=world.p_team_kz.pk),                  # 7: already registered
        row(activity, "Nurlan", "New", "nurlan@example.org"),         # 8: fine
        row(activity, "Nurlan", "New", "nurlan@example.org"),         # 9: the same as row 8
        ["999999", "Dana", "Bekova", "", "KZ", "", "", "", "", "", ""],  # 10: no such activity
    ])
    assert [(problem.row, problem.column) for problem in report.problems] == [
        (2, "activity"), (3, "country"), (4, "given_name"), (4, "family_name"), (5, "role"), (6, "person_id"),
        (7, "person_id"), (9, "family_name"), (10, "activity"),
    ]
    assert "already registered" in report.problems[6].message
    assert "duplicate in the file" in report.problems[7].message


def test_only_activity_managers_may_import_participants(world, setting):
    activity, _namesake = setting
    assert not PARTICIPANTS.may_import(world.nfp_kz)
    assert PARTICIPANTS.may_import(world.sec_ca)
    response = client_for(world.nfp_kz).get("/imports/participants/")
    assert response.status_code == 403


def test_the_api_check_lists_the_duplicate_as_a_problem_naming_the_column(world, setting, media):  # noqa: F811
    activity, namesake = setting
    upload = SimpleUploadedFile("people.csv", csv_bytes([HEADER, row(activity, "Aliya", "Sarsenbayeva")]), "text/csv")
    response = client_for(world.sec_ca).post("/api/imports/participants", {"file": upload})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == "family_name" and f"person {namesake.pk}" in errors[0]["message"]
