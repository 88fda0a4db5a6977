"""The world of the triage tests: the personas plus One Health authorities of Kazakhstan, surveillance
officers, datasets of the human- and animal-health sectors and synthetic weekly counts with a
planted outbreak."""

import datetime

import numpy as np

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import build_world
from cbrnet.registry import models as r
from cbrnet.registry.choices import OrganisationKind
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.tests.helpers import make_user
from cbrnet.surveillance.choices import Method, Sector
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series, WeeklyCount

FIRST_MONDAY = datetime.date(2020, 1, 6)
WEEKS = 6 * 52  # six "years": enough history for the Farrington methods (5 years + 3 weeks)
OUTBREAK_WEEK = WEEKS - 10  # index of the planted outbreak, inside the last 52 weeks
OUTBREAK_COUNT = 60


def monday(index: int) -> datetime.date:
    return FIRST_MONDAY + datetime.timedelta(weeks=index)


def synthetic_counts(seed: int, *, weeks: int = WEEKS, mean: float = 4.0, outbreak: bool = True) -> np.ndarray:
    """Clearly synthetic weekly counts: Poisson around `mean` with a yearly wave, and a planted outbreak."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.4 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    counts = rng.poisson(mean * season)
    if outbreak:
        counts[weeks - (WEEKS - OUTBREAK_WEEK)] = OUTBREAK_COUNT
    return counts.astype(np.int64)


def add_counts(series: Series, counts, *, skip=()) -> None:
    with audit_actor(None, source="command"):
        WeeklyCount.objects.bulk_create(
            [
                WeeklyCount(series=series, week=monday(index), count=int(count))
                for index, count in enumerate(counts)
                if index not in skip
            ]
        )


def build_triage_world():
    w = build_world()
    with audit_actor(None, source="command"):
        w.anthrax = Disease.objects.create(
            code="anthrax", name="Anthrax", zoonotic=True, human=True, animal=True, icd_code="A22"
        )
        w.cholera = Disease.objects.create(code="cholera", name="Cholera", human=True, icd_code="A00")
        w.fmd = Disease.objects.create(code="fmd", name="Foot-and-mouth disease", animal=True)
        w.kz_vet = r.Organisation.objects.create(
            name="KZ Veterinary Control Committee", kind=OrganisationKind.AGENCY, country=w.kz
        )
        w.kz_food = r.Organisation.objects.create(
            name="KZ Food Safety Agency", kind=OrganisationKind.AGENCY, country=w.kz
        )
        w.uz_moh = r.Organisation.objects.create(
            name="UZ Ministry of Health", kind=OrganisationKind.MINISTRY, country=w.uz
        )
        for country, sector, organisation in (
            (w.kz, Sector.HUMAN, w.kz_ministry),
            (w.kz, Sector.ANIMAL, w.kz_vet),
            (w.kz, Sector.FOOD, w.kz_food),
            (w.uz, Sector.HUMAN, w.uz_moh),
        ):
            SectorAuthority.objects.create(country=country, sector=sector, organisation=organisation)
    # Surveillance officers: editors of their organisation (they change its datasets).
    w.officer = make_user("kz-officer", w.kz_ministry, "editor")
    w.vet_officer = make_user("kz-vet-officer", w.kz_vet, "editor")
    w.vet_viewer = make_user("kz-vet-viewer", w.kz_vet, "viewer")
    w.food_viewer = make_user("kz-food-viewer", w.kz_food, "viewer")
    w.uz_viewer = make_user("uz-moh-viewer", w.uz_moh, "viewer")
    w.human_dataset = make_dataset(w, title="KZ notifiable human diseases", organisation=w.kz_ministry,
                                   author=w.officer, sector=Sector.HUMAN)
    w.animal_dataset = make_dataset(w, title="KZ notifiable animal diseases", organisation=w.kz_vet,
                                    author=w.vet_officer, sector=Sector.ANIMAL)
    return w


def make_dataset(w, *, title, organisation, author, sector, method=Method.EARS_C1, tlp=TLP.AMBER,
                 status=Status.DRAFT, country=None) -> Dataset:
    with audit_actor(author, source="command"):
        return Dataset.objects.create(
            title=title, country=country or w.kz, sector=sector, method=method, tlp=tlp, status=status,
            owner_organisation=organisation, author=author,
        )


def make_series(dataset, disease, counts=None, *, admin_area="", skip=()) -> Series:
    with audit_actor(None, source="command"):
        series = Series.objects.create(dataset=dataset, disease=disease, admin_area=admin_area)
    if counts is not None:
        add_counts(series, counts, skip=skip)
    return series
