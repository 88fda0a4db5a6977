import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import audit_entries_for
from cbrnet.registry import models, services

pytestmark = pytest.mark.django_db


def test_appointing_a_focal_point_ends_the_current_one_and_keeps_history(world):
    old = models.RoleAssignment.objects.get(person=world.p_nfp_kz, role="focal_point")
    with audit_actor(world.sec_ca, source="command"):
        new = services.focal_point_appoint(user=world.sec_ca, country=world.kz, person=world.p_hidden_kz,
                                           start_date=datetime.date(2025, 3, 1))
    old.refresh_from_db()
    assert old.end_date == datetime.date(2025, 2, 28)
    assert new.is_active and not old.is_active
    assert audit_entries_for(old, "update").get().actor_id == world.sec_ca.pk
    assert models.RoleAssignment.objects.filter(country=world.kz, role="focal_point").count() == 2


def test_a_focal_point_cannot_appoint_a_successor(world):
    with pytest.raises(PermissionDenied):
        services.focal_point_appoint(user=world.nfp_kz, country=world.kz, person=world.p_hidden_kz,
                                     start_date=datetime.date(2025, 3, 1))
    assert models.RoleAssignment.objects.get(person=world.p_nfp_kz).end_date is None


def test_another_regions_secretariat_cannot_appoint(world):
    with pytest.raises(PermissionDenied):
        services.focal_point_appoint(user=world.sec_ca, country=world.ph, person=world.p_hidden_kz,
                                     start_date=datetime.date(2025, 3, 1))


def test_a_start_before_the_current_appointment_names_the_field_and_changes_nothing(world):
    with pytest.raises(ValidationError) as error:
        services.focal_point_appoint(user=world.sec_ca, country=world.kz, person=world.p_hidden_kz,
                                     start_date=datetime.date(2019, 1, 1))
    assert "start_date" in error.value.message_dict
    assert models.RoleAssignment.objects.get(person=world.p_nfp_kz).end_date is None


def test_the_appointment_page_works_for_the_secretariat(world, client_as):
    client = client_as(world.sec_ca)
    url = f"/registry/countries/{world.kz.pk}/appoint-focal-point/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"person": world.p_hidden_kz.pk, "start_date": "2025-05-01"})
    assert response.status_code == 302
    assert models.RoleAssignment.objects.active().get(country=world.kz, role="focal_point").person == world.p_hidden_kz
    assert client_as(world.nfp_kz).get(url).status_code == 403
    bad = client.post(url, {"person": world.p_hidden_kz.pk, "start_date": "not a date"})
    assert bad.status_code == 400 and "Appointed on" in bad.content.decode()
