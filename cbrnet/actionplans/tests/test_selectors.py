"""Reads of action plans: the methodology stage derived from the records (table-driven), the
figures of a region, plans' progress, the timeline, and plans as projects see them — with their
query counts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cbrnet import access
from cbrnet.actionplans import selectors
from cbrnet.actionplans.choices import ActionStatus, MethodologyStage, PlanStatus
from cbrnet.actionplans.tests.helpers import (
    action_of,
    assessment_of,
    indicator_of,
    objective_of,
    plan_of,
    record,
    report_of,
)
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.core.audit import audit_actor
from cbrnet.projects.models import Project
from cbrnet.registry.choices import MembershipStatus, OrganisationKind, Role
from cbrnet.registry.models import Country, Membership, Organisation, Person, RoleAssignment

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LONG_AGO = datetime.date(2020, 1, 1)


def partner_country(w, iso2, name, region=None):
    """A new partner country of a region (Central Asia by default), with an office for its people."""
    country = record(Country, iso2=iso2, iso3=f"{iso2}X", name=name)
    record(Membership, network=w.coe, region=region or w.ca, country=country, status=MembershipStatus.PARTNER)
    record(Organisation, name=f"{name} ministry", kind=OrganisationKind.MINISTRY, country=country)
    return country


def appoint(country, role, *, start=LONG_AGO, end=None):
    office = Organisation.objects.get(country=country)
    person = record(
        Person,
        given_name="A",
        family_name=f"{role} {country.iso2} {Person.objects.count()}",
        organisation=office,
        country=country,
    )
    return record(RoleAssignment, person=person, role=role, country=country, start_date=start, end_date=end)


# Each case: the records of one country, and the stage they make. A record is (kind, value):
# ("nfp", dates) / ("team", dates) with dates (start, end); ("assessment", status); ("plan", status).
CASES = [
    ("nothing", [], MethodologyStage.NONE),
    ("focal point", [("nfp", (LONG_AGO, None))], MethodologyStage.NFP_APPOINTED),
    (
        "focal point whose appointment ended",
        [("nfp", (LONG_AGO, datetime.date(2021, 1, 1)))],
        MethodologyStage.NONE,
    ),
    (
        "focal point appointed from next month",
        [("nfp", (TODAY + datetime.timedelta(days=31), None))],
        MethodologyStage.NONE,
    ),
    (
        "focal point and team",
        [("nfp", (LONG_AGO, None)), ("team", (LONG_AGO, None))],
        MethodologyStage.TEAM_ESTABLISHED,
    ),
    (
        "a team without a focal point on record",
        [("team", (LONG_AGO, None))],
        MethodologyStage.TEAM_ESTABLISHED,
    ),
    (
        "a team whose members all left",
        [("nfp", (LONG_AGO, None)), ("team", (LONG_AGO, datetime.date(2022, 1, 1)))],
        MethodologyStage.NFP_APPOINTED,
    ),
    (
        "assessment in draft",
        [("nfp", (LONG_AGO, None)), ("assessment", AssessmentStatus.DRAFT)],
        MethodologyStage.NFP_APPOINTED,
    ),
    ("assessment submitted", [("assessment", AssessmentStatus.SUBMITTED)], MethodologyStage.NONE),
    ("assessment validated", [("assessment", AssessmentStatus.VALIDATED)], MethodologyStage.NAQ_COMPLETED),
    (
        "assessment published",
        [("nfp", (LONG_AGO, None)), ("assessment", AssessmentStatus.PUBLISHED)],
        MethodologyStage.NAQ_COMPLETED,
    ),
    (
        "plan drafted",
        [("assessment", AssessmentStatus.PUBLISHED), ("plan", PlanStatus.DRAFT)],
        MethodologyStage.NAP_IN_PREPARATION,
    ),
    ("plan submitted", [("plan", PlanStatus.SUBMITTED)], MethodologyStage.NAP_IN_PREPARATION),
    ("plan approved", [("plan", PlanStatus.APPROVED)], MethodologyStage.NAP_DEVELOPED),
    ("plan superseded", [("plan", PlanStatus.SUPERSEDED)], MethodologyStage.NAP_DEVELOPED),
    ("plan adopted", [("nfp", (LONG_AGO, None)), ("plan", PlanStatus.ADOPTED)], MethodologyStage.NAP_ADOPTED),
    (
        "adopted plan and the next one in preparation",
        [("plan", PlanStatus.ADOPTED), ("plan", PlanStatus.DRAFT)],
        MethodologyStage.NAP_ADOPTED,
    ),
    (
        "approved plan and the next one in preparation",
        [("plan", PlanStatus.APPROVED), ("plan", PlanStatus.DRAFT)],
        MethodologyStage.NAP_DEVELOPED,
    ),
]


def build(w, country, records):
    for number, (kind, value) in enumerate(records):
        if kind in ("nfp", "team"):
            appoint(
                country,
                Role.FOCAL_POINT if kind == "nfp" else Role.NATIONAL_TEAM,
                start=value[0],
                end=value[1],
            )
        elif kind == "assessment":
            assessment_of(w, country, year=2020 + number, status=value)
        else:
            plan_of(w, country, status=value, title=f"Plan {number} of {country}")


@pytest.mark.parametrize(("case", "records", "stage"), CASES, ids=[case[0] for case in CASES])
def test_the_methodology_stage_is_derived_from_the_records(world, case, records, stage):
    country = partner_country(world, "QA", "Testland")
    other = partner_country(world, "QB", "Otherland")
    build(world, country, records)
    build(world, other, [("nfp", (LONG_AGO, None)), ("team", (LONG_AGO, None)), ("plan", PlanStatus.ADOPTED)])
    stages = selectors.methodology_stages(countries=[country, other])
    assert stages[country.pk] == stage
    assert stages[other.pk] == MethodologyStage.NAP_ADOPTED  # another country's records never count


def test_plans_of_another_network_count_only_when_no_network_is_asked(world):
    country = partner_country(world, "QA", "Testland")
    plan_of(world, country, status=PlanStatus.APPROVED, network=world.coe)
    with audit_actor(None, source="command"):
        record(
            Membership,
            network=world.asean,
            region=world.asean_region,
            country=country,
            status=MembershipStatus.MEMBER,
        )
    assert selectors.methodology_stages(countries=[country])[country.pk] == MethodologyStage.NAP_DEVELOPED
    assert (
        selectors.methodology_stages(countries=[country], network=world.asean)[country.pk]
        == MethodologyStage.NONE
    )


def test_the_central_asia_fact_sheet_figures_come_from_the_records(world):
    """The fact sheet (May 2023): 6 focal points appointed, 6 national teams established, 5 countries
    preparing their NAP, 1 NAP developed. Built here from records for six countries."""
    countries = [
        partner_country(world, code, name)
        for code, name in (
            ("QA", "Aland"),
            ("QB", "Bland"),
            ("QC", "Cland"),
            ("QD", "Dland"),
            ("QE", "Eland"),
            ("QF", "Fland"),
        )
    ]
    for country in countries:
        appoint(country, Role.FOCAL_POINT)
        appoint(country, Role.NATIONAL_TEAM)
    for country in countries[:5]:
        plan_of(world, country, status=PlanStatus.DRAFT)
    plan_of(world, countries[5], status=PlanStatus.APPROVED)
    plan_of(world, countries[5], status=PlanStatus.DRAFT, title="Its next plan")
    figures = selectors.methodology_figures(countries=countries)
    assert {
        key: figures[key]
        for key in (
            "countries",
            "nfp_appointed",
            "national_teams",
            "nap_in_preparation",
            "nap_developed",
            "nap_adopted",
            "naq_completed",
        )
    } == {
        "countries": 6,
        "nfp_appointed": 6,
        "national_teams": 6,
        "nap_in_preparation": 5,
        "nap_developed": 1,
        "nap_adopted": 0,
        "naq_completed": 0,
    }
    assert figures["by_stage"][MethodologyStage.NAP_IN_PREPARATION] == 5
    assert figures["by_stage"][MethodologyStage.NAP_DEVELOPED] == 1
    assert sum(figures["by_stage"].values()) == 6
    region = selectors.region_methodology(region=world.ca)
    # The region also holds the world's Kazakhstan and Uzbekistan (focal points; a team in Kazakhstan).
    assert region["figures"]["nfp_appointed"] == 8 and region["figures"]["national_teams"] == 7
    assert region["stages"][world.uz.pk] == MethodologyStage.NFP_APPOINTED
    assert region["stages"][world.kz.pk] == MethodologyStage.TEAM_ESTABLISHED


def test_methodology_queries_do_not_grow_with_the_countries(world, django_assert_max_num_queries):
    countries = [partner_country(world, f"Q{letter}", f"Land {letter}") for letter in "ABCDEFGH"]
    for country in countries:
        appoint(country, Role.FOCAL_POINT)
        plan_of(world, country, status=PlanStatus.APPROVED)
    with django_assert_max_num_queries(4):
        stages = selectors.methodology_stages(countries=countries)
    assert set(stages.values()) == {MethodologyStage.NAP_DEVELOPED}
    with django_assert_max_num_queries(5):
        selectors.methodology_figures(countries=Country.objects.filter(iso2__startswith="Q"))


# --- progress ----------------------------------------------------------------------------------------


def test_plan_progress_by_hand(world):
    plan = plan_of(world, world.kz, status=PlanStatus.ADOPTED)
    objective = objective_of(plan)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    reported = action_of(
        objective,
        title="Reported",
        status=ActionStatus.IN_PROGRESS,
        end_date=timezone.localdate() + datetime.timedelta(days=365),
    )
    report_of(reported, percent=20, date=datetime.date(2025, 4, 1))
    report_of(reported, percent=60, date=datetime.date(2025, 8, 1))  # the latest counts
    action_of(objective, title="Done without report", status=ActionStatus.COMPLETED)
    action_of(
        objective,
        title="Late",
        status=ActionStatus.DELAYED,
        start_date=datetime.date(2024, 1, 1),
        end_date=yesterday,
    )
    action_of(objective, title="Dropped", status=ActionStatus.CANCELLED)
    indicator_of(reported, baseline=Decimal(10), target=Decimal(30), current=Decimal(15))  # 25 %
    indicator_of(
        reported, name="Downwards", baseline=Decimal(10), target=Decimal(2), current=Decimal(4)
    )  # 75 %
    indicator_of(reported, name="Not measured", current=None)
    progress = selectors.plan_progress(user=world.nfp_kz, plans=[plan])[plan.pk]
    assert progress.actions == 4
    assert progress.by_status == {
        "planned": 0,
        "in_progress": 1,
        "delayed": 1,
        "completed": 1,
        "cancelled": 1,
    }
    assert progress.percent_complete == pytest.approx((60 + 100 + 0) / 3, abs=0.05)
    assert progress.overdue == 1
    assert [item.percent for item in progress.indicators] == [25.0, 75.0, None]
    assert progress.indicators_percent == 50.0


@pytest.mark.parametrize(
    ("baseline", "target", "current", "percent"),
    [
        (0, 100, 50, 50.0),
        (None, 100, 50, 50.0),
        (0, 100, 150, 100.0),
        (20, 100, 10, 0.0),
        (5, 5, 5, 100.0),
        (5, 5, 4, None),
        (0, None, 3, None),
        (0, 10, None, None),
    ],
)
def test_indicator_percent(baseline, target, current, percent):
    values = [None if value is None else Decimal(value) for value in (baseline, target, current)]
    assert selectors.indicator_percent(*values) == percent


def test_plan_progress_shows_only_visible_plans_and_its_queries_do_not_grow(
    world, django_assert_max_num_queries
):
    plans = []
    for number in range(5):
        plan = plan_of(world, world.kz, status=PlanStatus.APPROVED, title=f"Plan {number}")
        action = action_of(objective_of(plan))
        report_of(action)
        indicator_of(action)
        plans.append(plan)
    hidden = plan_of(world, world.uz, title="UZ draft")
    access.user_context(world.nfp_kz)  # computed once per request in real use
    with django_assert_max_num_queries(4):
        progress = selectors.plan_progress(user=world.nfp_kz, plans=[*plans, hidden])
    assert set(progress) == {plan.pk for plan in plans}
    assert all(item.percent_complete == 40.0 and item.actions == 1 for item in progress.values())


# --- timeline ----------------------------------------------------------------------------------------


def test_the_timeline_lays_out_actions_on_the_plans_years(world, django_assert_max_num_queries):
    plan = plan_of(world, world.kz)  # 2025–2028
    first = objective_of(plan, title="Borders", order=1)
    second = objective_of(plan, title="Laboratories", order=2)
    whole = action_of(
        first, title="Whole plan", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2028, 12, 31)
    )
    half = action_of(
        first,
        title="First half",
        order=2,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    action_of(second, title="Not scheduled", start_date=None, end_date=None)
    report_of(half, percent=50)
    access.user_context(world.team_kz)
    with django_assert_max_num_queries(3):
        timeline = selectors.plan_timeline(user=world.team_kz, plan=plan)
    assert (timeline.first, timeline.last) == (datetime.date(2025, 1, 1), datetime.date(2028, 12, 31))
    rows = {row.full_label: row for row in timeline.rows}
    assert [row.kind for row in timeline.rows] == ["objective", "action", "action", "objective", "action"]
    assert rows["Whole plan"].x == timeline.label_width
    assert rows["Whole plan"].width == pytest.approx(760, abs=0.2)
    assert rows["First half"].width == pytest.approx(760 * 730 / 1461, abs=0.2)  # 730 of the 1,461 days
    assert rows["First half"].done_width == pytest.approx(rows["First half"].width / 2, abs=0.1)
    assert [row.full_label for row in timeline.undated] == ["Not scheduled"]
    assert [tick["label"] for tick in timeline.ticks if tick["major"]] == [
        "2025",
        "2026",
        "2027",
        "2028",
        "",  # the closing line of the axis carries no year
    ]
    assert whole.pk  # the rows link to the actions
    assert rows["Whole plan"].url == whole.get_absolute_url()


def test_an_action_beyond_the_plans_years_widens_the_axis(world):
    plan = plan_of(world, world.kz)
    action_of(objective_of(plan), start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2029, 3, 31))
    timeline = selectors.plan_timeline(user=world.nfp_kz, plan=plan)
    assert (timeline.first, timeline.last) == (datetime.date(2024, 7, 1), datetime.date(2029, 3, 31))


def test_the_timeline_of_a_hidden_plan_is_not_found(world):
    from django.http import Http404

    plan = plan_of(world, world.uz)
    with pytest.raises(Http404):
        selectors.plan_timeline(user=world.nfp_kz, plan=plan)


# --- plans and projects --------------------------------------------------------------------------------


def project(w, code, regions):
    with audit_actor(None, source="command"):
        found = Project.objects.create(network=w.coe, code=code, title=f"Project {code}")
        found.regions.set(regions)
    return found


def test_nap_actions_of_a_project_are_those_the_user_may_see(world):
    p53 = project(world, "P53", [world.ca])
    kz_action = action_of(
        objective_of(plan_of(world, world.kz, status=PlanStatus.APPROVED)), title="KZ action"
    )
    uz_action = action_of(objective_of(plan_of(world, world.uz)), title="UZ action in preparation")
    with audit_actor(None, source="command"):
        kz_action.projects.add(p53)
        uz_action.projects.add(p53)
    assert [a.title for a in selectors.nap_actions_for_project(user=world.nfp_kz, project=p53)] == [
        "KZ action"
    ]
    assert {a.title for a in selectors.nap_actions_for_project(user=world.sec_ca, project=p53)} == {
        "KZ action",
        "UZ action in preparation",
    }
    assert not selectors.nap_actions_for_project(user=world.outsider, project=p53).exists()


def test_unaddressed_nap_gaps_are_open_actions_no_project_carries(world, django_assert_max_num_queries):
    p53 = project(world, "P53", [world.ca])
    kz = objective_of(plan_of(world, world.kz, status=PlanStatus.ADOPTED))
    open_action = action_of(kz, title="Open and uncarried")
    carried = action_of(kz, title="Carried", order=2)
    action_of(kz, title="Completed", order=3, status=ActionStatus.COMPLETED)
    action_of(
        objective_of(plan_of(world, world.kz, status=PlanStatus.SUPERSEDED, title="Old")), title="Superseded"
    )
    uz_draft = action_of(objective_of(plan_of(world, world.uz)), title="UZ in preparation")
    action_of(objective_of(plan_of(world, world.ph, status=PlanStatus.APPROVED)), title="Philippines")
    with audit_actor(None, source="command"):
        carried.projects.add(p53)
    for _ in range(5):
        action_of(kz, title="More", order=9)
    access.user_context(world.sec_ca)
    with django_assert_max_num_queries(2):
        rows = list(selectors.unaddressed_nap_gaps(user=world.sec_ca, region=world.ca))
        titles = [(row.title, row.plan.country.iso2, row.objective.title) for row in rows]
    assert {title for title, _country, _objective in titles} == {
        "Open and uncarried",
        "More",
        "UZ in preparation",
    }
    mine = [row.title for row in selectors.unaddressed_nap_gaps(user=world.nfp_kz, region=world.ca)]
    assert "UZ in preparation" not in mine and "Open and uncarried" in mine
    assert open_action.pk in {row.pk for row in selectors.unaddressed_nap_gaps(user=world.admin)}
    assert "Philippines" not in {
        row.title for row in selectors.unaddressed_nap_gaps(user=world.admin, region=world.ca)
    }
    assert uz_draft.pk not in {row.pk for row in selectors.unaddressed_nap_gaps(user=world.nfp_kz)}
