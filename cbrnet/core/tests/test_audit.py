"""The audit trail: what is recorded, who it is attributed to, the hash chain and `cbrnet audit`,
and the global audit-log page for platform administrators."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from cbrnet.core import audit
from cbrnet.core.audit import audit_actor
from cbrnet.core.audit_views import audit_entry_list
from cbrnet.core.models import AuditChainHead, AuditEntry
from cbrnet.core.services import record_delete, record_save
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.registry import models as registry

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def verify_problems() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="The audit chain is broken"):
        call_command("audit", "verify", stderr=err)
    return err.getvalue()


def raw(sql: str, params=()) -> None:
    """Tamper with the audit table as someone with database access would."""
    with connection.cursor() as cursor:
        if POSTGRES:
            # Rolled back with the test's transaction, like everything else the test does.
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute(sql, params)


def three_entries(world) -> list[AuditEntry]:
    with audit_actor(world.admin, source="command"):
        for code in ("net-a", "net-b", "net-c"):
            registry.Network.objects.create(code=code, name=code.upper(), short_name=code)
    return list(AuditEntry.objects.order_by("-pk")[:3])[::-1]


# --- what is recorded ---------------------------------------------------------------------------


def test_create_change_and_delete_in_the_ui_are_recorded_with_actor_source_and_values(world):
    client = client_for(world.admin)
    response = client.post(
        reverse("registry:network_add"), {"code": "gcc-net", "name": "Gulf network", "short_name": "GN"}
    )
    assert response.status_code == 302
    network = registry.Network.objects.get(code="gcc-net")
    created = audit_entries_for(network, AuditEntry.Action.CREATE).get()
    assert (created.actor_id, created.actor_repr, created.source) == (world.admin.pk, "admin", "ui")
    assert created.remote_addr == "127.0.0.1"
    assert (
        created.before is None
        and created.after["name"] == "Gulf network"
        and created.after["short_name"] == "GN"
    )

    response = client.post(
        reverse("registry:network_edit", args=[network.pk]),
        {"code": "gcc-net", "name": "Gulf network", "short_name": "GCC"},
    )
    assert response.status_code == 302
    changed = audit_entries_for(network, AuditEntry.Action.UPDATE).get()
    assert changed.actor_id == world.admin.pk and changed.source == "ui"
    assert changed.before == {"short_name": "GN"} and changed.after == {
        "short_name": "GCC"
    }  # only what changed
    assert changed.request_id and changed.request_id != created.request_id

    response = client.post(reverse("registry:network_delete", args=[network.pk]))
    assert response.status_code == 302
    deleted = audit_entries_for(network, AuditEntry.Action.DELETE).get()
    assert deleted.actor_id == world.admin.pk and deleted.source == "ui"
    assert deleted.before["short_name"] == "GCC" and deleted.after is None
    assert "intact" in verify_output()


def test_an_unchanged_save_writes_no_entry(world):
    count = AuditEntry.objects.count()
    world.coe.save()
    assert AuditEntry.objects.count() == count


def test_many_to_many_changes_are_recorded_as_an_update_of_the_owner(world):
    organisation = world.kz_ministry
    with audit_actor(world.nfp_kz, source="ui"):
        record_save(user=world.nfp_kz, instance=organisation, m2m={"networks": [world.coe, world.asean]})
    entry = audit_entries_for(organisation, AuditEntry.Action.UPDATE).order_by("-pk").first()
    assert entry.before == {"networks": [world.coe.pk]}
    assert entry.after == {"networks": sorted([world.coe.pk, world.asean.pk])}
    assert entry.actor_id == world.nfp_kz.pk


def test_a_change_with_no_context_is_recorded_as_system(world):
    registry.ThematicArea.objects.create(code="detection", name="Detection", order=2)
    area = registry.ThematicArea.objects.get(code="detection")
    entry = audit_entries_for(area, AuditEntry.Action.CREATE).get()
    assert entry.source == "system" and entry.actor_id is None and entry.actor_repr == ""
    assert entry.request_id  # still groups the changes of one operation


def test_changes_inside_audit_actor_are_attributed_to_its_user_and_source(world):
    with audit_actor(world.sec_ca, source="command", request_id="import-42"):
        area = registry.ThematicArea.objects.create(code="forensics", name="Forensics", order=3)
        area.name = "Nuclear forensics"
        area.save()
        area_id = area.pk
        record_delete(user=world.admin, instance=area)
    entries = list(
        AuditEntry.objects.filter(model_label="registry.thematicarea", object_id=str(area_id)).order_by("pk")
    )
    assert [entry.action for entry in entries] == ["create", "update", "delete"]
    assert {(entry.actor_id, entry.actor_repr, entry.source, entry.request_id) for entry in entries} == {
        (world.sec_ca.pk, "sec-ca", "command", "import-42")
    }


def test_secrets_are_redacted_when_recorded(world):
    entry = audit_entries_for(world.admin, AuditEntry.Action.CREATE).get()
    assert entry.after["password"] == audit.REDACTED
    assert world.admin.password not in str(entry.after)


def test_a_non_canonical_ipv6_address_still_verifies(world):
    with audit_actor(world.admin, source="api", remote_addr="2001:DB8:0:0:0:0:0:1"):
        registry.ThematicArea.objects.create(code="ipv6", name="IPv6", order=9)
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.remote_addr == "2001:db8::1"
    assert "intact" in verify_output()


# --- the entries are append-only ----------------------------------------------------------------


def test_an_entry_refuses_save_and_delete(world):
    entry = AuditEntry.objects.order_by("-pk").first()
    entry.actor_repr = "someone else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_repr != "someone else"
    assert "intact" in verify_output()


@pytest.mark.skipif(not POSTGRES, reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET actor_repr = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_postgres_refuses_a_raw_update_or_delete(world, sql):
    entry = AuditEntry.objects.order_by("-pk").first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor_repr == entry.actor_repr


# --- verification -------------------------------------------------------------------------------


def test_verify_passes_on_a_clean_chain_and_prints_the_head(world):
    three_entries(world)
    output = verify_output()
    head = AuditChainHead.objects.get(pk=1)
    assert f"{head.entries} entries" in output and head.last_hash in output
    assert head.entries == AuditEntry.objects.count()


def test_verify_detects_an_edited_entry(world):
    _first, middle, _last = three_entries(world)
    raw("UPDATE core_auditentry SET actor_repr = %s WHERE id = %s", ["nfp-uz", middle.pk])
    problems = verify_problems()
    assert f"entry {middle.pk}: its content does not match its hash" in problems


def test_verify_detects_edited_values(world):
    _first, middle, _last = three_entries(world)
    raw("UPDATE core_auditentry SET after = %s WHERE id = %s", ['{"name": "Forged"}', middle.pk])
    assert f"entry {middle.pk}: its content does not match its hash" in verify_problems()


def test_verify_detects_a_deleted_middle_entry(world):
    _first, middle, last = three_entries(world)
    raw("DELETE FROM core_auditentry WHERE id = %s", [middle.pk])
    problems = verify_problems()
    assert f"entry {last.pk}: its link does not match the entry before it" in problems
    assert "entries were deleted" in problems


def test_verify_detects_a_deleted_newest_entry(world):
    *_, last = three_entries(world)
    raw("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    problems = verify_problems()
    assert "the newest entries were removed" in problems
    assert "entries were deleted" in problems


def test_verify_exits_non_zero_on_the_command_line(world, capsys):
    _first, middle, _last = three_entries(world)
    raw("UPDATE core_auditentry SET object_repr = 'forged' WHERE id = %s", [middle.pk])
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["cbrnet", "audit", "verify"])
    assert exit_info.value.code == 1
    assert f"entry {middle.pk}" in capsys.readouterr().err


# --- `cbrnet audit show` -------------------------------------------------------------------------


def test_show_prints_recent_entries_of_one_record(world):
    with audit_actor(world.admin, source="command"):
        world.coe.short_name = "CoE"
        world.coe.save()
    out = io.StringIO()
    call_command(
        "audit",
        "show",
        "--model",
        "registry.network",
        "--object",
        str(world.coe.pk),
        "--limit",
        "1",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert (
        lines[0].startswith("#")
        and "update registry.network" in lines[0]
        and "by admin via command" in lines[0]
    )
    assert lines[1].strip() == "short_name: EU CBRN CoE → CoE"
    assert len([line for line in lines if line.startswith("#")]) == 1


def test_show_limits_and_refuses_an_unknown_model(world):
    out = io.StringIO()
    call_command("audit", "show", "--limit", "3", stdout=out)
    assert len([line for line in out.getvalue().splitlines() if line.startswith("#")]) == 3
    with pytest.raises(CommandError, match="--model 'registry.nothing'"):
        call_command("audit", "show", "--model", "registry.nothing")


# --- the audit-log page -------------------------------------------------------------------------


URL = "/audit/"


def test_the_audit_log_url_is_named():
    assert reverse("core:audit_list") == URL


@pytest.mark.parametrize("persona", ["nfp_kz", "sec_ca", "viewer_my", "jrc_user", "outsider"])
def test_only_platform_administrators_may_read_the_audit_log(world, persona):
    assert client_for(getattr(world, persona)).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_audit_log_lists_entries_newest_first_and_paginates(world):
    response = client_for(world.admin).get(URL)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) == 50 and entries[0].pk > entries[-1].pk
    assert entries[0].pk == AuditEntry.objects.order_by("-pk").first().pk
    assert "page=2" in response.content.decode()
    second = client_for(world.admin).get(URL, {"page": 2}).context["entries"]
    assert second[0].pk < entries[-1].pk


def test_the_audit_log_filters_by_model_actor_action_and_date(world):
    with audit_actor(world.sec_ca, source="ui"):
        world.ca.description = "changed by the secretariat"
        world.ca.save()
    client = client_for(world.admin)
    response = client.get(URL, {"model": "registry.region", "actor": "SEC-CA", "action": "update"})
    assert [(entry.model_label, entry.object_id) for entry in response.context["entries"]] == [
        ("registry.region", str(world.ca.pk))
    ]
    today = AuditEntry.objects.order_by("-pk").first().timestamp.date()
    assert (
        client.get(URL, {"since": today, "until": today}).context["page"].paginator.count
        == AuditEntry.objects.count()
    )
    assert client.get(URL, {"until": "2000-01-01"}).context["page"].paginator.count == 0


def test_bad_filter_values_are_named_and_list_nothing(world):
    response = client_for(world.admin).get(URL, {"since": "yesterday-ish", "model": "registry.nothing"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "From (UTC date): Enter a valid date." in page
    assert "Record type: Select a valid choice." in page
    assert response.context["page"].paginator.count == 0


def test_the_audit_log_hides_deleted_peoples_contacts_and_account_secrets(world):
    person = registry.Person.objects.create(
        given_name="Gone", family_name="Person", email="gone@example.org", phone="+111 222"
    )
    person_id = person.pk
    person.delete()
    response = client_for(world.admin).get(URL, {"model": "registry.person"})
    page = response.content.decode()
    assert "gone@example.org" not in page and "+111 222" not in page
    rows = {key: (before, after) for key, before, after in response.context["entries"][0].rows}
    assert response.context["entries"][0].object_id == str(person_id)
    assert rows["email"] == (audit.REDACTED, "")
    users = client_for(world.admin).get(URL, {"model": "accounts.user", "action": "create"}).content.decode()
    assert "nfp-kz@example.org" in users  # accounts are the administrator's to manage
    assert world.nfp_kz.password not in users


def test_contact_details_in_the_audit_log_follow_the_access_engine(world):
    """As on a person's own history: consent decides contacts; an invisible record shows no values."""
    entries = {
        entry.object_id: entry
        for entry in AuditEntry.objects.filter(model_label="registry.person", action="create")
    }
    shown = {
        int(entry.object_id): entry
        for entry in audit_entry_list(user=world.nfp_ph, entries=list(entries.values()))
    }

    def email(person):
        return {key: after for key, _before, after in shown[person.pk].rows}["email"]

    assert email(world.p_nfp_kz) == "aru@example.org"  # listed, contacts open to the network
    assert email(world.p_nfp_uz) == audit.REDACTED  # listed, contacts private
    assert shown[world.p_nfp_uz.pk].readable
    hidden = shown[world.p_hidden_kz.pk]  # not listed, another country: invisible to the PH focal point
    assert not hidden.readable
    assert {after for _key, _before, after in hidden.rows} <= {audit.REDACTED, ""}
    assert email(world.p_nfp_ph) == "maria@example.org"  # oneself
