"""Triage of signals: an analyst verifies or discards (with a reason) what detection found, or reopens it.

Changing a signal needs change on its dataset (SharedParentPolicy): the dataset's author and the
editors of its owner organisation. Callers fetch the signal through the access engine first
(invisible: 404); these services then refuse (403) a user who may read it but not change it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.models import Signal

REASON_MAX_LENGTH = 2000


def _require_change(user, signal: Signal) -> None:
    if not access.can(user, "change", signal):
        raise PermissionDenied(
            _("Only the author and the editors of the dataset's owner organisation may triage its signals.")
        )


def _save(user, signal: Signal, *, status: str, reason: str) -> Signal:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(count)s characters.") % {"count": REASON_MAX_LENGTH}}
        )
    with transaction.atomic():
        signal = Signal.objects.select_for_update().get(pk=signal.pk)
        signal.status = status
        signal.reason = reason
        if status == SignalStatus.NEW:
            signal.triaged_by, signal.triaged_at = None, None
        else:
            signal.triaged_by, signal.triaged_at = user, timezone.now()
        signal.full_clean()
        signal.save()
        access.ensure_in_scope(user, signal, "change")
    return signal


def signal_verify(*, user, signal: Signal, reason: str = "") -> Signal:
    """Confirm that the signal is a real event worth following (an optional note says why)."""
    _require_change(user, signal)
    if signal.status == SignalStatus.VERIFIED:
        raise ValidationError({"status": _("This signal is already verified.")})
    return _save(user, signal, status=SignalStatus.VERIFIED, reason=reason)


def signal_discard(*, user, signal: Signal, reason: str) -> Signal:
    """Close the signal as no event (reporting artefact, known cluster…); the reason is required."""
    _require_change(user, signal)
    if signal.status == SignalStatus.DISCARDED:
        raise ValidationError({"status": _("This signal is already discarded.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the signal is discarded.")})
    return _save(user, signal, status=SignalStatus.DISCARDED, reason=reason)


def signal_reopen(*, user, signal: Signal) -> Signal:
    """Put a verified or discarded signal back in the inbox (the audit trail keeps the earlier triage)."""
    _require_change(user, signal)
    if signal.status == SignalStatus.NEW:
        raise ValidationError({"status": _("This signal is already waiting for triage.")})
    return _save(user, signal, status=SignalStatus.NEW, reason="")


def signal_triage(*, user, signal: Signal, status: str, reason: str = "") -> Signal:
    """Move the signal to `status` through the matching service (the edit form and the API's PUT/PATCH)."""
    if status not in SignalStatus.values:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(SignalStatus.values)}}
        )
    if status == signal.status:
        # Only the note changes (a signal waiting for triage may carry a note too).
        _require_change(user, signal)
        if status == SignalStatus.DISCARDED and not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the signal is discarded.")})
        return _save(user, signal, status=status, reason=reason)
    if status == SignalStatus.VERIFIED:
        return signal_verify(user=user, signal=signal, reason=reason)
    if status == SignalStatus.DISCARDED:
        return signal_discard(user=user, signal=signal, reason=reason)
    return signal_reopen(user=user, signal=signal)
