"""Triage of signals: an analyst verifies or discards (with a reason) what detection found, or reopens
it, and links it to the incident it is part of (or unlinks it).

Changing a signal needs change on its dataset (SharedParentPolicy): the dataset's author and the
editors of its owner organisation. Callers fetch the signal through the access engine first
(invisible: 404); these services then refuse (403) a user who may read it but not change it.

The link to an incident is shown only to those who may see the incident; to everyone else the signal
looks unlinked, so nothing tells them an incident they may not see exists. Writes follow that view:
an analyst links only to an incident they may see (an invisible one is refused exactly like an id
that does not exist), and cannot unlink an incident they cannot see ("no incident" keeps it), but
linking to one they may see replaces it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.incidents.models import Incident
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.models import Signal

REASON_MAX_LENGTH = 2000
INCIDENT_NOT_FOUND = gettext_lazy("No such incident, or you may not see it.")
#: `incident=KEEP` (the default of signal_triage): leave the signal's link as it is.
KEEP = object()


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


def _incident_visible(user, incident_id: int | None) -> bool:
    # False alike for None, an id that does not exist and an incident the user may not see.
    return (
        incident_id is not None
        and access.restrict(Incident.objects.filter(pk=incident_id), user, "view").exists()
    )


def signal_link(*, user, signal: Signal, incident: Incident | None) -> Signal:
    """Link the signal to `incident` (one the user may see), or unlink it with None.

    An incident the user may not see is refused on the field `incident` with the message of an id
    that does not exist. None unlinks only an incident the user may see: one they cannot see stays
    linked (to them the signal already looks unlinked; module docstring). Nothing changes, and
    nothing is audited, when the link stays the same.
    """
    _require_change(user, signal)
    if incident is not None and not _incident_visible(user, incident.pk):
        raise ValidationError({"incident": INCIDENT_NOT_FOUND})
    with transaction.atomic():
        signal = Signal.objects.select_for_update().get(pk=signal.pk)
        new_id = incident.pk if incident is not None else None
        if new_id is None and not _incident_visible(user, signal.incident_id):
            return signal
        if signal.incident_id == new_id:
            return signal
        signal.incident_id = new_id
        signal.full_clean()
        signal.save()
        access.ensure_in_scope(user, signal, "change")
    return signal


def signal_triage(*, user, signal: Signal, status: str, reason: str = "", incident=KEEP) -> Signal:
    """Move the signal to `status` through the matching service and, unless `incident` is KEEP, link
    it to that incident or unlink it (None) with signal_link, in one transaction (the edit form and
    the API's PUT/PATCH). A request that changes only the link leaves the triage as it is."""
    if status not in SignalStatus.values:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(SignalStatus.values)}}
        )
    if incident is KEEP:
        return _triage(user, signal, status=status, reason=reason)
    with transaction.atomic():
        linked = signal_link(user=user, signal=signal, incident=incident)
        if status == linked.status and (reason or "").strip() == linked.reason:
            return linked
        return _triage(user, linked, status=status, reason=reason)


def _triage(user, signal: Signal, *, status: str, reason: str) -> Signal:
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
