"""Demo surveillance data: SYNTHETIC weekly series for Kazakhstan, Uzbekistan and Kyrgyzstan.

Part of `cbrnet demo` (called by cbrnet.registry.demo.load_demo after the fictional population, whose
ministries and surveillance-officer logins it builds on). Everything here is invented, and says so:
dataset titles and descriptions carry "SYNTHETIC"; the veterinary and food-safety agencies are generic
demo organisations like the population's.

- diseases: anthrax, brucellosis, Crimean-Congo haemorrhagic fever, avian influenza (poultry), rabies,
  salmonellosis (food-borne);
- for each country, the sector authorities (Ministry of Health: human health; a veterinary service:
  animal health; a food-safety agency: food safety) and two datasets, human and animal health, shared
  as a ministry would: Kazakhstan's human data TLP:AMBER to the CA secretariat and its own veterinary
  service (and the other way round); Uzbekistan's human data kept a DRAFT (it stays its own);
  Kyrgyzstan's human data TLP:CLEAR;
- weekly counts from ISO week 1 six years ago up to the current week, drawn by numpy from a fixed
  seed: seasonal, over-dispersed (gamma-Poisson), with a few outbreaks in the past and two in the last
  weeks (anthrax in Kazakhstan's animals then people, salmonellosis in Uzbekistan), so that detection
  has fresh signals to show.

Idempotent: records are found by natural keys (disease code, organisation name and country, a
dataset's fixed uid) and saved only when a value differs; counts are added only for weeks not stored
yet (an existing week is never rewritten, so a correction made in the demo stays), in bulk.
"""

from __future__ import annotations

import datetime
import uuid
import zlib
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from cbrnet.registry.choices import OrganisationKind
from cbrnet.registry.models import Organisation
from cbrnet.sharing.choices import TLP, GrantScope, Status
from cbrnet.sharing.models import AudienceMember, Grant
from cbrnet.surveillance.choices import Method, Sector
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, WeeklyCount
from cbrnet.surveillance.services import ingest

SEED = 2026
YEARS = 6  # counts start in ISO week 1 of (current year - YEARS): 6 to 7 years of weeks
DISPERSION = 8.0  # gamma shape of the weekly noise: variance = mean + mean² / DISPERSION
UID_NAMESPACE = uuid.UUID("6f1f7d1c-5b3a-4c61-9a57-1e0d2f0c3a71")  # fixed: a dataset's uid is its natural key
PUBLISHED_AT = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)
COUNTRIES = ("KZ", "UZ", "KG")
SYNTHETIC = (
    "SYNTHETIC data generated for the cbrnet demo (numpy, fixed seed): seasonal weekly counts with noise and a "
    "few invented outbreaks. They state nothing about real cases in {country}."
)
DISEASE_SOURCE = "Demo reference record; ICD-10 code from the WHO ICD-10 (2019)."

# code: (name, zoonotic, human, animal, food, ICD-10)
DISEASES = {
    "anthrax": ("Anthrax", True, True, True, False, "A22"),
    "brucellosis": ("Brucellosis", True, True, True, False, "A23"),
    "cchf": ("Crimean-Congo haemorrhagic fever", True, True, True, False, "A98.0"),
    "avian-influenza": ("Avian influenza (poultry)", False, False, True, False, ""),
    "rabies": ("Rabies", True, True, True, False, "A82"),
    "salmonellosis": ("Salmonellosis (food-borne)", False, True, False, True, "A02.0"),
}

# The generic agencies the demo adds per country (the population has the ministries of health).
AGENCIES = {
    "VET": ("National Veterinary Service", Sector.ANIMAL),
    "FSA": ("National Food Safety Agency", Sector.FOOD),
}
AGENCY_SOURCE = "Demo record: invented for the demo data set; it states no facts about a real body."

# Seasonality per disease and sector: (ISO week of the peak, amplitude of exp(a·cos)); amplitude 0: flat.
SEASONS = {
    ("anthrax", Sector.HUMAN): (32, 1.6), ("anthrax", Sector.ANIMAL): (30, 1.6),
    ("brucellosis", Sector.HUMAN): (22, 0.7), ("brucellosis", Sector.ANIMAL): (14, 0.8),
    ("cchf", Sector.HUMAN): (24, 2.2),
    ("avian-influenza", Sector.ANIMAL): (45, 1.8),
    ("rabies", Sector.HUMAN): (10, 0.3), ("rabies", Sector.ANIMAL): (8, 0.5),
    ("salmonellosis", Sector.HUMAN): (32, 0.6),
}


@dataclass(frozen=True)
class Outbreak:
    """Expected extra cases: `peak` at the week of `center` (a date), spread over ±`width` weeks; or,
    with `recent`, extra expected cases in the last weeks up to the current one (oldest first)."""

    peak: float = 0.0
    center: datetime.date | None = None
    width: float = 1.5
    recent: tuple[float, ...] = ()


@dataclass(frozen=True)
class SeriesPlan:
    disease: str
    base: float  # mean weekly count over a year
    area: str = ""
    trend: float = 0.0  # change per year (0.02: +2 %)
    outbreaks: tuple[Outbreak, ...] = ()


@dataclass(frozen=True)
class DatasetPlan:
    key: str  # natural key, e.g. "KZ:human"
    iso2: str
    sector: str
    title: str
    owner: str  # "MOH", "VET" or "FSA" of the country
    tlp: str
    status: str
    shared_with: tuple[str, ...]  # organisation keys: "MOH", "VET", "sec:CA"
    author: str | None  # demo login username
    method: str
    series: tuple[SeriesPlan, ...] = field(default_factory=tuple)


def _week(iso: str) -> datetime.date:
    return ingest.parse_week(iso)


PLANS = (
    DatasetPlan(
        "KZ:human", "KZ", Sector.HUMAN, "SYNTHETIC — Kazakhstan, notifiable diseases in people (weekly)", "MOH",
        TLP.AMBER, Status.PUBLISHED, ("sec:CA", "VET"), "surv-kz", Method.FARRINGTON_FLEXIBLE, (
            SeriesPlan("anthrax", 0.12, outbreaks=(Outbreak(recent=(0, 2.5, 5)),)),
            SeriesPlan("brucellosis", 11, trend=-0.03),
            SeriesPlan("cchf", 0.35, outbreaks=(Outbreak(4, _week("2023-W25"), 1.2),)),
            SeriesPlan("rabies", 0.04),
            SeriesPlan("salmonellosis", 24, trend=0.02),
        )),
    DatasetPlan(
        "KZ:animal", "KZ", Sector.ANIMAL, "SYNTHETIC — Kazakhstan, notifiable animal diseases (weekly outbreaks)",
        "VET", TLP.AMBER, Status.PUBLISHED, ("MOH", "sec:CA"), None, Method.FARRINGTON_FLEXIBLE, (
            SeriesPlan("anthrax", 0.12, area="Turkistan Region",
                       outbreaks=(Outbreak(6, _week("2023-W31"), 1.5), Outbreak(recent=(3, 7, 11)))),
            SeriesPlan("anthrax", 0.08, area="Zhambyl Region"),
            SeriesPlan("anthrax", 0.06, area="Almaty Region"),
            SeriesPlan("brucellosis", 38, trend=-0.04),
            SeriesPlan("avian-influenza", 0.25, outbreaks=(Outbreak(9, _week("2021-W46"), 1.3),)),
            SeriesPlan("rabies", 3.0),
        )),
    DatasetPlan(
        "UZ:human", "UZ", Sector.HUMAN, "SYNTHETIC — Uzbekistan, notifiable diseases in people (weekly)", "MOH",
        TLP.AMBER, Status.DRAFT, (), "surv-uz", Method.FARRINGTON_FLEXIBLE, (
            SeriesPlan("anthrax", 0.08),
            SeriesPlan("brucellosis", 4.0, outbreaks=(Outbreak(8, _week("2022-W20"), 2.5),)),
            SeriesPlan("cchf", 0.2),
            SeriesPlan("rabies", 0.05),
            SeriesPlan("salmonellosis", 14, outbreaks=(Outbreak(recent=(12, 30)),)),
        )),
    DatasetPlan(
        "UZ:animal", "UZ", Sector.ANIMAL, "SYNTHETIC — Uzbekistan, notifiable animal diseases (weekly outbreaks)",
        "VET", TLP.AMBER, Status.PUBLISHED, ("MOH", "sec:CA"), None, Method.FARRINGTON, (
            SeriesPlan("anthrax", 0.2),
            SeriesPlan("brucellosis", 18),
            SeriesPlan("avian-influenza", 0.15),
            SeriesPlan("rabies", 2.0),
        )),
    DatasetPlan(
        "KG:human", "KG", Sector.HUMAN, "SYNTHETIC — Kyrgyzstan, notifiable diseases in people (weekly)", "MOH",
        TLP.CLEAR, Status.PUBLISHED, (), None, Method.FARRINGTON_FLEXIBLE, (
            SeriesPlan("anthrax", 0.2, outbreaks=(Outbreak(7, _week("2024-W33"), 1.0),)),
            SeriesPlan("brucellosis", 8.0),
            SeriesPlan("cchf", 0.1),
            SeriesPlan("rabies", 0.05),
            SeriesPlan("salmonellosis", 9.0),
        )),
    DatasetPlan(
        "KG:animal", "KG", Sector.ANIMAL, "SYNTHETIC — Kyrgyzstan, notifiable animal diseases (weekly outbreaks)",
        "VET", TLP.AMBER, Status.PUBLISHED, ("MOH", "sec:CA"), None, Method.FARRINGTON_FLEXIBLE, (
            SeriesPlan("anthrax", 0.3),
            SeriesPlan("brucellosis", 24),
            SeriesPlan("avian-influenza", 0.1),
            SeriesPlan("rabies", 2.0),
        )),
)


# --- the numbers ---------------------------------------------------------------------------------
def demo_weeks(today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays from ISO week 1 of (this year - YEARS) to the current week."""
    last = ingest.monday_of(today or ingest.current_week())
    first = datetime.date.fromisocalendar(last.isocalendar()[0] - YEARS, 1, 1)
    return [first + datetime.timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def simulate(key: str, plan: SeriesPlan, sector: str, weeks: list[datetime.date]) -> np.ndarray:
    """The weekly counts of one series: the same numbers for the same key and weeks on every run."""
    rng = np.random.default_rng([SEED, zlib.crc32(key.encode())])
    index = np.arange(len(weeks))
    peak, amplitude = SEASONS.get((plan.disease, sector), (1, 0.0))
    iso = np.array([monday.isocalendar()[1] for monday in weeks])
    # exp(a·cos) divided by its mean over a year (the Bessel function I0(a)): `base` stays the yearly mean.
    season = np.exp(amplitude * np.cos(2 * np.pi * (iso - peak) / 52.18)) / np.i0(amplitude)
    mean = plan.base * season * (1 + plan.trend) ** (index / 52.18)
    mean = mean * rng.gamma(DISPERSION, 1 / DISPERSION, size=len(weeks))
    for outbreak in plan.outbreaks:
        if outbreak.recent:
            tail = np.array(outbreak.recent[-len(weeks):], dtype=float)
            mean[len(weeks) - len(tail):] += tail
        elif outbreak.center is not None:
            center = (outbreak.center - weeks[0]).days / 7
            mean += outbreak.peak * np.exp(-0.5 * ((index - center) / outbreak.width) ** 2)
    return rng.poisson(mean)


# --- loading -------------------------------------------------------------------------------------
def load_surveillance(reference, report) -> dict[str, Dataset]:
    """Diseases, agencies, sector authorities, datasets with their sharing, and the weekly counts.
    `reference` is the registry demo's (its organisations by key); `report` counts what was written."""
    from cbrnet.registry.demo import upsert
    from cbrnet.registry.demo.population import demo_organisation_keys

    diseases = {
        code: upsert(Disease, lookup={"code": code}, values={
            "name": name, "zoonotic": zoonotic, "human": human, "animal": animal, "plant": False, "food": food,
            "environment": False, "icd_code": icd, "source": DISEASE_SOURCE}, report=report)
        for code, (name, zoonotic, human, animal, food, icd) in DISEASES.items()
    }
    organisations: dict[tuple[str, str], Organisation] = {}
    for iso2 in COUNTRIES:
        country = reference.countries[iso2]
        organisations[(iso2, "MOH")] = reference.organisations[demo_organisation_keys(iso2)[0]]  # Ministry of Health
        for key, (name, _sector) in AGENCIES.items():
            organisations[(iso2, key)] = upsert(
                Organisation, lookup={"name": name, "country": country},
                values={"acronym": f"{iso2}-{key}", "kind": OrganisationKind.AGENCY, "parent": None,
                        "source": AGENCY_SOURCE}, report=report)
        for key, sector in (("MOH", Sector.HUMAN), *((key, sector) for key, (_name, sector) in AGENCIES.items())):
            upsert(SectorAuthority, lookup={"country": country, "sector": sector,
                                            "organisation": organisations[(iso2, key)]}, values={}, report=report)

    users = {user.username: user for user in get_user_model()._default_manager.filter(
        username__in=[plan.author for plan in PLANS if plan.author])}
    weeks = demo_weeks()
    datasets = {}
    for plan in PLANS:
        country = reference.countries[plan.iso2]
        dataset = upsert(Dataset, lookup={"uid": uuid.uuid5(UID_NAMESPACE, plan.key)}, values={
            "title": plan.title, "country": country, "sector": plan.sector, "method": plan.method,
            "description": SYNTHETIC.format(country=country.name), "tlp": plan.tlp, "status": plan.status,
            "embargo_until": None, "published_at": PUBLISHED_AT if plan.status == Status.PUBLISHED else None,
            "owner_organisation": organisations[(plan.iso2, plan.owner)],
            "author": users.get(plan.author), "origin_hub": ""}, report=report)
        recipients = [reference.organisations[key] if ":" in key else organisations[(plan.iso2, key)]
                      for key in plan.shared_with]
        _share(dataset, recipients, report)
        _add_counts(dataset, plan, diseases, weeks, report)
        datasets[plan.key] = dataset
    return datasets


def _share(dataset: Dataset, recipients: list[Organisation], report) -> None:
    """Organisation grants and, for a published AMBER dataset, the audience frozen from them: what
    cbrnet.sharing.services would have written had an editor shared it (the demo writes as the system)."""
    from cbrnet.registry.demo import upsert

    common = {"content_type": ContentType.objects.get_for_model(Dataset), "object_id": dataset.pk}
    for organisation in recipients:
        upsert(Grant, lookup={**common, "scope": GrantScope.ORGANISATION, "organisation": organisation},
               values={"roles": ""}, report=report)
        if dataset.status == Status.PUBLISHED and dataset.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
            upsert(AudienceMember, lookup={**common, "organisation": organisation}, values={"roles": ""},
                   report=report)


def _add_counts(dataset: Dataset, plan: DatasetPlan, diseases: dict, weeks: list, report) -> None:
    """The simulated counts of the weeks not stored yet, written in bulk (with their audit entries)."""
    stored = set(WeeklyCount.objects.filter(series__dataset=dataset).values_list(
        "series__disease__code", "series__admin_area", "week"))
    counts = {}
    for series in plan.series:
        values = simulate(f"{plan.key}:{series.disease}:{series.area}", series, plan.sector, weeks)
        for monday, value in zip(weeks, values.tolist(), strict=True):
            if (series.disease, series.area, monday) not in stored:
                counts[(diseases[series.disease].pk, series.area, monday)] = int(value)
    result = ingest.counts_write(dataset=dataset, counts=counts)
    # Only non-zero entries: a zero would make the report look as if something was written.
    for bucket, label, number in ((report.created, "series", result.series_created),
                                  (report.created, "weekly counts", result.created),
                                  (report.unchanged, "weekly counts", len(stored))):
        if number:
            bucket[label] += number
