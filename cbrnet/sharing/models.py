"""The sharing engine's data: the labelled-item mixins every shared record builds on, audience grants,
the audience frozen at publication, four-eyes approvals, break-glass access, the RED read log and
the peer hubs of the federation. The rules themselves are in docs/access-control.md (R1–R15)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy, SharingPolicy
from cbrnet.core.models import BaseModel
from cbrnet.registry.choices import Role
from cbrnet.sharing.choices import (
    AMBER_LABELS,
    TLP,
    AccessKind,
    ApprovalAction,
    ApprovalStatus,
    GrantScope,
    Status,
    is_looser,
    tlp_css,
)
from cbrnet.sharing.predicates import SharedRecordPolicy


def content_type_id(model) -> int:
    """The content type of a model or instance (cached by Django after the first query)."""
    return ContentType.objects.get_for_model(model, for_concrete_model=True).pk


def encode_roles(roles) -> str:
    """(focal_point, secretariat) -> ",focal_point,secretariat,"; nothing -> "" (any role)."""
    roles = sorted({str(role) for role in roles or () if role})
    return f",{','.join(roles)}," if roles else ""


def decode_roles(value: str) -> list[str]:
    return [role for role in (value or "").split(",") if role]


class SharedModel(BaseModel):
    """Base of every record shared under a TLP 2.0 label with an audience (bulletin, alert, document).

    Who may read it is decided by SharingPolicy (R1–R8, R11, R12); how it is labelled, published and
    widened by cbrnet.sharing.services (R9, R15). `federation_fields` lists the content fields a peer
    hub receives (R14).
    """

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    embargo_until = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("Recipients see a published item only from this moment (UTC)."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    owner_organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    networks = models.ManyToManyField(
        "registry.Network",
        blank=True,
        related_name="+",
        verbose_name=_("networks"),
        help_text=_("The communities of a TLP:GREEN item; replication to peer hubs follows them."),
    )
    origin_hub = models.CharField(
        _("received from hub"), max_length=100, blank=True, help_text=_("Empty for items written here.")
    )

    grants = GenericRelation("sharing.Grant")
    audience_members = GenericRelation("sharing.AudienceMember")
    approvals = GenericRelation("sharing.ShareApproval")
    break_glass_grants = GenericRelation("sharing.BreakGlass")

    access_policy = SharingPolicy()
    shared_parent_field = ""
    federation_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def tlp_css(self) -> str:
        return tlp_css(self.tlp)

    @property
    def tlp_badge(self):
        return format_html('<span class="tlp {}">{}</span>', self.tlp_css, self.get_tlp_display())

    @property
    def is_embargoed(self) -> bool:
        return bool(self.embargo_until and self.embargo_until > timezone.now())

    @property
    def is_live(self) -> bool:
        """Published and out of embargo: what recipients see."""
        return self.status == Status.PUBLISHED and not self.is_embargoed

    @property
    def shared_parent(self):
        if not self.shared_parent_field or getattr(self, self.shared_parent_field + "_id") is None:
            return None
        return getattr(self, self.shared_parent_field)

    def clean(self):
        super().clean()
        self.check_labels()

    def check_labels(self):
        """R7 and R10, checked by full_clean() and again on every save, whatever the entry point."""
        if self.tlp == TLP.RED and self.pk and self.grants.exclude(scope=GrantScope.USER).exists():
            raise ValidationError(
                {"tlp": _("TLP:RED is shared with named people only: remove the other grants first (R7).")}
            )
        parent = self.shared_parent
        if parent is not None and is_looser(self.tlp, parent.tlp):
            raise ValidationError(
                {
                    "tlp": _(
                        "%(label)s is looser than the %(parent)s it belongs to (%(parent_label)s) (R10)."
                    )
                    % {
                        "label": self.get_tlp_display(),
                        "parent": parent._meta.verbose_name,
                        "parent_label": parent.get_tlp_display(),
                    }
                }
            )

    def save(self, *args, **kwargs):
        self.check_labels()
        super().save(*args, **kwargs)


class SharedChildMixin(SharedModel):
    """A record that hangs off a shared item (update, comment, attachment): visible iff its parent is
    and its own rules pass; never looser than its parent (R10). The concrete class declares the
    foreign key and names it in `shared_parent_field`."""

    class Meta:
        abstract = True


class SharingRecord(BaseModel):
    """Base of the records about one shared item (generic: any SharedModel)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class Grant(SharingRecord):
    """Who an item is shared with: a network, region, country, organisation or person, optionally only
    people holding one of `roles` (R8). GREEN grants are evaluated at read time; AMBER grants are
    resolved into AudienceMember rows at publication (R5)."""

    SCOPE_FIELDS = {
        GrantScope.NETWORK: "network",
        GrantScope.REGION: "region",
        GrantScope.COUNTRY: "country",
        GrantScope.ORGANISATION: "organisation",
        GrantScope.USER: "user",
    }

    scope = models.CharField(_("scope"), max_length=20, choices=GrantScope.choices)
    # PROTECT: deleting a target must not silently drop a grant (an item whose last GREEN grant
    # vanished would open to its whole network).
    network = models.ForeignKey(
        "registry.Network",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network"),
    )
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    country = models.ForeignKey(
        "registry.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    roles = models.CharField(
        _("only these roles"),
        max_length=250,
        blank=True,
        help_text=_("Empty: anyone in the scope; otherwise need-to-know by role (R8)."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    access_policy = SharedRecordPolicy(rule="recipient_list")
    ui_elsewhere = "the item's page (Shared with) and the grants endpoints of its API"

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["scope", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharing_grant_item_idx")]

    def __str__(self):
        text = f"{self.get_scope_display()}: {self.target}"
        return text + (f" ({', '.join(self.role_list)})" if self.role_list else "")

    @property
    def target(self):
        return getattr(self, self.SCOPE_FIELDS.get(self.scope, "organisation"), None)

    @property
    def target_id(self):
        return getattr(self, self.SCOPE_FIELDS.get(self.scope, "organisation") + "_id", None)

    @property
    def role_list(self) -> list[str]:
        return decode_roles(self.roles)

    def clean(self):
        super().clean()
        errors = {}
        wanted = self.SCOPE_FIELDS.get(self.scope)
        if wanted and getattr(self, wanted + "_id") is None:
            errors[wanted] = _("Choose the %(scope)s to share with.") % {
                "scope": self.get_scope_display().lower()
            }
        for field in self.SCOPE_FIELDS.values():
            if field != wanted and getattr(self, field + "_id") is not None:
                errors[field] = _("A %(scope)s grant names no %(field)s.") % {
                    "scope": self.get_scope_display().lower(),
                    "field": field,
                }
        unknown = set(self.role_list) - set(Role.values)
        if unknown:
            errors["roles"] = _("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}
        if errors:
            raise ValidationError(errors)
        self.check_red()

    def check_red(self):
        item = self.item if self.content_type_id and self.object_id else None
        if item is not None and item.tlp == TLP.RED and self.scope != GrantScope.USER:
            raise ValidationError(
                {
                    "scope": _("TLP:RED may be shared with named people only, not a whole %(scope)s (R7).")
                    % {"scope": self.get_scope_display().lower()}
                }
            )

    def save(self, *args, **kwargs):
        self.check_red()
        super().save(*args, **kwargs)


class AudienceMember(SharingRecord):
    """One organisation (or person) of an AMBER item's audience R, frozen at publication (R5): orgs
    that join a network, region or country later get nothing. `roles` carries the grant's limit."""

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    roles = models.CharField(_("only these roles"), max_length=250, blank=True)

    access_policy = SharedRecordPolicy(rule="owners")
    ui_elsewhere = "the item's page and audience endpoint, for its owner side (R13)"

    class Meta:
        verbose_name = _("audience member")
        verbose_name_plural = _("audience members")
        ordering = ["pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharing_audience_item_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, user__isnull=True)
                | Q(organisation__isnull=True, user__isnull=False),
                name="audience_member_org_or_user",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "organisation"],
                condition=Q(organisation__isnull=False),
                name="audience_member_unique_org",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"],
                condition=Q(user__isnull=False),
                name="audience_member_unique_user",
            ),
        ]

    def __str__(self):
        who = self.organisation or self.user
        roles = decode_roles(self.roles)
        return f"{who}" + (f" ({', '.join(roles)})" if roles else "")


class ShareApproval(SharingRecord):
    """A four-eyes request (R15): publishing AMBER/RED, loosening or widening a published item waits
    here until a second editor of the owner organisation approves it."""

    action = models.CharField(_("action"), max_length=20, choices=ApprovalAction.choices)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_policy = SharedRecordPolicy(rule="owners", own_field="requested_by_id")
    ui_elsewhere = "the item's page and the approvals endpoints of its API"

    class Meta:
        verbose_name = _("sharing approval")
        verbose_name_plural = _("sharing approvals")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharing_approval_item_idx")]

    def __str__(self):
        return f"{self.get_action_display()} — {self.get_status_display()}"


class BreakGlass(SharingRecord):
    """A platform administrator's emergency read of one item (R11): a reason is required, it expires,
    it is audited, and every read under it is logged."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("administrator")
    )
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField(_("expires"))

    access_policy = SharedRecordPolicy(rule="owners", own_field="user_id")
    ui_elsewhere = "the break-glass page and endpoint of each item"

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [models.Index(fields=["content_type", "object_id", "user"], name="sharing_breakglass_idx")]

    def __str__(self):
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """Append-only log of sensitive reads: every read of a TLP:RED item (R7) and every break-glass
    access and read (R11). Like the audit trail it keeps no database-level foreign keys."""

    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_repr = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    channel = models.CharField(max_length=20, help_text="ui, api, download, command")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    model_label = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    access_policy = SharedRecordPolicy(rule="owners", own_field="user_id")

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharing_accesslog_item_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.model_label} {self.object_id} by {self.user_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The access log is append-only.")


class PeerHub(BaseModel):
    """Another cbrnet installation this one exchanges shared items with (R14): the networks it serves
    and the organisations it hosts decide what may replicate to it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("address"), blank=True)
    networks = models.ManyToManyField(
        "registry.Network", blank=True, related_name="+", verbose_name=_("networks")
    )
    organisations = models.ManyToManyField(
        "registry.Organisation", blank=True, related_name="+", verbose_name=_("hosted organisations")
    )
    is_active = models.BooleanField(_("active"), default=True)

    access_policy = ScopedPolicy(public_read=False, managers=())  # platform administrators only
    ui_elsewhere = "the `cbrnet sharing hubs` and `cbrnet sharing hub` commands (operators)"

    class Meta:
        verbose_name = _("peer hub")
        verbose_name_plural = _("peer hubs")
        ordering = ["name"]

    def __str__(self):
        return self.name


def shared_models() -> list[type[SharedModel]]:
    """Every concrete model that carries sharing labels."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, SharedModel)]


def amber_like(label: str) -> bool:
    return label in AMBER_LABELS


class HubDelivery(models.Model):
    """That an item was last exported to a peer hub: the next export retracts it if it may no longer
    replicate there (withdrawn, tightened to RED, audience changed) (R14)."""

    hub = models.ForeignKey(PeerHub, on_delete=models.CASCADE, related_name="deliveries")
    uid = models.UUIDField()
    model_label = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(default=timezone.now)

    access_policy = ScopedPolicy(public_read=False, managers=())  # platform administrators only

    class Meta:
        verbose_name = _("hub delivery")
        verbose_name_plural = _("hub deliveries")
        constraints = [models.UniqueConstraint(fields=["hub", "uid"], name="hub_delivery_unique")]

    def __str__(self):
        return f"{self.model_label} {self.uid} → {self.hub}"
