"""Every test vector of ACCESS.md, one parametrised case per row, checked through the access engine
and through the bulletin detail page and API (invisible = 404)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cbrnet import access
from cbrnet.core.testing import client_for
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.registry import models as r
from cbrnet.sharing import services
from cbrnet.sharing.choices import TLP
from cbrnet.sharing.tests.helpers import (
    COUNTRY,
    ORGANISATION,
    REGION,
    USER,
    make_bulletin,
    make_user,
    tomorrow,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sea_editor(world):
    return make_user("sea-editor", world.sea_sec, "editor")


def green_asean_no_grants(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.GREEN, networks=[w.asean]), p.th_viewer


def green_asean_to_jrc(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.GREEN, networks=[w.asean]), w.jrc_user


def amber_region_sea(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.AMBER, grants=[(REGION, w.sea)]), p.th_viewer


def amber_region_sea_org_created_later(w, p, editor):
    item = make_bulletin(author=editor, tlp=TLP.AMBER, grants=[(REGION, w.sea)])
    newcomer = r.Organisation.objects.create(
        name="TH Department of Disease Control", kind="agency", country=w.th
    )
    newcomer.networks.set([w.coe, w.asean])
    return item, make_user("th-ddc-viewer", newcomer, "viewer")


def amber_org_my_fp(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.AMBER, grants=[(ORGANISATION, w.my_fp)]), w.viewer_my


def amber_strict_org_my_fp(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.AMBER_STRICT, grants=[(ORGANISATION, w.my_fp)]), w.viewer_my


def amber_country_ph_focal_points(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.AMBER, grants=[(COUNTRY, w.ph, ["focal_point"])]), p.ph_viewer


def red_user_grant_alice(w, p, editor):
    return make_bulletin(author=p.ph_author, tlp=TLP.RED, grants=[(USER, p.alice)]), p.bob


def amber_to_platform_admin(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.AMBER, grants=[(REGION, w.sea)]), w.admin


def clear_to_anonymous(w, p, editor):
    return make_bulletin(author=editor, tlp=TLP.CLEAR), None


def green_embargoed_to_recipient(w, p, editor):
    return make_bulletin(
        author=editor, tlp=TLP.GREEN, networks=[w.asean], embargo_until=tomorrow()
    ), p.th_viewer


READ_VECTORS = [
    ("GREEN, network ASEAN CBR DEN, no grants / TH-FP viewer", green_asean_no_grants, True),
    ("GREEN, network ASEAN CBR DEN / EU-JRC (not member)", green_asean_to_jrc, False),
    ("AMBER, grant region SEA at publish / TH-FP viewer", amber_region_sea, True),
    ("same, org created in SEA after publish / its viewer", amber_region_sea_org_created_later, False),
    ("AMBER, grant org MY-FP / MY-MOH user", amber_org_my_fp, True),
    ("AMBER+STRICT, grant org MY-FP / MY-MOH user", amber_strict_org_my_fp, False),
    ("AMBER, grant country PH, roles {focal_point} / PH-FP viewer", amber_country_ph_focal_points, False),
    ("RED, user grant Alice / Bob, same org", red_user_grant_alice, False),
    ("AMBER / platform_admin, no break-glass", amber_to_platform_admin, False),
    ("CLEAR, published / anonymous", clear_to_anonymous, True),
    ("GREEN, embargo tomorrow / recipient", green_embargoed_to_recipient, False),
]


@pytest.mark.parametrize(
    ("build", "allowed"), [row[1:] for row in READ_VECTORS], ids=[row[0] for row in READ_VECTORS]
)
def test_read_vector(world, people, sea_editor, settings, build, allowed):
    settings.PUBLIC_PORTAL = True  # R3: the CLEAR/anonymous row needs a public portal
    item, viewer = build(world, people, sea_editor)
    assert access.restrict(Bulletin.objects.all(), viewer, "view").filter(pk=item.pk).exists() is allowed
    client = client_for(viewer) if viewer is not None else Client()
    expected = 200 if allowed else 404
    assert client.get(item.get_absolute_url()).status_code == expected
    assert client.get(f"/api/exchange/bulletins/{item.pk}").status_code == expected


def test_the_positive_controls_of_the_deny_vectors_allow(world, people, sea_editor):
    """Each deny above fails for the stated reason only: change that reason and access is granted."""
    item, _ = amber_org_my_fp(world, people, sea_editor)
    assert access.can(world.viewer_my, "view", item)  # AMBER passes to clients; AMBER+STRICT does not
    item = make_bulletin(author=sea_editor, tlp=TLP.AMBER, grants=[(COUNTRY, world.ph, ["focal_point"])])
    assert access.can(world.nfp_ph, "view", item)  # the focal point holds the listed role
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, people.alice)])
    assert access.can(people.alice, "view", item)
    item = make_bulletin(
        author=sea_editor,
        tlp=TLP.GREEN,
        networks=[world.asean],
        embargo_until=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1),
    )
    assert access.can(people.th_viewer, "view", item)


def test_red_with_an_organisation_grant_is_a_validation_error(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, status="draft")
    with pytest.raises(ValidationError) as error:
        services.shared_item_grant_add(
            user=people.ph_author, item=item, scope=ORGANISATION, target=world.ph_fp
        )
    assert "scope" in error.value.message_dict
    assert not item.grants.exists()


def test_green_child_under_amber_parent_is_rejected_on_save(world, sea_editor):
    parent = make_bulletin(author=sea_editor, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    with pytest.raises(ValidationError) as error:
        services.shared_item_save(
            user=sea_editor, instance=BulletinUpdate(bulletin=parent, body="x", tlp=TLP.GREEN)
        )
    assert "tlp" in error.value.message_dict
    with pytest.raises(ValidationError):  # a direct save, bypassing the services, is refused too
        BulletinUpdate(bulletin=parent, body="x", tlp=TLP.GREEN, owner_organisation=world.sea_sec).save()
    assert not BulletinUpdate.objects.exists()
