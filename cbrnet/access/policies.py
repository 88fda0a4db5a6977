"""The rules, as a few policy kinds that models configure with paths. Deny by default.

A policy turns (user context, action) into a Q object on its model. `prefix` lets one policy serve
a related model (an expert profile is visible when its person is). Anything a policy does not grant
is denied: the empty result NOTHING is the starting point of every rule.
"""

from django.db.models import Q, Subquery

ACTIONS = ("view", "add", "change", "delete", "export")
WRITE_ACTIONS = ("add", "change", "delete")
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)  # an explicit "all rows": an empty Q() vanishes when OR-ed


def within(path: str, ids) -> Q:
    return Q(**{f"{path}__in": list(ids)}) if ids else NOTHING


class Policy:
    def filter(self, queryset, context, action):
        return queryset.filter(self.q(context, action))

    def q(self, context, action: str, prefix: str = "") -> Q:
        raise NotImplementedError

    def may_add(self, context) -> bool:
        return context.active and context.platform_admin


class ScopedPolicy(Policy):
    """Registry records tied to a country, region or organisation.

    Read: every signed-in user when `public_read` (reference data of the network), otherwise users
    whose scope covers the record. Write: platform administrators; the secretariat of the record's
    region (and of its countries); the focal point of its country; the administrator of its
    organisation. `managers` narrows which of those roles may write.
    """

    def __init__(self, *, country=None, region=None, organisation=None, public_read=True,
                 managers=("secretariat", "focal_point", "org_admin"), many=False):
        self.country = country
        self.region = region
        self.organisation = organisation
        self.public_read = public_read
        self.managers = frozenset(managers)
        self.many = many  # a path crosses a many-to-many relation: dedupe through a subquery

    def filter(self, queryset, context, action):
        q = self.q(context, action)
        if self.many:
            return queryset.filter(pk__in=queryset.model._base_manager.filter(q).values("pk"))
        return queryset.filter(q)

    def manage_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = NOTHING
        countries = frozenset()
        if "focal_point" in self.managers:
            countries |= context.focal_point_country_ids
        if "secretariat" in self.managers:
            countries |= context.secretariat_country_ids
            if self.region:
                q |= within(prefix + self.region, context.secretariat_region_ids)
        if self.country:
            q |= within(prefix + self.country, countries)
        if self.organisation and "org_admin" in self.managers:
            q |= within(prefix + self.organisation, context.org_admin_ids)
        return q

    def view_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if self.public_read or context.platform_admin:
            return EVERYTHING
        q = self.manage_q(context, prefix)
        if self.country:
            q |= within(prefix + self.country, context.view_country_ids)
        if self.organisation and context.organisation_id:
            q |= Q(**{prefix + self.organisation: context.organisation_id})
        return q

    def q(self, context, action, prefix=""):
        return self.view_q(context, prefix) if action in ("view", "export") else self.manage_q(context, prefix)

    def may_add(self, context):
        if not context.active:
            return False
        if context.platform_admin:
            return True
        return bool(
            (self.country and "focal_point" in self.managers and context.focal_point_country_ids)
            or ((self.country or self.region) and "secretariat" in self.managers and context.secretariat_region_ids)
            or (self.organisation and "org_admin" in self.managers and context.org_admin_ids)
        )


class PersonPolicy(Policy):
    """People and what hangs off them (expert profiles, expertise, certifications).

    Read: people who consented to the directory; people of the countries the user manages or
    belongs to as team member; people of the user's own organisation; oneself.
    Write: oneself (not delete); the focal point and secretariat of the person's country; the
    administrator of the person's organisation; platform administrators.
    Contact details have their own rule, `contact_q`.
    """

    def __init__(self, path: str = ""):
        self.path = path  # from the model to the person, e.g. "person__"

    def _scope(self, context, prefix, countries):
        p = prefix + self.path
        q = within(p + "country_id", countries) | within(p + "organisation_id", context.org_admin_ids)
        return q

    def manage_q(self, context, prefix="", *, allow_self=True):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = self._scope(context, prefix, context.manage_country_ids)
        if allow_self and context.person_id:
            q |= Q(**{prefix + self.path + "pk": context.person_id}) if self.path else Q(pk=context.person_id)
        return q

    def view_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        p = prefix + self.path
        q = Q(**{p + "directory_listed": True}) | self._scope(context, prefix, context.view_country_ids)
        if context.organisation_id:
            q |= Q(**{p + "organisation_id": context.organisation_id})
        if context.person_id:
            q |= Q(**{(p + "pk") if p else "pk": context.person_id})
        return q

    def contact_q(self, context, prefix=""):
        """Whose e-mail, phone and address the user may see: consent and role decide."""
        from cbrnet.registry.models import Organisation

        if not context.active:
            return NOTHING
        p = prefix + self.path
        q = self.manage_q(context, prefix) | Q(**{p + "contact_visibility": "all_users"})
        if context.network_ids:
            shared = Organisation.networks.through.objects.filter(network_id__in=list(context.network_ids))
            q |= Q(**{p + "contact_visibility": "network", p + "organisation_id__in": Subquery(shared.values("organisation_id"))})
        return q

    def q(self, context, action, prefix=""):
        if action in ("view", "export"):
            return self.view_q(context, prefix)
        if action == "change":
            return self.manage_q(context, prefix)
        # Adding or deleting records about a person is for managers; oneself only when it is a
        # sub-record (an expertise line), never the person row itself.
        return self.manage_q(context, prefix, allow_self=bool(self.path))

    def may_add(self, context):
        return context.active and bool(
            context.platform_admin or context.manage_country_ids or context.org_admin_ids or (self.path and context.person_id)
        )


class RoleAssignmentPolicy(Policy):
    """Who holds which role. Visible with the person; appointed by platform administrators, the
    secretariat of the country's region, and the focal point for their own country's team
    (a focal point cannot appoint another focal point)."""

    def q(self, context, action, prefix=""):
        if action in ("view", "export"):
            return PersonPolicy(path="person__").view_q(context, prefix)
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = within(prefix + "country_id", context.secretariat_country_ids) | within(
            prefix + "region_id", context.secretariat_region_ids
        )
        q |= within(prefix + "country_id", context.focal_point_country_ids) & ~Q(
            **{prefix + "role__in": ["focal_point", "secretariat", "platform_admin"]}
        )
        return q

    def may_add(self, context):
        return context.active and bool(
            context.platform_admin or context.secretariat_region_ids or context.focal_point_country_ids
        )
