"""Training totals against hand-counted fixtures, who sees whose participation, the pipeline views."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from cbrnet import access
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.projects import models, selectors
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in
from cbrnet.registry.models import RegionalPriority, ThematicArea

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(world):
    """Four activities and eleven participations, counted by hand in the tests below.

    2022, P53 (CA): A1 training (border control + biosafety), A2 table-top (border control), A4 cancelled.
    2023, P81 (SEA): A3 workshop (no thematic area).
    Trained (trainee, attended yes or partly, activity not cancelled):
      2022: KZ hidden_kz (A1, A2), KZ team_kz (A1, partly), UZ nfp_uz (A2)   → 3 people, 2 countries
      2023: TH nfp_th (A3), MY viewer_my (A3)                                → 2 people, 2 countries
    Not counted: nfp_uz in A1 (absent), sec_ca in A1 (trainer), nfp_ph in A3 (observer), jrc in A4 (cancelled).
    """
    w = world
    with audit_actor(None, source="command"):
        biosafety = ThematicArea.objects.create(code="biosafety", name="Biosafety", order=2)
        for person, gender in ((w.p_hidden_kz, "female"), (w.p_team_kz, "male"), (w.p_nfp_th, "female")):
            person.gender = gender
            person.save()
    p53 = project_in(w, "P53", [w.ca])
    p81 = project_in(w, "P81", [w.sea])
    a1 = activity_of(p53, "A1 training", start_date=datetime.date(2022, 3, 1), status="held")
    a2 = activity_of(p53, "A2 table-top", kind="table_top_exercise", start_date=datetime.date(2022, 9, 1), status="held")
    a3 = activity_of(p81, "A3 workshop", kind="workshop", start_date=datetime.date(2023, 2, 1), status="held")
    a4 = activity_of(p53, "A4 cancelled", start_date=datetime.date(2022, 5, 1), status="cancelled")
    a1.thematic_areas.set([w.area, biosafety])
    a2.thematic_areas.set([w.area])
    rows = [
        (a1, w.p_hidden_kz, "trainee", "yes"), (a1, w.p_team_kz, "trainee", "partly"), (a1, w.p_nfp_uz, "trainee", "no"),
        (a1, w.p_sec_ca, "trainer", "yes"),
        (a2, w.p_hidden_kz, "trainee", "yes"), (a2, w.p_nfp_uz, "trainee", "yes"),
        (a3, w.p_nfp_th, "trainee", "yes"), (a3, w.p_viewer_my, "trainee", "yes"), (a3, w.p_nfp_ph, "observer", "yes"),
        (a4, w.p_jrc, "trainee", "yes"),
        (a4, w.p_nfp_kz, "trainee", ""),
    ]
    for activity, person, role, attended in rows:
        participation_of(activity, person, role=role, attended=attended)
    return SimpleNamespace(a1=a1, a2=a2, a3=a3, a4=a4, p53=p53, p81=p81, biosafety=biosafety)


def table(totals):
    return {
        tuple(row[name]["code"] if isinstance(row[name], dict) and row[name]["code"] != "" else row[name]["label"]
              for name in totals.group_by): (row["people"], row["participations"], row["activities"])
        for row in totals.rows
    }


def test_totals_by_country_and_year_match_the_hand_count(world, training):
    totals = selectors.training_totals(world.nfp_ph, group_by=("country", "year"))
    assert table(totals) == {
        ("KZ", 2022): (2, 3, 2),
        ("UZ", 2022): (1, 1, 1),
        ("MY", 2023): (1, 1, 1),
        ("TH", 2023): (1, 1, 1),
    }
    assert totals.total == {"people": 5, "participations": 6, "activities": 3, "countries": 4}
    assert [line["text"] for line in totals.headlines] == [
        "3 people from 2 countries trained in 2022", "2 people from 2 countries trained in 2023",
    ]


def test_totals_by_region_gender_thematic_area_and_kind(world, training):
    # A country's region is its current membership in the network of the activity's project.
    by_region = selectors.training_totals(world.outsider, group_by=("region",))
    assert table(by_region) == {("CA",): (3, 4, 2), ("SEA",): (2, 2, 1)}
    by_gender = selectors.training_totals(world.outsider, group_by=("gender",))
    assert table(by_gender) == {("female",): (2, 3, 3), ("male",): (1, 1, 1), ("Not recorded",): (2, 2, 2)}
    by_area = selectors.training_totals(world.outsider, group_by=("thematic_area", "year"))
    assert table(by_area) == {
        ("border-control", 2022): (3, 4, 2),
        ("biosafety", 2022): (2, 2, 1),
        ("No thematic area", 2023): (2, 2, 1),
    }
    by_kind = selectors.training_totals(world.outsider, group_by=("kind",))
    assert table(by_kind) == {("training",): (2, 2, 1), ("table_top_exercise",): (2, 2, 1), ("workshop",): (2, 2, 1)}


def test_filters_never_count_a_person_twice(world, training):
    def people(**filters):
        return selectors.training_totals(world.outsider, group_by=(), filters=filters).total["people"]

    assert people(thematic_area=world.area) == 3  # A1 and A2: hidden_kz once, though in both
    assert selectors.training_totals(world.outsider, group_by=(), filters={"thematic_area": world.area}).total[
        "participations"] == 4
    assert people(region=world.ca) == 3
    assert people(country=world.kz) == 2
    assert people(year_from=2023) == 2
    assert people(year_to=2022) == 3
    assert people(project=training.p81) == 2
    assert people(kind="workshop") == 2
    assert people(role=["trainer"]) == 1
    assert people(role=["trainee", "observer"]) == 6


def test_totals_keep_the_country_a_person_had_when_registered(world, training):
    with audit_actor(None, source="command"):
        world.p_nfp_uz.country = world.th
        world.p_nfp_uz.organisation = world.th_fp
        world.p_nfp_uz.save()
    totals = selectors.training_totals(world.outsider, group_by=("country", "year"))
    assert table(totals)[("UZ", 2022)] == (1, 1, 1)


def test_totals_are_for_signed_in_users(training):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        selectors.training_totals(AnonymousUser())


def test_the_totals_rows_come_from_one_aggregate_query(world, training):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access.user_context(world.outsider)
    with CaptureQueriesContext(connection) as captured:
        selectors.training_totals(world.outsider, group_by=("country", "thematic_area", "year", "gender", "region"))
    over_participations = [q["sql"] for q in captured if "projects_participation" in q["sql"]]
    assert len(over_participations) == 3  # the grouped rows, the total, the yearly headlines
    # Besides: the labels of three dimensions, the savepoint around the report (and on PostgreSQL its
    # working memory setting).
    assert len(captured) <= 3 + 3 + 3


# --- who sees whose participation ----------------------------------------------------------------


@pytest.mark.parametrize(("persona", "sees"), [
    ("nfp_kz", True),   # focal point of the participant's country
    ("team_kz", True),  # national team of that country
    ("sec_ca", True),   # secretariat of the region, and manager of the activity
    ("admin", True),
    ("nfp_uz", False),  # another country of the same region
    ("nfp_ph", False),
    ("viewer_my", False),
    ("jrc_user", False),
    ("outsider", False),
])
def test_a_participation_is_seen_by_the_participants_country_region_and_the_activitys_managers(
    world, training, persona, sees
):
    record = models.Participation.objects.get(activity=training.a1, person=world.p_hidden_kz)
    assert access.can(getattr(world, persona), "view", record) is sees
    page = client_for(getattr(world, persona)).get(record.get_absolute_url())
    assert page.status_code == (200 if sees else 404)


def test_people_see_their_own_participations_but_do_not_change_them(world, training):
    own = models.Participation.objects.get(activity=training.a3, person=world.p_viewer_my)
    assert access.can(world.viewer_my, "view", own)
    assert not access.can(world.viewer_my, "change", own)
    listing = client_for(world.viewer_my).get("/api/projects/participations/", {"limit": 100}).json()
    assert [row["id"] for row in listing["results"]] == [own.pk]


def test_only_the_activitys_managers_change_participations(world, training):
    record = models.Participation.objects.get(activity=training.a1, person=world.p_hidden_kz)
    assert access.can(world.sec_ca, "change", record)
    assert not access.can(world.nfp_kz, "change", record)
    sea_record = models.Participation.objects.get(activity=training.a3, person=world.p_nfp_th)
    assert not access.can(world.sec_ca, "view", sea_record)


def test_an_nfp_of_another_country_sees_the_totals_but_not_the_names(world, training):
    client = client_for(world.nfp_ph)
    page = client.get(training.a1.get_absolute_url()).content.decode()
    assert "Kazperson" not in page and "Kazteam" not in page
    assert "more participants are not shown" in page
    listing = client.get("/api/projects/participations/", {"activity": training.a1.pk}).json()
    assert listing["count"] == 0
    export = client.get("/projects/participants/", {"export": "csv", "activity": training.a1.pk})
    assert "Kazperson" not in b"".join(export.streaming_content).decode()
    totals = client.get("/api/projects/training-totals", {"group_by": ["country", "year"]}).json()
    assert {(row["country"]["code"], row["year"]["id"]): row["people"] for row in totals["rows"]}[("KZ", 2022)] == 2
    page = client.get("/projects/training-totals/", {"group_by": "country"}).content.decode()
    assert "Kazakhstan" in page and "Kazperson" not in page
    # The focal point of Kazakhstan sees the names of Kazakhstan's participants, not Uzbekistan's.
    page = client_for(world.nfp_kz).get(training.a1.get_absolute_url()).content.decode()
    assert "Kazperson" in page and "Kazteam" in page and "Uzfocal" not in page


# --- pipeline and uncovered priorities -------------------------------------------------------------


def test_uncovered_priorities_are_those_no_approved_or_ongoing_project_serves(world):
    with audit_actor(None, source="command"):
        legislation = RegionalPriority.objects.create(region=world.ca, title="Legislation", order=1)
        mass = RegionalPriority.objects.create(region=world.ca, title="Mass gatherings", order=2)
        forensics = RegionalPriority.objects.create(region=world.ca, title="Forensics", order=3)
        RegionalPriority.objects.create(region=world.sea, title="Biosafety", order=1)
    ongoing = project_in(world, "P87", [world.ca], status="ongoing")
    ongoing.priorities.set([mass])
    closed = project_in(world, "P53", [world.ca], status="closed")
    closed.priorities.set([legislation])
    idea = project_in(world, "", [world.ca], title="Forensic laboratories network", status="idea")
    idea.priorities.set([forensics])
    result = selectors.uncovered_priorities(user=world.nfp_kz, region=world.ca)
    assert [priority.title for priority in result["uncovered"]] == ["Legislation", "Forensics"]
    assert [p.title for p in result["uncovered"][1].pipeline_projects] == ["Forensic laboratories network"]
    assert (result["total"], result["covered"]) == (3, 1)
    page = client_for(world.nfp_kz).get("/projects/uncovered-priorities/").content.decode()
    assert "Forensic laboratories network" in page and "Biosafety" in page
    api = client_for(world.nfp_kz).get("/api/projects/uncovered-priorities", {"region": world.ca.pk}).json()
    assert [row["title"] for row in api["uncovered"]] == ["Legislation", "Forensics"]


def test_the_pipeline_groups_projects_by_stage(world):
    project_in(world, "P87", [world.ca], status="ongoing")
    project_in(world, "", [world.ca], title="An idea", status="idea")
    project_in(world, "P81", [world.sea], status="ongoing")
    stages = {stage["status"]: stage["count"] for stage in selectors.pipeline(user=world.outsider, region=world.ca)}
    assert stages["ongoing"] == 1 and stages["idea"] == 1 and stages["closed"] == 0
    api = client_for(world.outsider).get("/api/projects/pipeline").json()
    assert {stage["status"]: stage["count"] for stage in api}["ongoing"] == 2
