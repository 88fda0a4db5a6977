"""Personal API tokens: the `token` command, hashed storage, read/write scope, expiry and
revocation, the account page, and the audit of a token's writes."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from cbrnet.accounts import services
from cbrnet.accounts.models import ApiToken
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.registry import models as registry

pytestmark = pytest.mark.django_db

NETWORKS = "/api/registry/networks/"
NEW_NETWORK = {"code": "gcc-net", "name": "Gulf network", "short_name": "GN"}


def api(key: str) -> Client:
    # CSRF is enforced as in production: a bearer token needs none.
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")


def create_token(user, scope: str) -> str:
    _token, key = services.api_token_create(user=user, name=f"{scope} token", scope=scope)
    return key


def is_problem(response, status: int) -> bool:
    return response.status_code == status and response["Content-Type"] == "application/problem+json"


def test_the_command_prints_a_key_and_stores_only_its_sha256(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "admin", "--scope", "read", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("cbr_") and len(key) > 40
    token = ApiToken.objects.get(user=world.admin)
    assert token.scope == "read"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in err.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored and key[len("cbr_") + 8 :] not in stored
    entry = audit_entries_for(token, AuditEntry.Action.CREATE).get()
    assert entry.source == "command" and entry.after["key_hash"] == "***"
    assert api(key).get(NETWORKS).status_code == 200


def test_the_command_refuses_an_unknown_user_and_bad_days(world):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("token", "create", "ghost")
    with pytest.raises(CommandError, match="between 1 and 366 days"):
        call_command("token", "create", "admin", "--days", "400")
    assert not ApiToken.objects.exists()


def test_a_read_token_reads_but_may_not_write(world):
    key = create_token(world.admin, "read")
    client = api(key)
    assert client.get(NETWORKS).status_code == 200
    assert client.get(f"{NETWORKS}{world.coe.pk}").json()["code"] == "eu-cbrn-coe"
    responses = [
        client.post(NETWORKS, NEW_NETWORK, content_type="application/json"),
        client.patch(f"{NETWORKS}{world.coe.pk}", {"short_name": "x"}, content_type="application/json"),
        client.put(f"{NETWORKS}{world.coe.pk}", NEW_NETWORK, content_type="application/json"),
        client.delete(f"{NETWORKS}{world.asean.pk}"),
    ]
    for response in responses:
        assert is_problem(response, 403), response.content
        assert response.json()["detail"] == "This token is read-only."
    assert not registry.Network.objects.filter(code="gcc-net").exists()
    assert registry.Network.objects.get(pk=world.coe.pk).short_name == "EU CBRN CoE"
    assert registry.Network.objects.filter(pk=world.asean.pk).exists()


def test_a_write_token_writes_and_its_changes_are_audited_as_its_user_via_the_api(world):
    key = create_token(world.admin, "write")
    client = api(key)
    response = client.post(NETWORKS, NEW_NETWORK, content_type="application/json")
    assert response.status_code == 201, response.content
    network = registry.Network.objects.get(pk=response.json()["id"])
    assert (
        client.patch(
            f"{NETWORKS}{network.pk}", {"short_name": "GCC"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert client.delete(f"{NETWORKS}{network.pk}").status_code == 204
    entries = list(
        AuditEntry.objects.filter(model_label="registry.network", object_id=str(response.json()["id"]))
    )
    assert sorted(entry.action for entry in entries) == ["create", "delete", "update"]
    assert {(entry.actor_id, entry.actor_repr, entry.source) for entry in entries} == {
        (world.admin.pk, "admin", "api")
    }


def test_a_write_token_is_still_bound_by_the_access_engine(world):
    key = create_token(world.nfp_kz, "write")
    response = api(key).post(NETWORKS, NEW_NETWORK, content_type="application/json")
    assert is_problem(response, 403)
    assert api(key).get(f"{NETWORKS}{world.coe.pk}").status_code == 200


def test_an_expired_token_gets_401(world):
    key = create_token(world.admin, "write")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = api(key).get(NETWORKS)
    assert is_problem(response, 401) and response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_gets_401(world):
    key = create_token(world.admin, "write")
    services.api_token_revoke(user=world.admin, token=ApiToken.objects.get())
    assert is_problem(api(key).get(NETWORKS), 401)


def test_a_write_with_a_revoked_token_gets_401(world):
    key = create_token(world.admin, "write")
    services.api_token_revoke(user=world.admin, token=ApiToken.objects.get())
    response = api(key).post(NETWORKS, NEW_NETWORK, content_type="application/json")
    assert not registry.Network.objects.filter(code="gcc-net").exists()
    assert is_problem(response, 401)


def test_an_unknown_token_or_an_inactive_users_token_gets_401(world):
    assert is_problem(api("cbr_not-a-real-token").get(NETWORKS), 401)
    key = create_token(world.viewer_my, "read")
    world.viewer_my.is_active = False
    world.viewer_my.save()
    assert is_problem(api(key).get(NETWORKS), 401)


def test_use_is_recorded_without_an_audit_entry(world):
    key = create_token(world.admin, "read")
    count = AuditEntry.objects.count()
    api(key).get(NETWORKS)
    assert ApiToken.objects.get().last_used_at is not None
    assert AuditEntry.objects.count() == count


def test_the_account_page_creates_a_token_shown_once(world):
    client = client_for(world.viewer_my)
    response = client.post("/accounts/me/", {"name": "laptop script", "scope": "read", "days": 30})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = ApiToken.objects.get(user=world.viewer_my)
    assert (token.name, token.scope, token.key_hash) == ("laptop script", "read", ApiToken.hash_key(key))
    assert (token.expires_at - timezone.now()).days in (29, 30)
    later = client.get("/accounts/me/").content.decode()
    assert "laptop script" in later and key not in later
    assert api(key).get(NETWORKS).status_code == 200


def test_the_account_page_names_bad_token_fields(world):
    response = client_for(world.viewer_my).post("/accounts/me/", {"name": "", "scope": "admin", "days": 999})
    assert response.status_code == 200 and response.context["new_key"] is None
    form = response.context["form"]
    assert set(form.errors) == {"name", "scope", "days"}
    assert not ApiToken.objects.exists()


def test_the_account_page_revokes_a_token(world):
    key = create_token(world.viewer_my, "read")
    token = ApiToken.objects.get()
    client = client_for(world.viewer_my)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert ApiToken.objects.get().revoked
    assert is_problem(api(key).get(NETWORKS), 401)
    assert audit_entries_for(token, AuditEntry.Action.UPDATE).get().after == {"revoked": True}


def test_nobody_revokes_another_users_token(world):
    create_token(world.viewer_my, "read")
    token = ApiToken.objects.get()
    assert client_for(world.nfp_kz).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert not ApiToken.objects.get().revoked
    with pytest.raises(services.PermissionDenied):
        services.api_token_revoke(user=world.nfp_kz, token=token)
