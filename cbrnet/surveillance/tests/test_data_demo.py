"""The synthetic surveillance demo (cbrnet.surveillance.demo): what it contains, that a second run
writes nothing, and that its last weeks hold an outbreak detection flags.

It runs here on the personas' world with the few reference records it needs; the whole `cbrnet demo`,
this part included, is run twice by cbrnet/registry/tests/test_demo.py."""

import datetime
from types import SimpleNamespace

import numpy as np
import pytest

from cbrnet import access
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.registry import models as r
from cbrnet.registry.choices import OrganisationKind
from cbrnet.registry.demo import LoadReport
from cbrnet.sharing.choices import Status
from cbrnet.surveillance import demo
from cbrnet.surveillance.detection import METHODS
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series, WeeklyCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(world):
    """The registry demo's reference, reduced to what the surveillance demo reads."""
    with audit_actor(None, source="command"):
        kg = r.Country.objects.create(iso2="KG", iso3="KGZ", name="Kyrgyzstan")
        uz_moh = r.Organisation.objects.create(name="Ministry of Health of the Republic of Uzbekistan",
                                               kind=OrganisationKind.MINISTRY, country=world.uz)
        kg_moh = r.Organisation.objects.create(name="Ministry of Health", kind=OrganisationKind.MINISTRY, country=kg)
    return SimpleNamespace(
        countries={"KZ": world.kz, "UZ": world.uz, "KG": kg},
        organisations={"demo:KZ:MOH": world.kz_ministry, "name:Ministry of Health of the Republic of Uzbekistan": uz_moh,
                       "demo:KG:MOH": kg_moh, "sec:CA": world.ca_sec},
        world=world,
    )


def load(reference) -> LoadReport:
    report = LoadReport()
    with audit_actor(None, source="command"):
        demo.load_surveillance(reference, report)
    return report


def rows() -> dict:
    return {model.__name__: model.objects.count()
            for model in (Disease, SectorAuthority, Dataset, Series, WeeklyCount, r.Organisation, AuditEntry)}


def test_the_demo_holds_synthetic_seasonal_series_shared_as_a_ministry_would_with_a_recent_outbreak(reference):
    load(reference)

    assert set(Disease.objects.values_list("code", flat=True)) == {
        "anthrax", "brucellosis", "cchf", "avian-influenza", "rabies", "salmonellosis"}
    datasets = Dataset.objects.all()
    assert {(dataset.country.iso2, dataset.sector) for dataset in datasets} == {
        (iso2, sector) for iso2 in ("KZ", "UZ", "KG") for sector in ("human", "animal")}
    assert all("SYNTHETIC" in dataset.title and "SYNTHETIC" in dataset.description for dataset in datasets)
    assert SectorAuthority.objects.filter(sector="animal", organisation__acronym="KZ-VET").exists()
    assert SectorAuthority.objects.count() == 9
    weeks = demo.demo_weeks()
    assert 6 * 52 <= len(weeks) <= 7 * 53 and weeks[-1] == demo.ingest.current_week()
    for series in Series.objects.all():
        assert (series.first_week, series.last_week) == (weeks[0], weeks[-1])
        assert series.counts.count() == len(weeks)
    assert AuditEntry.objects.filter(model_label="surveillance.weeklycount").count() == WeeklyCount.objects.count()
    check_the_last_weeks_hold_an_outbreak_that_detection_flags()
    check_datasets_are_shared_as_a_ministry_would_and_a_draft_stays_its_own(reference.world)


def test_a_second_run_writes_nothing(reference):
    first = load(reference)
    before = rows()

    second = load(reference)

    assert first.wrote_anything and not second.wrote_anything, second.created | second.changed
    assert second.unchanged["weekly counts"] == WeeklyCount.objects.count()
    assert rows() == before


def test_the_numbers_are_the_same_on_every_run_and_seasonal():
    weeks = demo.demo_weeks(datetime.date(2026, 11, 18))
    plan = next(series for series in demo.PLANS[0].series if series.disease == "salmonellosis")
    first = demo.simulate("KZ:human:salmonellosis:", plan, "human", weeks)
    assert (first == demo.simulate("KZ:human:salmonellosis:", plan, "human", weeks)).all()
    august = [value for monday, value in zip(weeks, first, strict=True) if monday.month == 8]
    february = [value for monday, value in zip(weeks, first, strict=True) if monday.month == 2]
    assert np.mean(august) > 1.5 * np.mean(february)
    assert first.min() >= 0 and first.dtype.kind == "i"


def check_the_last_weeks_hold_an_outbreak_that_detection_flags():
    series = Series.objects.get(dataset__country__iso2="KZ", dataset__sector="animal", disease__code="anthrax",
                                admin_area="Turkistan Region")
    counts = np.array(list(series.counts.order_by("week").values_list("count", flat=True)))
    result = METHODS[series.dataset.method](counts[None, :], weeks=52)
    assert np.nan_to_num(result.alarm[0, -3:]).astype(bool).any()


def check_datasets_are_shared_as_a_ministry_would_and_a_draft_stays_its_own(w):
    kz_human = Dataset.objects.get(country=w.kz, sector="human")
    uz_human = Dataset.objects.get(country=w.uz, sector="human")
    kg_human = Dataset.objects.get(country__iso2="KG", sector="human")
    assert kz_human.status == Status.PUBLISHED and uz_human.status == Status.DRAFT
    visible = set(access.restrict(Dataset.objects.all(), w.sec_ca, "view").values_list("pk", flat=True))
    assert kz_human.pk in visible and uz_human.pk not in visible and kg_human.pk in visible  # AMBER, draft, CLEAR
    assert set(access.restrict(Dataset.objects.all(), w.nfp_ph, "view").values_list("pk", flat=True)) == {kg_human.pk}
