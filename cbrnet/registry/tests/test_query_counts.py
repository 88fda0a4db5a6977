"""No list or page is N+1: the number of queries does not grow with the number of rows shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.registry import models

pytestmark = pytest.mark.django_db


def add_rows(world, count):
    start = models.Person.objects.count()
    with audit_actor(None, source="command"):
        area = world.area
        for index in range(start, start + count):
            person = models.Person.objects.create(
                given_name=f"Extra{index}", family_name="Row", organisation=world.kz_ministry, country=world.kz,
                directory_listed=True,
            )
            profile = models.ExpertProfile.objects.create(person=person, deployable=True)
            models.Expertise.objects.create(profile=profile, domain="C", thematic_area=area, level=3)
            models.Organisation.objects.create(name=f"Agency {index}", kind="agency", country=world.kz)
            models.RoleAssignment.objects.create(person=person, role="national_team", country=world.kz)


def queries(client, url, params=None):
    client.get(url, params or {})  # adding rows invalidated the cached access context: rebuild it first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


PAGES = [
    ("/registry/people/", {"per_page": 100}),
    ("/registry/experts/", {"per_page": 100}),
    ("/registry/organisations/", {"per_page": 100}),
    ("/registry/roles/", {"per_page": 100}),
    ("/registry/memberships/", {"per_page": 100}),
    ("/search/", {"q": "Row"}),
    ("/", {}),
]


@pytest.mark.parametrize("url,params", PAGES)
def test_list_queries_do_not_grow_with_rows(world, url, params):
    client = client_for(world.nfp_kz)
    client.get(url, params)  # warm caches (content types, session)
    add_rows(world, 2)
    few = queries(client, url, params)
    add_rows(world, 25)
    many = queries(client, url, params)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


def test_country_page_queries_do_not_grow_with_rows(world):
    client = client_for(world.sec_ca)
    url = world.kz.get_absolute_url()
    client.get(url)
    add_rows(world, 2)
    few = queries(client, url)
    add_rows(world, 25)
    assert queries(client, url) == few


def test_region_page_queries_do_not_grow_with_rows(world):
    client = client_for(world.sec_ca)
    url = world.ca.get_absolute_url()
    client.get(url)
    few = queries(client, url)
    add_rows(world, 10)
    assert queries(client, url) == few
