"""What the access engine knows about a user: roles and the scopes they cover, computed once per request."""

import hashlib
import secrets
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

from django.core.cache import cache


@dataclass(frozen=True)
class UserContext:
    user_id: int | None = None
    active: bool = False
    platform_admin: bool = False
    person_id: int | None = None
    organisation_id: int | None = None
    country_id: int | None = None  # the country of the user's organisation
    roles: frozenset[str] = frozenset()
    network_ids: frozenset[int] = frozenset()  # networks the user's organisation belongs to
    region_ids: frozenset[int] = frozenset()  # regions the user's organisation's country belongs to
    client_of_ids: frozenset[int] = frozenset()  # organisations the user's organisation is a client of
    focal_point_country_ids: frozenset[int] = frozenset()
    team_country_ids: frozenset[int] = frozenset()  # national-team membership
    secretariat_region_ids: frozenset[int] = frozenset()
    secretariat_country_ids: frozenset[int] = frozenset()  # the countries of those regions
    org_admin_ids: frozenset[int] = frozenset()
    editor_org_ids: frozenset[int] = frozenset()  # organisations whose shared items the user may edit
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def manage_country_ids(self) -> frozenset[int]:
        """Countries whose records the user manages: as focal point, or as secretariat of their region."""
        return self.focal_point_country_ids | self.secretariat_country_ids

    @property
    def view_country_ids(self) -> frozenset[int]:
        """Countries whose non-public records the user may read."""
        return self.manage_country_ids | self.team_country_ids

    @cached_property
    def cache_key(self) -> str:
        """A digest of everything the rules read from this context (all fields but `extra`): part of
        the key of anything cached per user, so that what one user was shown is never shown to a
        user whose rights differ. Includes the user's id: two users never share an entry. The same
        in every process (sets are sorted: string hashing differs between processes)."""
        parts = []
        for item in fields(self):
            if item.name == "extra":
                continue
            value = getattr(self, item.name)
            parts.append(f"{item.name}={sorted(value) if isinstance(value, frozenset) else value!r}")
        return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


ANONYMOUS = UserContext()
_CACHE_ATTRIBUTE = "_cbrnet_access_context"
EDITOR_ROLES = frozenset({"editor", "focal_point", "secretariat", "org_admin"})


SHARED_CACHE_SECONDS = 60
_VERSION_KEY = "access-context-version"


def user_context(user) -> UserContext:
    """The user's context: reused within a request (on the user object) and across requests (in the
    cache, keyed by a version that any change of roles, memberships or organisations bumps)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    key = f"access-context:{user.pk}:{user.is_superuser}:{_version()}"
    context = cache.get(key)
    if context is None:
        context = _build(user)
        cache.set(key, replace(context, extra={}), SHARED_CACHE_SECONDS)
    else:
        context = replace(context, extra={})  # per-request memo space (see SharingPolicy)
    setattr(user, _CACHE_ATTRIBUTE, context)
    return context


def _version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        # Start from a random number, not 1: if the cache lost the key (evicted, restarted), contexts
        # cached under an earlier version must not be read again.
        cache.add(_VERSION_KEY, secrets.randbits(48), None)
        version = cache.get(_VERSION_KEY, 1)
    return version


def invalidate() -> None:
    """Forget every cached context: called when anything a context is built from changes."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def forget(user) -> None:
    """Drop a cached context (after the user's roles changed within the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _build(user) -> UserContext:
    from cbrnet.registry.models import Membership, Organisation, Person, RoleAssignment

    person = Person.objects.filter(user_account=user).select_related("organisation").first()
    assignments = (
        list(RoleAssignment.objects.active().filter(person=person).values_list("role", "country_id", "region_id", "organisation_id"))
        if person
        else []
    )
    roles = {role for role, *_ in assignments}
    platform_admin = user.is_superuser or "platform_admin" in roles
    if platform_admin:
        roles.add("platform_admin")
    organisation = person.organisation if person else None
    if organisation is not None and not organisation.is_active:
        return UserContext(user_id=user.pk, active=False)  # R1: an inactive organisation's users see nothing
    organisation_id = organisation.pk if organisation else None
    country_id = organisation.country_id if organisation else (person.country_id if person else None)

    def ids(role, column):
        position = {"country": 1, "region": 2, "organisation": 3}[column]
        return frozenset(row[position] for row in assignments if row[0] == role and row[position] is not None)

    secretariat_regions = ids("secretariat", "region")
    secretariat_countries = (
        frozenset(
            Membership.objects.current().filter(region_id__in=secretariat_regions).values_list("country_id", flat=True)
        )
        if secretariat_regions
        else frozenset()
    )
    network_ids = frozenset()
    client_of_ids = frozenset()
    region_ids = frozenset()
    if organisation_id:
        network_ids = frozenset(
            Organisation.networks.through.objects.filter(organisation_id=organisation_id).values_list("network_id", flat=True)
        )
        client_of_ids = frozenset(
            Organisation.client_of.through.objects.filter(from_organisation_id=organisation_id).values_list(
                "to_organisation_id", flat=True
            )
        )
    if country_id:
        region_ids = frozenset(Membership.objects.current().filter(country_id=country_id).values_list("region_id", flat=True))
    org_scoped = {role: ids(role, "organisation") for role in ("org_admin", "editor", "focal_point", "secretariat")}
    editor_org_ids = frozenset()
    if organisation_id and roles & EDITOR_ROLES:
        editor_org_ids = frozenset({organisation_id})
    editor_org_ids |= org_scoped["org_admin"] | org_scoped["editor"]
    return UserContext(
        user_id=user.pk,
        active=True,
        platform_admin=platform_admin,
        person_id=person.pk if person else None,
        organisation_id=organisation_id,
        country_id=country_id,
        roles=frozenset(roles),
        network_ids=network_ids,
        region_ids=region_ids,
        client_of_ids=client_of_ids,
        focal_point_country_ids=ids("focal_point", "country"),
        team_country_ids=ids("national_team", "country"),
        secretariat_region_ids=secretariat_regions,
        secretariat_country_ids=secretariat_countries,
        org_admin_ids=org_scoped["org_admin"] | ({organisation_id} if organisation_id and "org_admin" in roles else set()),
        editor_org_ids=editor_org_ids,
    )
