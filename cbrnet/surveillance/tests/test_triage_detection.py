"""Detection runs on stored series: the signals they create are exactly the alarms of the detection
package (called directly here, no threshold written down), runs are idempotent, corrections withdraw
untriaged alarms, and the tasks run it for changed series and on a schedule."""

import datetime

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for
from cbrnet.surveillance import tasks
from cbrnet.surveillance.choices import Method, Sector, SignalStatus
from cbrnet.surveillance.detection import METHODS, detect_grouped
from cbrnet.surveillance.models import Series, Signal, WeeklyCount
from cbrnet.surveillance.services.detection import (
    EVALUATED_WEEKS,
    WITHDRAWN_REASON,
    series_detect,
    series_evaluation,
)
from cbrnet.surveillance.services.triage import signal_verify
from cbrnet.surveillance.tests.triage_world import (
    OUTBREAK_WEEK,
    WEEKS,
    build_triage_world,
    make_dataset,
    make_series,
    monday,
    synthetic_counts,
)

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def w():
    return build_triage_world()


def expected_alarms(method: str, counts: np.ndarray, first_index: int = 0) -> dict[datetime.date, float]:
    """week -> threshold of every alarm the detection package raises in the last 52 weeks."""
    detection = detect_grouped(METHODS[method], [counts], weeks=EVALUATED_WEEKS)[0]
    offset = len(counts) - len(detection.alarm)
    return {
        monday(first_index + offset + int(index)): float(detection.threshold[index])
        for index in np.flatnonzero(detection.alarm == 1.0)
    }


def stored(series) -> dict[datetime.date, float]:
    return dict(Signal.objects.filter(series=series).values_list("week", "threshold"))


@pytest.mark.parametrize("method", [Method.EARS_C1, Method.EARS_C3, Method.FARRINGTON_FLEXIBLE, Method.CUSUM])
def test_a_planted_outbreak_becomes_exactly_the_signals_the_package_finds(w, method):
    w.human_dataset.method = method
    w.human_dataset.save()
    counts = synthetic_counts(seed=1)
    series = make_series(w.human_dataset, w.anthrax, counts)
    expected = expected_alarms(method, counts)
    # The outbreak is found: in its week, or (EARS C3 as the package implements it) the week after.
    found = monday(OUTBREAK_WEEK + (1 if method == Method.EARS_C3 else 0))
    assert found in expected, "the planted outbreak should alarm"

    created = series_detect(series_ids=[series.pk])

    assert created == len(expected)
    assert stored(series) == pytest.approx(expected)
    signal = Signal.objects.get(series=series, week=monday(OUTBREAK_WEEK)) if monday(OUTBREAK_WEEK) in expected else None
    if signal is not None:
        assert signal.count == counts[OUTBREAK_WEEK] and signal.method == method and signal.status == SignalStatus.NEW
    series.refresh_from_db()
    assert series.detected_at is not None


def test_series_of_several_methods_and_lengths_are_judged_together(w):
    other = make_dataset(w, title="KZ animal, CUSUM", organisation=w.kz_vet, author=w.vet_officer,
                         sector=Sector.ANIMAL, method=Method.EARS_C2)
    long_counts = synthetic_counts(seed=2)
    short_counts = synthetic_counts(seed=3, weeks=120)
    cases = [
        (make_series(w.human_dataset, w.anthrax, long_counts), Method.EARS_C1, long_counts, 0),
        (make_series(w.human_dataset, w.cholera, short_counts), Method.EARS_C1, short_counts, 0),
        (make_series(other, w.anthrax, long_counts[::-1].copy()), Method.EARS_C2, long_counts[::-1].copy(), 0),
        (make_series(other, w.fmd, short_counts), Method.EARS_C2, short_counts, 0),
    ]
    created = series_detect(series_ids=[series.pk for series, *_ in cases])
    total = 0
    for series, method, counts, first in cases:
        expected = expected_alarms(method, counts, first)
        assert stored(series) == pytest.approx(expected), series
        total += len(expected)
    assert created == total > 0


def test_a_missing_week_counts_as_zero(w):
    counts = synthetic_counts(seed=4)
    gap = WEEKS - 20
    series = make_series(w.human_dataset, w.anthrax, counts, skip={gap})
    filled = counts.copy()
    filled[gap] = 0
    series_detect(series_ids=[series.pk])
    assert stored(series) == pytest.approx(expected_alarms(Method.EARS_C1, filled))
    evaluation = series_evaluation(series, weeks=52)
    assert evaluation["counts"][evaluation["weeks"].index(monday(gap).isoformat())] == 0


def test_a_second_run_changes_nothing_and_keeps_the_triage(w):
    series = make_series(w.human_dataset, w.anthrax, synthetic_counts(seed=1))
    first = series_detect(series_ids=[series.pk])
    assert first > 0
    signal = Signal.objects.get(series=series, week=monday(OUTBREAK_WEEK))
    with audit_actor(w.officer, source="ui"):
        signal_verify(user=w.officer, signal=signal, reason="Confirmed by the regional laboratory")
    entries = AuditEntry.objects.filter(model_label="surveillance.signal").count()

    assert series_detect(series_ids=[series.pk]) == 0

    assert Signal.objects.filter(series=series).count() == first
    signal.refresh_from_db()
    assert signal.status == SignalStatus.VERIFIED and signal.triaged_by == w.officer
    assert AuditEntry.objects.filter(model_label="surveillance.signal").count() == entries


def test_a_correction_withdraws_an_untriaged_alarm_and_a_new_report_brings_it_back(w):
    counts = synthetic_counts(seed=1)
    series = make_series(w.human_dataset, w.anthrax, counts)
    series_detect(series_ids=[series.pk])
    signal = Signal.objects.get(series=series, week=monday(OUTBREAK_WEEK))
    verified = Signal.objects.filter(series=series).exclude(pk=signal.pk).order_by("week").first()
    corrected = counts.copy()
    corrected[OUTBREAK_WEEK] = counts[OUTBREAK_WEEK - 1]  # the 60 was a typing error
    if verified is not None:
        with audit_actor(w.officer, source="ui"):
            signal_verify(user=w.officer, signal=verified)
        corrected[int((verified.week - monday(0)).days // 7)] = 0
    assert monday(OUTBREAK_WEEK) not in expected_alarms(Method.EARS_C1, corrected)
    with audit_actor(None, source="import"):
        for index in np.flatnonzero(corrected != counts):
            count = WeeklyCount.objects.get(series=series, week=monday(int(index)))
            count.count = int(corrected[index])
            count.save()

    with audit_actor(None, source="task"):
        series_detect(series_ids=[series.pk])

    signal.refresh_from_db()
    assert signal.status == SignalStatus.DISCARDED
    assert signal.reason == WITHDRAWN_REASON and signal.triaged_by is None and signal.triaged_at is not None
    entry = audit_entries_for(signal, AuditEntry.Action.UPDATE).get()
    assert entry.source == "task" and entry.after["status"] == SignalStatus.DISCARDED
    if verified is not None:  # a person's triage is never undone by a run
        verified.refresh_from_db()
        assert verified.status == SignalStatus.VERIFIED
    # Every other signal still matches the package.
    open_signals = dict(
        Signal.objects.filter(series=series, status=SignalStatus.NEW).values_list("week", "threshold")
    )
    assert set(open_signals) <= set(expected_alarms(Method.EARS_C1, corrected))

    # The late report was right after all: the alarm is back and waits for triage again.
    with audit_actor(None, source="import"):
        count = WeeklyCount.objects.get(series=series, week=monday(OUTBREAK_WEEK))
        count.count = int(counts[OUTBREAK_WEEK])
        count.save()
    series_detect(series_ids=[series.pk])
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW and signal.reason == "" and signal.triaged_at is None


def test_signals_created_by_the_task_are_audited_as_task(w, settings):
    settings.TASKS = IMMEDIATE
    series = make_series(w.human_dataset, w.anthrax, synthetic_counts(seed=1))
    result = tasks.detect_series.enqueue([series.pk])
    assert result.return_value["signals_created"] == Signal.objects.filter(series=series).count() > 0
    for signal in Signal.objects.filter(series=series):
        entry = audit_entries_for(signal, AuditEntry.Action.CREATE).get()
        assert entry.source == "task" and entry.actor_id is None
        assert entry.after["week"] == signal.week.isoformat()


def test_a_series_without_counts_is_marked_as_judged_and_has_no_signal(w):
    series = make_series(w.human_dataset, w.anthrax)
    assert series_detect(series_ids=[series.pk]) == 0
    series.refresh_from_db()
    assert series.detected_at is not None and not Signal.objects.exists()


def test_a_run_asked_for_by_a_user_needs_change_on_every_series(w):
    from django.core.exceptions import PermissionDenied

    human = make_series(w.human_dataset, w.anthrax, synthetic_counts(seed=1))
    animal = make_series(w.animal_dataset, w.anthrax, synthetic_counts(seed=2))
    with pytest.raises(PermissionDenied):
        series_detect(series_ids=[human.pk, animal.pk], user=w.officer)
    assert not Signal.objects.exists()
    assert series_detect(series_ids=[human.pk], user=w.officer) > 0


def test_the_number_of_queries_does_not_grow_with_the_series(w):
    def run(count):
        ids = [make_series(w.human_dataset, w.anthrax, np.full(60, 5), admin_area=f"Area {count}-{n}").pk
               for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            assert series_detect(series_ids=ids) == 0  # constant counts: no alarm
        return len(queries)

    assert run(2) == run(8)


def test_the_evaluation_of_a_series_is_what_the_package_computes(w):
    counts = synthetic_counts(seed=5)
    series = make_series(w.human_dataset, w.anthrax, counts)
    evaluation = series_evaluation(series, weeks=156)
    detection = detect_grouped(METHODS[Method.EARS_C1], [counts], weeks=156)[0]
    assert evaluation["method"] == Method.EARS_C1
    assert evaluation["weeks"][0] == monday(WEEKS - 156).isoformat()
    assert evaluation["weeks"][-1] == monday(WEEKS - 1).isoformat()
    assert evaluation["counts"] == [int(value) for value in counts[-156:]]
    assert evaluation["thresholds"] == pytest.approx(
        [None if np.isnan(value) else value for value in detection.threshold]
    )
    assert evaluation["alarms"] == [None if np.isnan(value) else value == 1.0 for value in detection.alarm]
    assert any(evaluation["alarms"]) and not any(value is None for value in evaluation["thresholds"])
    short = make_series(w.human_dataset, w.cholera, counts[:5])
    assert series_evaluation(short)["alarms"] == [None] * 5  # too little history: not judged
    empty = make_series(w.human_dataset, w.fmd)
    assert series_evaluation(empty)["weeks"] == []


def test_the_scheduled_run_takes_new_changed_and_stale_series(w, settings):
    settings.TASKS = IMMEDIATE
    judged = make_series(w.human_dataset, w.anthrax, synthetic_counts(seed=1))
    fresh = make_series(w.human_dataset, w.cholera, synthetic_counts(seed=2))
    empty = make_series(w.human_dataset, w.fmd)
    series_detect(series_ids=[judged.pk])
    assert tasks.series_due() == [fresh.pk]

    result = tasks.detect_all.enqueue()
    assert result.return_value["series"] == 1
    assert tasks.series_due() == []
    # A late report for a judged series makes it due again.
    with audit_actor(None, source="import"):
        count = WeeklyCount.objects.filter(series=judged).order_by("-week").first()
        count.count += 1
        count.save()
    assert tasks.series_due() == [judged.pk]
    # Every series is judged again once a week, new data or not.
    later = timezone.now() + tasks.FULL_RUN_EVERY + datetime.timedelta(hours=1)
    assert tasks.series_due(now=later) == [judged.pk, fresh.pk]
    assert empty.pk not in tasks.series_due(now=later)
    assert Series.objects.get(pk=empty.pk).detected_at is None
