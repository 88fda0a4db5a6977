"""The fact sheet selectors: which projects count and which are ongoing at a date, what a country's
sheet holds, what the dashboard shows to whom, and a fixed number of queries whatever the records."""

import datetime

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.factsheets import selectors
from cbrnet.factsheets.tests.central_asia import AS_OF, build_central_asia
from cbrnet.projects.choices import ProjectStatus

pytestmark = pytest.mark.django_db


def project(start_year=None, end_year=None, status=ProjectStatus.ONGOING, start_date=None, end_date=None):
    return {
        "start_year": start_year,
        "end_year": end_year,
        "status": status,
        "start_date": start_date,
        "end_date": end_date,
    }


DAY = datetime.date(2023, 5, 31)


@pytest.mark.parametrize(
    ("row", "started", "ongoing"),
    [
        (project(2021, 2024), True, True),
        (project(2017, None, ProjectStatus.ONGOING), True, True),
        (project(2017, None, ProjectStatus.APPROVED), True, True),
        (project(2017, None, ProjectStatus.CLOSED), True, False),  # closed at an unknown time
        (project(2017, None, ProjectStatus.UNKNOWN), True, False),
        (project(2018, 2022, ProjectStatus.CLOSED), True, False),
        (
            project(2018, 2023, ProjectStatus.CLOSED),
            True,
            True,
        ),  # ended in 2023: ongoing in 2023 by its years
        (project(2024, None, ProjectStatus.APPROVED), False, False),
        (project(None, None, ProjectStatus.ONGOING), True, True),
        (project(None, None, ProjectStatus.UNKNOWN), True, False),
        (project(start_date=datetime.date(2023, 6, 1), status=ProjectStatus.APPROVED), False, False),
        (project(start_date=datetime.date(2021, 1, 1), end_date=datetime.date(2023, 5, 30)), True, False),
        (project(start_date=datetime.date(2021, 1, 1), end_date=datetime.date(2023, 5, 31)), True, True),
    ],
)
def test_which_projects_have_started_and_are_ongoing_on_a_day(row, started, ongoing):
    assert selectors.project_started(row, DAY) is started
    assert selectors.project_ongoing(row, DAY) is ongoing


@pytest.fixture
def ca(world):
    return build_central_asia(world)


def test_a_membership_ended_or_not_begun_on_the_day_is_left_out(world, ca):
    from cbrnet.registry.models import Membership

    with audit_actor(None, source="command"):
        Membership.objects.filter(country=ca.countries["PK"], region=world.ca).update(
            since=datetime.date(2024, 1, 1)
        )
    sheet = selectors.region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=AS_OF)
    assert "Pakistan" not in [line.name for line in sheet.partners]
    assert sheet.methodology.countries == 5
    assert "Pakistan" in [
        line.name for line in selectors.region_fact_sheet(user=world.sec_ca, region=world.ca).partners
    ]


def test_partner_countries_carry_their_methodology_stage(world, ca):
    from cbrnet.actionplans.choices import MethodologyStage

    sheet = selectors.region_fact_sheet(user=world.nfp_ph, region=world.ca, as_of=AS_OF)
    stages = {line.iso2: line.stage for line in sheet.partners}
    assert stages["UZ"] == MethodologyStage.NAP_DEVELOPED
    assert stages["KZ"] == MethodologyStage.NAP_IN_PREPARATION
    assert sheet.potential_partners[0].stage == MethodologyStage.NAP_IN_PREPARATION  # Afghanistan's draft


def test_achievements_after_the_day_are_not_yet_recent(world, ca):
    from cbrnet.factsheets.tests.test_crud import achievement_of

    achievement_of(world.ca, "Mass-gathering exercise in Astana", date=datetime.date(2023, 6, 21))
    titles = [
        item.title
        for item in selectors.region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=AS_OF).achievements
    ]
    assert "Mass-gathering exercise in Astana" not in titles and len(titles) == 3
    titles = [
        item.title for item in selectors.region_fact_sheet(user=world.sec_ca, region=world.ca).achievements
    ]
    assert titles[0] == "Mass-gathering exercise in Astana" and len(titles) == 3


def test_the_country_sheet_holds_its_region_stage_projects_and_trainees(world, ca):
    from cbrnet.actionplans.choices import MethodologyStage
    from cbrnet.projects.models import Project

    with audit_actor(None, source="command"):
        named = Project.objects.create(
            network=world.coe, code="P99", title="Named", start_year=2020, status="ongoing"
        )
        named.countries.set([world.kz])  # a project naming Kazakhstan, of no region
        other = Project.objects.create(
            network=world.coe, code="P98", title="Other", start_year=2020, status="ongoing"
        )
        other.regions.set([world.ca])
        other.countries.set([world.uz])  # a regional project naming only Uzbekistan
    sheet = selectors.country_fact_sheet(user=world.nfp_kz, country=world.kz, as_of=AS_OF)
    assert [line.region for line in sheet.regions] == ["Central Asia"]
    assert sheet.stage == MethodologyStage.NAP_IN_PREPARATION
    assert [step["reached"] for step in sheet.steps] == [True, True, True, True, False, False]
    assert sheet.secretariats[0].city == "Tashkent"
    assert sheet.projects.total == 14 and sheet.projects.since == 2013
    assert [line.code for line in sheet.projects.ongoing] == ["P53", "P87", "P99"]
    assert (sheet.training.people, sheet.training.countries) == (4, 1)
    assert len(sheet.achievements) == 3
    assert (
        sheet.projects.sentence()
        == "Since 2013, the country took part in 14 projects, of which 3 are ongoing in 2023."
    )


def test_the_country_sheet_lists_only_the_assessments_and_plans_the_user_may_see(world, ca):
    own = selectors.country_fact_sheet(user=world.nfp_kz, country=world.kz, as_of=AS_OF)
    assert [item["status"] for item in own.assessments] == ["validated"]
    assert [plan["status"] for plan in own.plans] == ["draft"]
    other = selectors.country_fact_sheet(user=world.nfp_ph, country=world.kz, as_of=AS_OF)
    assert other.assessments == [] and other.plans == []  # validated, not published; a draft plan
    assert other.stage == own.stage  # the stage is a derived fact, the same for everyone
    shared = selectors.country_fact_sheet(user=world.nfp_ph, country=world.uz, as_of=AS_OF)
    assert [item["status"] for item in shared.assessments] == ["published"]
    assert [plan["status"] for plan in shared.plans] == ["approved"]


def test_the_dashboard_colours_the_partners_by_stage(world, ca):
    dashboard = selectors.network_dashboard(user=world.viewer_my, network=world.coe)
    assert dashboard.map_classes["UZ"] == "stage-5" and dashboard.map_classes["KZ"] == "stage-4"
    assert "AF" not in dashboard.map_classes  # a potential partner is not a partner country
    assert dashboard.map_classes["PH"] == "stage-1"  # the Philippines' focal point of the world
    counts = {row["stage"]: row["count"] for row in dashboard.stage_counts}
    assert counts[5] == 1 and counts[4] == 5 and sum(counts.values()) == len(dashboard.countries) == 9
    assert dashboard.family == "NAQ"
    assert set(dashboard.legend) == {f"stage-{number}" for number in range(7)}


def test_the_dashboard_shows_only_the_scores_and_plans_the_user_may_see(world, ca):
    def scored(user):
        dashboard = selectors.network_dashboard(user=user, network=world.coe)
        ca_scores = next(region for region in dashboard.scores if region["region_id"] == world.ca.pk)
        return (
            {row["country"] for row in ca_scores["countries"]},
            {plan["country"] for plan in dashboard.plans},
        )

    countries, plans = scored(world.nfp_ph)  # another region: published assessments, approved plans only
    assert countries == {"Uzbekistan", "Kyrgyzstan", "Pakistan"}
    assert plans == {"Uzbekistan"}
    countries, plans = scored(world.sec_ca)  # the region's secretariat: everything of the region
    assert countries == {"Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Mongolia", "Pakistan"}
    assert plans == countries
    countries, plans = scored(world.nfp_kz)  # its own country's validated assessment and draft plan too
    assert countries == {"Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Pakistan"}
    assert plans == {"Kazakhstan", "Uzbekistan"}


def test_the_dashboard_gives_the_plans_progress(world, ca):
    from cbrnet.actionplans.models import Action, Objective

    with audit_actor(None, source="command"):
        plan = ca.plans["UZ"]
        objective = Objective.objects.create(plan=plan, title="Legislation")
        Action.objects.create(
            plan=plan, objective=objective, title="Draft the biosafety law", status="completed"
        )
        Action.objects.create(plan=plan, objective=objective, title="Train inspectors", status="planned")
    dashboard = selectors.network_dashboard(user=world.nfp_ph, network=world.coe)
    assert [(row["country"], row["progress"]) for row in dashboard.plans] == [("Uzbekistan", 50.0)]


def more_records(world, ca, number):
    """Another partner country with its records, more projects, achievements and trainees."""
    from cbrnet.actionplans.models import Action, ActionPlan, Objective
    from cbrnet.assessments.models import Assessment
    from cbrnet.factsheets.tests.test_crud import achievement_of
    from cbrnet.projects.models import Participation, Project
    from cbrnet.registry import models as r

    with audit_actor(None, source="command"):
        country = r.Country.objects.create(iso2=f"Q{number}", iso3=f"QQ{number}", name=f"Testland {number}")
        r.Membership.objects.create(network=world.coe, region=world.ca, country=country, status="partner")
        person = r.Person.objects.create(
            given_name="Focal", family_name=f"Testland {number}", country=country
        )
        r.RoleAssignment.objects.create(
            person=person, role="focal_point", country=country, start_date=datetime.date(2019, 1, 1)
        )
        assessment = Assessment.objects.create(
            country=country, version=ca.version, year=2020, status="published"
        )
        plan = ActionPlan.objects.create(
            country=country,
            network=world.coe,
            assessment=assessment,
            title="Plan",
            start_year=2021,
            end_year=2024,
            status="approved",
        )
        objective = Objective.objects.create(plan=plan, title="Objective")
        for order in range(3):
            Action.objects.create(plan=plan, objective=objective, title=f"Action {order}", order=order)
        for order in range(3):
            Project.objects.create(
                network=world.coe, code=f"T{number}{order}", title="More", start_year=2020, status="ongoing"
            ).regions.set([world.ca])
            achievement_of(world.ca, f"More {number} {order}", date=datetime.date(2023, 1, order + 1))
            trainee = r.Person.objects.create(
                given_name="More", family_name=f"Trainee {order}", country=country
            )
            Participation.objects.create(activity=ca.activity, person=trainee, role="trainee", attended="yes")


def test_the_sheets_read_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(call):
        call()  # warm the user's access context
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries)

    calls = [
        lambda: selectors.region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=AS_OF),
        lambda: selectors.country_fact_sheet(user=world.sec_ca, country=world.kz, as_of=AS_OF),
        lambda: selectors.network_dashboard(user=world.sec_ca, network=world.coe, family="NAQ"),
    ]
    ca = build_central_asia(world)
    before = [count(call) for call in calls]
    more_records(world, ca, 1)
    more_records(world, ca, 2)
    assert [count(call) for call in calls] == before
    with django_assert_max_num_queries(15):
        calls[0]()
