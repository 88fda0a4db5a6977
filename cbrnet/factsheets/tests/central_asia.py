"""The Central Asia of the Regional Secretariat's fact sheet of May 2023, built from records on top of
the personas' world: six partner countries (Kazakhstan and Uzbekistan of the world, plus Kyrgyzstan,
Tajikistan, Mongolia and Pakistan) and Afghanistan as a potential partner, their focal points and
national teams, needs assessments and National Action Plans, thirteen projects since 2013 of which
P53 and P87 PRECA are ongoing in 2023, trainees of PRECA, the regional priorities and the three
recent achievements.

Records that must NOT count are added too (a project idea, a project of another region, a project
that starts after the sheet's date, a potential partner's focal point and plan, an ended team seat),
so a sheet that counted them would state other figures.
"""

import datetime
from types import SimpleNamespace

from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.models import ActionPlan
from cbrnet.assessments.choices import AssessmentStatus, VersionStatus
from cbrnet.assessments.models import Assessment, QuestionnaireVersion
from cbrnet.core.audit import audit_actor
from cbrnet.factsheets.demo import load_achievements
from cbrnet.projects.choices import ActivityKind, ActivityStatus, Attendance, ParticipantRole, ProjectStatus
from cbrnet.projects.models import Activity, Participation, Project
from cbrnet.registry import models as r
from cbrnet.registry.choices import MembershipStatus, Role
from cbrnet.registry.demo.common import LoadReport

AS_OF = datetime.date(2023, 5, 31)
FRAMEWORK = (
    "European Union (EU) Chemical, Biological, Radiological and Nuclear (CBRN) Risk Mitigation Centres of "
    "Excellence (CoE) Initiative."
)
HOST = (
    "Inspectorate on Control of Mining, Geological and Industrial Safety under the Ministry of Mining Industry "
    "and Geology of the Republic of Uzbekistan"
)
GOAL = "Strengthen capabilities of partner countries in mitigating CBRN risks."
PRIORITIES = (
    "Implementation of UNSCR 1540",
    "Legislation for CBRN Risk Mitigation",
    "Border control for CBRN safety and security",
    "Dual use goods trade control",
    "Zoonotic diseases risk mitigation",
    "Protection of Critical Infrastructure",
    "Strengthening forensics capabilities in CBRN",
    "CBRN safety and security during mass gatherings",
    "Public Awareness raising concerning CBRN hazards and threats",
    "Collaboration in training",
)
NEW_COUNTRIES = {
    "KG": ("KGZ", "Kyrgyzstan"),
    "TJ": ("TJK", "Tajikistan"),
    "MN": ("MNG", "Mongolia"),
    "PK": ("PAK", "Pakistan"),
    "AF": ("AFG", "Afghanistan"),
}
# Plans: Uzbekistan's NAP is developed (approved); the five others are in preparation.
PLAN_STATUS = {
    "KZ": PlanStatus.DRAFT,
    "UZ": PlanStatus.APPROVED,
    "KG": PlanStatus.SUBMITTED,
    "TJ": PlanStatus.DRAFT,
    "MN": PlanStatus.DRAFT,
    "PK": PlanStatus.SUBMITTED,
}
ASSESSMENT_STATUS = {
    "KZ": AssessmentStatus.VALIDATED,
    "UZ": AssessmentStatus.PUBLISHED,
    "KG": AssessmentStatus.PUBLISHED,
    "TJ": AssessmentStatus.VALIDATED,
    "MN": AssessmentStatus.VALIDATED,
    "PK": AssessmentStatus.PUBLISHED,
}
# (code, title, start year, end year, status): thirteen projects of the region since 2013.
PROJECTS = (
    (
        "P53",
        "Strengthening the National Legal Framework and Provision of Specialized Training on Biosafety and "
        "Biosecurity in Central Asian Countries",
        2017,
        None,
        ProjectStatus.ONGOING,
    ),
    (
        "P87",
        "PRECA - Preparedness and Response for Mass Gatherings and other Health Threats in Central Asia",
        2021,
        2024,
        ProjectStatus.ONGOING,
    ),
    ("P05", "CBRN import/export monitoring", 2013, 2015, ProjectStatus.CLOSED),
    ("P11", "Inter-agency procedures for assessing CBRN risks", 2013, 2016, ProjectStatus.CLOSED),
    ("P18", "Border monitoring", 2014, 2016, ProjectStatus.CLOSED),
    ("P23", "Export control outreach", 2014, 2017, ProjectStatus.CLOSED),
    ("P31", "Biosafety awareness", 2015, 2018, ProjectStatus.CLOSED),
    ("P39", "Radiological emergency preparedness", 2015, 2018, ProjectStatus.CLOSED),
    ("P44", "Illicit trafficking of radioactive material", 2016, 2019, ProjectStatus.CLOSED),
    ("P48", "Chemical safety in industry", 2016, 2019, ProjectStatus.CLOSED),
    ("P56", "On-site technical assistance to the secretariat in Tashkent", 2017, 2020, ProjectStatus.CLOSED),
    ("P65", "CABICHEM - chemical and biological waste management", 2018, 2022, ProjectStatus.CLOSED),
    ("P71", "Forensics in CBRN", 2019, 2022, ProjectStatus.CLOSED),
)
TRAINEES_PER_COUNTRY = 4


def build_central_asia(world) -> SimpleNamespace:
    """Add the fact sheet's Central Asia to `world` (through the models, audited as a command)."""
    ca = SimpleNamespace(as_of=AS_OF, world=world)
    with audit_actor(None, source="command"):
        secretariat = world.secretariat
        secretariat.framework, secretariat.host_institution, secretariat.overall_goal = FRAMEWORK, HOST, GOAL
        secretariat.full_clean()
        secretariat.save()
        countries = {"KZ": world.kz, "UZ": world.uz}
        for iso2, (iso3, name) in NEW_COUNTRIES.items():
            countries[iso2] = r.Country.objects.create(iso2=iso2, iso3=iso3, name=name)
            status = MembershipStatus.POTENTIAL if iso2 == "AF" else MembershipStatus.PARTNER
            r.Membership.objects.create(
                network=world.coe,
                region=world.ca,
                country=countries[iso2],
                status=status,
                since=datetime.date(2015, 1, 1),
            )
        ca.countries = countries
        ca.partners = [countries[code] for code in ("KZ", "UZ", "KG", "TJ", "MN", "PK")]
        start = datetime.date(2019, 1, 1)
        for iso2 in ("KG", "TJ", "MN", "PK", "AF"):  # KZ and UZ have their focal points in the world
            person = r.Person.objects.create(
                given_name="Focal", family_name=f"Point {iso2}", country=countries[iso2]
            )
            r.RoleAssignment.objects.create(
                person=person, role=Role.FOCAL_POINT, country=countries[iso2], start_date=start
            )
        for iso2 in ("UZ", "KG", "TJ", "MN", "PK"):  # KZ's team is team_kz
            person = r.Person.objects.create(
                given_name="Team", family_name=f"Member {iso2}", country=countries[iso2]
            )
            r.RoleAssignment.objects.create(
                person=person, role=Role.NATIONAL_TEAM, country=countries[iso2], start_date=start
            )
        ended = r.Person.objects.create(given_name="Former", family_name="Member AF", country=countries["AF"])
        r.RoleAssignment.objects.create(
            person=ended,
            role=Role.NATIONAL_TEAM,
            country=countries["AF"],
            start_date=datetime.date(2016, 1, 1),
            end_date=datetime.date(2018, 1, 1),
        )
        for order, title in enumerate(PRIORITIES, start=1):
            r.RegionalPriority.objects.create(region=world.ca, title=title, order=order)

        ca.version = QuestionnaireVersion.objects.create(
            network=world.coe,
            family="NAQ",
            version="2015",
            name="Needs Assessment Questionnaire",
            status=VersionStatus.PUBLISHED,
            published_on=datetime.date(2015, 1, 1),
        )
        ca.assessments, ca.plans = {}, {}
        for iso2, status in ASSESSMENT_STATUS.items():
            assessment = Assessment(country=countries[iso2], version=ca.version, year=2019, status=status)
            assessment.full_clean()
            assessment.save()
            ca.assessments[iso2] = assessment
            plan = ActionPlan(
                country=countries[iso2],
                network=world.coe,
                assessment=assessment,
                title=f"National CBRN Action Plan of {countries[iso2].name}",
                start_year=2021,
                end_year=2025,
                status=PLAN_STATUS[iso2],
            )
            plan.full_clean()
            plan.save()
            ca.plans[iso2] = plan
        # A potential partner's plan in preparation: not a partner country, so not counted.
        ActionPlan.objects.create(
            country=countries["AF"],
            network=world.coe,
            title="Draft plan of Afghanistan",
            start_year=2021,
            end_year=2025,
            status=PlanStatus.DRAFT,
        )

        ca.projects = {}
        for code, title, start_year, end_year, status in PROJECTS:
            project = Project(
                network=world.coe,
                code=code,
                title=title,
                start_year=start_year,
                end_year=end_year,
                status=status,
            )
            project.full_clean()
            project.save()
            project.regions.set([world.ca])
            ca.projects[code] = project
        # Not counted: an idea, a project of another region, a project that starts after the sheet's date.
        Project.objects.create(
            network=world.coe, title="Regional CBRN exercise (idea)", status=ProjectStatus.IDEA
        ).regions.set([world.ca])
        Project.objects.create(
            network=world.coe, code="P81", title="BIOSEC", start_year=2012, status=ProjectStatus.ONGOING
        ).regions.set([world.sea])
        Project.objects.create(
            network=world.coe,
            code="P110",
            title="A project of 2024",
            start_year=2024,
            status=ProjectStatus.APPROVED,
        ).regions.set([world.ca])

        ca.activity = Activity.objects.create(
            project=ca.projects["P87"],
            kind=ActivityKind.TRAINING_OF_TRAINERS,
            title="Training of trainers: water safety",
            status=ActivityStatus.HELD,
            start_date=datetime.date(2022, 3, 12),
            end_date=datetime.date(2022, 3, 15),
            country=world.kz,
            city="Almaty",
        )
        for iso2 in ("KZ", "UZ", "KG", "TJ", "MN", "PK"):
            for number in range(TRAINEES_PER_COUNTRY):
                trainee = r.Person.objects.create(
                    given_name=f"Trainee{number}", family_name=f"Of {iso2}", country=countries[iso2]
                )
                Participation.objects.create(
                    activity=ca.activity,
                    person=trainee,
                    role=ParticipantRole.TRAINEE,
                    attended=Attendance.YES,
                )
        ca.achievements = load_achievements(
            SimpleNamespace(networks={world.coe.code: world.coe}, regions={"CA": world.ca}), LoadReport()
        )
    return ca
