"""R13: who sees recipient lists. CLEAR/GREEN: everyone who reads the item; AMBER and RED: the
owner side only; other recipients get "your organisation + N others" / "you + N others"."""

import pytest

from cbrnet import access
from cbrnet.sharing import services
from cbrnet.sharing.choices import TLP
from cbrnet.sharing.models import AudienceMember, Grant
from cbrnet.sharing.selectors import shared_item_audience, shared_item_notification_recipients
from cbrnet.sharing.tests.helpers import ORGANISATION, REGION, USER, make_bulletin

pytestmark = pytest.mark.django_db


def test_green_recipients_see_the_recipient_list(world, people):
    item = make_bulletin(
        author=world.nfp_ph,
        tlp=TLP.GREEN,
        networks=[world.asean],
        grants=[(ORGANISATION, world.th_fp), (ORGANISATION, world.my_moh)],
    )
    audience = shared_item_audience(user=people.th_viewer, item=item)
    assert audience["full"] and {grant.organisation_id for grant in audience["grants"]} == {
        world.th_fp.pk,
        world.my_moh.pk,
    }
    seen = set(access.restrict(Grant.objects.all(), people.th_viewer).values_list("pk", flat=True))
    assert seen == set(item.grants.values_list("pk", flat=True))


def test_amber_recipients_see_only_a_count_and_the_owner_side_sees_everything(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    # R = PH-FP, TH-FP, MY-FP, MY-MOH, SEA secretariat; with the owner PH-FP: TH-FP + 4 others.
    audience = shared_item_audience(user=people.th_viewer, item=item)
    assert not audience["full"] and audience["grants"] == [] and audience["members"] == []
    assert audience["others"] == 4 and audience["summary"] == "Your organisation + 4 others"
    assert not access.restrict(Grant.objects.all(), people.th_viewer).exists()
    assert not access.restrict(AudienceMember.objects.all(), people.th_viewer).exists()
    owner = shared_item_audience(user=people.ph_viewer, item=item)
    assert owner["full"] and len(owner["members"]) == 5 and owner["grants"][0].region_id == world.sea.pk
    assert access.restrict(AudienceMember.objects.all(), world.nfp_ph).count() == 5


def test_red_named_people_see_how_many_others_were_named(world, people):
    item = make_bulletin(
        author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th), (USER, people.alice)]
    )
    audience = shared_item_audience(user=world.nfp_th, item=item)
    assert not audience["full"] and audience["others"] == 2  # the author and Alice
    assert shared_item_audience(user=people.ph_author, item=item)["full"]
    # The owner organisation does not see a RED item's recipients, as it does not see the item.
    assert not access.restrict(Grant.objects.all(), people.ph_viewer).exists()


def test_notification_recipients_follow_the_same_predicate_and_red_text_stays_out_of_mail(world, people):
    candidates = [world.nfp_th, people.th_viewer, world.viewer_my, world.nfp_kz, world.admin]
    amber = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    services.shared_item_break_glass(user=world.admin, item=amber, reason="Checking a complaint")
    notified = shared_item_notification_recipients(item=amber, candidates=candidates)
    assert [row["user"] for row in notified] == [world.nfp_th, people.th_viewer]  # not the break-glass admin
    assert all(row["include_text"] for row in notified)
    red = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    notified = shared_item_notification_recipients(item=red, candidates=candidates)
    assert notified == [{"user": world.nfp_th, "include_text": False}]
