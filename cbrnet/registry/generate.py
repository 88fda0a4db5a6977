"""Synthetic data for benchmarks: many organisations, people and experts, written fast.

`generate()` is what `cbrnet generate` runs. It needs the reference data of the demo (networks,
countries, memberships, thematic areas, languages) and loads it first when the networks are missing.

Rows are written with `bulk_create`, which deliberately bypasses the per-row audit trail (an audit
entry per row would multiply the run time and bury real history under synthetic noise). Instead
one summary audit entry, on the EU CBRN CoE network, records the run: its seed and what it created.
The people are fictional (e-mail `synthetic.<n>@example.org`, phone numbers in the +000 range).
Each run adds rows; numbering continues after earlier runs, so runs never collide.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import transaction

from cbrnet.access import context as access_context
from cbrnet.core import audit
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.registry.choices import ContactVisibility, Gender, OrganisationKind, Role
from cbrnet.registry.demo import (
    AREA_DOMAINS,
    CERTIFICATIONS,
    EMAIL_DOMAIN,
    EU_COE,
    PHONE_PREFIX,
    Reference,
    ensure_reference_data,
    name_pools,
)
from cbrnet.registry.models import (
    Availability,
    Certification,
    Expertise,
    ExpertProfile,
    Organisation,
    Person,
    RoleAssignment,
)
from cbrnet.registry.search import expert_search_text_refresh
from cbrnet.registry.signals import data_changed

GENERATED_SOURCE = "Synthetic data (cbrnet generate)"
GENERATED_EMAIL_PREFIX = "synthetic."
BATCH_SIZE = 2000

ORGANISATION_TEMPLATES = {
    OrganisationKind.MINISTRY: (
        "Directorate of Health Security",
        "Department of Civil Defence",
        "Veterinary Service",
    ),
    OrganisationKind.AGENCY: (
        "Border Guard Post",
        "Customs Laboratory",
        "Emergency Response Centre",
        "Nuclear Safety Office",
    ),
    OrganisationKind.LABORATORY: (
        "Regional Public Health Laboratory",
        "Veterinary Diagnostic Laboratory",
        "Food Safety Laboratory",
    ),
    OrganisationKind.UNIVERSITY: (
        "Institute of Microbiology",
        "Faculty of Chemistry",
        "Research Centre for Radiation Safety",
    ),
    OrganisationKind.NGO: ("Civil Protection Volunteers Association", "Biosafety Professionals Association"),
    OrganisationKind.COMPANY: ("Chemical Plant", "Hospital Waste Services", "Dangerous Goods Logistics"),
}
KIND_WEIGHTS = {
    OrganisationKind.MINISTRY: 2,
    OrganisationKind.AGENCY: 4,
    OrganisationKind.LABORATORY: 3,
    OrganisationKind.UNIVERSITY: 2,
    OrganisationKind.NGO: 1,
    OrganisationKind.COMPANY: 1,
}
POSITIONS = (
    "Officer",
    "Senior Officer",
    "Head of Unit",
    "Specialist",
    "Inspector",
    "Analyst",
    "Trainer",
    "Technician",
)
# Working languages of people from countries the demo has no name pool for, by CoE region.
REGION_LANGUAGES = {
    "AAF": ("fr", "en"),
    "NAS": ("ar", "fr"),
    "ECA": ("en", "sw", "fr"),
    "MIE": ("ar", "en"),
    "GCC": ("ar", "en"),
    "CA": ("ru", "en"),
    "SEA": ("en",),
    "SEEE": ("en", "ru"),
}
FALLBACK_FAMILY_NAMES = ("Example", "Sample", "Demo", "Specimen", "Placeholder")


@dataclass
class GenerateReport:
    """How many rows of each kind a run created, and how long it took."""

    seed: int
    organisations: int = 0
    people: int = 0
    language_links: int = 0
    experts: int = 0
    expertise: int = 0
    certifications: int = 0
    availability: int = 0
    role_assignments: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {key: value for key, value in asdict(self).items() if key not in ("seed", "seconds")}


@dataclass(frozen=True)
class _CountryPool:
    country_id: int
    region: str
    languages: tuple[int, ...]  # language ids
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


def _country_pools(reference: Reference) -> list[_CountryPool]:
    """One pool per CoE partner country: demo name pools where there are some, generic ones elsewhere."""
    pools = name_pools()
    all_female = tuple(sorted({name for pool in pools.values() for name in pool.female}))
    all_male = tuple(sorted({name for pool in pools.values() for name in pool.male}))
    result = []
    for iso2, region in sorted(reference.coe_regions.items()):
        pool = pools.get(iso2)
        codes = pool.languages if pool else REGION_LANGUAGES.get(region, ("en",))
        result.append(
            _CountryPool(
                country_id=reference.countries[iso2].pk,
                region=region,
                languages=tuple(
                    reference.languages[code].pk for code in codes if code in reference.languages
                ),
                female=pool.female if pool else all_female,
                male=pool.male if pool else all_male,
                family=(pool.family if pool else ()) + FALLBACK_FAMILY_NAMES,
            )
        )
    return result


def _create_organisations(
    rng: random.Random, count: int, pools: list[_CountryPool], batch_size: int
) -> list[Organisation]:
    """`count` synthetic national organisations, numbered after those of earlier runs."""
    first = Organisation.objects.filter(source__startswith=GENERATED_SOURCE).count() + 1
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    organisations = []
    for number in range(first, first + count):
        kind = rng.choices(kinds, weights)[0]
        pool = rng.choice(pools)
        organisations.append(
            Organisation(
                name=f"{rng.choice(ORGANISATION_TEMPLATES[kind])} {number}",
                kind=kind,
                country_id=pool.country_id,
                source=GENERATED_SOURCE,
            )
        )
    return Organisation.objects.bulk_create(organisations, batch_size=batch_size)


def _create_people(
    rng: random.Random,
    count: int,
    organisations: list[Organisation],
    pools: list[_CountryPool],
    batch_size: int,
) -> tuple[list[Person], int]:
    """`count` fictional people in those organisations, with their languages; returns (people, links)."""
    first = Person.objects.filter(email__startswith=GENERATED_EMAIL_PREFIX).count() + 1
    pool_of_country = {pool.country_id: pool for pool in pools}
    visibilities = (ContactVisibility.PRIVATE, ContactVisibility.NETWORK, ContactVisibility.ALL_USERS)
    consent_base = datetime.date(2025, 1, 1)
    people, languages = [], []
    for number in range(first, first + count):
        organisation = rng.choice(organisations)
        pool = pool_of_country[organisation.country_id]
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
        listed = rng.random() < 0.6
        visibility = rng.choices(visibilities, (4, 4, 2))[0]
        people.append(
            Person(
                given_name=rng.choice(pool.female if gender == Gender.FEMALE else pool.male),
                family_name=rng.choice(pool.family),
                gender=gender,
                organisation_id=organisation.pk,
                country_id=organisation.country_id,
                position=rng.choice(POSITIONS),
                email=f"{GENERATED_EMAIL_PREFIX}{number}@{EMAIL_DOMAIN}",
                phone=f"{PHONE_PREFIX} 7{number:09d}",
                directory_listed=listed,
                contact_visibility=visibility,
                consent_date=consent_base + datetime.timedelta(days=rng.randint(0, 400))
                if listed or visibility != ContactVisibility.PRIVATE
                else None,
            )
        )
        languages.append(
            pool.languages[:1] + tuple(code for code in pool.languages[1:] if rng.random() < 0.5)
        )
    people = Person.objects.bulk_create(people, batch_size=batch_size)
    through = Person.languages.through
    links = [
        through(person_id=person.pk, language_id=language_id)
        for person, language_ids in zip(people, languages, strict=True)
        for language_id in language_ids
    ]
    through.objects.bulk_create(links, batch_size=batch_size)
    return people, len(links)


def _create_experts(
    rng: random.Random, people: list[Person], reference: Reference, report: GenerateReport, batch_size: int
) -> None:
    """Expert profiles for these people: 1-4 expertise lines, some certifications and availability."""
    area_ids = {code: area.pk for code, area in sorted(reference.thematic_areas.items())}
    area_codes = list(area_ids)
    profiles = ExpertProfile.objects.bulk_create(
        [
            ExpertProfile(
                person_id=person.pk,
                # bulk_create bypasses save(), which copies these from the person
                person_directory_listed=person.directory_listed,
                person_country_id=person.country_id,
                person_organisation_id=person.organisation_id,
                person_family_name=person.family_name,
                person_given_name=person.given_name,
                summary="Synthetic expert profile.",
                years_of_experience=rng.randint(1, 35),
                deployable=rng.random() < 0.4,
                notice_days=rng.choice((2, 7, 14, 30)),
            )
            for person in people
        ],
        batch_size=batch_size,
    )
    expertise, certifications, availability = [], [], []
    for profile in profiles:
        lines: set[tuple[str, str]] = set()
        wanted = rng.randint(1, 4)
        while len(lines) < wanted:
            area = rng.choice(area_codes)
            lines.add((rng.choice(AREA_DOMAINS.get(area, "CBRN")), area))
        expertise += [
            Expertise(
                profile_id=profile.pk, domain=domain, thematic_area_id=area_ids[area], level=rng.randint(1, 5)
            )
            for domain, area in sorted(lines)
        ]
        if rng.random() < 0.3:
            name, issuer, valid_years = rng.choice(CERTIFICATIONS)
            issued = datetime.date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
            expires = issued.replace(year=issued.year + valid_years) if valid_years else None
            certifications.append(
                Certification(
                    profile_id=profile.pk, name=name, issuer=issuer, issued_on=issued, expires_on=expires
                )
            )
        if rng.random() < 0.4:
            start = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 600))
            end = start + datetime.timedelta(days=rng.choice((14, 30, 60, 90)))
            availability.append(Availability(profile_id=profile.pk, start_date=start, end_date=end))
    Expertise.objects.bulk_create(expertise, batch_size=batch_size)
    Certification.objects.bulk_create(certifications, batch_size=batch_size)
    Availability.objects.bulk_create(availability, batch_size=batch_size)
    # bulk_create sends no signals: the directory's search text is filled in here, in batches.
    for start in range(0, len(profiles), batch_size):
        expert_search_text_refresh(profile_ids=[profile.pk for profile in profiles[start : start + batch_size]])
    report.experts, report.expertise = len(profiles), len(expertise)
    report.certifications, report.availability = len(certifications), len(availability)


def _create_roles(rng: random.Random, people: list[Person], experts: list[Person], batch_size: int) -> int:
    """The expert role for every expert, and national-team seats for about 3 % of the people."""
    start = datetime.date(2024, 1, 1)
    roles = [RoleAssignment(person_id=person.pk, role=Role.EXPERT, start_date=start) for person in experts]
    roles += [
        RoleAssignment(
            person_id=person.pk,
            role=Role.NATIONAL_TEAM,
            country_id=person.country_id,
            organisation_id=person.organisation_id,
            start_date=start + datetime.timedelta(days=rng.randint(0, 700)),
        )
        for person in people
        if rng.random() < 0.03
    ]
    RoleAssignment.objects.bulk_create(roles, batch_size=batch_size)
    return len(roles)


def generate(
    *,
    people: int,
    experts: int,
    organisations: int | None = None,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    log: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Add `people` synthetic people (of whom `experts` experts) in `organisations` new organisations.

    Deterministic for a given seed and database state. Writes one summary audit entry, not one per row.
    """
    if people < 0 or experts < 0 or experts > people:
        raise ValueError("Give people >= 0 and 0 <= experts <= people.")
    log = log or (lambda message: None)
    started = time.perf_counter()
    reference = ensure_reference_data()
    organisations = organisations if organisations is not None else max(10, people // 50)
    if people and organisations < 1:
        raise ValueError("People need at least one organisation.")
    rng = random.Random(seed)
    report = GenerateReport(seed=seed)
    pools = _country_pools(reference)
    with audit_actor(None, source="command"), transaction.atomic():
        created_organisations = _create_organisations(rng, organisations, pools, batch_size)
        report.organisations = len(created_organisations)
        log(f"{report.organisations} organisations")
        created_people, report.language_links = (
            _create_people(rng, people, created_organisations, pools, batch_size) if people else ([], 0)
        )
        report.people = len(created_people)
        log(f"{report.people} people ({report.language_links} language links)")
        expert_people = rng.sample(created_people, experts)
        _create_experts(rng, expert_people, reference, report, batch_size)
        log(f"{report.experts} experts ({report.expertise} expertise lines)")
        report.role_assignments = _create_roles(rng, created_people, expert_people, batch_size)
        # The single audit entry of the run: bulk_create wrote no per-row entries.
        audit.record(
            reference.networks[EU_COE],
            AuditEntry.Action.UPDATE,
            {"synthetic_data": None},
            {"synthetic_data": {"seed": seed, "created": report.counts(), "note": GENERATED_SOURCE}},
        )
    # bulk_create sends no signals either: retire cached access contexts and registry pages.
    access_context.invalidate()
    data_changed()
    report.seconds = round(time.perf_counter() - started, 1)
    return report
