"""The expert directory's filters: free text over names, organisation, summary and areas; the
expertise filters on the same line; deployable now."""

import datetime
from types import SimpleNamespace

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.registry import filters, models

pytestmark = pytest.mark.django_db


@pytest.fixture
def experts(world):
    with audit_actor(None, source="command"):
        forensics = models.ThematicArea.objects.create(code="forensics", name="Forensics", order=3)
        one = models.ExpertProfile.objects.create(person=world.p_nfp_uz, summary="Mobile laboratory deployments", deployable=True)
        models.Expertise.objects.create(profile=one, domain="B", thematic_area=forensics, level=4)
        models.Expertise.objects.create(profile=one, domain="C", thematic_area=world.area, level=1)
        two = models.ExpertProfile.objects.create(person=world.p_nfp_ph, summary="Customs", deployable=False)
        models.Expertise.objects.create(profile=two, domain="C", thematic_area=world.area, level=5)
        today = datetime.date.today()
        models.Availability.objects.create(profile=one, start_date=today, end_date=today + datetime.timedelta(days=5))
        models.Availability.objects.create(profile=two, start_date=today, end_date=today)
    return one, two


def found(world, params):
    request = SimpleNamespace(user=world.admin)  # filter choices are restricted to what the user sees
    filterset = filters.ExpertFilterSet(params, queryset=models.ExpertProfile.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_free_text_matches_area_organisation_summary_and_name(world, experts):
    one, two = experts
    assert found(world, {"q": "forens"}) == {one.pk}
    assert found(world, {"q": "PH focal"}) == {two.pk}  # organisation name, every word must match
    assert found(world, {"q": "laboratory"}) == {one.pk}
    assert found(world, {"q": "Uzfocal"}) == {one.pk}
    assert found(world, {"q": "Uzfocal Customs"}) == set()


def test_expertise_filters_hold_on_one_and_the_same_line(world, experts):
    one, two = experts
    assert found(world, {"domain": "C", "min_level": "4"}) == {two.pk}  # one has C only at level 1
    assert found(world, {"domain": "B", "thematic_area": str(world.area.pk)}) == set()
    assert found(world, {"thematic_area": str(world.area.pk)}) == {one.pk, two.pk}


def test_deployable_now_needs_the_flag_and_a_window_covering_today(world, experts):
    one, two = experts
    assert found(world, {"deployable_now": "true"}) == {one.pk}
    assert two.pk in found(world, {"deployable_now": "false"})


def test_a_result_is_listed_once_however_many_lines_match(world, experts, client_as):
    one, _ = experts
    page = client_as(world.admin).get("/registry/experts/", {"q": "o"}).content.decode()
    assert page.count(f'href="/registry/experts/{one.pk}/"') == 1
