"""Writes with rules: the project pipeline, raising an idea, registering participants, certificates."""

import datetime
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core.services import record_save
from cbrnet.projects.choices import PIPELINE, Attendance, ParticipantRole, ProjectOrigin, ProjectStatus
from cbrnet.projects.models import Activity, Participation, Project
from cbrnet.registry.models import Country, Membership, Organisation, Person, Region

CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud and typed from paper
CERTIFICATE_CODE_LENGTH = 16  # 80 bits: a code cannot be guessed, so holding one proves having seen the certificate


def project_advance(*, user, project: Project, to_status: str, note: str = "") -> Project:
    """Move `project` one step along the pipeline (idea → proposal → approved → ongoing → closed, or
    not taken forward). Only the secretariat of one of its regions and platform administrators may;
    the step must be one PIPELINE allows from the current status. Audited like any change."""
    try:
        target = ProjectStatus(to_status)
    except ValueError:
        raise ValidationError({"to_status": _("Unknown status %(status)s.") % {"status": to_status}}) from None
    if not access.can(user, "change", project):
        raise PermissionDenied(_("Only the secretariat of the project's regions may move it along the pipeline."))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        current = ProjectStatus(project.status)
        if target not in PIPELINE.get(current, ()):
            allowed = ", ".join(str(status.label) for status in PIPELINE.get(current, ())) or _("none: it is closed")
            raise ValidationError(
                {"to_status": _("A project cannot move from %(current)s to %(target)s (allowed: %(allowed)s).")
                 % {"current": current.label, "target": target.label, "allowed": allowed}}
            )
        project.status = target
        project.status_note = (note or "").strip()[:500]
        project.status_changed_on = timezone.localdate()
        return record_save(user=user, instance=project)


def may_raise_idea(user, region: Region) -> bool:
    """Focal points of a country of the region, its secretariat and platform administrators raise ideas."""
    context = access.user_context(user)
    if not context.active:
        return False
    if context.platform_admin or region.pk in context.secretariat_region_ids:
        return True
    members = Membership.objects.current().filter(region=region, country_id__in=list(context.focal_point_country_ids))
    return bool(context.focal_point_country_ids) and members.exists()


def project_idea_raise(
    *, user, region: Region, title: str, objectives: str = "", cbrn_areas: str = "",
    countries: Iterable[Country] = (), thematic_areas: Iterable = (), priorities: Iterable = (),
    origin: str = "", origin_detail: str = "", nap_actions: Iterable = (),
) -> Project:
    """A new project idea for `region` (status "idea", no code yet), raised by a focal point of one of
    the region's countries, its secretariat or a platform administrator. From then on the secretariat
    takes it through the pipeline. Priorities must be the region's own. An idea raised from gaps of a
    National Action Plan is linked to those `nap_actions` (each one the user may change: the country's
    focal point and team, its secretariat)."""
    if not may_raise_idea(user, region):
        raise PermissionDenied(_("You may raise project ideas for the regions your country belongs to."))
    priorities = list(priorities)
    strangers = [priority for priority in priorities if priority.region_id != region.pk]
    if strangers:
        raise ValidationError({"priorities": _("Choose priorities of %(region)s only.") % {"region": region}})
    if origin and origin not in ProjectOrigin.values:
        raise ValidationError({"origin": _("Unknown origin.")})
    project = Project(
        network_id=region.network_id, title=title, objectives=objectives, cbrn_areas=cbrn_areas,
        status=ProjectStatus.IDEA, status_changed_on=timezone.localdate(),
        origin=origin or (ProjectOrigin.NAP_GAP if nap_actions else ""), origin_detail=origin_detail,
    )
    with transaction.atomic():
        project.full_clean()
        # Not record_save: a focal point raises the idea but does not manage projects afterwards, so
        # the saved idea is outside what they may change (ensure_in_scope would refuse it).
        project.save()
        project.regions.set([region])
        project.countries.set(list(countries))
        project.thematic_areas.set(list(thematic_areas))
        project.priorities.set(priorities)
        if nap_actions:
            _link_nap_actions(user, project, nap_actions)
    return project


def _link_nap_actions(user, project: Project, actions) -> None:
    from cbrnet.actionplans.services import action_link_project  # action plans build on projects

    for action in actions:
        try:
            action_link_project(user=user, action=action, project=project)
        except (ValidationError, PermissionDenied) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise ValidationError({"nap_actions": f"{action}: {message}"}) from None


def participation_register(
    *, user, activity: Activity, person: Person | None = None, new_person: dict | None = None,
    role: str = ParticipantRole.TRAINEE, attended: str = Attendance.NOT_RECORDED, note: str = "",
) -> Participation:
    """Register `person` (or a new person made from `new_person`'s fields) for `activity`.

    Whoever may change the activity registers its participants. A new person is created unlisted in
    the directory (no consent recorded), whatever their country: participants of a cross-border
    exercise come from many countries, and their countries' officers manage them from then on.
    Their country, organisation and gender are copied onto the participation (see Participation).
    """
    if not access.can(user, "change", activity):
        raise PermissionDenied(_("You may not register participants for this activity."))
    if (person is None) == (new_person is None):
        raise ValueError("give either person or new_person")
    with transaction.atomic():
        if new_person is not None:
            person = Person(**{**new_person, "directory_listed": False})
            person.full_clean()
            person.save()
            languages = new_person.get("languages")
            if languages:
                person.languages.set(languages)
        participation = Participation(activity=activity, person=person, role=role, attended=attended, note=note)
        return record_save(user=user, instance=participation)


def person_fields(*, given_name: str, family_name: str, email: str = "", gender: str = "",
                  country: Country | None = None, organisation: Organisation | None = None) -> dict:
    """The fields of a new person as participation_register takes them."""
    return {
        "given_name": given_name.strip(), "family_name": family_name.strip(), "email": email.strip(), "gender": gender,
        "country": country or (organisation.country if organisation else None), "organisation": organisation,
    }


def participation_certificate_issue(*, user, participation: Participation, on: datetime.date | None = None) -> Participation:
    """Issue the certificate of an attended participation: a verification code (kept if one was issued
    before) and the date. Whoever may change the participation issues it."""
    if not access.can(user, "change", participation):
        raise PermissionDenied(_("You may not issue certificates for this activity."))
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        if participation.attended != Attendance.YES:
            raise ValidationError({"attended": _("A certificate is issued to people who attended.")})
        participation.certificate_issued = True
        participation.certificate_issued_on = on or participation.certificate_issued_on or timezone.localdate()
        if not participation.certificate_code:
            participation.certificate_code = new_certificate_code()
        return record_save(user=user, instance=participation)


def participation_certificate_revoke(*, user, participation: Participation) -> Participation:
    """Withdraw a certificate: its verification page then says it is not valid (the code is kept)."""
    if not access.can(user, "change", participation):
        raise PermissionDenied(_("You may not revoke certificates for this activity."))
    participation.certificate_issued = False
    return record_save(user=user, instance=participation)


def new_certificate_code() -> str:
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))
