"""Writes of the exchange. Labels, audience and publication go through cbrnet.sharing.services."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import ShareApproval


def bulletin_save(*, user, bulletin: Bulletin, networks: Iterable | None = None) -> Bulletin:
    """Create (a draft owned by the author's organisation) or change a bulletin."""
    return sharing.shared_item_save(user=user, instance=bulletin, networks=networks)


def bulletin_update_create(
    *, user, bulletin: Bulletin, body: str, tlp: str | None = None
) -> BulletinUpdate | ShareApproval:
    """Post an update or comment under a bulletin the user reads as a recipient. It reaches the
    bulletin's audience (never more, R10) and is published at once, within the user's role limit
    and, with four-eyes on, after a second editor for AMBER and RED (R15)."""
    if not sharing.visible_without_break_glass(user, bulletin):
        raise PermissionDenied(_("Only recipients of the bulletin may post under it."))
    if not access.may_add(user, BulletinUpdate):
        raise PermissionDenied(_("Your role may not post updates."))
    with transaction.atomic():
        update = sharing.shared_item_save(
            user=user, instance=BulletinUpdate(bulletin=bulletin, body=body, tlp=tlp or bulletin.tlp)
        )
        result = sharing.shared_item_publish(user=user, item=update)
    return result
