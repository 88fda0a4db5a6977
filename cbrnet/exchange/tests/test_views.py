"""The bulletin pages and their sharing actions: each goes through the engine (404 invisible, 403 not
allowed), calls one service, and reports refused input by field with nothing changed."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cbrnet.core.testing import client_for
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.sharing.choices import TLP, AccessKind, Status
from cbrnet.sharing.models import AccessLog, BreakGlass, Grant, ShareApproval
from cbrnet.sharing.tests.helpers import ORGANISATION, REGION, USER, make_bulletin, make_user

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_editor_publishes_a_draft_and_recipients_then_see_it(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], status=Status.DRAFT)
    assert client_for(people.th_viewer).get(item.get_absolute_url()).status_code == 404
    response = client_for(world.nfp_ph).post(f"/exchange/bulletins/{item.pk}/publish/")
    assert response.status_code == 302 and "Published" in messages_of(response)
    assert client_for(people.th_viewer).get(item.get_absolute_url()).status_code == 200


def test_a_recipient_may_not_publish_withdraw_or_change_the_label(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    client = client_for(world.nfp_th)
    assert client.post(f"/exchange/bulletins/{item.pk}/withdraw/").status_code == 403
    assert client.post(f"/exchange/bulletins/{item.pk}/tlp/", {"tlp": TLP.RED}).status_code == 403
    item.refresh_from_db()
    assert (item.status, item.tlp) == (Status.PUBLISHED, TLP.GREEN)


def test_actions_on_an_invisible_bulletin_are_404(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    client = client_for(world.nfp_kz)
    for action in ("publish", "withdraw", "tlp", "grants", "updates", "attachment"):
        method = client.get if action == "attachment" else client.post
        assert method(f"/exchange/bulletins/{item.pk}/{action}/").status_code == 404, action


def test_a_bad_label_is_reported_by_field_and_changes_nothing(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    response = client_for(world.nfp_ph).post(f"/exchange/bulletins/{item.pk}/tlp/", {"tlp": "TLP:PURPLE"})
    assert response.status_code == 302 and "New label:" in messages_of(response)
    item.refresh_from_db()
    assert item.tlp == TLP.GREEN


def test_a_red_grant_to_an_organisation_is_refused_naming_the_field(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, status=Status.DRAFT)
    response = client_for(people.ph_author).post(
        f"/exchange/bulletins/{item.pk}/grants/", {"scope": "organisation", "organisation": world.th_fp.pk}
    )
    assert response.status_code == 400
    assert "Share with: TLP:RED may be shared with named people only" in response.content.decode()
    assert not Grant.objects.exists()


def test_a_grant_without_its_target_names_the_missing_field(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, status=Status.DRAFT)
    response = client_for(world.nfp_ph).post(f"/exchange/bulletins/{item.pk}/grants/", {"scope": "country"})
    assert response.status_code == 400
    assert "Country: Choose the country to share with." in response.content.decode()
    assert not Grant.objects.exists()


def test_the_share_page_offers_only_people_the_user_may_see(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    page = client_for(world.nfp_ph).get(f"/exchange/bulletins/{item.pk}/grants/").content.decode()
    assert "Bek Uzfocal" in page  # in the directory
    assert "Somchai Thfocal" not in page  # not listed, another country: not the PH focal point's to see
    assert "Share with…" in client_for(world.nfp_ph).get(item.get_absolute_url()).content.decode()


def test_an_editor_shares_with_a_person_and_removes_the_grant(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    client = client_for(world.nfp_ph)
    response = client.post(
        f"/exchange/bulletins/{item.pk}/grants/", {"scope": "user", "person": world.p_nfp_th.pk}
    )
    assert response.status_code == 400 and "Person: Select a valid choice" in response.content.decode()
    response = client.post(
        f"/exchange/bulletins/{item.pk}/grants/", {"scope": "user", "person": world.p_nfp_uz.pk}
    )
    assert response.status_code == 302 and "Shared with nfp-uz." in messages_of(response)
    assert client_for(world.nfp_uz).get(item.get_absolute_url()).status_code == 200
    grant = Grant.objects.get()
    client.post(f"/exchange/bulletins/{item.pk}/grants/{grant.pk}/remove/")
    assert client_for(world.nfp_uz).get(item.get_absolute_url()).status_code == 404


def test_the_detail_page_shows_amber_recipients_a_count_and_the_owner_the_list(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    recipient = client_for(people.th_viewer).get(item.get_absolute_url()).content.decode()
    assert "Your organisation + 4 others" in recipient and "South East Asia" not in recipient
    owner = client_for(world.nfp_ph).get(item.get_absolute_url()).content.decode()
    assert "South East Asia" in owner and "MY Ministry of Health" in owner
    assert 'class="tlp tlp-amber"' in owner


def test_pages_keep_the_strict_csp(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(REGION, world.sea)])
    for url in (
        "/exchange/bulletins/",
        item.get_absolute_url(),
        f"/exchange/bulletins/{item.pk}/edit/",
        "/exchange/bulletins/add/",
        f"/exchange/bulletins/{item.pk}/grants/",
        f"/exchange/bulletins/{item.pk}/break-glass/",
    ):
        html = client_for(world.nfp_ph).get(url).content.decode()
        assert " style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_an_update_is_posted_by_a_recipient_and_shown_to_the_audience(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)])
    response = client_for(world.nfp_th).post(
        f"/exchange/bulletins/{item.pk}/updates/", {"body": "Our lab confirms the agent.", "tlp": TLP.AMBER}
    )
    assert response.status_code == 302 and "Posted." in messages_of(response)
    update = BulletinUpdate.objects.get()
    assert update.owner_organisation_id == world.th_fp.pk and update.status == Status.PUBLISHED
    assert (
        "Our lab confirms the agent."
        in client_for(people.ph_viewer).get(item.get_absolute_url()).content.decode()
    )
    assert (
        "Our lab confirms the agent."
        in client_for(people.th_viewer).get(item.get_absolute_url()).content.decode()
    )


def test_updates_looser_than_the_bulletin_are_refused_and_viewers_may_not_post(world, people):
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp), (ORGANISATION, world.my_moh)]
    )
    response = client_for(world.nfp_th).post(
        f"/exchange/bulletins/{item.pk}/updates/", {"body": "x", "tlp": TLP.GREEN}
    )
    assert "TLP:" in messages_of(response) and not BulletinUpdate.objects.exists()
    assert (
        client_for(world.viewer_my)
        .post(f"/exchange/bulletins/{item.pk}/updates/", {"body": "x", "tlp": TLP.AMBER})
        .status_code
        == 403
    )


def test_the_attachment_is_downloaded_only_by_readers_and_red_downloads_are_logged(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    item.attachment = SimpleUploadedFile("report.pdf", b"%PDF-1.4 secret", content_type="application/pdf")
    item.save()
    response = client_for(world.nfp_th).get(f"/exchange/bulletins/{item.pk}/attachment/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 secret"
    assert response["Content-Disposition"].startswith("attachment")
    assert client_for(people.ph_viewer).get(f"/exchange/bulletins/{item.pk}/attachment/").status_code == 404
    assert client_for(world.nfp_th).get(f"/api/exchange/bulletins/{item.pk}/attachment").status_code == 200
    assert list(AccessLog.objects.filter(kind=AccessKind.READ).values_list("channel", flat=True)) == [
        "download",
        "download",
    ]


def test_an_attachment_upload_through_the_form(world, people):
    upload = SimpleUploadedFile("sitrep.txt", b"all clear", content_type="text/plain")
    response = client_for(world.nfp_ph).post(
        "/exchange/bulletins/add/",
        {"title": "With a file", "body": "See attached.", "tlp": TLP.AMBER, "attachment": upload},
    )
    assert response.status_code == 302
    item = Bulletin.objects.get(title="With a file")
    assert item.attachment.name.endswith("/sitrep.txt") and "With a file" not in item.attachment.name
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(world.nfp_ph).post(
        "/exchange/bulletins/add/", {"title": "Bad file", "body": "x", "tlp": TLP.AMBER, "attachment": bad}
    )
    assert response.status_code == 400 and "Attachment" in response.content.decode()
    assert not Bulletin.objects.filter(title="Bad file").exists()


def test_reading_a_red_bulletin_is_logged(world, people):
    item = make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    assert client_for(world.nfp_th).get(item.get_absolute_url()).status_code == 200
    log = AccessLog.objects.get()
    assert (log.kind, log.channel, log.user_id, log.object_id) == (
        AccessKind.READ,
        "ui",
        world.nfp_th.pk,
        item.pk,
    )


def test_break_glass_is_for_platform_administrators_with_a_reason(world, people):
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.AMBER)
    url = f"/exchange/bulletins/{item.pk}/break-glass/"
    assert client_for(world.nfp_kz).get(url).status_code == 404
    admin = client_for(world.admin)
    assert admin.get(item.get_absolute_url()).status_code == 404
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"reason": "short"})
    assert response.status_code == 400 and "Reason" in response.content.decode()
    assert not BreakGlass.objects.exists()
    response = admin.post(url, {"reason": "Suspected leak, ticket SEC-2031"})
    assert response.status_code == 302
    page = admin.get(item.get_absolute_url())
    assert page.status_code == 200 and "under break-glass access" in page.content.decode()
    assert set(AccessLog.objects.values_list("kind", flat=True)) == {
        AccessKind.BREAK_GLASS,
        AccessKind.BREAK_GLASS_READ,
    }


def test_four_eyes_publication_waits_for_a_second_editor_in_the_ui(world, people, settings):
    settings.SHARING_FOUR_EYES = True
    second = make_user("ph-editor", world.ph_fp, "editor")
    item = make_bulletin(
        author=world.nfp_ph, tlp=TLP.AMBER, grants=[(ORGANISATION, world.th_fp)], status=Status.DRAFT
    )
    response = client_for(world.nfp_ph).post(f"/exchange/bulletins/{item.pk}/publish/")
    assert "Waiting for a second editor" in messages_of(response)
    approval = ShareApproval.objects.get()
    assert client_for(world.nfp_ph).post(f"/exchange/approvals/{approval.pk}/approve/").status_code == 403
    assert client_for(world.nfp_th).post(f"/exchange/approvals/{approval.pk}/approve/").status_code == 404
    page = client_for(second).get(item.get_absolute_url()).content.decode()
    assert f"/exchange/approvals/{approval.pk}/approve/" in page
    client_for(second).post(f"/exchange/approvals/{approval.pk}/approve/")
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED


def test_anonymous_visitors_of_a_public_portal_read_clear_bulletins_only(world, people, settings):
    settings.PUBLIC_PORTAL = True
    clear = make_bulletin(author=world.nfp_ph, tlp=TLP.CLEAR, title="Public notice")
    green = make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean], title="Network notice")
    page = Client().get("/exchange/bulletins/").content.decode()
    assert "Public notice" in page and "Network notice" not in page
    assert Client().get(clear.get_absolute_url()).status_code == 200
    assert Client().get(green.get_absolute_url()).status_code == 404
    assert Client().post(f"/exchange/bulletins/{clear.pk}/withdraw/").status_code == 302  # to sign in
    clear.refresh_from_db()
    assert clear.status == Status.PUBLISHED
