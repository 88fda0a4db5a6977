"""Sharing settings (R15), read from django.conf.settings with safe defaults.

SHARING_MAX_TLP           role -> the loosest TLP label that role may publish or loosen to (None: none)
SHARING_MAX_GRANT_SCOPE   role -> the broadest grant scope that role may add (None: may not add grants)
SHARING_FOUR_EYES         publishing AMBER/RED, loosening or widening a published item needs a second
                          editor of the owner organisation
SHARING_BREAK_GLASS_MINUTES how long a platform administrator's break-glass read lasts
A user's limit is the loosest over their active roles.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cbrnet.sharing.choices import GRANT_SCOPE_ORDER, TLP_ORDER, scope_rank, tlp_rank

DEFAULT_MAX_TLP: dict[str, str | None] = {
    "viewer": None,
    "expert": None,
    "platform_admin": None,  # administrators run the platform; they share through their other roles (R11)
    "author": "amber",
    "partner_staff": "amber",
    "national_team": "amber",
    "editor": "clear",
    "focal_point": "clear",
    "secretariat": "clear",
    "org_admin": "clear",
}
DEFAULT_MAX_GRANT_SCOPE: dict[str, str | None] = {
    "viewer": None,
    "expert": None,
    "platform_admin": None,
    "author": "country",
    "partner_staff": "organisation",
    "national_team": "country",
    "editor": "network",
    "focal_point": "network",
    "secretariat": "network",
    "org_admin": "network",
}


def _table(name: str, default: dict, allowed: tuple[str, ...]) -> dict[str, str | None]:
    table = getattr(settings, name, None)
    table = default if table is None else table
    for role, value in table.items():
        if value is not None and value not in allowed:
            raise ImproperlyConfigured(
                f"{name}[{role!r}] = {value!r}: use one of {', '.join(allowed)} or None."
            )
    return table


def max_tlp(roles) -> str | None:
    """The loosest label any of `roles` may publish, or None when none of them may share."""
    table = _table("SHARING_MAX_TLP", DEFAULT_MAX_TLP, TLP_ORDER)
    labels = [table[role] for role in roles if table.get(role)]
    return min(labels, key=tlp_rank) if labels else None


def max_grant_scope(roles) -> str | None:
    """The broadest grant scope any of `roles` may add, or None."""
    table = _table("SHARING_MAX_GRANT_SCOPE", DEFAULT_MAX_GRANT_SCOPE, GRANT_SCOPE_ORDER)
    scopes = [table[role] for role in roles if table.get(role)]
    return max(scopes, key=scope_rank) if scopes else None


def four_eyes() -> bool:
    return bool(getattr(settings, "SHARING_FOUR_EYES", False))


def break_glass_minutes() -> int:
    minutes = int(getattr(settings, "SHARING_BREAK_GLASS_MINUTES", 60))
    if minutes < 1:
        raise ImproperlyConfigured("SHARING_BREAK_GLASS_MINUTES must be at least 1.")
    return minutes


def public_portal() -> bool:
    return bool(getattr(settings, "PUBLIC_PORTAL", False))
