"""Enumerations of the sharing engine: TLP 2.0 labels, item status, grant scopes, approvals, access log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    """FIRST Traffic Light Protocol 2.0. Labels are the standard uppercase strings and are not translated."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# Loosest first: a label is "looser" than another when it comes earlier in this list.
TLP_ORDER: tuple[str, ...] = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)
AMBER_LABELS = frozenset({TLP.AMBER, TLP.AMBER_STRICT})  # the labels whose audience is frozen at publication


def tlp_rank(value: str) -> int:
    """0 for CLEAR … 4 for RED; unknown values rank as RED so that mistakes fail closed."""
    try:
        return TLP_ORDER.index(value)
    except ValueError:
        return len(TLP_ORDER) - 1


def is_looser(label: str, than: str) -> bool:
    return tlp_rank(label) < tlp_rank(than)


def tlp_css(value: str) -> str:
    """The class of the label in app.css (`tlp-amber-strict`)."""
    return "tlp-" + str(value).replace("_", "-")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GrantScope(models.TextChoices):
    USER = "user", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    NETWORK = "network", _("Network")


# Narrowest first; R15 limits each role to a broadest scope.
GRANT_SCOPE_ORDER: tuple[str, ...] = (
    GrantScope.USER,
    GrantScope.ORGANISATION,
    GrantScope.COUNTRY,
    GrantScope.REGION,
    GrantScope.NETWORK,
)


def scope_rank(value: str) -> int:
    try:
        return GRANT_SCOPE_ORDER.index(value)
    except ValueError:
        return len(GRANT_SCOPE_ORDER)


class ApprovalAction(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    CHANGE_TLP = "change_tlp", _("Loosen the TLP label")
    GRANT_ADD = "grant_add", _("Widen the audience")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second approver")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccessKind(models.TextChoices):
    READ = "read", _("Read of a TLP:RED item")
    BREAK_GLASS = "break_glass", _("Break-glass access opened")
    BREAK_GLASS_READ = "break_glass_read", _("Read under break-glass")
