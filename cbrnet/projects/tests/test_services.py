"""The pipeline (advance, raise an idea), registration of participants and certificates."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.projects import models, services
from cbrnet.projects.choices import ProjectStatus
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in
from cbrnet.registry.models import Person, RegionalPriority

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(world):
    return project_in(world, "", [world.ca], title="Chemical waste in Central Asia", status=ProjectStatus.IDEA)


def test_the_secretariat_takes_an_idea_through_the_whole_pipeline_and_every_step_is_audited(world, idea):
    with audit_actor(world.sec_ca, source="ui"):
        idea = services.project_advance(user=world.sec_ca, project=idea, to_status="proposal", note="Raised at RTM 20")
        idea.code = "P120"
        idea.save()
        for status in ("approved", "ongoing", "closed"):
            idea = services.project_advance(user=world.sec_ca, project=idea, to_status=status)
    idea.refresh_from_db()
    assert idea.status == "closed" and idea.status_changed_on == datetime.date.today()
    steps = [
        entry.after["status"] for entry in audit_entries_for(idea, AuditEntry.Action.UPDATE).order_by("pk")
        if entry.after and "status" in entry.after
    ]
    assert steps == ["proposal", "approved", "ongoing", "closed"]
    first = next(entry for entry in audit_entries_for(idea, AuditEntry.Action.UPDATE).order_by("pk")
                 if (entry.after or {}).get("status") == "proposal")
    assert first.after["status_note"] == "Raised at RTM 20" and first.actor_id == world.sec_ca.pk


@pytest.mark.parametrize(("start", "target"), [
    ("idea", "ongoing"),
    ("idea", "closed"),
    ("proposal", "ongoing"),
    ("ongoing", "idea"),
    ("closed", "ongoing"),
    ("closed", "idea"),
])
def test_steps_the_pipeline_does_not_allow_are_refused_naming_the_field(world, start, target):
    project = project_in(world, "P200", [world.ca], status=start)
    with pytest.raises(ValidationError) as refused:
        services.project_advance(user=world.sec_ca, project=project, to_status=target)
    assert "to_status" in refused.value.message_dict
    project.refresh_from_db()
    assert project.status == start


def test_approval_needs_the_projects_code(world, idea):
    with audit_actor(world.sec_ca, source="ui"):
        idea = services.project_advance(user=world.sec_ca, project=idea, to_status="proposal")
        with pytest.raises(ValidationError) as refused:
            services.project_advance(user=world.sec_ca, project=idea, to_status="approved")
    assert "code" in refused.value.message_dict
    idea.refresh_from_db()
    assert idea.status == "proposal"


@pytest.mark.parametrize("persona", ["nfp_kz", "team_kz", "nfp_ph", "outsider", "jrc_user"])
def test_only_the_secretariat_of_its_regions_and_admins_advance_a_project(world, idea, persona):
    with pytest.raises(PermissionDenied):
        services.project_advance(user=getattr(world, persona), project=idea, to_status="proposal")
    idea.refresh_from_db()
    assert idea.status == "idea"
    services.project_advance(user=world.admin, project=idea, to_status="proposal")


def test_a_focal_point_raises_an_idea_for_its_own_region_only(world):
    priority = RegionalPriority.objects.create(region=world.ca, title="Dual use goods trade control")
    with audit_actor(world.nfp_kz, source="ui"):
        idea = services.project_idea_raise(
            user=world.nfp_kz, region=world.ca, title="Dual-use export licensing", cbrn_areas="CN",
            countries=[world.kz], priorities=[priority], origin="round_table", origin_detail="21st CA RTM",
        )
    assert (idea.status, idea.code, idea.network, idea.cbrn_areas) == ("idea", "", world.coe, "CN")
    assert list(idea.regions.all()) == [world.ca] and list(idea.priorities.all()) == [priority]
    assert audit_entries_for(idea, AuditEntry.Action.CREATE).get().actor_id == world.nfp_kz.pk
    with pytest.raises(PermissionDenied):
        services.project_idea_raise(user=world.nfp_kz, region=world.sea, title="Not my region")
    with pytest.raises(PermissionDenied):
        services.project_idea_raise(user=world.team_kz, region=world.ca, title="Not a focal point")
    # The focal point raised it; the secretariat takes it forward.
    with pytest.raises(PermissionDenied):
        services.project_advance(user=world.nfp_kz, project=idea, to_status="proposal")


def test_an_idea_serves_priorities_of_its_own_region_only(world):
    priority = RegionalPriority.objects.create(region=world.sea, title="Laboratory biosafety")
    with pytest.raises(ValidationError) as refused:
        services.project_idea_raise(user=world.sec_ca, region=world.ca, title="x", priorities=[priority])
    assert "priorities" in refused.value.message_dict
    assert not models.Project.objects.exists()


def test_registering_a_new_person_creates_them_unlisted_and_copies_their_country(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    fields = services.person_fields(given_name="Ана", family_name="Иванова", gender="female", organisation=world.kz_ministry)
    with audit_actor(world.sec_ca, source="ui"):
        participation = services.participation_register(user=world.sec_ca, activity=activity, new_person={
            **fields, "directory_listed": True,
        })
    person = participation.person
    assert not person.directory_listed and person.country == world.kz
    assert (participation.country, participation.organisation, participation.gender) == (world.kz, world.kz_ministry, "female")


def test_only_the_activitys_managers_register_participants(world):
    activity = activity_of(project_in(world, "P81", [world.sea]))
    with pytest.raises(PermissionDenied):
        services.participation_register(user=world.sec_ca, activity=activity, person=world.p_hidden_kz)
    with pytest.raises(PermissionDenied):
        services.participation_register(user=world.nfp_kz, activity=activity, person=world.p_hidden_kz)
    assert not models.Participation.objects.exists()
    assert not Person.objects.filter(family_name="Иванова").exists()


def test_certificates_go_to_attendees_with_an_unguessable_code_and_can_be_withdrawn(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    absent = participation_of(activity, world.p_team_kz, attended="no")
    with pytest.raises(ValidationError) as refused:
        services.participation_certificate_issue(user=world.sec_ca, participation=absent)
    assert "attended" in refused.value.message_dict
    present = participation_of(activity, world.p_hidden_kz, attended="yes")
    with pytest.raises(PermissionDenied):
        services.participation_certificate_issue(user=world.nfp_kz, participation=present)
    issued = services.participation_certificate_issue(user=world.sec_ca, participation=present)
    assert issued.certificate_issued and len(issued.certificate_code) == 16
    assert set(issued.certificate_code) <= set(services.CERTIFICATE_ALPHABET)
    code = issued.certificate_code
    again = services.participation_certificate_issue(user=world.sec_ca, participation=issued)
    assert again.certificate_code == code  # issuing twice keeps the code printed on the first one
    withdrawn = services.participation_certificate_revoke(user=world.sec_ca, participation=again)
    assert not withdrawn.certificate_issued and withdrawn.certificate_code == code
    page = client_for(None).get(f"/projects/certificates/{code}/")
    assert page.status_code == 200 and "withdrawn" in page.content.decode()
