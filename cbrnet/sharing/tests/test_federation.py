"""R14: federation with peer hubs. The pure decision, the export, and an import that never widens
and fails closed on anything unknown; `cbrnet sharing` drives both."""

import json

import pytest
from django.core.management import CommandError, call_command

from cbrnet.exchange.models import Bulletin
from cbrnet.registry import models as r
from cbrnet.sharing import federation, services
from cbrnet.sharing.choices import TLP
from cbrnet.sharing.federation import replication_decision
from cbrnet.sharing.models import PeerHub
from cbrnet.sharing.tests.helpers import ORGANISATION, USER, make_bulletin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("tlp", "live", "networks", "audience", "hub_networks", "hub_orgs", "people", "allowed"),
    [
        (TLP.CLEAR, True, {1}, set(), {1}, set(), False, True),
        (TLP.GREEN, True, {1}, set(), {1, 2}, set(), False, True),
        (TLP.GREEN, True, {1}, set(), {2}, set(), False, False),  # not the same network
        (TLP.GREEN, True, {1}, set(), {1}, set(), True, False),  # names people
        (TLP.GREEN, False, {1}, set(), {1}, set(), False, False),  # draft or embargoed
        (TLP.AMBER, True, {1}, {10, 11}, {1}, {11}, False, True),
        (TLP.AMBER, True, {1}, {10, 11}, {1}, {12}, False, False),  # hosts nobody of R
        (TLP.AMBER_STRICT, True, set(), {10}, set(), {10}, False, True),
        (TLP.RED, True, {1}, {10}, {1}, {10}, False, False),  # never
    ],
)
def test_replication_decision(tlp, live, networks, audience, hub_networks, hub_orgs, people, allowed):
    decision = replication_decision(
        tlp=tlp,
        live=live,
        item_network_ids=networks,
        audience_organisation_ids=audience,
        hub_network_ids=hub_networks,
        hub_organisation_ids=hub_orgs,
        names_people=people,
    )
    assert decision.allowed is allowed, decision.reason
    assert decision.carry_audience is (allowed and tlp in (TLP.AMBER, TLP.AMBER_STRICT))


@pytest.fixture
def hub(world):
    """A peer hub of the ASEAN network hosting MY-FP."""
    peer = PeerHub.objects.create(name="asean-hub")
    peer.networks.set([world.asean])
    peer.organisations.set([world.my_fp])
    return peer


def test_export_sends_clear_green_and_the_amber_its_hub_may_host_and_never_red(world, people, hub):
    green = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], title="green")
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.coe], title="green elsewhere")
    amber = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.my_fp)], title="amber"
    )
    make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)], title="amber elsewhere"
    )
    make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)], title="red")
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], status="draft", title="draft")
    data = federation.export_for_hub(hub)
    assert {entry["fields"]["title"] for entry in data["items"]} == {"green", "amber"}
    sent = {entry["uid"]: entry for entry in data["items"]}
    assert sent[str(amber.uid)]["audience"] == [
        {"organisation": {"name": world.my_fp.name, "country": "MY"}, "roles": []}
    ]
    assert sent[str(green.uid)]["networks"] == ["asean-cbr"] and data["retract"] == []


def test_an_item_that_may_no_longer_replicate_is_retracted(world, hub):
    amber = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.my_fp)])
    assert len(federation.export_for_hub(hub)["items"]) == 1
    services.shared_item_change_tlp(user=world.nfp_ph, item=amber, tlp=TLP.RED)
    data = federation.export_for_hub(hub)
    assert data["items"] == [] and data["retract"] == [{"model": "exchange.bulletin", "uid": str(amber.uid)}]
    assert federation.export_for_hub(hub)["retract"] == []  # retracted once


def _received(world, data, hub):
    """Import `data` as if it arrived from `hub` (here the same database stands for the receiver)."""
    Bulletin.objects.filter(uid__in=[entry["uid"] for entry in data["items"]]).delete()
    return federation.import_from_hub(hub, data)


def test_import_creates_the_items_with_their_carried_audience(world, people, hub):
    amber = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.my_fp)], title="amber"
    )
    data = federation.export_for_hub(hub)
    report = _received(world, data, hub)
    assert report.ok and report.created == [str(amber.uid)]
    copy = Bulletin.objects.get(uid=amber.uid)
    assert copy.origin_hub == "asean-hub" and copy.status == "published" and copy.author is None
    assert set(copy.audience_members.values_list("organisation_id", flat=True)) == {world.my_fp.pk}
    from cbrnet import access

    assert access.can(world.viewer_my, "view", copy) and not access.can(world.nfp_th, "view", copy)


def test_import_fails_closed_on_an_unknown_organisation_and_refuses_red(world, hub):
    data = {
        "format": federation.FORMAT,
        "items": [
            {
                "model": "exchange.bulletin",
                "uid": "6f1b8f0e-0000-4000-8000-000000000001",
                "tlp": "amber",
                "published_at": None,
                "owner_organisation": {"name": "PH focal point office", "country": "PH"},
                "networks": [],
                "grants": [],
                "audience": [{"organisation": {"name": "Nowhere Agency", "country": "PH"}}],
                "fields": {"title": "t", "body": "b"},
            },
            {
                "model": "exchange.bulletin",
                "uid": "6f1b8f0e-0000-4000-8000-000000000002",
                "tlp": "red",
                "published_at": None,
                "owner_organisation": {"name": "PH focal point office", "country": "PH"},
                "networks": ["asean-cbr"],
                "grants": [],
                "audience": [],
                "fields": {"title": "t", "body": "b"},
            },
            {
                "model": "registry.person",
                "uid": "6f1b8f0e-0000-4000-8000-000000000003",
                "tlp": "clear",
                "owner_organisation": {"name": "PH focal point office", "country": "PH"},
                "networks": [],
                "fields": {},
            },
        ],
    }
    report = federation.import_from_hub(hub, data)
    reasons = dict(report.refused)
    assert "unknown organisation 'Nowhere Agency'" in reasons["6f1b8f0e-0000-4000-8000-000000000001"]
    assert "RED" in reasons["6f1b8f0e-0000-4000-8000-000000000002"]
    assert "not exchanged" in reasons["6f1b8f0e-0000-4000-8000-000000000003"]
    assert not Bulletin.objects.exists()


def test_a_receiver_never_widens_an_item_it_holds(world, hub):
    amber = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER_STRICT, grants=[(ORGANISATION, world.my_fp)])
    first = federation.export_for_hub(hub)
    _received(world, first, hub)
    copy = Bulletin.objects.get(uid=amber.uid)
    widened = json.loads(json.dumps(first))
    entry = widened["items"][0]
    entry["audience"].append({"organisation": {"name": world.th_fp.name, "country": "TH"}, "roles": []})
    report = federation.import_from_hub(hub, widened)
    assert "would add an organisation" in dict(report.refused)[str(amber.uid)]
    entry = json.loads(json.dumps(first))
    entry["items"][0]["tlp"] = "amber"  # looser than AMBER+STRICT
    assert "would loosen" in dict(federation.import_from_hub(hub, entry).refused)[str(amber.uid)]
    other = PeerHub.objects.create(name="other-hub")
    other.networks.set([world.asean])
    assert (
        "not received from other-hub"
        in dict(federation.import_from_hub(other, first).refused)[str(amber.uid)]
    )
    copy.refresh_from_db()
    assert copy.tlp == TLP.AMBER_STRICT
    assert set(copy.audience_members.values_list("organisation_id", flat=True)) == {world.my_fp.pk}


def test_a_retraction_deletes_the_received_copy(world, hub):
    amber = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.my_fp)])
    _received(world, federation.export_for_hub(hub), hub)
    report = federation.import_from_hub(
        hub,
        {
            "format": federation.FORMAT,
            "items": [],
            "retract": [{"model": "exchange.bulletin", "uid": str(amber.uid)}],
        },
    )
    assert report.retracted == [str(amber.uid)] and not Bulletin.objects.filter(uid=amber.uid).exists()


def test_the_sharing_command_exports_and_imports(world, hub, tmp_path, capsys):
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], title="for the hub")
    path = tmp_path / "export.json"
    call_command("sharing", "export", "--hub", "asean-hub", "--output", str(path))
    data = json.loads(path.read_text())
    assert [entry["fields"]["title"] for entry in data["items"]] == ["for the hub"]
    Bulletin.objects.all().delete()
    call_command("sharing", "import", str(path), "--hub", "asean-hub")
    assert "Created 1" in capsys.readouterr().out
    assert Bulletin.objects.get().origin_hub == "asean-hub"
    data["items"][0]["owner_organisation"]["name"] = "Unknown office"
    data["items"][0]["uid"] = "6f1b8f0e-0000-4000-8000-0000000000aa"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command("sharing", "import", str(path), "--hub", "asean-hub")
    assert "unknown organisation" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("sharing", "export", "--hub", "nope")


def test_the_sharing_command_configures_hubs_and_refuses_unknown_names(world, capsys):
    call_command(
        "sharing", "hub", "gulf-hub", "--network", "asean-cbr", "--organisation", "MY focal point office@MY"
    )
    hub = PeerHub.objects.get(name="gulf-hub")
    assert list(hub.networks.all()) == [world.asean] and list(hub.organisations.all()) == [world.my_fp]
    with pytest.raises(CommandError, match="Unknown organisation"):
        call_command("sharing", "hub", "gulf-hub", "--organisation", "Atlantis Agency@AT")
    assert list(PeerHub.objects.get(name="gulf-hub").organisations.all()) == [world.my_fp]
    call_command("sharing", "hubs")
    assert "gulf-hub: networks asean-cbr; 1 organisations" in capsys.readouterr().out


def test_items_received_from_a_hub_are_not_passed_on(world, hub):
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    data = federation.export_for_hub(hub)
    _received(world, data, hub)
    assert r.Organisation.objects.exists()
    assert federation.export_for_hub(hub)["items"] == []
