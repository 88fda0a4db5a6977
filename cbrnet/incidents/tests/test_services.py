"""The rules of the services: request versions, offers and decisions, deployments, closing, invitations,
situation reports, and who is notified of what (announcements through the task engine)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import audit_entries_for
from cbrnet.incidents import selectors, services
from cbrnet.incidents.choices import CapabilityStatus, DeploymentStage, OfferStatus, Phase, RequestStatus
from cbrnet.incidents.models import Announcement, AssistanceRequest, Deployment, RequestVersion
from cbrnet.incidents.tests.helpers import (
    make_capability,
    make_incident,
    make_offer,
    make_request,
    make_sitrep,
)
from cbrnet.notifications.models import Notification, OutboxMessage
from cbrnet.sharing.choices import TLP

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def names(users):
    return sorted(user.get_username() for user in users)


def notified(obj_title_part=""):
    return sorted(
        notification.recipient.get_username()
        for notification in Notification.objects.select_related("recipient")
        if obj_title_part in notification.title
    )


# --- requests and their versions --------------------------------------------------------------------
def test_amending_a_request_keeps_every_version_with_what_changed(world, scene):
    request = scene.request
    with audit_actor(world.team_kz, source="ui"):
        request.title = "Detection, decontamination and a field hospital"
        services.request_amend(
            user=world.team_kz,
            request=request,
            reason="Casualties rising.",
            items=[
                {"code": "UCPM-CBRNDET", "quantity": 1},
                {"code": "GRP-DECON", "quantity": 3},
                {"code": "UCPM-FHOS", "quantity": 1},
            ],
        )
    request.refresh_from_db()
    assert request.version == 2
    versions = list(RequestVersion.objects.filter(request=request).order_by("number"))
    assert [version.number for version in versions] == [1, 2]
    assert versions[0].snapshot["items"] == [
        {"code": "UCPM-CBRNDET", "quantity": 1, "note": ""},
        {"code": "GRP-DECON", "quantity": 2, "note": ""},
    ]
    assert versions[1].reason == "Casualties rising." and versions[1].amended_by == world.team_kz
    newest, first = selectors.request_versions(user=world.nfp_kz, request=request)
    changes = {label: (before, after) for label, before, after in newest.changes}
    assert changes["title"] == (
        "Detection and decontamination",
        "Detection, decontamination and a field hospital",
    )
    assert changes["capabilities needed"] == (
        "1 × UCPM-CBRNDET; 2 × GRP-DECON",
        "1 × UCPM-CBRNDET; 3 × GRP-DECON; 1 × UCPM-FHOS",
    )
    assert first.version.number == 1 and first.changes  # the first version lists its content


def test_versions_hide_the_restricted_conditions_from_those_who_may_not_see_them(world, scene):
    request = scene.request
    request.contact_name = "Night duty officer"
    services.request_amend(user=world.nfp_kz, request=request, reason="New contact")
    outsider_view = selectors.request_versions(user=world.nfp_uz, request=request)[0]
    insider_view = selectors.request_versions(user=world.sec_ca, request=request)[0]
    assert ("contact point", "***", "***") in outsider_view.changes
    assert ("contact point", "Duty officer", "Night duty officer") in insider_view.changes


def test_versions_are_never_changed(world, scene):
    version = scene.request.versions.get()
    version.reason = "rewritten"
    with pytest.raises(PermissionDenied):
        version.save()


def test_only_responders_ask_for_assistance_and_a_request_needs_a_known_capability(world, scene):
    with pytest.raises(PermissionDenied):
        make_request(world.nfp_uz, scene.incident)  # sees the incident, is not the affected country
    with pytest.raises(ValidationError) as error:
        make_request(world.nfp_kz, scene.incident, items=[("NO-SUCH", 1)])
    assert "items" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_request(world.nfp_kz, scene.incident, items=[])
    assert "items" in error.value.message_dict
    assert AssistanceRequest.objects.count() == 1
    assert make_request(world.team_kz, scene.incident, title="From the team").requested_by == world.team_kz


# --- offers, decisions, deployments ------------------------------------------------------------------
def test_accepting_an_offer_plans_a_deployment_shows_the_details_and_updates_the_request(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    assert not selectors.incident_details_visible(world.nfp_uz, scene.incident)
    with pytest.raises(PermissionDenied):
        services.offer_decide(user=world.nfp_uz, offer=offer, decision="accept")  # not the requesting side
    with audit_actor(world.nfp_kz, source="ui"):
        services.offer_decide(user=world.nfp_kz, offer=offer, decision="accept", note="Welcome.")
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by, offer.decision_note) == (
        OfferStatus.ACCEPTED,
        world.nfp_kz,
        "Welcome.",
    )
    deployment = Deployment.objects.get(offer=offer)
    assert (deployment.stage, deployment.personnel) == (DeploymentStage.PLANNED, 10)
    assert selectors.incident_details_visible(world.nfp_uz, scene.incident)
    scene.request.refresh_from_db()
    assert scene.request.status == RequestStatus.PARTLY_MET  # decontamination is still missing
    with pytest.raises(ValidationError):
        services.offer_decide(user=world.nfp_kz, offer=offer, decision="decline")  # decided already

    decon = make_offer(world.nfp_ph, scene.request, scene.ph_team, code="GRP-DECON", quantity=2)
    services.offer_decide(user=world.nfp_kz, offer=decon, decision="accept")
    scene.request.refresh_from_db()
    assert scene.request.status == RequestStatus.MET


def test_the_affected_country_does_not_offer_to_itself_nor_someone_else_capability(world, scene):
    with pytest.raises(ValidationError) as error:
        make_offer(world.nfp_kz, scene.request, scene.kz_team)
    assert "capability" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_offer(world.nfp_uz, scene.request, scene.ph_team, code="GRP-DECON")
    assert "capability" in error.value.message_dict


def test_the_offering_side_withdraws_a_pending_offer_but_not_a_decided_one(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    with pytest.raises(PermissionDenied):
        services.offer_withdraw(user=world.nfp_kz, offer=offer)
    services.offer_withdraw(user=world.nfp_uz, offer=offer)
    assert offer.status == OfferStatus.WITHDRAWN
    with pytest.raises(PermissionDenied):
        services.offer_withdraw(user=world.nfp_uz, offer=offer)


def test_the_deployment_timeline_only_goes_forward_and_the_capability_follows(world, scene):
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    services.offer_decide(user=world.nfp_kz, offer=offer, decision="accept")
    deployment = offer.deployment
    now = timezone.now()
    with audit_actor(world.nfp_uz, source="ui"):
        services.deployment_advance(user=world.nfp_uz, deployment=deployment, stage="mobilised", at=now)
    scene.uz_team.refresh_from_db()
    assert scene.uz_team.status == CapabilityStatus.DEPLOYED
    with pytest.raises(ValidationError) as error:
        services.deployment_advance(user=world.nfp_kz, deployment=deployment, stage="mobilised")
    assert "stage" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.deployment_advance(
            user=world.nfp_kz, deployment=deployment, stage="arrived", at=now - datetime.timedelta(hours=1)
        )
    assert "at" in error.value.message_dict
    services.deployment_advance(
        user=world.nfp_kz, deployment=deployment, stage="operating", at=now + datetime.timedelta(hours=9)
    )
    with pytest.raises(PermissionDenied):
        services.deployment_advance(user=world.nfp_ph, deployment=deployment, stage="demobilised")
    services.deployment_advance(
        user=world.nfp_uz, deployment=deployment, stage="demobilised", at=now + datetime.timedelta(days=9)
    )
    assert list(deployment.events.values_list("stage", flat=True)) == [
        "mobilised",
        "operating",
        "demobilised",
    ]
    scene.uz_team.refresh_from_db()
    assert scene.uz_team.status == CapabilityStatus.AVAILABLE
    assert audit_entries_for(deployment.events.first(), "create").get().actor_id == world.nfp_uz.pk


def test_closing_an_incident_closes_its_open_requests_and_takes_no_more(world, scene):
    with pytest.raises(PermissionDenied):
        services.incident_close(user=world.sec_ca, incident=scene.incident)
    services.incident_close(user=world.team_kz, incident=scene.incident, note="All clear.")
    scene.incident.refresh_from_db()
    scene.request.refresh_from_db()
    assert scene.incident.phase == Phase.CLOSED and scene.incident.closed_at is not None
    assert scene.request.status == RequestStatus.CLOSED and scene.request.version == 2
    assert scene.request.versions.get(number=2).reason == "All clear."
    with pytest.raises(ValidationError):
        make_request(world.nfp_kz, scene.incident)
    with pytest.raises(ValidationError):
        make_offer(world.nfp_uz, scene.request, scene.uz_team)


# --- invitations ----------------------------------------------------------------------------------------
def test_the_secretariat_invites_offers_from_the_ranked_list_in_one_step(world, scene):
    result = selectors.request_matches(user=world.sec_ca, request=scene.request)
    choices = [(match.capability.pk, match.score, match.reasons_json()) for match in result.matches[:2]]
    with pytest.raises(PermissionDenied):
        services.offers_invite(user=world.nfp_uz, request=scene.request, choices=choices)
    created = services.offers_invite(user=world.sec_ca, request=scene.request, choices=choices)
    assert [invitation.capability for invitation in created] == [scene.uz_team, scene.ph_team]
    assert created[0].reasons["fit"]["text"] == "UCPM-CBRNDET, as requested"
    assert set(scene.incident.detail_organisations.all()) == {world.uz_fp, world.ph_fp}
    assert services.offers_invite(user=world.sec_ca, request=scene.request, choices=choices) == []  # once
    offer = make_offer(world.nfp_uz, scene.request, scene.uz_team)
    assert scene.request.invitations.get(capability=scene.uz_team).status == "offered"
    assert offer.pk


# --- situation reports ----------------------------------------------------------------------------------
def test_sitreps_are_written_by_those_who_see_the_details_and_never_looser_than_the_incident(world, scene):
    with pytest.raises(PermissionDenied):
        make_sitrep(world.nfp_uz, scene.incident)
    sitrep = make_sitrep(world.sec_ca, scene.incident, tlp=TLP.AMBER)
    assert sitrep.status == "published" and sitrep.owner_organisation == world.ca_sec
    with pytest.raises(ValidationError) as error:
        make_sitrep(world.nfp_kz, scene.incident, tlp=TLP.CLEAR)
    assert "tlp" in error.value.message_dict


# --- notifications --------------------------------------------------------------------------------------
def test_publishing_an_incident_notifies_the_people_concerned_who_can_read_it(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(world.nfp_kz, world.kz, networks=[world.coe], title="Sarin suspected")
    # The affected country's team, every focal point and secretariat in the audience; not the
    # reporter, not those outside the CoE network (the MY viewer, the JRC), not the administrator.
    assert notified("Sarin suspected") == ["nfp-ph", "nfp-th", "nfp-uz", "sec-ca", "team-kz"]
    notification = Notification.objects.filter(title__contains="Sarin").first()
    assert notification.url == incident.get_absolute_url() and notification.kind == "incident"
    assert "sign in" in notification.body.lower()  # GREEN: the e-mail does not carry the content
    assert OutboxMessage.objects.filter(notification__title__contains="Sarin").count() == 5
    assert Announcement.objects.get(object_id=incident.pk).done_at is not None


def test_an_amber_incident_is_announced_only_to_its_audience_and_exercises_say_so(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(
            world.nfp_kz,
            world.kz,
            tlp=TLP.AMBER,
            grants=[("country", world.uz)],
            title="Drill",
            exercise=True,
        )
    # AMBER shared with Uzbekistan: its organisations (the UZ focal point; the CA secretariat is
    # hosted in Uzbekistan). Not the rest of the network, and not Kazakhstan's ministry either: the
    # owner chose the audience.
    assert notified("Drill") == ["nfp-uz", "sec-ca"]
    assert all(
        title.startswith("EXERCISE — ") for title in Notification.objects.values_list("title", flat=True)
    )


def test_requests_offers_decisions_and_sitreps_notify_their_sides(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(world.nfp_kz, world.kz, networks=[world.coe])
        request = make_request(world.nfp_kz, incident, title="Need detection")
        uz_team = make_capability(world.uz_fp, ["UCPM-CBRNDET"], name="UZ team")
    assert notified("Need detection") == ["nfp-ph", "nfp-th", "nfp-uz", "sec-ca", "team-kz"]
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(world.nfp_uz, request, uz_team)
    assert notified("Offer of assistance") == ["nfp-kz", "sec-ca", "team-kz"]  # the requesting side
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_decide(user=world.nfp_kz, offer=offer, decision="accept")
    assert notified("Your offer was accepted") == ["nfp-uz"]  # the offering country's focal point
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        make_sitrep(world.sec_ca, incident, title="Sitrep one", tlp=TLP.AMBER)
    # An AMBER sitrep inherits the incident's audience (its networks) plus the owner: readers only.
    assert "nfp-kz" in notified("Sitrep one") and "viewer-my" not in notified("Sitrep one")


def test_an_announcement_sent_twice_notifies_each_person_once_and_the_sweep_sends_lost_ones(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(world.nfp_kz, world.kz, networks=[world.coe], title="Lost task")
    announcement = Announcement.objects.get()
    assert announcement.done_at is None and not Notification.objects.exists()  # the task waits for a worker
    assert services.announcements_pending(older_than=datetime.timedelta(0)) == [announcement.pk]
    from cbrnet.incidents import tasks

    result = tasks.announcements_pending.call()
    assert result == {"announcements": 0, "notified": 0}  # too young: its own task may still run
    Announcement.objects.filter(pk=announcement.pk).update(
        created=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announcements_pending.call() == {"announcements": 1, "notified": 5}
        assert tasks.announcement_send.call(announcement.pk)["notified"] == 0  # the original task, late
    assert Notification.objects.count() == 5
    assert OutboxMessage.objects.count() == 5


# --- CAP --------------------------------------------------------------------------------------------------
def test_the_cap_alert_follows_the_schema_and_shows_details_only_to_those_who_see_them(world, scene):
    from cbrnet.notifications import cap

    inside = selectors.incident_cap(user=world.sec_ca, incident=scene.incident)
    outside = selectors.incident_cap(user=world.nfp_uz, incident=scene.incident)
    assert cap.validate_cap(inside) == [] and cap.validate_cap(outside) == []
    alert = cap.parse_cap(inside)
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Restricted")
    info = alert.infos[0]
    assert info.categories == ["CBRNE"] and info.severity == "Severe" and "chlorine" in info.event
    assert info.areas[0].circles == ["43.2380,76.9450 1.0"] and ("ISO 3166-1", "KZ") in info.areas[0].geocodes
    public = cap.parse_cap(outside).infos[0]
    assert "chlorine" not in public.event and public.areas[0].circles == [] and public.description == ""


def test_an_exercise_is_an_exercise_in_cap_and_a_withdrawn_incident_cancels_its_alert(world):
    from cbrnet.notifications import cap
    from cbrnet.sharing import services as sharing

    drill = make_incident(world.nfp_kz, world.kz, networks=[world.coe], exercise=True)
    alert = cap.parse_cap(selectors.incident_cap(user=world.nfp_kz, incident=drill))
    assert alert.status == "Exercise"
    sharing.shared_item_withdraw(user=world.nfp_kz, item=drill)
    cancel = cap.parse_cap(selectors.incident_cap(user=world.nfp_kz, incident=drill))
    assert cancel.msg_type == "Cancel" and cancel.status == "Exercise"
    assert cancel.references[0].split(",")[:2] == [alert.sender, alert.identifier]
