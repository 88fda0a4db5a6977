"""Generic writes used by the generic views, the API and imports for plain registry records.

Domain rules that go beyond "validate, save, stay in scope" live in each app's services.py and
call these. Every write runs in a transaction, calls full_clean() and, after saving, asks the access
engine whether the saved record is still inside the user's scope (otherwise it rolls back).
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from cbrnet import access


def record_save(*, user, instance: models.Model, m2m: Mapping[str, Iterable] | None = None) -> models.Model:
    """Create or update `instance` for `user`; the caller has checked the user may edit the original."""
    adding = instance._state.adding
    action = "add" if adding else "change"
    if adding and not access.may_add(user, type(instance)):
        raise PermissionDenied(f"You may not add a {instance._meta.verbose_name}.")
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        access.ensure_in_scope(user, instance, action)
    return instance


def record_delete(*, user, instance: models.Model) -> None:
    """Delete `instance` if the user may; a record still referenced elsewhere is refused by name."""
    if not access.can(user, "delete", instance):
        raise PermissionDenied(f"You may not delete this {instance._meta.verbose_name}.")
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        blockers = sorted({f"{obj._meta.verbose_name}: {obj}" for obj in list(error.protected_objects)[:5]})
        raise ValidationError(
            f"This {instance._meta.verbose_name} is still used by other records and cannot be deleted "
            f"({'; '.join(blockers)})."
        ) from None
