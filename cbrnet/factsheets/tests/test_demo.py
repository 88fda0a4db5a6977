"""The demo achievements: the three of the Central Asia fact sheet of May 2023, with their source and
projects; a second load writes nothing."""

from types import SimpleNamespace

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.factsheets.demo import load_achievements
from cbrnet.factsheets.models import Achievement
from cbrnet.factsheets.tests.test_crud import project_of
from cbrnet.registry.demo.common import LoadReport

pytestmark = pytest.mark.django_db


def test_the_three_achievements_load_once_with_their_source_and_projects(world):
    p53, p87 = project_of(world, "P53", world.ca), project_of(world, "P87", world.ca)
    reference = SimpleNamespace(networks={"eu-cbrn-coe": world.coe}, regions={"CA": world.ca})
    first = LoadReport()
    with audit_actor(None, source="command"):
        loaded = load_achievements(reference, first)
    assert first.created["achievements"] == 3
    assert {item.project_id for item in loaded} == {p53.pk, p87.pk}
    assert all("CA Regional Secretariat fact sheet, May 2023" in item.source for item in loaded)
    assert Achievement.objects.filter(region=world.ca).count() == 3
    entries = AuditEntry.objects.count()
    again = LoadReport()
    with audit_actor(None, source="command"):
        load_achievements(reference, again)
    assert not again.wrote_anything and again.unchanged["achievements"] == 3
    assert AuditEntry.objects.count() == entries


def test_without_the_region_nothing_is_loaded(world):
    assert load_achievements(SimpleNamespace(networks={}, regions={}), LoadReport()) == []
    assert not Achievement.objects.exists()
