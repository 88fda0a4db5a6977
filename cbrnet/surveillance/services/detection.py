"""Detection runs on stored series: judge the weekly counts with the dataset's method and keep one
Signal per alarm (cbrnet.surveillance.detection does the statistics, this module the bookkeeping).

Weeks without a stored count are counted as zero reported cases (the detection methods need
consecutive weeks; a missing week is read as "nothing reported", see docs/surveillance.md).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core import audit
from cbrnet.core.models import AuditEntry
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.detection import METHODS, detect_grouped
from cbrnet.surveillance.models import Series, Signal, WeeklyCount

#: Every run re-judges the last year of each series: late reports and corrections change past weeks.
EVALUATED_WEEKS = 52
#: Series judged in one transaction (and one counts query): keeps locks and memory bounded.
BATCH_SIZE = 200
#: The reason recorded when a correction makes an untriaged alarm disappear. Kept in English in the
#: database like every stored reason; the pages show it as stored.
WITHDRAWN_REASON = "Alarm withdrawn: the corrected counts no longer exceed the threshold"

WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class WeeklySeries:
    """The consecutive weeks of one series from its first to its last stored week, gaps filled with 0."""

    first_week: datetime.date
    counts: np.ndarray  # int64, one value per week

    @property
    def weeks(self) -> list[datetime.date]:
        return [self.first_week + WEEK * index for index in range(len(self.counts))]


def weekly_series(rows: Iterable[tuple[datetime.date, int]]) -> WeeklySeries | None:
    """(week, count) pairs in any order -> the filled series; None when there is no count at all."""
    pairs = sorted(rows)
    if not pairs:
        return None
    first, last = pairs[0][0], pairs[-1][0]
    counts = np.zeros((last - first).days // 7 + 1, dtype=np.int64)
    for week, count in pairs:
        counts[(week - first).days // 7] = count
    return WeeklySeries(first, counts)


def _counts_by_series(series_ids: list[int]) -> dict[int, WeeklySeries]:
    """One query for the counts of all the series."""
    rows = defaultdict(list)
    for series_id, week, count in WeeklyCount.objects.filter(series_id__in=series_ids).values_list(
        "series_id", "week", "count"
    ):
        rows[series_id].append((week, count))
    return {series_id: weekly_series(pairs) for series_id, pairs in rows.items()}


def series_detect(*, series_ids: Iterable[int], user=None) -> int:
    """Judge the given series with their datasets' methods and bring their signals up to date.

    The last EVALUATED_WEEKS weeks of each series are judged on its full history. Each alarm becomes
    a Signal (unique on series, week and method); an existing signal keeps its triage and only takes
    the new count and threshold. An untriaged signal whose week no longer alarms (a correction or a
    late report changed the counts) is closed as discarded with WITHDRAWN_REASON; such a withdrawn
    signal reopens if the alarm comes back. Every signal write is audited in the caller's audit
    context (the task enters source "task"). `user`, when given, must be allowed to change every
    series (a run asked for from a page); the scheduler and the ingestion tasks pass none.

    Returns the number of signals created.
    """
    ids = sorted({int(pk) for pk in series_ids})
    if user is not None:
        allowed = set(access.restrict(Series.objects.filter(pk__in=ids), user, "change").values_list("pk", flat=True))
        if set(ids) - allowed:
            raise PermissionDenied(_("You may only run detection on series of datasets you may change."))
    created = 0
    for start in range(0, len(ids), BATCH_SIZE):
        created += _detect_batch(ids[start : start + BATCH_SIZE])
    return created


def _detect_batch(ids: list[int]) -> int:
    with transaction.atomic():
        # Locking the series serialises two runs on the same series (PostgreSQL), so that both
        # never try to create the same signal; SQLite serialises writers already.
        series_list = list(
            Series.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("dataset")
            .order_by("pk")
        )
        if not series_list:
            return 0
        filled = _counts_by_series([series.pk for series in series_list])
        by_method: dict[str, list[tuple[Series, WeeklySeries]]] = defaultdict(list)
        for series in series_list:
            data = filled.get(series.pk)
            if data is not None:
                by_method[series.dataset.method].append((series, data))
        # (series id, week) -> (count, threshold) of every alarm; judged weeks per series and method.
        alarms: dict[tuple[int, datetime.date], tuple[int, float]] = {}
        judged: dict[int, tuple[str, datetime.date, datetime.date]] = {}
        for method, members in by_method.items():
            detections = detect_grouped(
                METHODS[method], [data.counts for _series, data in members], weeks=EVALUATED_WEEKS
            )
            for (series, data), detection in zip(members, detections, strict=True):
                evaluated = len(detection.alarm)
                offset = len(data.counts) - evaluated
                weeks = data.weeks
                judged[series.pk] = (method, weeks[offset], weeks[-1])
                for index in np.flatnonzero(detection.alarm == 1.0):
                    position = offset + int(index)
                    alarms[(series.pk, weeks[position])] = (
                        int(data.counts[position]),
                        float(detection.threshold[index]),
                    )
        created = _apply(judged, alarms)
        # Bookkeeping of the run, not a change of the series' content: left out of the audit trail
        # (a run touches every series every week and would drown the changes people make).
        Series.objects.filter(pk__in=[series.pk for series in series_list]).update(detected_at=timezone.now())
    return created


def _apply(judged, alarms) -> int:
    """Create, update and withdraw signals so that they match the alarms of the judged weeks."""
    if not judged:
        return 0
    window = Q(pk__in=[])  # the judged weeks of every series, in one query
    for series_id, (method, first, last) in judged.items():
        window |= Q(series_id=series_id, method=method, week__gte=first, week__lte=last)
    existing = {(signal.series_id, signal.week): signal for signal in Signal.objects.filter(window)}

    now = timezone.now()
    new_signals = []
    changed: list[tuple[Signal, dict]] = []
    for key, (count, threshold) in sorted(alarms.items()):
        signal = existing.get(key)
        series_id, week = key
        if signal is None:
            new_signals.append(
                Signal(
                    series_id=series_id,
                    week=week,
                    method=judged[series_id][0],
                    count=count,
                    threshold=threshold,
                )
            )
            continue
        before = audit.serialize(signal)
        signal.count, signal.threshold = count, threshold
        if _withdrawn(signal):
            signal.status, signal.reason, signal.triaged_at, signal.triaged_by = SignalStatus.NEW, "", None, None
        if audit.serialize(signal) != before:
            changed.append((signal, before))
    for key, signal in existing.items():
        if key not in alarms and signal.status == SignalStatus.NEW:
            before = audit.serialize(signal)
            signal.status, signal.reason = SignalStatus.DISCARDED, WITHDRAWN_REASON
            signal.triaged_by, signal.triaged_at = None, now
            changed.append((signal, before))

    if new_signals:
        # bulk_create skips Model.save(), so each row is recorded in the audit trail here.
        for signal in Signal.objects.bulk_create(new_signals):
            if signal.pk is None:  # a backend that returns no ids: read them back
                signal = Signal.objects.get(series_id=signal.series_id, week=signal.week, method=signal.method)
            audit.record(signal, AuditEntry.Action.CREATE, None, audit.serialize(signal))
    if changed:
        for signal, _before in changed:
            signal.updated = now  # bulk_update does not apply auto_now
        Signal.objects.bulk_update(
            [signal for signal, _before in changed],
            ["count", "threshold", "status", "reason", "triaged_by", "triaged_at", "updated"],
        )
        for signal, before in changed:
            audit.record(signal, AuditEntry.Action.UPDATE, before, audit.serialize(signal))
    return len(new_signals)


def _withdrawn(signal: Signal) -> bool:
    """Closed by a run, not by a person: the signal reopens when its alarm comes back."""
    return (
        signal.status == SignalStatus.DISCARDED and signal.triaged_by_id is None and signal.reason == WITHDRAWN_REASON
    )


def series_evaluation(series: Series, weeks: int = 156) -> dict:
    """What a series chart shows: the last `weeks` weeks with their counts, the method's threshold
    (None where the week is not judged or limit54 suppressed it) and alarm (None where not judged).

    Computed on demand on the full history (thresholds are not stored). Weeks without a count are
    zero, as in detection. Keys: method, weeks (ISO dates of the Mondays), counts, thresholds, alarms.
    """
    method = series.dataset.method
    data = weekly_series(WeeklyCount.objects.filter(series=series).values_list("week", "count"))
    if data is None:
        return {"method": method, "weeks": [], "counts": [], "thresholds": [], "alarms": []}
    detection = detect_grouped(METHODS[method], [data.counts], weeks=max(int(weeks), 1))[0]
    evaluated = len(detection.alarm)
    offset = len(data.counts) - evaluated
    return {
        "method": method,
        "weeks": [week.isoformat() for week in data.weeks[offset:]],
        "counts": [int(value) for value in data.counts[offset:]],
        "thresholds": [None if np.isnan(value) else float(value) for value in detection.threshold],
        "alarms": [None if np.isnan(value) else bool(value == 1.0) for value in detection.alarm],
    }
