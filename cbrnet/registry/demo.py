"""The demo data set: the networks' reference data and a fictional population, loaded idempotently.

`load_demo()` is what `cbrnet demo` runs. It has two parts:

* reference data (`load_reference_data`): the two networks, their regions, every ISO 3166-1 country,
  memberships, the eight CoE Regional Secretariats, thematic areas, the Central Asia regional
  priorities, languages and the organisations named by the sources. Facts come only from the CSV
  copies in `cbrnet/registry/data/` (never from /work/shared at run time); each record's `source`
  says where it comes from (see data/README.md).
* the fictional population (`load_demo_population`): demo organisations, the demo logins and about
  200 more people, built from `random.Random(DEMO_SEED)` so every run plans exactly the same rows.

Running it again changes nothing and writes no audit entries: every row is found by a natural key
and saved only when a value differs (each save of an audited model writes an audit entry).
"""

from __future__ import annotations

import csv
import datetime
import itertools
import random
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction

from cbrnet.core.audit import audit_actor
from cbrnet.registry.choices import (
    Confidence,
    ContactVisibility,
    Gender,
    MembershipStatus,
    OrganisationKind,
    Role,
)
from cbrnet.registry.models import (
    Availability,
    Certification,
    Country,
    Expertise,
    ExpertProfile,
    Language,
    Membership,
    Network,
    Organisation,
    Person,
    Region,
    RegionalPriority,
    RoleAssignment,
    Secretariat,
    ThematicArea,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo-password-2026"
DEMO_SEED = 2026
EMAIL_DOMAIN = "example.org"  # reserved for documentation (RFC 2606): mail to it never reaches anyone
PHONE_PREFIX = "+000"  # not an assigned country calling code
DEMO_PEOPLE = 200  # fictional people besides the demo logins
DEMO_EXPERTS = 80

EU_COE = "eu-cbrn-coe"
ASEAN_CBR = "asean-cbr"
ASEAN_REGION = "ASEAN"

LANGUAGE_CODES = (
    "en", "fr", "ru", "ar", "es", "pt", "zh", "uz", "kk", "ky", "tg", "mn", "ps", "fa", "ka", "hy", "az",
    "uk", "ro", "sq", "sr", "mk", "bs", "sw", "am", "tl", "id", "ms", "th", "vi", "km", "lo", "my",
    "ur", "de", "it", "nl", "pl",
)  # fmt: skip

DEMO_SOURCE = "Demo record: invented for the demo data set; it states no facts about a real body."
SEED_TITLES = {
    "asean_about": "ASEAN CBR Network 'About Us' page, https://www.asean-cbr.org/about-us",
    "coe_2014": "CoE press release, Ispra, 13 June 2014",
    "ca_rtm_2024": "CoE news on the 20th CA Round Table Meeting, 7 March 2024",
    "ca_factsheet": "CA Regional Secretariat fact sheet, May 2023",
}

NETWORKS = (
    {
        "code": EU_COE,
        "name": "EU CBRN Risk Mitigation Centres of Excellence",
        "short_name": "EU CBRN CoE",
        "description": (
            "A voluntary, demand-driven EU initiative that mitigates chemical, biological, radiological and "
            "nuclear risks of criminal, accidental or natural origin. Partner countries define their "
            "priorities and needs with a regional cross-border dimension; a Regional Secretariat serves each "
            "of the eight regions. Led by the European Commission's Service for Foreign Policy Instruments "
            "(FPI) in close coordination with the EEAS; the JRC provides technical support and UNICRI "
            "ensures coherent national, regional and international cooperation."
        ),
        "established": None,
        "website": "https://cbrn-risk-mitigation.network.europa.eu/",
        "source": (
            f"{SEED_TITLES['coe_2014']}; {SEED_TITLES['ca_rtm_2024']} (64 countries in eight regions); "
            f"{SEED_TITLES['ca_factsheet']}; website: the CoE portal cited in cbrnet/registry/data/README.md"
        ),
    },
    {
        "code": ASEAN_CBR,
        "name": "Network of ASEAN CBR Defence Experts",
        "short_name": "ASEAN CBR Network",
        "description": (
            "A network of chemical, biological and radiological defence experts of the ASEAN Member States, "
            "adopted at the 12th ASEAN Defence Ministers' Meeting (ADMM) to strengthen regional "
            "counter-terrorism preparedness and cooperation against CBR threats: assistance in a regional "
            "CBR incident, confidence building, and a single node for experts to share information and "
            "best practices."
        ),
        "established": datetime.date(2018, 10, 1),
        "website": "https://www.asean-cbr.org/",
        "source": (
            f"{SEED_TITLES['asean_about']} (adopted at the 12th ADMM in October 2018; the day is not given, "
            "so the date is stored as 1 October 2018)"
        ),
    },
)

# Sources of the CoE memberships, per region (from data/README.md, section coe_partner_countries.csv).
MEMBERSHIP_SOURCES = {
    "AAF": "https://old.unicri.it/index.php/news/article/eu_cbrn_coe_anniversary; "
    "https://aesagroup.eu/reference/on-site-technical-assistance-to-the-chemical-biological-radiological-and-"
    "nuclear-centres-of-excellence-secretariats-in-georgia-kenya-and-morocco/; "
    "http://wp.lab.unicri.it/index.php/news/article-18?page=3",
    "NAS": "https://lab.unicri.it/news/article/regional_secretariat_algiers?page=0; https://f3magazine.unicri.it/?cat=2",
    "ECA": "https://coe-project60.istc.int/en/regional-secretariat-of-the-eu-cbrn-center-of-excellence-of-eastern-"
    "and-central-africa/; https://cbrn-risk-mitigation.network.europa.eu/news-1/eastern-and-central-africa-set-"
    "strengthening-biosafety-and-biosecurity-new-eu-project-support-2023-02-01_en",
    "MIE": "https://lab.unicri.it/index.php/news/article/cbrn_coe_beirut",
    "GCC": "https://bio.lab.unicri.it/news/EUCBRNCoE-3th-NFPs-Round-Table-Mtg-GCC",
    "CA": "https://lab.unicri.it/index.php/News/EUCBRNCoE-Central-Asia-15NFPmeeting",
    "SEA": "https://cbrn-risk-mitigation.network.europa.eu/news-1/long-term-cooperation-helps-philippines-and-"
    "wider-region-be-better-prepared-next-pandemic-among-2023-03-31_en",
    "SEEE": "https://wp.lab.unicri.it/News/EUCBRNCoE-Heads-Secretariat-Meeting-SEEE-Tbilisi",
}
MEMBERSHIP_NOTES = {
    "CM": "likely: joined end-2015 and did its NAQ/NAP with the JRC; "
    "region inferred from the Project 094 location list",
    "TD": "likely: its ambassador attended the 2015 opening of the Algiers secretariat",
    "KW": "likely: invited at the 2013 launch; no later membership statement found",
    "BH": "likely: invited at the 2013 launch; no later membership statement found",
    "AF": "finalised its National Action Plan in 2019; participation after 2021 is not documented",
}

# Generic national organisations for the fictional people of each demo country.
DEMO_ORGANISATION_TEMPLATES = (
    ("MOH", "Ministry of Health", OrganisationKind.MINISTRY),
    ("MOD", "Ministry of Defence", OrganisationKind.MINISTRY),
    ("CPA", "National Civil Protection Agency", OrganisationKind.AGENCY),
    ("CUS", "National Customs Service", OrganisationKind.AGENCY),
    ("LAB", "National Public Health Reference Laboratory", OrganisationKind.LABORATORY),
    ("RAD", "Radiation Protection Authority", OrganisationKind.AGENCY),
)
# Where a real organisation named by the sources plays the template's part, use it instead.
DEMO_ORGANISATION_OVERRIDES = {("UZ", "MOH"): "name:Ministry of Health of the Republic of Uzbekistan"}

POSITIONS = {
    OrganisationKind.MINISTRY: ("Head of Unit", "Senior Officer", "Policy Adviser", "Deputy Director"),
    OrganisationKind.AGENCY: ("Chief Specialist", "Inspector", "Training Coordinator", "Head of Department"),
    OrganisationKind.LABORATORY: ("Head of Laboratory", "Microbiologist", "Biosafety Officer", "Chemist"),
    OrganisationKind.FOCAL_POINT: ("Deputy National Focal Point", "Assistant to the National Focal Point"),
    OrganisationKind.SECRETARIAT: ("Regional Coordinator", "Programme Officer", "Project Assistant"),
    OrganisationKind.EU_BODY: ("Project Officer", "Scientific Officer", "Policy Officer"),
    OrganisationKind.INTERNATIONAL: ("Programme Officer", "Technical Adviser", "Project Manager"),
}
# Countries whose national team the demo fills (three members each, besides team-kz).
TEAM_COUNTRIES = ("KZ", "UZ", "KG", "TJ", "MN", "PH", "TH", "MY", "ID", "VN", "GE", "AM", "KE", "MA", "JO")
# Partner organisations with fictional staff: (organisation key, number of people).
PARTNER_STAFF = (
    ("name:Joint Research Centre", 3),
    ("name:United Nations Interregional Crime and Justice Research Institute", 3),
    ("name:National Institute for Public Health and the Environment", 2),
    ("name:International Science and Technology Center", 2),
)
CERTIFICATIONS = (
    ("Dangerous goods by air, infectious substances (Category 6)", "IATA", 2),
    ("Biorisk management (ISO 35001) auditor", "Demo Certification Body", 3),
    ("Radiation protection officer", "National radiation protection authority", 5),
    ("CBRN first-responder instructor", "National civil protection academy", 4),
    ("Hazardous materials technician", "National fire academy", 3),
    ("BSL-3 laboratory practice", "National public health institute", 2),
    ("Chemical-weapons assistance and protection course", "OPCW", None),
    ("Radiation emergency field team member", "IAEA", None),
)
# Which CBRN domains go with a thematic area when the demo draws an expertise line.
AREA_DOMAINS = {
    "biosafety-biosecurity": "B",
    "zoonotic-diseases": "B",
    "disease-surveillance": "B",
    "laboratory-capacity": "BC",
    "food-safety": "BCR",
    "chemical-safety-security": "C",
    "nuclear-radiological-security": "RN",
    "waste-management": "CBR",
    "first-response": "CBRNE",
    "forensics": "CBRNE",
    "detection-identification": "CBRNE",
    "critical-infrastructure": "CBRNE",
}


# --- Small generic helpers ---------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load did, per kind of record: created, changed or left alone."""

    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def count(self, bucket: Counter, model: type[models.Model]) -> None:
        bucket[str(model._meta.verbose_name_plural)] += 1

    @property
    def wrote_anything(self) -> bool:
        return bool(self.created or self.changed)

    def summary(self) -> str:
        lines = []
        for label in sorted(set(self.created) | set(self.changed) | set(self.unchanged)):
            lines.append(
                f"  {label:<24} {self.created[label]:>5} created {self.changed[label]:>5} changed "
                f"{self.unchanged[label]:>5} unchanged"
            )
        return "\n".join(lines)


_MISSING = object()


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of one of the CSV files in cbrnet/registry/data/."""
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def split_list(cell: str) -> list[str]:
    """A `;`-separated list cell as a list (empty cell: empty list)."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def _same_value(instance: models.Model, name: str, value: Any) -> bool:
    model_field = instance._meta.get_field(name)
    if model_field.is_relation and model_field.concrete:
        return getattr(instance, model_field.attname) == (value.pk if value is not None else None)
    return getattr(instance, name) == value


def upsert(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: LoadReport,
    existing: Any = _MISSING,
) -> models.Model:
    """Create the row found by `lookup`, or update it, saving only when a value differs.

    `existing` may pass the row (or None when known to be absent) to save the lookup query.
    """
    instance = model._default_manager.filter(**lookup).first() if existing is _MISSING else existing
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        report.count(report.created, model)
        return instance
    changed = [name for name, value in values.items() if not _same_value(instance, name, value)]
    if not changed:
        report.count(report.unchanged, model)
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save()
    report.count(report.changed, model)
    return instance


def sync_many(instance: models.Model, name: str, wanted: Iterable[models.Model], report: LoadReport) -> None:
    """Make a many-to-many field hold exactly `wanted`; touch nothing when it already does."""
    manager = getattr(instance, name)
    wanted_ids = {related.pk for related in wanted}
    label = f"{instance._meta.verbose_name_plural} ({instance._meta.get_field(name).verbose_name})"
    if set(manager.values_list("pk", flat=True)) != wanted_ids:
        manager.set(wanted_ids)
        report.changed[label] += 1
    else:
        report.unchanged[label] += 1


def ascii_slug(text: str) -> str:
    """Lower-case ASCII for e-mail local parts: 'Nümunə Wei Jie' -> 'numune-wei-jie'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("'", "").split())


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 language, from pycountry, without '(macrolanguage)'."""
    return pycountry.languages.get(alpha_2=code).name.removesuffix(" (macrolanguage)")


# --- Reference data ------------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference records the rest of the demo (and `cbrnet generate`) builds on, by natural key."""

    networks: dict[str, Network]
    regions: dict[str, Region]  # region code -> region (CoE codes and "ASEAN" are distinct)
    countries: dict[str, Country]  # iso2 -> country
    thematic_areas: dict[str, ThematicArea]
    languages: dict[str, Language]
    organisations: dict[str, Organisation]  # "name:<name>", "fp:<iso2>", "sec:<region>", "demo:<iso2>:<key>"
    coe_regions: dict[str, str]  # iso2 of each CoE partner country -> its region code

    @classmethod
    def from_database(cls) -> Reference:
        """Read back the reference records a previous load wrote (used by `cbrnet generate`)."""
        networks = {network.code: network for network in Network.objects.filter(code__in=(EU_COE, ASEAN_CBR))}
        regions = {region.code: region for region in Region.objects.filter(network__in=networks.values())}
        coe_regions = dict(
            Membership.objects.current()
            .filter(network=networks[EU_COE])
            .values_list("country__iso2", "region__code")
        )
        return cls(
            networks=networks,
            regions=regions,
            countries={country.iso2: country for country in Country.objects.all()},
            thematic_areas={area.code: area for area in ThematicArea.objects.all()},
            languages={language.code: language for language in Language.objects.all()},
            organisations={},
            coe_regions=coe_regions,
        )


def load_networks(report: LoadReport) -> dict[str, Network]:
    """The EU CBRN CoE and the ASEAN CBR Network."""
    networks = {}
    for definition in NETWORKS:
        values = dict(definition)
        code = values.pop("code")
        networks[code] = upsert(Network, lookup={"code": code}, values=values, report=report)
    return networks


def load_regions(networks: dict[str, Network], report: LoadReport) -> dict[str, Region]:
    """The eight CoE regions (coe_regions.csv) and the single region of the ASEAN network."""
    regions = {}
    for row in read_csv("coe_regions.csv"):
        regions[row["region_code"]] = upsert(
            Region,
            lookup={"network": networks[EU_COE], "code": row["region_code"]},
            values={"name": row["region_name"]},
            report=report,
        )
    regions[ASEAN_REGION] = upsert(
        Region,
        lookup={"network": networks[ASEAN_CBR], "code": ASEAN_REGION},
        values={
            "name": "ASEAN Member States",
            "description": "The ten ASEAN Member States (asean_members.csv).",
        },
        report=report,
    )
    return regions


def load_countries(report: LoadReport) -> dict[str, Country]:
    """Every ISO 3166-1 country from pycountry, so that any country can be referenced."""
    existing = {country.iso2: country for country in Country.objects.all()}
    countries = {}
    for entry in sorted(pycountry.countries, key=lambda entry: entry.alpha_2):
        countries[entry.alpha_2] = upsert(
            Country,
            lookup={"iso2": entry.alpha_2},
            values={
                "iso3": entry.alpha_3,
                "numeric": entry.numeric,
                "name": entry.name,
                "official_name": getattr(entry, "official_name", ""),
            },
            report=report,
            existing=existing.get(entry.alpha_2),
        )
    return countries


def load_memberships(
    networks: dict[str, Network],
    regions: dict[str, Region],
    countries: dict[str, Country],
    report: LoadReport,
) -> dict[str, str]:
    """The 64 CoE partner countries (with region and confidence) and the 10 ASEAN Member States.

    Returns the CoE region code of each partner country.
    """
    coe_regions = {}
    for row in read_csv("coe_partner_countries.csv"):
        iso2, region_code = row["iso2"], row["region_code"]
        coe_regions[iso2] = region_code
        note = MEMBERSHIP_NOTES.get(iso2)
        source = (
            f"coe_partner_countries.csv ({row['confidence']}); sources for region {region_code}: "
            f"{MEMBERSHIP_SOURCES[region_code]}" + (f"; {note}" if note else "")
        )
        upsert(
            Membership,
            lookup={"network": networks[EU_COE], "country": countries[iso2], "until": None},
            values={
                "region": regions[region_code],
                "status": MembershipStatus.PARTNER,
                "confidence": Confidence(row["confidence"]),
                "source": source,
            },
            report=report,
        )
    for row in read_csv("asean_members.csv"):
        upsert(
            Membership,
            lookup={"network": networks[ASEAN_CBR], "country": countries[row["iso2"]], "until": None},
            values={
                "region": regions[ASEAN_REGION],
                "status": MembershipStatus.MEMBER,
                "confidence": Confidence.CONFIRMED,
                "source": f"{SEED_TITLES['asean_about']} (About Members: technical experts from the 10 ASEAN "
                "Member States)",
            },
            report=report,
        )
    return coe_regions


def load_thematic_areas(report: LoadReport) -> dict[str, ThematicArea]:
    """The controlled expertise taxonomy (thematic_areas.csv)."""
    return {
        row["code"]: upsert(
            ThematicArea,
            lookup={"code": row["code"]},
            values={"name": row["name"], "description": row["description"], "order": int(row["order"])},
            report=report,
        )
        for row in read_csv("thematic_areas.csv")
    }


def load_languages(report: LoadReport) -> dict[str, Language]:
    """The working languages of the networks, named by pycountry (ISO 639-1)."""
    existing = {language.code: language for language in Language.objects.filter(code__in=LANGUAGE_CODES)}
    return {
        code: upsert(
            Language,
            lookup={"code": code},
            values={"name": language_name(code)},
            report=report,
            existing=existing.get(code),
        )
        for code in LANGUAGE_CODES
    }


def load_organisations(
    networks: dict[str, Network],
    countries: dict[str, Country],
    coe_regions: dict[str, str],
    report: LoadReport,
) -> dict[str, Organisation]:
    """The organisations named by the sources (organisations.csv) and one focal-point office per partner.

    A focal-point office belongs to the networks of its country (the CoE, and the ASEAN network for
    ASEAN Member States); international bodies belong to a network only where they run it.
    """
    organisations: dict[str, Organisation] = {}
    for row in read_csv("organisations.csv"):
        organisation = upsert(
            Organisation,
            lookup={
                "name": row["name"],
                "country": countries[row["country_iso2"]] if row["country_iso2"] else None,
            },
            values={
                "acronym": row["acronym"],
                "kind": OrganisationKind(row["kind"]),
                "parent": organisations[f"name:{row['parent']}"] if row["parent"] else None,
                "source": row["source"],
            },
            report=report,
        )
        sync_many(organisation, "networks", [networks[code] for code in split_list(row["networks"])], report)
        organisations[f"name:{row['name']}"] = organisation

    asean = {row["iso2"] for row in read_csv("asean_members.csv")}
    names = {row["iso2"]: row["country_name"] for row in read_csv("coe_partner_countries.csv")}
    for iso2 in coe_regions:
        office = upsert(
            Organisation,
            lookup={"name": f"{names[iso2]} National CBRN Focal Point Office", "country": countries[iso2]},
            values={
                "acronym": f"{iso2}-FP",
                "kind": OrganisationKind.FOCAL_POINT,
                "parent": None,
                "source": (
                    "Demo record for the office of the country's CBRN National Focal Point (partner "
                    f"countries appoint one: {SEED_TITLES['ca_factsheet']}, 'Methodology'); "
                    "the office name is ours."
                ),
            },
            report=report,
        )
        office_networks = [networks[EU_COE]] + ([networks[ASEAN_CBR]] if iso2 in asean else [])
        sync_many(office, "networks", office_networks, report)
        organisations[f"fp:{iso2}"] = office
    return organisations


def load_secretariats(
    networks: dict[str, Network],
    regions: dict[str, Region],
    countries: dict[str, Country],
    organisations: dict[str, Organisation],
    report: LoadReport,
) -> None:
    """The eight CoE Regional Secretariats (secretariats.csv), each also an organisation of that kind."""
    for row in read_csv("secretariats.csv"):
        region = regions[row["region_code"]]
        host_country = countries[row["country_iso2"]]
        organisation = upsert(
            Organisation,
            lookup={"name": f"EU CBRN CoE Regional Secretariat for {region.name}", "country": host_country},
            values={
                "acronym": f"{row['region_code']}-SEC",
                "kind": OrganisationKind.SECRETARIAT,
                "parent": None,
                "source": f"The Regional Secretariat in {row['city']} (see its secretariat record); "
                f"{row['source']}",
            },
            report=report,
        )
        sync_many(organisation, "networks", [networks[EU_COE]], report)
        organisations[f"sec:{row['region_code']}"] = organisation
        upsert(
            Secretariat,
            lookup={"region": region},
            values={
                "organisation": organisation,
                "host_country": host_country,
                "city": row["city"],
                "host_institution": row["host_institution"],
                "established": datetime.date.fromisoformat(row["established"])
                if row["established"]
                else None,
                "head_name": row["head_name"],
                "framework": row["framework"],
                "overall_goal": row["overall_goal"],
                "source": row["source"],
            },
            report=report,
        )


def load_regional_priorities(
    regions: dict[str, Region], thematic_areas: dict[str, ThematicArea], report: LoadReport
) -> None:
    """The ten Central Asia regional priorities, in the fact sheet's order, each with its thematic area."""
    for row in read_csv("ca_regional_priorities.csv"):
        upsert(
            RegionalPriority,
            lookup={"region": regions["CA"], "title": row["title"]},
            values={
                "thematic_area": thematic_areas[row["thematic_area_code"]],
                "order": int(row["order"]),
                "source": row["source"],
            },
            report=report,
        )


def load_reference_data(report: LoadReport) -> Reference:
    """Networks, regions, countries, memberships, secretariats, taxonomy, languages, organisations."""
    networks = load_networks(report)
    regions = load_regions(networks, report)
    countries = load_countries(report)
    coe_regions = load_memberships(networks, regions, countries, report)
    thematic_areas = load_thematic_areas(report)
    languages = load_languages(report)
    organisations = load_organisations(networks, countries, coe_regions, report)
    load_secretariats(networks, regions, countries, organisations, report)
    load_regional_priorities(regions, thematic_areas, report)
    reference = Reference(
        networks=networks,
        regions=regions,
        countries=countries,
        thematic_areas=thematic_areas,
        languages=languages,
        organisations=organisations,
        coe_regions=coe_regions,
    )
    from cbrnet.projects.demo import load_projects  # the projects app builds on the registry

    load_projects(reference, report)
    return reference


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
            if persona.role in (Role.PARTNER_STAFF, Role.VIEWER, Role.ORG_ADMIN, Role.NATIONAL_TEAM)
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


# --- Entry points ----------------------------------------------------------------------------------


def load_demo(*, include_population: bool = True, source: str = "command") -> LoadReport:
    """Load the reference data and (unless told not to) the fictional population, in one transaction.

    Changes are audited as made by the system from `source`; a second run writes nothing.
    """
    report = LoadReport()
    with audit_actor(None, source=source), transaction.atomic():
        reference = load_reference_data(report)
        if include_population:
            load_demo_population(reference, report)
    return report


def ensure_reference_data(*, source: str = "command") -> Reference:
    """The reference records, loading them first if the networks are missing (for `cbrnet generate`)."""
    if Network.objects.filter(code__in=(EU_COE, ASEAN_CBR)).count() < 2:
        load_demo(include_population=False, source=source)
    return Reference.from_database()


def demo_logins() -> list[dict[str, str]]:
    """The demo logins as rows: username, password, role, scope (static: needs no database)."""
    return [
        {
            "username": persona.username,
            "password": DEMO_PASSWORD,
            "role": persona.role.value if persona.role else "-",
            "scope": persona.scope,
        }
        for persona in personas()
    ]


def format_logins_table() -> str:
    """The demo logins as a plain-text table."""
    rows = demo_logins()
    headers = {"username": "username", "password": "password", "role": "role", "scope": "scope"}
    widths = {key: max(len(headers[key]), *(len(row[key]) for row in rows)) for key in headers}
    lines = ["  ".join(headers[key].ljust(widths[key]) for key in headers).rstrip()]
    lines.append("  ".join("-" * widths[key] for key in headers))
    lines += ["  ".join(row[key].ljust(widths[key]) for key in headers).rstrip() for row in rows]
    return "\n".join(lines)
