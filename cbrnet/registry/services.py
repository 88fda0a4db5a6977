"""Registry writes with rules beyond validate-and-save."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core.services import record_save
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Country, Person, RoleAssignment


def focal_point_appoint(*, user, country: Country, person: Person, start_date: datetime.date,
                        note: str = "") -> RoleAssignment:
    """Appoint the National Focal Point of `country`, ending the current appointment the day before.

    One focal point is active per country; earlier appointments stay as the country's history.
    """
    policy = RoleAssignment.access_policy
    if not policy.may_appoint(access.user_context(user), role=Role.FOCAL_POINT, country_id=country.pk):
        raise PermissionDenied(_("You may not appoint the National Focal Point of %(country)s.") % {"country": country})
    with transaction.atomic():
        current = (
            RoleAssignment.objects.select_for_update()
            .filter(country=country, role=Role.FOCAL_POINT, end_date__isnull=True)
            .first()
        )
        if current is not None:
            if current.person_id == person.pk:
                raise ValidationError({"person": _("%(person)s is already the focal point.") % {"person": person}})
            if start_date <= current.start_date:
                raise ValidationError(
                    {"start_date": _("The new appointment must start after the current one (%(date)s).")
                     % {"date": current.start_date}}
                )
            current.end_date = start_date - datetime.timedelta(days=1)
            record_save(user=user, instance=current)
        appointment = RoleAssignment(person=person, role=Role.FOCAL_POINT, country=country, start_date=start_date, note=note)
        return record_save(user=user, instance=appointment)
