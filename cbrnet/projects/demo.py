"""Demo projects: the CoE projects of cbrnet/registry/data/coe_projects.csv, their activities, and
synthetic participants, loaded idempotently.

Implementers are matched to organisations through the `coe_project_aliases` column of
organisations.csv; a name no organisation claims (e.g. a named team leader) is kept in the
project's `source` text rather than invented as an organisation.

Activities are those the sources name (CA Regional Secretariat fact sheet, May 2023; the P81 and P87
project pages cited in cbrnet/registry/data/README.md). Where a source gives only the year, the
dates are illustrative and the activity's `source` says so. Participants are synthetic people
(position "Synthetic demo participant", e-mail at participants.example.org), drawn from a seeded
generator so that every run plans the same rows; they are loaded with the demo population only.
"""

import datetime
import hashlib
import itertools
import random
import re
from dataclasses import dataclass

from cbrnet.projects.choices import ActivityKind, ActivityStatus, Attendance, ParticipantRole, ProjectStatus
from cbrnet.projects.models import Activity, Participation, Project
from cbrnet.projects.services import CERTIFICATE_ALPHABET, CERTIFICATE_CODE_LENGTH

SOURCE = "coe_projects.csv (sources per project in cbrnet/registry/data/README.md)"
CA_FACT_SHEET = "CA Regional Secretariat fact sheet, May 2023"
STATUS_FROM_CSV = {"completed": ProjectStatus.CLOSED}  # the CSV's word for a finished project
SYNTHETIC_POSITION = "Synthetic demo participant"
SYNTHETIC_DOMAIN = "participants.example.org"  # RFC 2606: mail to it never reaches anyone
PARTICIPANT_SEED = 2087
ILLUSTRATIVE = "The source gives the year only: the dates and place are illustrative."

# What the sources say beyond coe_projects.csv: CBRN areas (our reading of the project's subject),
# thematic areas and the Central Asia regional priorities the project serves.
PROJECT_FACTS = {
    "P53": {"cbrn_areas": "B", "areas": ["legal-framework", "biosafety-biosecurity"],
            "priorities": ["Legislation for CBRN Risk Mitigation"]},
    "P65": {"cbrn_areas": "CB", "areas": ["waste-management"], "priorities": []},
    "P81": {"cbrn_areas": "B", "areas": ["biosafety-biosecurity", "illicit-trafficking", "legal-framework"],
            "priorities": [],
            "objectives": "A set of recommendations for improving the biosecurity management system in South-East "
                          "Asia, with effective tools to enhance capabilities to respond to highly communicable "
                          "diseases or global catastrophic biological events, such as pandemics."},
    "P87": {"cbrn_areas": "CB", "areas": ["mass-gatherings", "food-safety", "crisis-communication"],
            "priorities": ["CBRN safety and security during mass gatherings"]},
    "P101": {"cbrn_areas": "", "areas": ["critical-infrastructure"], "priorities": ["Protection of Critical Infrastructure"]},
}


@dataclass(frozen=True)
class ActivityPlan:
    project: str
    kind: str
    title: str
    start: datetime.date
    end: datetime.date | None
    country: str | None
    city: str
    coordinates: tuple[float, float] | None
    organisers: tuple[str, ...]
    areas: tuple[str, ...]
    source: str
    outcomes: str = ""
    status: str = ActivityStatus.HELD
    # Synthetic participants: countries, trainees per country, trainers.
    countries: tuple[str, ...] = ()
    per_country: int = 0
    trainers: int = 0


def _d(year, month, day):
    return datetime.date(year, month, day)


P87_COUNTRIES = ("KZ", "KG", "MN", "PK", "TJ", "UZ")
ACTIVITIES = (
    ActivityPlan(
        "P53", ActivityKind.FIELD_EXERCISE, "Field training on deploying the mobile laboratory", _d(2022, 5, 16),
        _d(2022, 5, 20), "UZ", "Tashkent", (41.29950, 69.24007),
        ("name:Bundeswehr Institute of Microbiology",), ("laboratory-capacity", "biosafety-biosecurity"),
        f"{CA_FACT_SHEET}: a series of field training exercises on deploying the mobile laboratory equipment handed "
        f"over in July 2021, delivered throughout 2022 by the Bundeswehr Institute of Microbiology to experts of the "
        f"Uzbek Ministry of Health's institutes. {ILLUSTRATIVE}",
        countries=("UZ",), per_country=14, trainers=2,
    ),
    ActivityPlan(
        "P53", ActivityKind.CONFERENCE, "COVID-19 Lessons Learnt", _d(2022, 10, 3), _d(2022, 10, 7), "GE", "Tbilisi",
        (41.71510, 44.82710), ("name:Biosafety Association for Central Asia and the Caucasus",),
        ("biosafety-biosecurity", "disease-surveillance", "crisis-communication"),
        f"{CA_FACT_SHEET}: organised jointly by the Biosafety Association for Central Asia and the Caucasus, the EU "
        "CBRN CoE Initiative and Project 53 in Tbilisi, 3–7 October 2022.",
        outcomes="Discussed legislative aspects of biosafety, diagnosis and surveillance, biological waste management, "
                 "communication in public health, sanitary control and risk management, biosafety education.",
        countries=("KZ", "KG", "TJ", "UZ", "GE"), per_country=5, trainers=3,
    ),
    *(
        ActivityPlan(
            "P87", ActivityKind.TRAINING_OF_TRAINERS, f"Training of trainers: {topic}", _d(2022, month, 12),
            _d(2022, month, 15), country, city, coordinates, ("name:International Science and Technology Center",),
            areas,
            f"{CA_FACT_SHEET}: in 2022 over 200 experts from Kazakhstan, Kyrgyzstan, Mongolia, Pakistan, Tajikistan "
            f"and Uzbekistan were trained on preparedness and response to mass gatherings, including trainings of "
            f"trainers on water safety, food safety, chemical poisoning and CCC. {ILLUSTRATIVE}",
            countries=P87_COUNTRIES, per_country=9, trainers=2,
        )
        for topic, month, country, city, coordinates, areas in (
            ("water safety", 3, "KZ", "Almaty", (43.23800, 76.94550), ("food-safety", "mass-gatherings")),
            ("food safety", 5, "KG", "Bishkek", (42.87460, 74.56980), ("food-safety", "mass-gatherings")),
            ("chemical poisoning", 9, "UZ", "Tashkent", (41.29950, 69.24007), ("chemical-safety-security", "mass-gatherings")),
            ("CCC", 11, "TJ", "Dushanbe", (38.55980, 68.78700), ("crisis-communication", "mass-gatherings")),
        )
    ),
    ActivityPlan(
        "P87", ActivityKind.TABLE_TOP_EXERCISE, "Mass-gathering health threats table-top exercise", _d(2023, 6, 20),
        _d(2023, 6, 21), "KZ", "Astana", (51.16940, 71.44910), ("name:International Science and Technology Center",),
        ("mass-gatherings", "emergency-medical-response"),
        "https://web.unicri.it/News-EUCBRNCoE-PRECA-regional-working-group-mass%20gatherings-and-health-threats "
        f"(PRECA regional working group on mass gatherings and health threats). {ILLUSTRATIVE}",
        countries=P87_COUNTRIES, per_country=4, trainers=2,
    ),
    ActivityPlan(
        "P81", ActivityKind.WORKSHOP, "National biosecurity workshop, Philippines", _d(2023, 2, 7), _d(2023, 2, 9), "PH",
        "Quezon City", (14.67600, 121.04370), ("name:National Institute for Public Health and the Environment",),
        ("biosafety-biosecurity", "legal-framework"),
        f"Project 081 page (portal project-081_en): workshops in all partner countries. {ILLUSTRATIVE}",
        countries=("PH",), per_country=16, trainers=2,
    ),
    ActivityPlan(
        "P81", ActivityKind.TRAINING_OF_TRAINERS, "Biosecurity training of national trainers, Thailand", _d(2023, 8, 14),
        _d(2023, 8, 18), "TH", "Bangkok", (13.75630, 100.50180), ("name:SCJS Europe",),
        ("biosafety-biosecurity", "laboratory-capacity"),
        f"Project 081 page: capacity-building exercises and the training of national trainers in each partner "
        f"country. {ILLUSTRATIVE}",
        countries=("TH",), per_country=12, trainers=2,
    ),
    ActivityPlan(
        "P81", ActivityKind.TABLE_TOP_EXERCISE, "Regional biosecurity table-top exercise", _d(2024, 3, 5), _d(2024, 3, 6),
        "MY", "Kuala Lumpur", (3.13900, 101.68690), ("name:National Institute for Public Health and the Environment",),
        ("biosafety-biosecurity", "illicit-trafficking"),
        f"Project 081 page: capacity-building exercises. {ILLUSTRATIVE}",
        countries=("PH", "TH", "MY", "ID", "VN"), per_country=4, trainers=2,
    ),
    ActivityPlan(
        "P81", ActivityKind.CONFERENCE, "BIOSEC regional conference", _d(2024, 7, 9), _d(2024, 7, 10), None, "", None,
        ("name:SCJS Europe",), ("biosafety-biosecurity",),
        "https://www.cbrn-project81.com/news (regional conference, July 2024). The day and place are illustrative.",
        countries=("PH", "TH", "MY", "ID", "VN", "KH", "LA"), per_country=3, trainers=3,
    ),
)


def _alias_index(read_csv, organisations) -> dict[str, object]:
    index = {}
    for row in read_csv("organisations.csv"):
        organisation = organisations.get(f"name:{row['name']}")
        for alias in filter(None, (part.strip() for part in row["coe_project_aliases"].split(";"))):
            index[alias] = organisation
    return index


def load_projects(reference, report) -> dict[str, Project]:
    """One Project per CSV row; regions, lead and implementers synchronised; unchanged rows untouched.
    Then the activities the sources name (without participants: see load_demo_participants)."""
    from cbrnet.registry.demo import EU_COE, read_csv, split_list, sync_many, upsert
    from cbrnet.registry.models import RegionalPriority

    network = reference.networks[EU_COE]
    aliases = _alias_index(read_csv, reference.organisations)
    projects = {}
    for row in read_csv("coe_projects.csv"):
        implementers, lead, unmatched = [], None, []
        for entry in split_list(row["implementers"]):
            name = re.sub(r"\s*\(.*\)$", "", entry).strip()
            organisation = aliases.get(name)
            if organisation is None:
                unmatched.append(entry)
                continue
            implementers.append(organisation)
            if re.search(r"\b(lead|team leader)\b", entry):
                lead = organisation
        note = f"{SOURCE}." + (f" Also named as implementers: {'; '.join(unmatched)}." if unmatched else "")
        facts = PROJECT_FACTS.get(row["code"], {})
        values = {
            "title": row["title"],
            "start_year": int(row["start_year"]) if row["start_year"] else None,
            "end_year": int(row["end_year"]) if row["end_year"] else None,
            "status": STATUS_FROM_CSV.get(row["status"]) or ProjectStatus(row["status"]),
            "lead_implementer": lead,
            "source": note,
        }
        if facts.get("cbrn_areas"):
            values["cbrn_areas"] = facts["cbrn_areas"]
        if facts.get("objectives"):
            values["objectives"] = facts["objectives"]
        project = upsert(Project, lookup={"network": network, "code": row["code"]}, values=values, report=report)
        sync_many(project, "regions", [reference.regions[code] for code in split_list(row["regions"])], report)
        sync_many(project, "implementers", implementers, report)
        if facts:
            sync_many(project, "thematic_areas", [reference.thematic_areas[code] for code in facts["areas"]], report)
            priorities = RegionalPriority.objects.filter(region__in=project.regions.all(), title__in=facts["priorities"])
            sync_many(project, "priorities", list(priorities), report)
        projects[row["code"]] = project
    load_activities(reference, projects, report)
    return projects


def load_activities(reference, projects: dict[str, Project], report) -> dict[str, Activity]:
    """The activities of ACTIVITIES, found by project and title."""
    from decimal import Decimal

    from cbrnet.registry.demo import sync_many, upsert

    activities = {}
    for plan in ACTIVITIES:
        activity = upsert(
            Activity,
            lookup={"project": projects[plan.project], "title": plan.title},
            values={
                "kind": plan.kind, "status": plan.status, "start_date": plan.start, "end_date": plan.end,
                "country": reference.countries[plan.country] if plan.country else None, "city": plan.city,
                "latitude": Decimal(f"{plan.coordinates[0]:.5f}") if plan.coordinates else None,
                "longitude": Decimal(f"{plan.coordinates[1]:.5f}") if plan.coordinates else None,
                "outcomes": plan.outcomes, "source": plan.source,
            },
            report=report,
        )
        sync_many(activity, "organisers", [reference.organisations[key] for key in plan.organisers], report)
        sync_many(activity, "thematic_areas", [reference.thematic_areas[code] for code in plan.areas], report)
        activities[f"{plan.project}:{plan.title}"] = activity
    return activities


@dataclass(frozen=True)
class ParticipantPlan:
    activity: str  # "P87:<title>"
    email: str
    given_name: str
    family_name: str
    gender: str
    country: str
    organisation: str  # a key of Reference.organisations
    role: str
    attended: str
    certificate: str  # a code, or "" for none


def plan_participants(seed: int = PARTICIPANT_SEED) -> list[ParticipantPlan]:
    """Every synthetic participant, from the seeded generator: the same list on every run."""
    from cbrnet.registry.choices import Gender
    from cbrnet.registry.demo.common import ascii_slug
    from cbrnet.registry.demo.population import demo_organisation_keys, name_pools

    rng = random.Random(seed)
    pools = name_pools()
    serial = itertools.count(1)
    plans = []

    def person(iso2, organisation, role, activity_key, attended):
        number = next(serial)
        pool = pools[iso2]
        gender = rng.choice((Gender.FEMALE, Gender.MALE))
        given = f"{rng.choice(pool.female if gender == Gender.FEMALE else pool.male)} {rng.choice('ABDEGKLMNRST')}."
        family = rng.choice(pool.family)
        certificate = ""
        if attended == Attendance.YES and role == ParticipantRole.TRAINEE and rng.random() < 0.5:
            digest = hashlib.sha256(f"demo-certificate-{seed}-{number}".encode()).digest()
            certificate = "".join(CERTIFICATE_ALPHABET[byte % len(CERTIFICATE_ALPHABET)] for byte in digest[:CERTIFICATE_CODE_LENGTH])
        plans.append(ParticipantPlan(
            activity=activity_key, email=f"{ascii_slug(given.split()[0])}.{ascii_slug(family)}.{number:04d}@{SYNTHETIC_DOMAIN}",
            given_name=given, family_name=family, gender=gender, country=iso2, organisation=organisation, role=role,
            attended=attended, certificate=certificate,
        ))

    for plan in ACTIVITIES:
        key = f"{plan.project}:{plan.title}"
        trainer_organisation = plan.organisers[0]
        for _ in range(plan.trainers):
            iso2 = "DE" if "Bundeswehr" in trainer_organisation else rng.choice(("NL", "BE", "GB", "IT"))
            person(iso2, trainer_organisation, ParticipantRole.TRAINER, key, Attendance.YES)
        for iso2 in plan.countries:
            for _ in range(plan.per_country):
                attended = rng.choices((Attendance.YES, Attendance.PARTLY, Attendance.NO), weights=(88, 8, 4))[0]
                organisation = rng.choice([k for k in demo_organisation_keys(iso2) if k.startswith(("demo:", "name:"))])
                person(iso2, organisation, ParticipantRole.TRAINEE, key, attended)
    return plans


def load_demo_participants(reference, report) -> None:
    """Synthetic participants of the demo activities (needs the demo population's organisations)."""
    from cbrnet.registry.choices import ContactVisibility
    from cbrnet.registry.demo import upsert
    from cbrnet.registry.models import Person

    network_projects = {project.code: project for project in Project.objects.filter(network=reference.networks["eu-cbrn-coe"])}
    activities = {
        f"{activity.project.code}:{activity.title}": activity
        for activity in Activity.objects.filter(project__in=network_projects.values()).select_related("project")
    }
    plans = plan_participants()
    people = {person.email: person for person in Person.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}")}
    registered = {
        (participation.activity_id, participation.person_id): participation
        for participation in Participation.objects.filter(person__email__endswith=f"@{SYNTHETIC_DOMAIN}")
    }
    issued_on = {key: activity.end_date or activity.start_date for key, activity in activities.items()}
    for plan in plans:
        organisation = reference.organisations.get(plan.organisation)
        person = upsert(
            Person,
            lookup={"email": plan.email},
            values={
                "given_name": plan.given_name, "family_name": plan.family_name, "gender": plan.gender,
                "organisation": organisation, "country": reference.countries[plan.country],
                "position": SYNTHETIC_POSITION, "directory_listed": False,
                "contact_visibility": ContactVisibility.PRIVATE,
            },
            report=report,
            existing=people.get(plan.email),
        )
        activity = activities[plan.activity]
        upsert(
            Participation,
            lookup={"activity": activity, "person": person},
            values={
                "role": plan.role, "attended": plan.attended, "certificate_issued": bool(plan.certificate),
                "certificate_code": plan.certificate,
                "certificate_issued_on": issued_on[plan.activity] if plan.certificate else None,
                "note": "Synthetic demo participant.",
            },
            report=report,
            existing=registered.get((activity.pk, person.pk)),
        )
