"""The sharing services: publication and the frozen audience, labels, grants, four-eyes, break-glass,
the RED read log and the audit trail (R1, R5, R7, R9, R10, R11, R15)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cbrnet import access
from cbrnet.access.context import forget
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.exchange.services import bulletin_update_create
from cbrnet.registry import models as r
from cbrnet.sharing import services
from cbrnet.sharing.choices import TLP, AccessKind, ApprovalStatus, Status
from cbrnet.sharing.models import AccessLog, AudienceMember, BreakGlass, Grant, ShareApproval
from cbrnet.sharing.tests.helpers import (
    COUNTRY,
    NETWORK,
    ORGANISATION,
    REGION,
    USER,
    make_bulletin,
    make_user,
    tomorrow,
)

pytestmark = pytest.mark.django_db


def visible(user, item) -> bool:
    return access.can(user, "view", item)


def audience_orgs(item) -> set[int]:
    return set(item.audience_members.values_list("organisation_id", flat=True)) - {None}


# --- audit --------------------------------------------------------------------------------------------
def test_publish_grant_and_label_changes_are_audited_with_their_actor(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.AMBER, networks=[world.asean], status=Status.DRAFT)
    with audit_actor(world.nfp_ph, source="ui"):
        grant = services.shared_item_grant_add(
            user=world.nfp_ph, item=item, scope=ORGANISATION, target=world.th_fp
        )
        services.shared_item_publish(user=world.nfp_ph, item=item)
        services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.AMBER_STRICT)
    created = audit_entries_for(grant, AuditEntry.Action.CREATE).get()
    assert created.actor_id == world.nfp_ph.pk and created.after["organisation_id"] == world.th_fp.pk
    updates = list(audit_entries_for(item, AuditEntry.Action.UPDATE).order_by("pk"))
    assert any(
        entry.after.get("status") == "published" and entry.before.get("status") == "draft"
        for entry in updates
    )
    assert any(
        entry.after.get("tlp") == TLP.AMBER_STRICT and entry.before.get("tlp") == TLP.AMBER
        for entry in updates
    )
    assert all(
        entry.actor_id == world.nfp_ph.pk
        for entry in updates
        if "tlp" in entry.after or "status" in entry.after
    )
    member = AudienceMember.objects.get(organisation=world.th_fp)
    assert audit_entries_for(member, AuditEntry.Action.CREATE).exists()  # the frozen audience is audited too


# --- R1 -----------------------------------------------------------------------------------------------
def test_r1_users_of_an_inactive_organisation_see_nothing_not_even_clear(world, people, settings):
    settings.PUBLIC_PORTAL = True
    clear = make_bulletin(author=world.nfp_ph, tlp=TLP.CLEAR)
    green = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    assert visible(world.nfp_th, clear) and visible(world.nfp_th, green)
    with audit_actor(None, source="command"):
        world.th_fp.is_active = False
        world.th_fp.save()
    forget(world.nfp_th)
    assert not access.restrict(Bulletin.objects.all(), world.nfp_th, "view").exists()


# --- R5 -----------------------------------------------------------------------------------------------
def test_amber_audience_is_frozen_at_publication_and_a_later_grant_reaches_orgs_as_of_then(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    assert audience_orgs(item) == {
        world.ph_fp.pk,
        world.th_fp.pk,
        world.my_fp.pk,
        world.my_moh.pk,
        world.sea_sec.pk,
    }
    newcomer = r.Organisation.objects.create(
        name="MY Atomic Energy Licensing Board", kind="agency", country=world.my
    )
    newcomer_user = make_user("my-aelb", newcomer, "viewer")
    assert not visible(newcomer_user, item)  # joined after publication
    services.shared_item_grant_add(user=world.nfp_ph, item=item, scope=ORGANISATION, target=newcomer)
    assert newcomer.pk in audience_orgs(item) and visible(newcomer_user, item)


def test_removing_a_grant_shrinks_the_frozen_audience_at_once(world, people):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp), (ORGANISATION, world.my_fp)]
    )
    assert visible(people.th_viewer, item)
    grant = item.grants.get(organisation=world.th_fp)
    services.shared_item_grant_remove(user=world.nfp_ph, item=item, grant=grant)
    assert audience_orgs(item) == {world.my_fp.pk}
    assert not visible(people.th_viewer, item) and visible(world.viewer_my, item)


def test_moving_a_published_green_item_to_amber_freezes_its_audience_then(world, people):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], grants=[(COUNTRY, world.th)]
    )
    assert not item.audience_members.exists()
    services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.AMBER)
    assert audience_orgs(item) == {world.th_fp.pk}
    assert visible(people.th_viewer, item) and not visible(world.viewer_my, item)


# --- R7 -----------------------------------------------------------------------------------------------
def test_red_tightening_drops_every_grant_that_does_not_name_a_person_at_once(world, people):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp), (USER, world.nfp_th)]
    )
    assert visible(people.th_viewer, item)
    services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.RED)
    assert list(item.grants.values_list("scope", flat=True)) == [USER]
    assert not item.audience_members.exists()
    assert not visible(people.th_viewer, item) and visible(world.nfp_th, item)
    assert not visible(people.ph_viewer, item)  # RED: not even the owner organisation


def test_red_rejects_a_non_person_grant_even_saved_directly(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, status=Status.DRAFT)
    grant = Grant(item=item, scope=ORGANISATION, organisation=world.ph_fp)
    with pytest.raises(ValidationError) as error:
        grant.save()
    assert "scope" in error.value.message_dict
    assert not Grant.objects.exists()


def test_red_is_never_exported_not_even_by_its_author(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    for user in (people.ph_author, world.nfp_th):
        assert visible(user, item)
        assert not access.restrict(Bulletin.objects.all(), user, "export").exists()


def test_red_reads_are_logged_and_the_log_is_append_only(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    green = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    log = services.shared_item_record_read(user=world.nfp_th, item=item, channel="api")
    assert log.kind == AccessKind.READ and log.user_id == world.nfp_th.pk and log.object_id == item.pk
    assert services.shared_item_record_read(user=world.nfp_th, item=green, channel="api") is None
    log.reason = "edited"
    with pytest.raises(PermissionDenied):
        log.save()
    with pytest.raises(PermissionDenied):
        log.delete()
    assert AccessLog.objects.count() == 1


# --- R9 -----------------------------------------------------------------------------------------------
def test_r9_only_owner_editors_loosen_the_label(world, people):
    item = make_bulletin(
        author=people.ph_author, publisher=world.nfp_ph, tlp=TLP.AMBER, networks=[world.asean]
    )
    with pytest.raises(PermissionDenied):
        services.shared_item_change_tlp(
            user=people.ph_author, item=item, tlp=TLP.GREEN
        )  # the author is no editor
    item.refresh_from_db()
    assert item.tlp == TLP.AMBER
    services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.GREEN)
    item.refresh_from_db()
    assert item.tlp == TLP.GREEN


def test_r9_tightening_applies_at_once_even_by_the_author(world, people):
    item = make_bulletin(
        author=people.ph_author, publisher=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean]
    )
    assert visible(people.th_viewer, item)
    services.shared_item_change_tlp(user=people.ph_author, item=item, tlp=TLP.AMBER)
    assert not visible(people.th_viewer, item)


def test_r9_recipients_forward_green_inside_its_networks_only(world, people):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], grants=[(ORGANISATION, world.th_fp)]
    )
    assert not visible(world.viewer_my, item)
    services.shared_item_grant_add(user=world.nfp_th, item=item, scope=ORGANISATION, target=world.my_moh)
    assert visible(world.viewer_my, item)
    with pytest.raises(ValidationError) as error:  # EU-JRC is in none of the item's networks
        services.shared_item_grant_add(user=world.nfp_th, item=item, scope=ORGANISATION, target=world.jrc)
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.shared_item_grant_add(user=world.nfp_th, item=item, scope=NETWORK, target=world.coe)
    assert item.grants.count() == 2


def test_r9_recipients_may_not_narrow_a_green_item_shared_with_its_whole_networks(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    with pytest.raises(ValidationError) as error:
        services.shared_item_grant_add(user=world.nfp_th, item=item, scope=ORGANISATION, target=world.my_moh)
    assert "scope" in error.value.message_dict and not item.grants.exists()


def test_r9_recipients_forward_clear_anywhere_and_never_amber_or_red(world, people):
    clear = make_bulletin(author=world.nfp_ph, tlp=TLP.CLEAR)
    services.shared_item_grant_add(user=world.nfp_th, item=clear, scope=ORGANISATION, target=world.jrc)
    amber = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    with pytest.raises(PermissionDenied):
        services.shared_item_grant_add(user=world.nfp_th, item=amber, scope=ORGANISATION, target=world.my_fp)
    red = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    with pytest.raises(PermissionDenied):
        services.shared_item_grant_add(user=world.nfp_th, item=red, scope=USER, target=people.th_viewer)
    assert amber.grants.count() == 1 and red.grants.count() == 1


def test_r9_a_published_item_gains_no_network_through_editing(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    with pytest.raises(ValidationError) as error:
        services.shared_item_save(user=world.nfp_ph, instance=item, networks=[world.asean, world.coe])
    assert "networks" in error.value.message_dict
    assert list(item.networks.all()) == [world.asean]
    with pytest.raises(ValidationError) as error:  # nor a label change outside "Change TLP"
        item.tlp = TLP.CLEAR
        services.shared_item_save(user=world.nfp_ph, instance=item)
    assert "tlp" in error.value.message_dict


def test_r9_only_owner_editors_end_an_embargo_early(world, people):
    item = make_bulletin(
        author=people.ph_author,
        publisher=world.nfp_ph,
        tlp=TLP.AMBER,
        embargo_until=tomorrow(),
        status="draft",
    )
    services.shared_item_publish(user=people.ph_author, item=item)
    item.embargo_until = None
    with pytest.raises(PermissionDenied):
        services.shared_item_save(user=people.ph_author, instance=item)
    assert Bulletin.objects.get(pk=item.pk).embargo_until is not None
    item.embargo_until = None
    services.shared_item_save(user=world.nfp_ph, instance=item)
    assert Bulletin.objects.get(pk=item.pk).embargo_until is None


def test_networks_are_limited_to_those_of_the_owner_organisation(world, people):
    from cbrnet.exchange.models import Bulletin

    with pytest.raises(ValidationError) as error:  # KZ-FP is not in the ASEAN network
        services.shared_item_save(
            user=world.nfp_kz, instance=Bulletin(title="t", body="b", tlp=TLP.GREEN), networks=[world.asean]
        )
    assert "networks" in error.value.message_dict
    assert not Bulletin.objects.exists()


# --- R10 ----------------------------------------------------------------------------------------------
def test_r10_an_update_reaches_the_bulletins_audience_and_dies_with_it(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    update = bulletin_update_create(user=world.nfp_th, bulletin=item, body="We confirm.")
    assert update.status == Status.PUBLISHED and update.owner_organisation_id == world.th_fp.pk
    assert visible(people.th_viewer, update) and visible(people.ph_viewer, update)  # the owner is added
    assert not visible(world.viewer_my, update)
    services.shared_item_withdraw(user=world.nfp_ph, item=item)
    assert not visible(people.th_viewer, update)  # the parent's rules apply to the child


def test_r10_a_red_update_reaches_only_named_people(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    update = bulletin_update_create(
        user=world.nfp_th, bulletin=item, body="Names of the suspects", tlp=TLP.RED
    )
    assert visible(world.nfp_th, update) and visible(world.nfp_ph, update)  # author of each
    assert not visible(people.th_viewer, update) and not visible(people.ph_viewer, update)


def test_r10_an_update_may_not_be_looser_than_its_bulletin(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    with pytest.raises(ValidationError) as error:
        bulletin_update_create(user=world.nfp_th, bulletin=item, body="x", tlp=TLP.CLEAR)
    assert "tlp" in error.value.message_dict
    assert not BulletinUpdate.objects.exists()


# --- R11 ----------------------------------------------------------------------------------------------
def test_r11_break_glass_needs_a_reason_opens_one_item_for_a_while_and_is_audited(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    other = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    assert not visible(world.admin, item)
    with pytest.raises(ValidationError) as error:
        services.shared_item_break_glass(user=world.admin, item=item, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.shared_item_break_glass(user=world.nfp_kz, item=item, reason="Incident 42 needs this now")
    with audit_actor(world.admin, source="ui"):
        glass = services.shared_item_break_glass(
            user=world.admin, item=item, reason="Incident 42 needs this now"
        )
    assert audit_entries_for(glass, AuditEntry.Action.CREATE).get().actor_id == world.admin.pk
    assert AccessLog.objects.get(kind=AccessKind.BREAK_GLASS).reason == "Incident 42 needs this now"
    assert visible(world.admin, item) and not visible(world.admin, other)
    assert not access.restrict(
        Bulletin.objects.all(), world.admin, "export"
    ).exists()  # a read, not an export
    with pytest.raises(PermissionDenied):  # nor a right to share it
        services.shared_item_grant_add(user=world.admin, item=item, scope=ORGANISATION, target=world.jrc)
    assert (
        services.shared_item_record_read(user=world.admin, item=item, channel="ui").kind
        == AccessKind.BREAK_GLASS_READ
    )
    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert not visible(world.admin, item)


# --- R15 ----------------------------------------------------------------------------------------------
def test_r15_a_role_publishes_up_to_its_maximum_label(world, people, settings):
    item = make_bulletin(author=people.ph_author, tlp=TLP.GREEN, networks=[world.asean], status=Status.DRAFT)
    with pytest.raises(PermissionDenied):  # authors may share up to TLP:AMBER by default
        services.shared_item_publish(user=people.ph_author, item=item)
    settings.SHARING_MAX_TLP = {"author": "green"}
    services.shared_item_publish(user=people.ph_author, item=item)
    assert Bulletin.objects.get(pk=item.pk).status == Status.PUBLISHED


def test_r15_viewers_may_not_share_at_all(world, people):
    assert not access.may_add(people.ph_viewer, Bulletin)
    assert not access.may_add(world.viewer_my, Bulletin)
    assert access.may_add(people.ph_author, Bulletin) and access.may_add(world.nfp_ph, Bulletin)


def test_r15_a_role_adds_grants_up_to_its_breadth(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.AMBER, status=Status.DRAFT)
    with pytest.raises(PermissionDenied):  # authors: up to a country
        services.shared_item_grant_add(user=people.ph_author, item=item, scope=REGION, target=world.sea)
    services.shared_item_grant_add(user=people.ph_author, item=item, scope=ORGANISATION, target=world.th_fp)
    assert item.grants.count() == 1


@pytest.fixture
def four_eyes(settings, world):
    settings.SHARING_FOUR_EYES = True
    return make_user("ph-editor", world.ph_fp, "editor")


def test_r15_four_eyes_publishing_amber_waits_for_a_second_editor(world, people, four_eyes):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)], status=Status.DRAFT
    )
    approval = services.shared_item_publish(user=world.nfp_ph, item=item)
    assert isinstance(approval, ShareApproval) and Bulletin.objects.get(pk=item.pk).status == Status.DRAFT
    with pytest.raises(ValidationError):  # asking twice
        services.shared_item_publish(user=world.nfp_ph, item=item)
    with pytest.raises(PermissionDenied):  # the requester is not the second pair of eyes
        services.shared_item_approve(user=world.nfp_ph, approval=approval)
    with pytest.raises(PermissionDenied):  # nor is an editor of another organisation
        services.shared_item_approve(user=world.nfp_th, approval=approval)
    services.shared_item_approve(user=four_eyes, approval=approval)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and visible(people.th_viewer, item)
    assert ShareApproval.objects.get(pk=approval.pk).decided_by_id == four_eyes.pk


def test_r15_four_eyes_does_not_hold_up_green_publication_or_tightening(world, people, four_eyes):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    assert item.status == Status.PUBLISHED
    result = services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.AMBER)
    assert not isinstance(result, ShareApproval) and Bulletin.objects.get(pk=item.pk).tlp == TLP.AMBER


def test_r15_four_eyes_loosening_and_widening_wait_and_can_be_rejected(world, people, four_eyes):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)], status=Status.DRAFT
    )
    services.shared_item_approve(
        user=four_eyes, approval=services.shared_item_publish(user=world.nfp_ph, item=item)
    )
    loosen = services.shared_item_change_tlp(user=world.nfp_ph, item=item, tlp=TLP.GREEN)
    widen = services.shared_item_grant_add(
        user=world.nfp_ph, item=item, scope=ORGANISATION, target=world.my_fp
    )
    assert isinstance(loosen, ShareApproval) and isinstance(widen, ShareApproval)
    assert Bulletin.objects.get(pk=item.pk).tlp == TLP.AMBER and not visible(world.viewer_my, item)
    services.shared_item_reject(user=four_eyes, approval=loosen, note="Keep it AMBER")
    services.shared_item_approve(user=four_eyes, approval=widen)
    assert ShareApproval.objects.get(pk=loosen.pk).status == ApprovalStatus.REJECTED
    assert Bulletin.objects.get(pk=item.pk).tlp == TLP.AMBER
    assert visible(world.viewer_my, item)  # MY-FP joined R, so its client MY-MOH reads it
    with pytest.raises(ValidationError):
        services.shared_item_approve(user=four_eyes, approval=ShareApproval.objects.get(pk=widen.pk))


# --- one predicate, no duplicates ---------------------------------------------------------------------
def test_many_matching_networks_and_grants_give_one_row(world, people):
    item = make_bulletin(
        author=world.nfp_ph,
        tlp=TLP.GREEN,
        networks=[world.asean, world.coe],
        grants=[(ORGANISATION, world.th_fp), (NETWORK, world.asean), (REGION, world.sea)],
    )
    queryset = access.restrict(Bulletin.objects.all(), world.nfp_th, "view")
    assert queryset.count() == 1 and [row.pk for row in queryset] == [item.pk]
