"""The fictional population: a plan drawn from the seeded generator, then written."""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password

from cbrnet.registry.choices import (
    ContactVisibility,
    Gender,
    OrganisationKind,
    Role,
)
from cbrnet.registry.demo.common import (
    AREA_DOMAINS,
    CERTIFICATIONS,
    DEMO_EXPERTS,
    DEMO_ORGANISATION_OVERRIDES,
    DEMO_ORGANISATION_TEMPLATES,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DEMO_SEED,
    DEMO_SOURCE,
    EMAIL_DOMAIN,
    PARTNER_STAFF,
    PHONE_PREFIX,
    POSITIONS,
    TEAM_COUNTRIES,
    LoadReport,
    ascii_slug,
    read_csv,
    split_list,
    sync_many,
    upsert,
)
from cbrnet.registry.demo.reference import Reference
from cbrnet.registry.models import (
    Availability,
    Certification,
    Expertise,
    ExpertProfile,
    Organisation,
    Person,
    RoleAssignment,
)

# --- The fictional population: a plan drawn from the seeded generator, then written -------------


@dataclass(frozen=True)
class NamePool:
    """Given names, fictional family names ('example' in the local language) and languages of a country."""

    iso2: str
    languages: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


@cache
def name_pools() -> dict[str, NamePool]:
    """The demo countries and their name pools (demo_people.csv)."""
    return {
        row["iso2"]: NamePool(
            iso2=row["iso2"],
            languages=tuple(split_list(row["languages"])),
            female=tuple(split_list(row["female_given_names"])),
            male=tuple(split_list(row["male_given_names"])),
            family=tuple(split_list(row["family_names"])),
        )
        for row in read_csv("demo_people.csv")
    }


@dataclass(frozen=True)
class Persona:
    """A demo login: a user account, usually with a person and one role."""

    username: str
    given_name: str
    family_name: str
    gender: str
    country: str | None
    organisation: str | None  # an organisation key of Reference.organisations
    role: Role | None
    scope: str  # how --logins describes the scope of the role
    position: str = ""
    role_country: str | None = None
    role_region: str | None = None
    has_person: bool = True


@cache
def personas() -> tuple[Persona, ...]:
    """The demo logins (demo_logins.csv); organisations are keys of Reference.organisations."""
    return tuple(
        Persona(
            username=row["username"],
            given_name=row["given_name"],
            family_name=row["family_name"],
            gender=Gender(row["gender"]),
            country=row["country"] or None,
            organisation=row["organisation"] or None,
            role=Role(row["role"]) if row["role"] else None,
            scope=row["scope"],
            position=row["position"],
            role_country=row["role_country"] or None,
            role_region=row["role_region"] or None,
            has_person=row["has_person"] == "yes",
        )
        for row in read_csv("demo_logins.csv")
    )


@dataclass
class RolePlan:
    role: Role
    start_date: datetime.date
    country: str | None = None
    region: str | None = None
    organisation: str | None = None
    note: str = ""


@dataclass
class ExpertPlan:
    summary: str
    years_of_experience: int
    deployable: bool
    notice_days: int
    expertise: list[tuple[str, str, int]]  # (domain, thematic area code, level)
    certifications: list[tuple[str, str, datetime.date, datetime.date | None]]
    availability: list[tuple[datetime.date, datetime.date, str]]


@dataclass
class PersonPlan:
    email: str
    given_name: str
    family_name: str
    gender: str
    country: str | None
    organisation: str | None
    position: str
    languages: tuple[str, ...]
    honorific: str = ""
    phone: str = ""
    directory_listed: bool = False
    contact_visibility: str = ContactVisibility.PRIVATE
    consent_date: datetime.date | None = None
    roles: list[RolePlan] = field(default_factory=list)
    expert: ExpertPlan | None = None
    username: str | None = None


def demo_organisation_keys(iso2: str) -> list[str]:
    """The keys of the generic national organisations of a demo country."""
    return [
        DEMO_ORGANISATION_OVERRIDES.get((iso2, key), f"demo:{iso2}:{key}")
        for key, _, _ in DEMO_ORGANISATION_TEMPLATES
    ]


def persona_plans() -> list[PersonPlan]:
    """The people behind the demo logins (all but the outsider)."""
    plans = []
    for number, persona in enumerate(personas(), start=1):
        if not persona.has_person:
            continue
        pool = name_pools().get(persona.country or "GB")
        plan = PersonPlan(
            email=f"{persona.username}@{EMAIL_DOMAIN}",
            given_name=persona.given_name,
            family_name=persona.family_name,
            gender=persona.gender,
            country=persona.country,
            organisation=persona.organisation,
            position=persona.position,
            languages=pool.languages,
            phone=f"{PHONE_PREFIX} 555 {number:04d}",
            directory_listed=True,
            contact_visibility=ContactVisibility.NETWORK,
            consent_date=datetime.date(2026, 1, 15),
            username=persona.username,
        )
        role_organisation = (
            persona.organisation
            if persona.role in (Role.PARTNER_STAFF, Role.VIEWER, Role.EDITOR, Role.ORG_ADMIN, Role.NATIONAL_TEAM)
            else None
        )
        plan.roles.append(
            RolePlan(
                persona.role,
                datetime.date(2024, 1, 15),
                country=persona.role_country,
                region=persona.role_region,
                organisation=role_organisation,
            )
        )
        if persona.username == "expert-b":
            plan.expert = ExpertPlan(
                summary="Biosafety and biosecurity trainer; runs a BSL-3 laboratory and its mobile team.",
                years_of_experience=18,
                deployable=True,
                notice_days=7,
                expertise=[
                    ("B", "biosafety-biosecurity", 5),
                    ("B", "laboratory-capacity", 4),
                    ("B", "zoonotic-diseases", 3),
                    ("C", "detection-identification", 2),
                ],
                certifications=[
                    (
                        "Biorisk management (ISO 35001) auditor",
                        "Demo Certification Body",
                        datetime.date(2023, 5, 10),
                        datetime.date(2026, 5, 10),
                    )
                ],
                availability=[
                    (
                        datetime.date(2026, 4, 1),
                        datetime.date(2026, 6, 30),
                        "Remote support and short missions",
                    )
                ],
            )
        plans.append(plan)
    return plans


def _draw_expert(rng: random.Random, area_names: dict[str, str]) -> ExpertPlan:
    lines: dict[tuple[str, str], int] = {}
    wanted = rng.randint(1, 4)
    while len(lines) < wanted:
        area = rng.choice(sorted(area_names))
        domain = rng.choice(AREA_DOMAINS.get(area, "CBRN"))
        lines.setdefault((domain, area), rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 4, 3, 1))[0])
    years = rng.randint(3, 30)
    certifications = []
    for name, issuer, valid_years in rng.sample(CERTIFICATIONS, rng.choice((0, 0, 1, 1, 2))):
        issued = datetime.date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
        expires = issued.replace(year=issued.year + valid_years) if valid_years else None
        certifications.append((name, issuer, issued, expires))
    availability = []
    start = datetime.date(2026, rng.randint(1, 10), rng.choice((1, 15)))
    for _ in range(rng.choice((0, 1, 1, 2))):
        end = start + datetime.timedelta(days=rng.choice((14, 30, 60, 90)))
        availability.append(
            (start, end, rng.choice(("", "Missions abroad", "Remote support only", "Training only")))
        )
        start = end + datetime.timedelta(days=rng.randint(30, 120))
    areas = sorted({area_names[area].lower() for _, area in lines})
    return ExpertPlan(
        summary=f"{years} years of experience in {', '.join(areas)}.",
        years_of_experience=years,
        deployable=rng.random() < 0.45,
        notice_days=rng.choice((2, 7, 14, 30)),
        expertise=[(domain, area, level) for (domain, area), level in lines.items()],
        certifications=certifications,
        availability=availability,
    )


def plan_population(seed: int = DEMO_SEED) -> list[PersonPlan]:
    """Every demo person to write, drawn from `random.Random(seed)`: the same list on every run.

    The plan uses only the CSV files and constants, never the database, so that a second run plans
    exactly what the first one wrote.
    """
    rng = random.Random(seed)
    pools = name_pools()
    coe_regions = {row["iso2"]: row["region_code"] for row in read_csv("coe_partner_countries.csv")}
    partner_countries = [iso2 for iso2 in pools if iso2 in coe_regions]
    partner_staff_countries = [iso2 for iso2 in pools if iso2 not in coe_regions]
    area_names = {row["code"]: row["name"] for row in read_csv("thematic_areas.csv")}
    kinds = {key: kind for key, _, kind in DEMO_ORGANISATION_TEMPLATES}
    plans = persona_plans()
    login_people = len(plans)
    serial = itertools.count(1)

    def new_person(
        iso2: str, organisation: str, kind: OrganisationKind, position: str | None = None
    ) -> PersonPlan:
        pool = pools[iso2]
        number = next(serial)
        gender = rng.choice((Gender.FEMALE, Gender.MALE))
        given = rng.choice(pool.female if gender == Gender.FEMALE else pool.male)
        family = rng.choice(pool.family)
        languages = [pool.languages[0]] + [code for code in pool.languages[1:] if rng.random() < 0.6]
        if "en" not in languages and rng.random() < 0.5:
            languages.append("en")
        visibility = rng.choices(
            (ContactVisibility.PRIVATE, ContactVisibility.NETWORK, ContactVisibility.ALL_USERS),
            weights=(4, 4, 2),
        )[0]
        listed = rng.random() < 0.65
        consented = listed or visibility != ContactVisibility.PRIVATE
        plan = PersonPlan(
            email=f"{ascii_slug(given)}.{ascii_slug(family)}.{number:03d}@{EMAIL_DOMAIN}",
            honorific=rng.choice(("", "", "", "Dr.")),
            given_name=given,
            family_name=family,
            gender=gender,
            country=iso2,
            organisation=organisation,
            position=position or rng.choice(POSITIONS[kind]),
            languages=tuple(languages),
            phone=f"{PHONE_PREFIX} 555 {1000 + number:04d}",
            directory_listed=listed,
            contact_visibility=visibility,
            consent_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 400))
            if consented
            else None,
        )
        plans.append(plan)
        return plan

    def start_date() -> datetime.date:
        return datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randint(0, 1000))

    def national_person(iso2: str) -> PersonPlan:
        key = rng.choice(demo_organisation_keys(iso2))
        kind = kinds[key.rsplit(":", 1)[-1]] if key.startswith("demo:") else OrganisationKind.MINISTRY
        return new_person(iso2, key, kind)

    focal_points_with_login = {
        persona.role_country for persona in personas() if persona.role == Role.FOCAL_POINT
    }
    for iso2 in partner_countries:
        if iso2 not in focal_points_with_login:
            person = new_person(iso2, f"fp:{iso2}", OrganisationKind.FOCAL_POINT, "National CBRN Focal Point")
            person.roles.append(RolePlan(Role.FOCAL_POINT, start_date(), country=iso2))
    for row in read_csv("secretariats.csv"):
        for _ in range(1 if row["region_code"] == "CA" else 2):
            person = new_person(
                row["country_iso2"], f"sec:{row['region_code']}", OrganisationKind.SECRETARIAT
            )
            person.roles.append(RolePlan(Role.SECRETARIAT, start_date(), region=row["region_code"]))
    for iso2 in TEAM_COUNTRIES:
        for _ in range(3):
            person = national_person(iso2)
            person.roles.append(
                RolePlan(Role.NATIONAL_TEAM, start_date(), country=iso2, organisation=person.organisation)
            )
    for organisation, count in PARTNER_STAFF:
        kind = (
            OrganisationKind.EU_BODY if "Research Centre" in organisation else OrganisationKind.INTERNATIONAL
        )
        for _ in range(count):
            person = new_person(rng.choice(partner_staff_countries), organisation, kind)
            person.roles.append(RolePlan(Role.PARTNER_STAFF, start_date(), organisation=organisation))
    while len(plans) - login_people < DEMO_PEOPLE:
        national_person(rng.choice(partner_countries))

    fictional = [plan for plan in plans if plan.username is None]
    for plan in rng.sample(fictional, DEMO_EXPERTS):
        plan.expert = _draw_expert(rng, area_names)
        plan.roles.append(RolePlan(Role.EXPERT, start_date()))
    return plans


def load_demo_organisations(reference: Reference, report: LoadReport) -> None:
    """Generic national organisations for the demo people; the Malaysian ministry is a client of MY-FP."""
    for iso2 in name_pools():
        if iso2 not in reference.coe_regions:
            continue
        for (key, name, kind), organisation_key in zip(
            DEMO_ORGANISATION_TEMPLATES, demo_organisation_keys(iso2), strict=True
        ):
            if not organisation_key.startswith("demo:"):
                continue
            reference.organisations[organisation_key] = upsert(
                Organisation,
                lookup={"name": name, "country": reference.countries[iso2]},
                values={"acronym": f"{iso2}-{key}", "kind": kind, "parent": None, "source": DEMO_SOURCE},
                report=report,
            )
    # The ACCESS.md test organisations: MY-MOH is a client of MY-FP (TLP:AMBER may reach it).
    sync_many(reference.organisations["demo:MY:MOH"], "client_of", [reference.organisations["fp:MY"]], report)


class DemoPassword:
    """Hashes the demo password once and checks stored hashes once each (Argon2 is slow on purpose).

    All demo users share one hash: they share the password anyway, and hashing thirteen times
    would add seconds to every load.
    """

    def __init__(self) -> None:
        self._hash: str | None = None
        self._checked: dict[str, bool] = {}

    def hash(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._checked[encoded]


def sync_user(persona: Persona, password: DemoPassword, report: LoadReport):
    """The user account of a demo login, with the demo password (set again if it was changed)."""
    user_model = get_user_model()
    values = {
        "email": f"{persona.username}@{EMAIL_DOMAIN}",
        "first_name": persona.given_name,
        "last_name": persona.family_name,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    user = user_model._default_manager.filter(username=persona.username).first()
    if user is None:
        user = user_model(username=persona.username, password=password.hash(), **values)
        user.full_clean()
        user.save()
        report.count(report.created, user_model)
        return user
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if not password.matches(user.password):
        user.password = password.hash()
        changed.append("password")
    if changed:
        user.full_clean()
        user.save()
        report.count(report.changed, user_model)
    else:
        report.count(report.unchanged, user_model)
    return user


def sync_expert(person: Person, plan: ExpertPlan, reference: Reference, report: LoadReport) -> None:
    """The expert profile of a person with its expertise lines, certifications and availability."""
    profile = upsert(
        ExpertProfile,
        lookup={"person": person},
        values={
            "summary": plan.summary,
            "years_of_experience": plan.years_of_experience,
            "deployable": plan.deployable,
            "notice_days": plan.notice_days,
        },
        report=report,
    )
    for domain, area, level in plan.expertise:
        upsert(
            Expertise,
            lookup={"profile": profile, "domain": domain, "thematic_area": reference.thematic_areas[area]},
            values={"level": level},
            report=report,
        )
    for name, issuer, issued_on, expires_on in plan.certifications:
        upsert(
            Certification,
            lookup={"profile": profile, "name": name},
            values={"issuer": issuer, "issued_on": issued_on, "expires_on": expires_on},
            report=report,
        )
    for start, end, note in plan.availability:
        upsert(
            Availability,
            lookup={"profile": profile, "start_date": start},
            values={"end_date": end, "note": note},
            report=report,
        )


def load_demo_population(reference: Reference, report: LoadReport) -> None:
    """The demo organisations, logins and fictional people with their roles and expert profiles."""
    load_demo_organisations(reference, report)
    password = DemoPassword()
    users = {persona.username: sync_user(persona, password, report) for persona in personas()}
    plans = plan_population()
    existing = {
        person.email: person for person in Person.objects.filter(email__in=[plan.email for plan in plans])
    }
    organisations = reference.organisations
    for plan in plans:
        person = upsert(
            Person,
            lookup={"email": plan.email},
            values={
                "honorific": plan.honorific,
                "given_name": plan.given_name,
                "family_name": plan.family_name,
                "gender": plan.gender,
                "organisation": organisations[plan.organisation] if plan.organisation else None,
                "country": reference.countries[plan.country] if plan.country else None,
                "position": plan.position,
                "phone": plan.phone,
                "directory_listed": plan.directory_listed,
                "contact_visibility": plan.contact_visibility,
                "consent_date": plan.consent_date,
                "user_account": users[plan.username] if plan.username else None,
            },
            report=report,
            existing=existing.get(plan.email),
        )
        sync_many(person, "languages", [reference.languages[code] for code in plan.languages], report)
        for role in plan.roles:
            upsert(
                RoleAssignment,
                lookup={
                    "person": person,
                    "role": role.role,
                    "country": reference.countries[role.country] if role.country else None,
                    "region": reference.regions[role.region] if role.region else None,
                    "organisation": organisations[role.organisation] if role.organisation else None,
                },
                values={"start_date": role.start_date, "end_date": None, "note": role.note},
                report=report,
            )
        if plan.expert:
            sync_expert(person, plan.expert, reference, report)


