"""The country page's sections are cached per country, data version, user's rights, language and day:
never shown to a user whose rights differ, and never stale after an edit."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.registry import models
from cbrnet.registry.choices import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def page(client, country):
    response = client.get(country.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'(name="csrf-token" content|name="csrfmiddlewaretoken" value)="[^"]+"', r"\1", html)


def sections(html: str) -> str:
    """The country's own sections: from the details to the history (which every detail page has)."""
    return html[html.index('<div class="two-columns">'):html.index('<section class="history"')]


def queries(client, country) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, country)
    return len(captured)


def test_a_second_visit_reads_the_sections_from_the_cache(world):
    client = client_for(world.nfp_kz)
    first = queries(client, world.kz)
    second = queries(client, world.kz)
    # Cached: session, user, the country with the user's permissions on it, its history; and, not
    # cached (it moves with assessments and action plans), the methodology stage: focal point and
    # team roles, assessments, action plans.
    assert second == 7
    assert second < first - 5


def test_the_cached_page_is_the_page(world):
    client = client_for(world.nfp_kz)
    fresh, cached = page(client, world.kz), page(client, world.kz)
    assert without_csrf_tokens(fresh) == without_csrf_tokens(cached)
    content = page(client, world.kz)
    assert "Aru Kazfocal" in content and "Dana Kazteam" in content and "KZ Ministry of Health" in content


def test_users_whose_rights_differ_never_share_an_entry(world):
    with audit_actor(None, source="command"):
        profile = models.ExpertProfile.objects.create(person=world.p_hidden_kz, summary="")
        models.Expertise.objects.create(profile=profile, domain="C", thematic_area=world.area, level=2)
    kz, uz = client_for(world.nfp_kz), client_for(world.nfp_uz)
    # The unlisted KZ expert: visible to the KZ focal point only, whoever asks first.
    assert "Hidden Kazperson" in page(kz, world.kz)
    assert "Hidden Kazperson" not in page(uz, world.kz)
    assert "Hidden Kazperson" in page(kz, world.kz)
    # Only the focal point's secretariat may appoint one; the KZ focal point may not.
    sec = client_for(world.sec_ca)
    assert "Appoint a focal point" in page(sec, world.kz)
    assert "Appoint a focal point" not in page(kz, world.kz)


def test_an_edit_is_visible_at_once(world):
    client = client_for(world.nfp_uz)
    assert "Steppe Laboratory" not in page(client, world.kz)
    with audit_actor(None, source="command"):
        organisation = models.Organisation.objects.create(name="Steppe Laboratory", kind=OrganisationKind.AGENCY, country=world.kz)
    assert "Steppe Laboratory" in page(client, world.kz)
    with audit_actor(None, source="command"):
        organisation.name = "Steppe Reference Laboratory"
        organisation.save()
    assert "Steppe Reference Laboratory" in page(client, world.kz)
    with audit_actor(None, source="command"):
        world.p_team_kz.family_name = "Renamed"
        world.p_team_kz.save()
    assert "Dana Renamed" in page(client_for(world.nfp_kz), world.kz)


def test_a_user_whose_rights_change_sees_the_change(world):
    client = client_for(world.nfp_uz)
    assert "Hidden Kazperson" not in page(client, world.kz)
    with audit_actor(None, source="command"):
        team = models.RoleAssignment.objects.create(
            person=world.p_hidden_kz, role=Role.NATIONAL_TEAM, country=world.kz, start_date=datetime.date(2020, 1, 1)
        )
    # A team member of KZ now, but not visible to the UZ focal point (unlisted, another country).
    assert "Hidden Kazperson" not in page(client, world.kz)
    with audit_actor(None, source="command"):
        models.RoleAssignment.objects.create(
            person=world.p_nfp_uz, role=Role.NATIONAL_TEAM, country=world.kz, start_date=datetime.date(2020, 1, 1)
        )
    # The UZ focal point joined Kazakhstan's national team: KZ's unlisted people are in their scope.
    assert "Hidden Kazperson" in page(client, world.kz)
    with audit_actor(None, source="command"):
        models.RoleAssignment.objects.filter(person=world.p_nfp_uz, country=world.kz).delete()
    assert "Hidden Kazperson" not in page(client, world.kz)
    assert team.pk


def test_the_language_is_part_of_the_key(world):
    client = client_for(world.nfp_kz)
    assert "National team" in page(client, world.kz)
    client.cookies["django_language"] = "fr"
    assert "National team" not in page(client, world.kz)


def test_users_who_see_the_same_share_one_rendering(world):
    """The UZ and PH focal points see the same of Kazakhstan: the second is served the first's
    rendering after the few queries that establish what they may see."""
    from cbrnet.registry import selectors

    with audit_actor(None, source="command"):  # a listed expert: everybody sees them
        profile = models.ExpertProfile.objects.create(person=world.p_nfp_kz)
        models.Expertise.objects.create(profile=profile, domain="C", thematic_area=world.area, level=4)
    assert selectors.country_page_fingerprint(user=world.nfp_uz, country=world.kz) == selectors.country_page_fingerprint(
        user=world.nfp_ph, country=world.kz
    )
    assert selectors.country_page_fingerprint(user=world.nfp_uz, country=world.kz) != selectors.country_page_fingerprint(
        user=world.nfp_kz, country=world.kz
    )
    uz, ph = client_for(world.nfp_uz), client_for(world.nfp_ph)
    page(uz, world.kz)
    assert ph.get("/registry/networks/").status_code == 200  # warms the session and the access context
    with CaptureQueriesContext(connection) as captured:
        page(ph, world.kz)
    # Rendering would load the experts' expertise; the fingerprint reads the lists' ids only.
    assert any('"registry_expertprofile"' in query["sql"] for query in captured)
    assert not any('"registry_expertise"' in query["sql"] for query in captured)
    assert sections(page(ph, world.kz)) == sections(page(uz, world.kz))
    assert "Aru Kazfocal</a> — Chemical · Border control" in sections(page(ph, world.kz))
