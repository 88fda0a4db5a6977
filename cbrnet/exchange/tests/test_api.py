"""The bulletin API's sharing actions: the same services and rules as the web UI, answered as RFC 9457
problem details (422 naming the field, 403 not allowed, 404 invisible)."""

import pytest

from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.exchange.models import Bulletin
from cbrnet.sharing.choices import TLP, AccessKind, Status
from cbrnet.sharing.models import AccessLog, Grant
from cbrnet.sharing.tests.helpers import ORGANISATION, REGION, USER, make_bulletin, make_user

pytestmark = pytest.mark.django_db
API = "/api/exchange/bulletins/"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_create_share_and_publish_through_the_api_is_audited_as_api(world, people):
    client = client_for(world.nfp_ph)
    response = post(
        client, API, {"title": "Anthrax hoax letters", "body": "Three letters.", "tlp": TLP.AMBER}
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = post(
        client, f"{API}{pk}/grants", {"scope": "region", "target": world.sea.pk, "roles": ["focal_point"]}
    )
    assert response.status_code == 201 and response.json()["roles"] == ["focal_point"]
    response = post(client, f"{API}{pk}/publish")
    assert response.status_code == 200 and response.json()["status"] == Status.PUBLISHED
    bulletin = Bulletin.objects.get(pk=pk)
    publish = audit_entries_for(bulletin, AuditEntry.Action.UPDATE).filter(after__status="published").get()
    assert publish.source == "api" and publish.actor_id == world.nfp_ph.pk
    assert client_for(world.nfp_th).get(f"{API}{pk}").status_code == 200
    assert client_for(people.th_viewer).get(f"{API}{pk}").status_code == 404  # roles {focal_point} (R8)


def test_bad_input_is_a_422_naming_the_field(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, status=Status.DRAFT)
    client = client_for(people.ph_author)
    response = post(client, f"{API}{item.pk}/grants", {"scope": "organisation", "target": world.ph_fp.pk})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in response.json()["errors"]} == {"scope"}
    response = post(client, f"{API}{item.pk}/tlp", {"tlp": "TLP:PURPLE"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "tlp"
    response = post(client, f"{API}{item.pk}/grants", {"scope": "organisation", "target": 999999})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "organisation"
    response = post(client, f"{API}{item.pk}/grants", {"scope": "galaxy"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "scope"
    assert not Grant.objects.exists()


def test_recipients_get_403_and_strangers_404(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    recipient = client_for(world.nfp_th)
    assert post(recipient, f"{API}{item.pk}/withdraw").status_code == 403
    assert (
        post(
            recipient, f"{API}{item.pk}/grants", {"scope": "organisation", "target": world.my_fp.pk}
        ).status_code
        == 403
    )
    assert (
        recipient.patch(f"{API}{item.pk}", {"title": "mine"}, content_type="application/json").status_code
        == 403
    )
    stranger = client_for(world.nfp_kz)
    for url in (f"{API}{item.pk}", f"{API}{item.pk}/audience", f"{API}{item.pk}/updates"):
        assert stranger.get(url).status_code == 404, url
    assert post(stranger, f"{API}{item.pk}/withdraw").status_code == 404
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.grants.count() == 1


def test_the_audience_endpoint_follows_r13(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    recipient = client_for(people.th_viewer).get(f"{API}{item.pk}/audience").json()
    assert recipient["full"] is False and recipient["grants"] == [] and recipient["others"] == 4
    owner = client_for(world.nfp_ph).get(f"{API}{item.pk}/audience").json()
    assert owner["full"] is True and owner["grants"][0]["scope"] == "region" and len(owner["members"]) == 5


def test_changing_a_published_label_goes_through_the_tlp_action(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    client = client_for(world.nfp_ph)
    response = client.patch(f"{API}{item.pk}", {"tlp": TLP.CLEAR}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "tlp"
    response = post(client, f"{API}{item.pk}/tlp", {"tlp": TLP.AMBER_STRICT})
    assert response.status_code == 200 and response.json()["tlp"] == TLP.AMBER_STRICT


def test_updates_and_approvals_through_the_api(world, people, settings):
    settings.SHARING_FOUR_EYES = True
    second = make_user("ph-editor", world.ph_fp, "editor")
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    response = post(client_for(world.nfp_th), f"{API}{item.pk}/updates", {"body": "Seen at our border too."})
    assert response.status_code == 201 and response.json()["tlp"] == TLP.GREEN
    updates = client_for(world.viewer_my).get(f"{API}{item.pk}/updates").json()
    assert [update["body"] for update in updates] == ["Seen at our border too."]
    response = post(
        client_for(world.nfp_ph),
        f"{API}{item.pk}/grants",
        {"scope": "organisation", "target": world.th_fp.pk},
    )
    assert response.status_code == 201  # the first grant of a GREEN item narrows it: no approval needed
    response = post(
        client_for(world.nfp_ph),
        f"{API}{item.pk}/grants",
        {"scope": "organisation", "target": world.my_moh.pk},
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    approval = response.json()["id"]
    assert [row["id"] for row in client_for(second).get("/api/exchange/approvals/").json()] == [approval]
    assert post(client_for(world.nfp_ph), f"/api/exchange/approvals/{approval}/approve").status_code == 403
    assert (
        post(client_for(second), f"/api/exchange/approvals/{approval}/approve").json()["status"] == "approved"
    )
    assert item.grants.filter(organisation=world.my_moh).exists()


def test_break_glass_through_the_api(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    assert (
        post(
            client_for(world.nfp_kz), f"{API}{item.pk}/break-glass", {"reason": "I am curious about it"}
        ).status_code
        == 404
    )
    admin = client_for(world.admin)
    response = post(admin, f"{API}{item.pk}/break-glass", {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    assert admin.get(f"{API}{item.pk}").status_code == 404
    assert post(admin, f"{API}{item.pk}/break-glass", {"reason": "Court order 2026/118"}).status_code == 201
    assert admin.get(f"{API}{item.pk}").status_code == 200
    assert AccessLog.objects.filter(kind=AccessKind.BREAK_GLASS_READ, channel="api").count() == 1


def test_red_bodies_in_api_lists_are_logged(world, people):
    make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    listing = client_for(world.nfp_th).get(API).json()
    assert listing["count"] == 2
    assert AccessLog.objects.filter(kind=AccessKind.READ, channel="api", user=world.nfp_th).count() == 1


def test_filters_and_ordering_of_the_list(world, people):
    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], title="Alpha")
    make_bulletin(author=world.nfp_th, tlp=TLP.CLEAR, title="Beta")
    client = client_for(world.nfp_ph)
    assert [row["title"] for row in client.get(API, {"tlp": TLP.CLEAR}).json()["results"]] == ["Beta"]
    assert [row["title"] for row in client.get(API, {"network": world.asean.pk}).json()["results"]] == [
        "Alpha"
    ]
    assert [
        row["title"] for row in client.get(API, {"owner_organisation": world.th_fp.pk}).json()["results"]
    ] == ["Beta"]
    assert [row["title"] for row in client.get(API, {"ordering": "-title"}).json()["results"]] == [
        "Beta",
        "Alpha",
    ]
    response = client.get(API, {"ordering": "body"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ordering"
    response = client.get(API, {"tlp": "TLP:PURPLE"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "tlp"
