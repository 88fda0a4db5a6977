"""Reads of the exchange that span relations. Always take the user."""

from cbrnet import access
from cbrnet.access.context import user_context
from cbrnet.exchange import forms
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.sharing import selectors as sharing
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.predicates import recipient_may_forward
from cbrnet.sharing.services import is_owner_editor, visible_without_break_glass


def bulletin_page(*, user, bulletin: Bulletin) -> dict:
    """Everything the bulletin page shows besides its fields: audience (R13), updates, approvals and
    which sharing actions to offer (the services check again)."""
    signed_in = user is not None and user.is_authenticated
    context = user_context(user)
    # The bulletin came through the engine, so only a platform administrator can be reading it
    # without being a recipient (break-glass); "change" is then the owner side among recipients.
    recipient = signed_in and (not context.platform_admin or visible_without_break_glass(user, bulletin))
    owner_editor = signed_in and is_owner_editor(user, bulletin)
    can_change = recipient and (owner_editor or bulletin.author_id == user.pk)
    updates = access.restrict(
        BulletinUpdate.objects.filter(bulletin=bulletin).select_related("owner_organisation", "author"), user
    ).order_by("created", "pk")
    may_share = can_change and (owner_editor or bulletin.status == Status.DRAFT or bulletin.tlp == TLP.RED)
    may_forward = recipient and bulletin.status == Status.PUBLISHED and recipient_may_forward(bulletin.tlp)
    return {
        "audience": sharing.shared_item_audience(user=user, item=bulletin) if signed_in else None,
        "updates": updates,
        "approvals": sharing.shared_item_pending_approvals(user=user, item=bulletin) if signed_in else [],
        "can_publish": can_change and bulletin.status != Status.PUBLISHED,
        "can_withdraw": can_change and bulletin.status == Status.PUBLISHED,
        "can_change_tlp": can_change,
        "can_grant": may_share or may_forward,
        "can_remove_grants": may_share,
        "can_post_update": recipient and access.may_add(user, BulletinUpdate),
        "tlp_form": forms.ChangeTlpForm(initial={"tlp": bulletin.tlp}),
        "update_form": forms.BulletinUpdateForm(bulletin=bulletin),
        "break_glass": signed_in and not recipient,
    }
