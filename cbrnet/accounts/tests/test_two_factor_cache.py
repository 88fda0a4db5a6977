"""The two-factor gate asks on every request whether the user enrolled a device: the answer is cached
across requests, and any device saved or deleted retires it at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbrnet.accounts.middleware import has_confirmed_device
from cbrnet.core.testing import client_for

pytestmark = pytest.mark.django_db


def device_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/registry/networks/").status_code in (200, 302)
    return sum("otp_" in query["sql"] for query in captured)


def test_the_device_tables_are_not_asked_on_every_request(world):
    client = client_for(world.viewer_my)
    device_queries(client)
    assert device_queries(client) == 0


def test_enrolling_a_device_takes_effect_at_once(world):
    client = client_for(world.viewer_my)
    assert client.get("/registry/networks/").status_code == 200
    assert not has_confirmed_device(world.viewer_my)
    device = TOTPDevice.objects.create(user=world.viewer_my, name="phone", confirmed=False)
    assert client.get("/registry/networks/").status_code == 200  # an unconfirmed device does not count
    device.confirmed = True
    device.save()
    assert has_confirmed_device(world.viewer_my)
    response = client.get("/registry/networks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")


def test_removing_the_device_takes_effect_at_once(world):
    device = StaticDevice.objects.create(user=world.viewer_my, name="backup codes", confirmed=True)
    client = client_for(world.viewer_my)
    assert client.get("/registry/networks/").status_code == 302
    StaticDevice.objects.filter(pk=device.pk).delete()  # as docs/deploy.md resets a lost phone
    assert not has_confirmed_device(world.viewer_my)
    assert client.get("/registry/networks/").status_code == 200


def test_the_answer_is_per_user(world):
    TOTPDevice.objects.create(user=world.viewer_my, name="phone", confirmed=True)
    assert has_confirmed_device(world.viewer_my)
    assert not has_confirmed_device(world.jrc_user)
