"""Access rules of incidents and mutual assistance (docs/access-control.md, part 4), as policies of
the access engine: each turns (user context, action) into one Q, so lists, counts, exports, search
and notifications all ask the same question.

Three circles around an incident:

- its audience: whoever its TLP label and grants let read it (SharingPolicy, R1–R12);
- its responders: the owner side (author, editors of the owner organisation) and the affected
  country's focal point and national team. They change the incident, make and amend requests for
  assistance and decide on offers;
- those who see its restricted details (agent, exact location, casualties, description, and the
  conditions and contact point of its requests): the responders, the secretariat of the affected
  country's region, and the organisations the affected country chose (`detail_organisations`:
  whoever it invited to offer, and the organisations of the offers it accepted).

Records of an incident without a label of their own (requests, their lines and versions) follow
it; situation reports carry their own label (SharedChildMixin); offers and deployments are also
visible to the offering side; capabilities are registry records of a country or organisation.
"""

from django.db.models import Exists, OuterRef, Q

from cbrnet.access.policies import NOTHING, Policy, ScopedPolicy, SharingPolicy, within


def _incident_model():
    from django.apps import apps

    return apps.get_model("incidents", "Incident")


def _memo(context, key, build):
    """Keep a Q for the life of the context (one request), as SharingPolicy does."""
    cache = context.extra if context.active else None
    if cache is not None and key in cache:
        return cache[key]
    q = build()
    if cache is not None:
        cache[key] = q
    return q


class IncidentPolicy(SharingPolicy):
    """Incidents: read and write by their label (SharingPolicy); `responder_q` and `details_q` are
    the two further circles of the module docstring. `contact_q` is what core's generic views,
    history and exports use to blank a model's `contact_fields`: for an incident, the details."""

    def responder_q(self, context, prefix: str = "") -> Q:
        def build():
            if not context.active:
                return NOTHING
            model = _incident_model()
            view = self.q_for(model, context, "view", prefix, break_glass=False)
            owner = self.q_for(model, context, "change", prefix)
            country = within(
                prefix + "country_id", context.focal_point_country_ids | context.team_country_ids
            )
            return (owner | country) & view

        return _memo(context, ("incident-responder", prefix), build)

    def details_q(self, context, prefix: str = "") -> Q:
        def build():
            if not context.active:
                return NOTHING
            model = _incident_model()
            view = self.q_for(model, context, "view", prefix, break_glass=False)
            q = self.responder_q(context, prefix) | within(
                prefix + "country_id", context.secretariat_country_ids
            )
            if context.organisation_id:
                chosen = model.detail_organisations.through.objects.filter(
                    incident_id=OuterRef(prefix + "pk"), organisation_id=context.organisation_id
                )
                q |= Exists(chosen)
            return q & view

        return _memo(context, ("incident-details", prefix), build)

    def coordinator_q(self, context, prefix: str = "") -> Q:
        """Who may invite offers for its requests: responders and the secretariat of the region."""

        def build():
            if not context.active:
                return NOTHING
            view = self.q_for(_incident_model(), context, "view", prefix, break_glass=False)
            return self.responder_q(context, prefix) | (
                within(prefix + "country_id", context.secretariat_country_ids) & view
            )

        return _memo(context, ("incident-coordinator", prefix), build)

    def contact_q(self, context, prefix: str = "") -> Q:
        return self.details_q(context, prefix)


class IncidentRecordPolicy(Policy):
    """Records of an incident without a label of their own (a request for assistance, its lines and
    versions): read with the incident (export: export on it, so never TLP:RED); written by its
    responders. `path` leads from the record to the incident, e.g. "request__incident". Their
    `contact_fields` (conditions, contact point) are the incident's restricted details."""

    def __init__(self, *, path: str):
        self.path = path

    def _prefix(self, prefix):
        return f"{prefix}{self.path}__"

    def q(self, context, action, prefix=""):
        policy = _incident_model().access_policy
        if action in ("view", "export"):
            return policy.q_for(_incident_model(), context, action, self._prefix(prefix))
        if action in ("add", "change", "delete"):
            return policy.responder_q(context, self._prefix(prefix))
        raise ValueError(f"unknown action {action!r}")

    def contact_q(self, context, prefix=""):
        return _incident_model().access_policy.details_q(context, self._prefix(prefix))

    def may_add(self, context):
        return context.active and bool(
            context.focal_point_country_ids or context.team_country_ids or context.editor_org_ids
        )


def _offering_side_view(context, p: str) -> Q:
    q = within(p + "offering_country_id", context.view_country_ids)
    if context.organisation_id:
        q |= Q(**{p + "offering_organisation_id": context.organisation_id})
    return q


def _offering_side_write(context, p: str) -> Q:
    return within(p + "offering_country_id", context.focal_point_country_ids) | within(
        p + "offering_organisation_id", context.editor_org_ids | context.org_admin_ids
    )


class OfferPolicy(Policy):
    """Offers of assistance. Read: whoever sees the incident's restricted details, and the offering
    side (the offering organisation's people; the offering country's focal point, team and
    secretariat); in both cases only while the incident is visible to them. Change and delete: the
    offering side's editors and focal point, while the offer waits for a decision (the requesting
    side decides through cbrnet.incidents.services.offer_decide). `path` leads to the offer ("" for
    the offer itself, "offer" for its deployment)."""

    def __init__(self, *, path: str = ""):
        self.path = path

    def _p(self, prefix):
        return f"{prefix}{self.path}__" if self.path else prefix

    def q(self, context, action, prefix=""):
        if not context.active:
            return NOTHING
        p = self._p(prefix)
        policy = _incident_model().access_policy
        incident = f"{p}request__incident__"
        visible = policy.q_for(
            _incident_model(), context, "export" if action == "export" else "view", incident
        )
        if action in ("view", "export"):
            return visible & (policy.details_q(context, incident) | _offering_side_view(context, p))
        if action in ("add", "change", "delete"):
            return visible & _offering_side_write(context, p) & Q(**{p + "status": "offered"})
        raise ValueError(f"unknown action {action!r}")

    def may_add(self, context):
        return context.active and bool(
            context.focal_point_country_ids or context.editor_org_ids or context.org_admin_ids
        )


class DeploymentPolicy(Policy):
    """Deployments (accepted offers) and their timeline: read as the offer; the timeline is kept by
    the offering side and by the incident's responders. Nobody adds a deployment (accepting an offer
    makes it) or deletes one (it is the record of what happened). `path` leads to the deployment."""

    def __init__(self, *, path: str = ""):
        self.path = path

    def q(self, context, action, prefix=""):
        if not context.active:
            return NOTHING
        p = f"{prefix}{self.path}__" if self.path else prefix
        offer = OfferPolicy(path="offer")
        if action in ("view", "export"):
            return offer.q(context, action, p)
        if action == "change":
            incident = f"{p}offer__request__incident__"
            responders = _incident_model().access_policy.responder_q(context, incident)
            view = offer.q(context, "view", p)
            return view & (responders | _offering_side_write(context, f"{p}offer__"))
        if action in ("add", "delete"):
            return NOTHING
        raise ValueError(f"unknown action {action!r}")

    def may_add(self, context):
        return False


class InvitationPolicy(Policy):
    """Invitations to offer: read by whoever sees the request's restricted details and by the invited
    capability's managers; written only through cbrnet.incidents.services.offers_invite."""

    def q(self, context, action, prefix=""):
        if not context.active:
            return NOTHING
        if action not in ("view", "export"):
            return NOTHING
        incident = f"{prefix}request__incident__"
        policy = _incident_model().access_policy
        managers = ScopedPolicy(country="country_id", organisation="organisation_id").manage_q(
            context, f"{prefix}capability__"
        )
        visible = policy.q_for(_incident_model(), context, action, incident)
        return visible & (policy.details_q(context, incident) | managers)

    def may_add(self, context):
        return False
