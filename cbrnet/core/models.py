"""Shared machinery: the audit trail models and the base classes every domain model builds on."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from cbrnet.core import audit


class AuditChainHead(models.Model):
    """The single row that holds the newest hash of the audit chain (see cbrnet.core.audit)."""

    last_hash = models.CharField(max_length=64, blank=True, default="")
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    entries = models.BigIntegerField(default=0)

    def __str__(self):
        return f"audit chain head ({self.entries} entries)"


class AuditEntry(models.Model):
    """One recorded create, change or delete of a record: append-only and hash-chained."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    timestamp = models.DateTimeField(db_index=True)
    # No database-level foreign keys: deleting a user or a record must never touch its history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_repr = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=20)
    request_id = models.CharField(max_length=64, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    model_label = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="audit_object_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.get_action_display()} {self.model_label} {self.object_id} by {self.actor_repr or self.source}"

    def save(self, *args, **kwargs):
        raise PermissionDenied("Audit entries are append-only.")

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries are append-only.")

    # The entry is written in two steps inside one transaction: the hash covers the id.
    def save_new(self):
        super().save(force_insert=True)

    def save_hash(self):
        AuditEntry.objects.filter(pk=self.pk, hash="").update(hash=self.hash)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may do (the access engine decides)."""

    def restrict(self, user, action: str = "view"):
        from cbrnet import access

        return access.restrict(self, user, action)


class AuditedModel(models.Model):
    """Records every save and delete of its subclasses in the audit trail."""

    audit_exclude: tuple[str, ...] = ()
    audit_redact: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            adding = self._state.adding or self.pk is None
            before = None
            if not adding:
                previous = type(self)._base_manager.filter(pk=self.pk).first()
                before = audit.serialize(previous) if previous is not None else None
                adding = previous is None
            super().save(*args, **kwargs)
            action = AuditEntry.Action.CREATE if adding else AuditEntry.Action.UPDATE
            audit.record(self, action, before, audit.serialize(self))

    # Deletes are recorded by a post_delete receiver (cbrnet.core.signals) so that rows removed
    # by a cascade are recorded too; Django's collector does not call their delete().


class BaseModel(AuditedModel):
    """Base of every domain model: audited, timestamped, restrictable through the access engine."""

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
