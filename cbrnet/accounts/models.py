"""User accounts, API tokens and login throttling."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.core.models import AuditedModel

TOKEN_PREFIX = "cbr_"


class User(AuditedModel, AbstractUser):
    """A person's login. Rights come from the roles of the linked registry person (user.person)."""

    language = models.CharField(_("preferred language"), max_length=8, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()
    audit_redact = ("password",)
    audit_exclude = ("last_login", "failed_logins", "locked_until")

    class Meta:
        ordering = ["username"]

    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked=False, expires_at__gt=timezone.now())


class ApiToken(AuditedModel):
    """A personal API token: only its SHA-256 is stored; scoped to read or write; it expires."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()
    audit_redact = ("key_hash",)
    audit_exclude = ("last_used_at",)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
