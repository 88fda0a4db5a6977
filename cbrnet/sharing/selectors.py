"""Non-trivial reads of the sharing engine. Always take the user; the item was fetched through the engine."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cbrnet.access.context import user_context
from cbrnet.sharing.choices import TLP, ApprovalStatus, GrantScope
from cbrnet.sharing.models import SharedModel, amber_like
from cbrnet.sharing.services import is_owner_editor


def is_owner_side(user, item: SharedModel) -> bool:
    """The author and the members of the owner organisation (who see full recipient lists, R13)."""
    context = user_context(user)
    return bool(
        (user is not None and user.is_authenticated and item.author_id == user.pk)
        or (
            context.organisation_id
            and context.organisation_id == item.owner_organisation_id
            and item.tlp != TLP.RED
        )
    )


def shared_item_audience(*, user, item: SharedModel) -> dict:
    """Who an item is shared with, as far as this user may know (R13).

    CLEAR/GREEN, and the owner side for any label: the grants (and, for AMBER, the frozen audience).
    Other recipients of AMBER: "your organisation + N others"; of RED: "you + N others".
    """
    if item.tlp in (TLP.CLEAR, TLP.GREEN) or is_owner_side(user, item):
        grants = list(
            item.grants.select_related("network", "region", "country", "organisation", "user__person")
        )
        members = (
            list(item.audience_members.select_related("organisation", "user__person"))
            if amber_like(item.tlp)
            else []
        )
        return {
            "full": True,
            "grants": grants,
            "members": members,
            "networks": list(item.networks.all()),
            "whole_networks": item.tlp == TLP.GREEN and not grants,
            "summary": "",
            "others": None,
        }
    context = user_context(user)
    if item.tlp == TLP.RED:
        named = set(item.grants.filter(scope=GrantScope.USER).values_list("user_id", flat=True)) | {
            item.author_id
        }
        others = len(named - {user.pk, None})
        summary = ngettext("You + %(count)d other person", "You + %(count)d other people", others) % {
            "count": others
        }
    else:
        members = item.audience_members.values_list("organisation_id", "user_id")
        organisations = {org for org, _user in members if org} | {item.owner_organisation_id}
        people = {person for _org, person in members if person} - {user.pk}
        others = len(organisations - {context.organisation_id}) + len(people)
        summary = ngettext(
            "Your organisation + %(count)d other", "Your organisation + %(count)d others", others
        ) % {"count": others}
    return {
        "full": False,
        "grants": [],
        "members": [],
        "networks": [],
        "whole_networks": False,
        "summary": summary,
        "others": others,
    }


def shared_item_pending_approvals(*, user, item: SharedModel) -> list:
    """Four-eyes requests waiting on this item, for its owner side (R15)."""
    if not is_owner_editor(user, item) and item.author_id != getattr(user, "pk", None):
        return []
    return list(item.approvals.filter(status=ApprovalStatus.PENDING).select_related("requested_by"))


def describe_grant(grant) -> str:
    roles = grant.role_list
    text = str(grant.target) if grant.target is not None else _("(removed)")
    return text + (f" — {', '.join(roles)}" if roles else "")


def shared_item_notification_recipients(*, item: SharedModel, candidates) -> list[dict]:
    """Whom to notify about an item, through the same predicate as every read (R12): each candidate
    who reads it as a recipient (break-glass never counts), with whether the message may carry its
    text; a TLP:RED text never goes into an e-mail (R7), only a link to the audited page."""
    from cbrnet.sharing.services import visible_without_break_glass

    return [
        {"user": user, "include_text": item.tlp != TLP.RED}
        for user in candidates
        if user.is_active and visible_without_break_glass(user, item)
    ]
