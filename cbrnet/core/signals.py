"""Cross-cutting receivers: audit records for deletes (cascades included) and many-to-many changes."""

from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import receiver

from cbrnet.core import audit
from cbrnet.core.models import AuditedModel, AuditEntry


@receiver(post_delete)
def record_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        audit.record(instance, AuditEntry.Action.DELETE, audit.serialize(instance), None)


def _m2m_field_name(instance, through) -> str | None:
    for field in instance._meta.many_to_many:
        if field.remote_field.through is through:
            return field.name
    return None


@receiver(m2m_changed)
def record_m2m_change(sender, instance, action, reverse, **kwargs):
    """Record a change of a many-to-many field as an update of the owning record."""
    if reverse or not isinstance(instance, AuditedModel):
        return
    name = _m2m_field_name(instance, sender)
    if name is None:
        return
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_audit_m2m_before", {})[name] = sorted(
            getattr(instance, name).values_list("pk", flat=True)
        )
    elif action.startswith("post_"):
        before = instance.__dict__.get("_audit_m2m_before", {}).pop(name, [])
        after = sorted(getattr(instance, name).values_list("pk", flat=True))
        if before != after:
            audit.record(instance, AuditEntry.Action.UPDATE, {name: before}, {name: after})
