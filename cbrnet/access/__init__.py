"""The access engine: the one place that decides what a user may see and do. Deny by default.

Every view, API endpoint, list, search, export and report asks it, through

    restrict(queryset, user, action)        -> the rows the user may act on
    get_object_for(user, queryset, action, **lookup) -> the object, or 404 (invisible) / 403 (visible,
                                               action not allowed)
    ensure_in_scope(user, instance, action)  -> after a write, in the same transaction: PermissionDenied
                                               if the saved object left the user's scope (rolls back)
    may_add(user, model)                     -> whether to offer "add" at all

Each model declares its rules as data: an `access_policy` class attribute holding one of the
policies in cbrnet.access.policies, configured with the paths from the model to a country, a
region or an organisation. The rules are listed as a table in docs/access-control.md.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from cbrnet.access.context import ANONYMOUS, UserContext, user_context
from cbrnet.access.policies import ACTIONS

__all__ = [
    "ACTIONS",
    "ANONYMOUS",
    "UserContext",
    "can",
    "contact_visible",
    "with_contact_visibility",
    "ensure_in_scope",
    "get_object_for",
    "may_add",
    "policy_for",
    "restrict",
    "user_context",
]


def policy_for(model: type[models.Model]):
    policy = getattr(model, "access_policy", None)
    if policy is None:
        raise TypeError(f"{model._meta.label} declares no access_policy; the access engine denies by default.")
    return policy


def restrict(queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    context = user_context(user)
    if not context.active:
        # R1: anonymous users only ever reach what a policy opens to the public.
        return policy_for(queryset.model).filter(queryset, context, action)
    return policy_for(queryset.model).filter(queryset, context, action)


def get_object_for(user, queryset, action: str = "view", **lookup):
    """Fetch one object through the engine: invisible is 404, visible but not allowed is 403."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        instance = restrict(queryset, user, "view").get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
    if action != "view" and not restrict(queryset.model.objects.filter(pk=instance.pk), user, action).exists():
        raise PermissionDenied(f"You may not {action} this {queryset.model._meta.verbose_name}.")
    return instance


def can(user, action: str, instance: models.Model) -> bool:
    return restrict(type(instance).objects.filter(pk=instance.pk), user, action).exists()


def ensure_in_scope(user, instance: models.Model, action: str = "change") -> None:
    """Call after a write inside its transaction: refuses a write that leaves the user's scope."""
    if not can(user, action, instance):
        raise PermissionDenied(
            f"This {instance._meta.verbose_name} would be outside what you may {action}; nothing was saved."
        )


def may_add(user, model: type[models.Model]) -> bool:
    return policy_for(model).may_add(user_context(user))


def with_contact_visibility(queryset, user):
    """Annotate `contact_visible` on people (or records with a person path) per the person's consent."""
    from django.db.models import BooleanField, Case, Value, When

    policy = policy_for(queryset.model)
    condition = policy.contact_q(user_context(user))
    return queryset.annotate(
        contact_visible=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def contact_visible(user, person) -> bool:
    """Whether `user` may see this person's e-mail, phone and address."""
    annotated = getattr(person, "contact_visible", None)
    if annotated is not None:
        return annotated
    return with_contact_visibility(type(person).objects.filter(pk=person.pk), user).values_list(
        "contact_visible", flat=True
    ).first() or False
