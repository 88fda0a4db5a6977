"""Pure rule helpers of the sharing engine, and the policy of the records about a shared item.

The read predicate of shared items themselves is SharingPolicy in cbrnet.access.policies (the one
place that decides). What lives here decides who sees the records *about* an item (its grants, its
frozen audience, approvals, break-glass rows, the RED read log) by reusing that predicate, plus small
pure functions the services and the federation share.
"""

from django.db.models import Q

from cbrnet.access.policies import NOTHING, Policy
from cbrnet.sharing.choices import TLP, GrantScope, is_looser, scope_rank


class SharedRecordPolicy(Policy):
    """Records about shared items, readable only through the item's own predicate.

    rule="recipient_list": R13, recipient lists are shown to everyone who sees a CLEAR/GREEN item,
    and for other labels only to the owner side (the owner organisation and the author).
    rule="owners": only those who may change the item (its author and the owner's editors).
    `own_field` also opens the rows that name the user (their own approval request, break-glass, reads).
    Nobody writes these records through the generic views: only cbrnet.sharing.services does.
    """

    def __init__(self, *, rule: str, own_field: str | None = None):
        if rule not in ("recipient_list", "owners"):
            raise ValueError(rule)
        self.rule = rule
        self.own_field = own_field

    def q(self, context, action, prefix=""):
        from cbrnet.sharing.models import content_type_id, shared_models

        if action != "view" or not context.active:
            return NOTHING
        q = NOTHING
        for model in shared_models():
            policy = model.access_policy
            if self.rule == "owners":
                items = policy.q_for(model, context, "change")
            else:
                owner_side = Q(author_id=context.user_id)
                if context.organisation_id:
                    owner_side |= Q(owner_organisation_id=context.organisation_id)
                items = policy.q_for(model, context, "view") & (
                    Q(tlp__in=[TLP.CLEAR, TLP.GREEN]) | owner_side
                )
            q |= Q(
                **{
                    prefix + "content_type_id": content_type_id(model),
                    prefix + "object_id__in": model._base_manager.filter(items).values("pk"),
                }
            )
        if self.own_field:
            q |= Q(**{prefix + self.own_field: context.user_id})
        return q

    def may_add(self, context):
        return False


def may_label(max_label: str | None, label: str) -> bool:
    """R15: whether a user whose loosest allowed label is `max_label` may apply `label`."""
    return max_label is not None and not is_looser(label, max_label)


def may_grant_scope(max_scope: str | None, scope: str) -> bool:
    """R15: whether a user whose broadest allowed grant is `max_scope` may add a grant of `scope`."""
    return max_scope is not None and scope_rank(scope) <= scope_rank(max_scope)


def recipient_may_forward(label: str) -> bool:
    """R9: recipients may pass on GREEN (inside its networks) and CLEAR (anywhere); never AMBER or RED."""
    return label in (TLP.CLEAR, TLP.GREEN)


def grant_network_ids(scope: str, target) -> set[int] | None:
    """The networks a grant target belongs to (None: no network constraint can be checked, e.g. CLEAR).

    Used for R9: a recipient's GREEN forward must stay inside the item's networks.
    """
    from cbrnet.registry.models import Membership

    if scope == GrantScope.NETWORK:
        return {target.pk}
    if scope == GrantScope.REGION:
        return {target.network_id}
    if scope == GrantScope.COUNTRY:
        return set(Membership.objects.current().filter(country=target).values_list("network_id", flat=True))
    if scope == GrantScope.ORGANISATION:
        return set(target.networks.values_list("pk", flat=True))
    if scope == GrantScope.USER:
        person = getattr(target, "person", None)
        organisation = getattr(person, "organisation", None)
        return set(organisation.networks.values_list("pk", flat=True)) if organisation else set()
    return set()


def inside_networks(scope: str, target, network_ids) -> bool:
    """Whether every member of the grant's scope is inside the item's networks (R9 forward of GREEN).

    A network grant must name one of them; a region must belong to one; a country, an organisation
    or a person must belong to one of them.
    """
    network_ids = set(network_ids)
    if scope in (GrantScope.NETWORK, GrantScope.REGION):
        return grant_network_ids(scope, target) <= network_ids
    return bool(grant_network_ids(scope, target) & network_ids)
