"""Constants and small generic helpers of the demo loader (idempotent upserts)."""

from __future__ import annotations

import csv
import datetime
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from django.db import models

from cbrnet.registry.choices import (
    OrganisationKind,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
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


