"""Writes of the meetings app beyond plain records: closing and reopening action items, inviting a
region's focal points, presentation files and calendar feed tokens. Plain records go through
cbrnet.core.services."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core.services import record_save
from cbrnet.meetings.choices import ActionItemStatus, Attendance
from cbrnet.meetings.models import ActionItem, CalendarFeedToken, Meeting, Participant, Presentation
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Membership, Person, RoleAssignment

CLOSING_NOTE_MAX = 2000
FEED_TOKEN_PREFIX = "cal_"


def actionitem_may_close(*, user, item: ActionItem) -> bool:
    """Who may close or reopen an action item: its owner and the managers of its meeting."""
    context = access.user_context(user)
    if not context.active:
        return False
    if context.person_id is not None and item.owner_id == context.person_id:
        return True
    return access.can(user, "change", item)


def _locked_item(user, item: ActionItem) -> ActionItem:
    # Two people closing the same item at once: the row lock makes the second one see the first's close.
    locked = ActionItem.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None or not access.can(user, "view", locked):
        raise PermissionDenied(_("You may not see this action item."))
    if not actionitem_may_close(user=user, item=locked):
        raise PermissionDenied(_("Only the owner of this action item or a manager of its meeting may close or reopen it."))
    return locked


@transaction.atomic
def actionitem_close(*, user, item: ActionItem, note: str = "") -> ActionItem:
    """Close an action item with an optional note on what was done; by its owner or a manager."""
    item = _locked_item(user, item)
    note = (note or "").strip()
    if item.status == ActionItemStatus.CLOSED:
        raise ValidationError({"status": _("This action item is already closed.")})
    if len(note) > CLOSING_NOTE_MAX:
        raise ValidationError({"note": _("Keep the note under %(max)s characters.") % {"max": CLOSING_NOTE_MAX}})
    item.status = ActionItemStatus.CLOSED
    item.closed_at = timezone.now()
    item.closed_by = user
    item.closing_note = note
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def actionitem_reopen(*, user, item: ActionItem) -> ActionItem:
    """Open a closed action item again (it was closed too early); the audit trail keeps the old note."""
    item = _locked_item(user, item)
    if item.status == ActionItemStatus.OPEN:
        raise ValidationError({"status": _("This action item is already open.")})
    item.status = ActionItemStatus.OPEN
    item.closed_at = None
    item.closed_by = None
    item.closing_note = ""
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def meeting_invite_focal_points(*, user, meeting: Meeting) -> list[Participant]:
    """Invite the current National Focal Points of the meeting's region (those not yet invited)."""
    if not access.can(user, "change", meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    if not meeting.region_id:
        raise ValidationError({"region": _("This meeting has no region whose focal points could be invited.")})
    day = timezone.localdate()
    countries = Membership.objects.current().filter(region_id=meeting.region_id).values("country_id")
    people = Person.objects.filter(
        pk__in=RoleAssignment.objects.active(day).filter(role=Role.FOCAL_POINT, country_id__in=countries).values("person_id")
    ).exclude(pk__in=meeting.participations.values("person_id"))
    created = []
    for person in people.order_by("family_name", "given_name", "pk"):
        participant = Participant(meeting=meeting, person=person, attendance=Attendance.INVITED)
        participant.full_clean()
        participant.save()
        created.append(participant)
    access.ensure_in_scope(user, meeting, "change")
    return created


def presentation_save(*, user, presentation: Presentation) -> Presentation:
    """Save a presentation (new file, link or title); a file it replaces is deleted once committed."""
    stored = Presentation.objects.filter(pk=presentation.pk).values_list("file", flat=True).first() if presentation.pk else ""
    record_save(user=user, instance=presentation)
    if stored and stored != presentation.file.name:
        storage = presentation.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    return presentation


# --- calendar feed tokens --------------------------------------------------------------------------
def hash_feed_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def calendar_feed_token_create(*, user) -> tuple[CalendarFeedToken, str]:
    """A new feed secret for `user`; any older one stops working. Returns the record and the key,
    which is shown once and never stored."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Sign in to create calendar feeds."))
    for old in CalendarFeedToken.objects.filter(user=user, revoked=False):
        old.revoked = True
        old.save()
    key = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = CalendarFeedToken(user=user, prefix=key[:12], key_hash=hash_feed_key(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def calendar_feed_token_revoke(*, user) -> int:
    """Stop every feed address of `user` at once; returns how many secrets were revoked."""
    tokens = list(CalendarFeedToken.objects.filter(user=user, revoked=False))
    for token in tokens:
        token.revoked = True
        token.save()
    return len(tokens)


def calendar_feed_user(key: str):
    """The active user a feed key belongs to, or None (unknown, revoked, or the account is inactive)."""
    if not key or not key.startswith(FEED_TOKEN_PREFIX) or len(key) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user").filter(key_hash=hash_feed_key(key), revoked=False).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        # Bookkeeping, not a change worth an audit entry; at most once an hour.
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
