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
                 managers=("secretariat", "focal_point", "org_admin"), many=False, managers_delete=True):
        self.managers_delete = managers_delete  # False: only platform administrators delete
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
        if action in ("view", "export"):
            return self.view_q(context, prefix)
        if action == "delete" and not self.managers_delete:
            return EVERYTHING if context.active and context.platform_admin else NOTHING
        return self.manage_q(context, prefix)

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

    def __init__(self, path: str = "", copies: dict[str, str] | None = None):
        self.path = path  # from the model to the person, e.g. "person__"
        # Columns of the model holding copies of the person's columns (ExpertProfile keeps them):
        # used when the model itself is queried, so that its rule needs no join to every person.
        self.copies = copies or {}

    def _column(self, prefix, name):
        return self.copies[name] if not prefix and name in self.copies else prefix + self.path + name

    def _scope(self, context, prefix, countries):
        q = within(self._column(prefix, "country_id"), countries)
        q |= within(self._column(prefix, "organisation_id"), context.org_admin_ids)
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
        q = Q(**{self._column(prefix, "directory_listed"): True}) | self._scope(context, prefix, context.view_country_ids)
        if context.organisation_id:
            q |= Q(**{self._column(prefix, "organisation_id"): context.organisation_id})
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

    def may_appoint(self, context, *, role: str, country_id: int) -> bool:
        """The same rule as q(), for an appointment not yet made (to offer the action or not)."""
        if not context.active:
            return False
        if context.platform_admin or country_id in context.secretariat_country_ids:
            return True
        return country_id in context.focal_point_country_ids and role not in ("focal_point", "secretariat", "platform_admin")


class SharingPolicy(Policy):
    """Items that carry a TLP 2.0 label and an audience (bulletins and every later shared record):
    rules R1–R8, R11 and R12 of docs/access-control.md, as ONE Q per (user, action).

    Every clause is a column test or an EXISTS subquery (no joins), so lists, counts, search and
    exports never see duplicate rows. A model that is a child of another shared item names its parent
    field in `shared_parent_field`; it is visible iff its parent is and its own rules pass (R10).
    Needs the model (for the content type of grants), so it works through `filter` / `q_for`.
    """

    def filter(self, queryset, context, action):
        return queryset.filter(self.q_for(queryset.model, context, action))

    def q(self, context, action, prefix=""):
        raise TypeError("SharingPolicy needs the model: call q_for(model, context, action, prefix).")

    def q_for(self, model, context, action, prefix="", *, break_glass=True):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        # The Q holds no clock value (the database's NOW() is used), so it is kept for the life of the
        # context: one request. Inactive contexts (anonymous is a shared singleton) are not cached.
        key = ("sharing", model._meta.label_lower, action, prefix, break_glass)
        cache = context.extra if context.active else None
        if cache is not None and key in cache:
            return cache[key]
        q = self._own_q(model, context, action, prefix, break_glass=break_glass)
        parent_field = getattr(model, "shared_parent_field", "")
        if parent_field:
            parent = model._meta.get_field(parent_field).related_model
            parent_action = "export" if action == "export" else "view"
            parent_prefix = f"{prefix}{parent_field}__"
            q &= self.q_for(parent, context, parent_action, parent_prefix, break_glass=break_glass)
        if cache is not None:
            cache[key] = q
        return q

    def may_add(self, context):
        from cbrnet.sharing.conf import max_tlp

        return bool(context.active and context.organisation_id and max_tlp(context.roles))

    # --- the rules ------------------------------------------------------------------------------
    def _own_q(self, model, context, action, p, *, break_glass):
        from django.db.models.functions import Now

        from cbrnet.sharing.conf import public_portal

        now = Now()
        live = Q(**{p + "status": "published"}) & (
            Q(**{p + "embargo_until__isnull": True}) | Q(**{p + "embargo_until__lte": now})
        )
        if not context.active:
            # R1: a signed-in user whose organisation is inactive sees nothing; R3: anonymous
            # visitors read published TLP:CLEAR only when the portal is public.
            if context.user_id is None and action in ("view", "export") and public_portal():
                return live & Q(**{p + "tlp": "clear"})
            return NOTHING
        author = Q(**{p + "author_id": context.user_id})
        not_red = ~Q(**{p + "tlp": "red"})
        # R2: drafts, withdrawn and embargoed items: the author and the owner's editors (RED: author only).
        view = author | (within(p + "owner_organisation_id", context.editor_org_ids) & not_red)
        view |= live & self._audience_q(model, context, p, now)
        if action == "view":
            if break_glass and context.platform_admin:
                view |= self._break_glass_q(model, context, p, now)  # R11: audited, expiring, per item
            return view
        if action == "export":
            return view & not_red  # R7: TLP:RED is never exported
        owner_side = author | within(p + "owner_organisation_id", context.editor_org_ids)
        write = owner_side & view
        if action == "delete":
            # Published items are withdrawn, not deleted: recipients may already have acted on them.
            write &= Q(**{p + "status__in": ["draft", "withdrawn"]})
        return write

    def _audience_q(self, model, context, p, now):
        """Who receives a live item, by label (R3–R8)."""
        from django.db.models import Exists, OuterRef

        from cbrnet.sharing.models import AudienceMember, Grant, content_type_id

        ct = content_type_id(model)
        ref = OuterRef(p + "pk")
        grants = Grant.objects.filter(content_type_id=ct, object_id=ref)
        q = Q(**{p + "tlp": "clear"})  # R3
        if context.organisation_id:
            # The owner organisation always receives its own non-RED items.
            q |= Q(**{p + "owner_organisation_id": context.organisation_id}) & ~Q(**{p + "tlp": "red"})
        roles = _roles_q(context.roles)
        # R4 GREEN: the user's organisation is in one of the item's networks and matches a grant
        # (evaluated now); no grants at all means the whole network.
        if context.network_ids:
            through = model._meta.get_field("networks").remote_field.through
            source = model._meta.get_field("networks").m2m_field_name()
            in_network = Exists(
                through.objects.filter(**{f"{source}_id": ref, "network_id__in": list(context.network_ids)})
            )
            match = Q(scope="user", user_id=context.user_id)
            match |= Q(scope="network", network_id__in=list(context.network_ids))
            if context.region_ids:
                match |= Q(scope="region", region_id__in=list(context.region_ids))
            if context.country_id:
                match |= Q(scope="country", country_id=context.country_id)
            if context.organisation_id:
                match |= Q(scope="organisation", organisation_id=context.organisation_id)
            granted = Exists(grants.filter(match & roles))  # R8: a roles list limits the grant
            q |= Q(**{p + "tlp": "green"}) & in_network & (~Exists(grants) | granted)
        # R5/R6 AMBER: the audience frozen at publication, plus (AMBER only) clients of its organisations.
        members = AudienceMember.objects.filter(content_type_id=ct, object_id=ref).filter(roles)
        own = Q(user_id=context.user_id)
        if context.organisation_id:
            own |= Q(organisation_id=context.organisation_id)
        q |= Q(**{p + "tlp": "amber_strict"}) & Exists(members.filter(own))
        with_clients = own
        if context.client_of_ids:
            with_clients |= Q(organisation_id__in=list(context.client_of_ids))
        q |= Q(**{p + "tlp": "amber"}) & Exists(members.filter(with_clients))
        # R7 RED: named people only (the author is covered by the caller).
        q |= Q(**{p + "tlp": "red"}) & Exists(grants.filter(scope="user", user_id=context.user_id))
        return q

    def _break_glass_q(self, model, context, p, now):
        from django.db.models import Exists, OuterRef

        from cbrnet.sharing.models import BreakGlass, content_type_id

        return Exists(
            BreakGlass.objects.filter(
                content_type_id=content_type_id(model), object_id=OuterRef(p + "pk"), user_id=context.user_id,
                expires_at__gt=now,
            )
        )


class SharedParentPolicy(Policy):
    """Records that belong to a shared item and carry no label of their own (the series and counts of
    a surveillance dataset, the signals found in them): they follow the item. Reading needs read on
    the item (export: export on it, so never TLP:RED); adding, changing or deleting them needs change
    on the item. `path` leads from the record to the item, e.g. "series__dataset"; `parent` names the
    item's model as "app_label.ModelName"."""

    PARENT_ACTION = {"view": "view", "export": "export", "add": "change", "change": "change", "delete": "change"}

    def __init__(self, *, path: str, parent: str):
        self.path = path
        self.parent = parent

    def parent_model(self):
        from django.apps import apps

        return apps.get_model(self.parent)

    def q(self, context, action, prefix=""):
        if action not in self.PARENT_ACTION:
            raise ValueError(f"unknown action {action!r}")
        return SharingPolicy().q_for(
            self.parent_model(), context, self.PARENT_ACTION[action], f"{prefix}{self.path}__"
        )

    def may_add(self, context):
        return SharingPolicy().may_add(context)


def _roles_q(roles) -> Q:
    """R8: a grant whose roles list is empty matches anyone; otherwise one of the user's roles.
    Roles are stored as ",focal_point,secretariat," so that `contains` works on SQLite and PostgreSQL."""
    q = Q(roles="")
    for role in sorted(roles):
        q |= Q(roles__contains=f",{role},")
    return q


class UserRecordPolicy(Policy):
    """Records addressed to one user account (their notifications): that user may do `actions` with
    them, nobody else anything — not even platform administrators, since a notification can quote a
    record of the user's scope. Nobody adds them through a page or the API: services create them.
    `path` leads from the record to the user, e.g. "recipient"."""

    def __init__(self, *, path: str, actions=("view", "export", "change")):
        self.path = path
        self.actions = frozenset(actions)

    def q(self, context, action, prefix=""):
        if not context.active or context.user_id is None or action not in self.actions:
            return NOTHING
        return Q(**{f"{prefix}{self.path}_id": context.user_id})

    def may_add(self, context):
        return False


class NetworkPolicy(Policy):
    """Records of a network that belong to no single country: its meetings and what hangs off them.

    Read: users whose organisation belongs to the record's network, the people the record names
    (`people`: paths to a person, e.g. a meeting's participants or an action item's owner), the
    secretariat of its region and platform administrators. Write: platform administrators and the
    secretariat of the record's region; a record without a region is written by platform
    administrators only. `network`, `region` and `people` are paths from the record, e.g.
    "meeting__network" for a record of a meeting. A `people` path that crosses a many-to-many
    relation repeats rows, so `filter` dedupes through a subquery.
    """

    def __init__(self, *, network: str, region: str | None = None, people: tuple[str, ...] = ()):
        self.network = network
        self.region = region
        self.people = tuple(people)

    def filter(self, queryset, context, action):
        q = self.q(context, action)
        if self.people and action in ("view", "export"):
            return queryset.filter(pk__in=queryset.model._base_manager.filter(q).values("pk"))
        return queryset.filter(q)

    def manage_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        return within(prefix + self.region, context.secretariat_region_ids) if self.region else NOTHING

    def view_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = self.manage_q(context, prefix) | within(prefix + self.network, context.network_ids)
        if context.person_id:
            for path in self.people:
                q |= Q(**{prefix + path: context.person_id})
        return q

    def q(self, context, action, prefix=""):
        if action in ("view", "export"):
            return self.view_q(context, prefix)
        return self.manage_q(context, prefix)

    def may_add(self, context):
        return context.active and bool(context.platform_admin or (self.region and context.secretariat_region_ids))


class ParticipantPolicy(Policy):
    """Records of a person's part in a public record, such as a participation in an activity: they
    carry personal data (who attended what), so they are not public like their parent.

    Read: the person themself; the focal point, national team and secretariat of `country` (the
    country recorded on the record when it was made); whoever may change the parent record;
    platform administrators. Add, change, delete: whoever may change the parent record, as the
    parent's own policy decides (e.g. the secretariat of an activity's project regions).
    `parent` is the foreign key to the parent, `parent_model` its "app_label.ModelName".
    """

    def __init__(self, *, parent: str, parent_model: str, person: str = "person", country: str = "country"):
        self.parent = parent
        self.parent_model = parent_model
        self.person = person
        self.country = country

    def _parent(self):
        from django.apps import apps

        return apps.get_model(self.parent_model)

    def manage_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        parent = self._parent()
        if not parent.access_policy.may_add(context):
            return NOTHING  # no management role at all: skip the subquery
        # A subquery, never a join: the parent's own rules may cross many-to-many relations.
        managed = parent.access_policy.filter(parent._base_manager.all(), context, "change")
        return Q(**{f"{prefix}{self.parent}_id__in": managed.values("pk")})

    def q(self, context, action, prefix=""):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in WRITE_ACTIONS:
            return self.manage_q(context, prefix)
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = self.manage_q(context, prefix) | within(f"{prefix}{self.country}_id", context.view_country_ids)
        if context.person_id:
            q |= Q(**{f"{prefix}{self.person}_id": context.person_id})
        return q

    def may_add(self, context):
        return context.active and self._parent().access_policy.may_add(context)


class CountryCyclePolicy(Policy):
    """A country's records of the CoE cycle (needs assessments, National Action Plans): the country's
    own until shared with its network.

    Read: the country's focal point and national team, the secretariat of its region, platform
    administrators; once the record reaches one of `shared_statuses`, also users whose organisation
    belongs to the record's network. Change: the same country-scope roles (focal point, national team,
    secretariat) and platform administrators; which step each may take at which status is the
    services' rule (e.g. only the secretariat validates, a team member answers only the sections
    assigned to them). Delete: the focal point and platform administrators, and only at the statuses
    in `deletable_statuses`. `country`, `network` and `status` are paths from the record.
    """

    def __init__(self, *, country: str = "country", network: str = "network", status: str = "status",
                 shared_statuses=(), deletable_statuses=()):
        self.country = country
        self.network = network
        self.status = status
        self.shared_statuses = tuple(str(s) for s in shared_statuses)
        self.deletable_statuses = tuple(str(s) for s in deletable_statuses)

    def view_q(self, context, prefix=""):
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        q = within(f"{prefix}{self.country}_id", context.view_country_ids)
        if self.shared_statuses and context.network_ids:
            q |= Q(**{f"{prefix}{self.status}__in": list(self.shared_statuses)}) & within(
                f"{prefix}{self.network}_id", context.network_ids
            )
        return q

    def q(self, context, action, prefix=""):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in ("view", "export"):
            return self.view_q(context, prefix)
        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        if action == "delete":
            return within(f"{prefix}{self.country}_id", context.focal_point_country_ids) & Q(
                **{f"{prefix}{self.status}__in": list(self.deletable_statuses)}
            )
        return within(f"{prefix}{self.country}_id", context.view_country_ids)

    def may_add(self, context):
        return context.active and bool(
            context.platform_admin or context.focal_point_country_ids or context.secretariat_region_ids
        )


class FollowsParentPolicy(Policy):
    """Records that are part of another record and have no rule of their own (the answers, comments
    and evidence of an assessment; the objectives and actions of an action plan): they follow it.
    Reading needs read on the parent (export: export); adding, changing or deleting them needs change
    on it. `path` leads from the record to the parent, e.g. "action__plan"; `parent` names the
    parent's model as "app_label.ModelName"."""

    PARENT_ACTION = {"view": "view", "export": "export", "add": "change", "change": "change", "delete": "change"}

    def __init__(self, *, path: str, parent: str):
        self.path = path
        self.parent = parent

    def parent_model(self):
        from django.apps import apps

        return apps.get_model(self.parent)

    def q(self, context, action, prefix=""):
        if action not in self.PARENT_ACTION:
            raise ValueError(f"unknown action {action!r}")
        return self.parent_model().access_policy.q(context, self.PARENT_ACTION[action], f"{prefix}{self.path}__")

    def may_add(self, context):
        return self.parent_model().access_policy.may_add(context)


class TemplatePolicy(Policy):
    """Questionnaire templates of a network and their parts: read by every signed-in user; built and
    published by platform administrators and the secretariat officers of any region of the
    template's network. A published version is immutable: change and delete apply to drafts only
    (retiring a published version is `manage_q`, checked by its service). `network` and `status` are
    paths from the record, e.g. "section__version__network"."""

    def __init__(self, *, network: str = "network", status: str = "status"):
        self.network = network
        self.status = status

    def manage_q(self, context, prefix=""):
        from cbrnet.registry.models import Region

        if not context.active:
            return NOTHING
        if context.platform_admin:
            return EVERYTHING
        if not context.secretariat_region_ids:
            return NOTHING
        networks = Region._base_manager.filter(pk__in=list(context.secretariat_region_ids)).values("network_id")
        return Q(**{f"{prefix}{self.network}_id__in": Subquery(networks)})

    def q(self, context, action, prefix=""):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in ("view", "export"):
            return EVERYTHING if context.active else NOTHING
        return self.manage_q(context, prefix) & Q(**{f"{prefix}{self.status}": "draft"})

    def may_add(self, context):
        return context.active and bool(context.platform_admin or context.secretariat_region_ids)
