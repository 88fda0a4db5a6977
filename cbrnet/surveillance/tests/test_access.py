"""Series, counts and signals follow the visibility of their dataset (SharedParentPolicy)."""

import datetime

import pytest

from cbrnet import access
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import build_world
from cbrnet.sharing.choices import TLP
from cbrnet.surveillance.choices import Method, Sector
from cbrnet.surveillance.models import Dataset, Disease, Series, Signal, WeeklyCount

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 1, 5)


@pytest.fixture
def w():
    world = build_world()
    with audit_actor(None, source="command"):
        world.anthrax = Disease.objects.create(code="anthrax", name="Anthrax", zoonotic=True, human=True, animal=True)
        world.dataset = Dataset.objects.create(title="KZ notifiable diseases", country=world.kz, sector=Sector.HUMAN,
                                               owner_organisation=world.kz_ministry, author=world.team_kz, tlp=TLP.AMBER)
        world.series = Series.objects.create(dataset=world.dataset, disease=world.anthrax)
        world.count = WeeklyCount.objects.create(series=world.series, week=MONDAY, count=3)
        world.signal = Signal.objects.create(series=world.series, week=MONDAY, method=Method.EARS_C1, count=3,
                                             threshold=1.5)
    return world


@pytest.mark.parametrize("model", [Series, WeeklyCount, Signal])
def test_records_of_a_draft_dataset_are_the_authors_alone(w, model):
    assert access.restrict(model.objects.all(), w.team_kz, "view").count() == 1
    assert access.restrict(model.objects.all(), w.team_kz, "change").count() == 1
    for user in (w.nfp_uz, w.nfp_kz, w.sec_ca, w.outsider, w.admin):
        assert not access.restrict(model.objects.all(), user, "view").exists(), user


def test_a_published_clear_dataset_is_read_by_all_but_changed_by_its_owner_side_only(w):
    with audit_actor(None, source="command"):
        Dataset.objects.filter(pk=w.dataset.pk).update(tlp=TLP.CLEAR, status="published")
    assert access.restrict(Signal.objects.all(), w.nfp_uz, "view").count() == 1
    assert access.restrict(Signal.objects.all(), w.nfp_uz, "export").count() == 1
    assert not access.restrict(Signal.objects.all(), w.nfp_uz, "change").exists()
