"""Cross-cutting: cached access contexts are dropped when what they are built from changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from cbrnet.access.context import invalidate

# What a user's context is computed from (cbrnet.access.context._build).
SOURCES = (
    "accounts.User",
    "registry.Person",
    "registry.RoleAssignment",
    "registry.Membership",
    "registry.Organisation",
)


def _invalidate(sender, **kwargs):
    invalidate()


def connect() -> None:
    from django.apps import apps

    for label in SOURCES:
        model = apps.get_model(label)
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"access-{label}-save")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"access-{label}-delete")
    organisation = apps.get_model("registry.Organisation")
    for through in (organisation.networks.through, organisation.client_of.through):
        m2m_changed.connect(_invalidate, sender=through, dispatch_uid=f"access-{through._meta.label}")
