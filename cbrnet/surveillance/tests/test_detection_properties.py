"""Property-based tests of the detection methods (hypothesis): shapes, NA rules, alarm rules, batching."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cbrnet.surveillance.detection import METHODS, detect_grouped, ears_c1, ears_c2, ears_c3, farrington
from cbrnet.surveillance.detection._common import limit54_ok

FAST_METHODS = ("ears_c1", "ears_c2", "ears_c3", "cusum")
FARRINGTON_METHODS = ("farrington", "farrington_flexible")
HISTORY = 264  # first week the Farrington methods judge


def counts_strategy(min_weeks: int, max_weeks: int, max_series: int = 4, max_count: int = 60):
    """Count matrices mixing zero-heavy, small and large counts."""
    shape = st.tuples(st.integers(1, max_series), st.integers(min_weeks, max_weeks))
    element = st.one_of(st.just(0), st.integers(0, 6), st.integers(0, max_count))
    return shape.flatmap(lambda dims: arrays(np.int64, dims, elements=element))


@st.composite
def seasonal_counts(draw, max_series: int = 3):
    """Long (Farrington-sized) series drawn from seeded Poisson / negative binomial / sparse generators."""
    n_series = draw(st.integers(1, max_series))
    n_weeks = draw(st.integers(HISTORY - 2, 330))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    level = rng.choice([0.2, 1.0, 4.0, 20.0, 150.0], size=(n_series, 1))
    week = np.arange(n_weeks)
    mean = level * np.exp(rng.uniform(0, 0.8, size=(n_series, 1)) * np.sin(2 * np.pi * week / 52))
    kind = draw(st.sampled_from(["poisson", "negative_binomial", "sparse"]))
    if kind == "poisson":
        counts = rng.poisson(mean)
    elif kind == "negative_binomial":
        counts = rng.negative_binomial(1.5, 1.5 / (1.5 + mean))
    else:
        counts = np.where(rng.uniform(size=mean.shape) < 0.85, 0, rng.poisson(mean + 1))
    return counts


def assert_same(left, right):
    np.testing.assert_array_equal(left.threshold, right.threshold)
    np.testing.assert_array_equal(left.alarm, right.alarm)


def check_invariants(method: str, counts: np.ndarray, weeks: int) -> None:
    result = METHODS[method](counts, weeks)
    n_series, n_weeks = counts.shape
    n_evaluated = min(weeks, n_weeks)
    assert result.threshold.shape == result.alarm.shape == (n_series, n_evaluated)
    alarm, threshold = result.alarm, result.threshold
    assert np.isin(alarm[~np.isnan(alarm)], (0.0, 1.0)).all()
    assert (threshold[~np.isnan(threshold)] >= 0).all()
    current = counts[:, n_weeks - n_evaluated :]
    # A week that is not judged has no threshold either.
    assert np.isnan(threshold[np.isnan(alarm)]).all()
    judged = ~np.isnan(threshold) & ~np.isnan(alarm)
    if method in ("ears_c1", "ears_c2", "ears_c3", "farrington"):
        # alarm <=> count > threshold wherever both are defined
        np.testing.assert_array_equal(alarm[judged] == 1, current[judged] > threshold[judged])
    if method == "farrington_flexible":
        exceeds = (current > threshold) & (current > 0)
        assert exceeds[judged & (alarm == 1)].all()
        # The package's score uses the log-scale prediction eta0 (quirk F5), so "alarm iff y > U"
        # only holds where U > eta0; eta0 never exceeds log(max baseline count).
        clear = judged & (threshold > np.log(counts.max(axis=1, keepdims=True) + 1.0))
        np.testing.assert_array_equal(alarm[clear] == 1, exceeds[clear])
    if method == "cusum":
        np.testing.assert_array_equal(alarm[judged] == 1, current[judged] >= threshold[judged])
    if method in FARRINGTON_METHODS:
        # (NaN, 0) happens exactly for limit54-suppressed weeks, which never alarm.
        week_index = np.arange(n_weeks - n_evaluated + 1, n_weeks + 1)
        enough = limit54_ok(counts.astype(float), week_index, 5, 4)
        suppressed = np.isnan(threshold) & (alarm == 0)
        if method == "farrington":
            assert not suppressed[enough].any()
        assert (alarm[~enough & ~np.isnan(alarm)] == 0).all()
        assert np.isnan(threshold[~enough]).all()
        assert np.isnan(alarm[:, week_index < HISTORY]).all()
    else:
        assert not (np.isnan(threshold) & ~np.isnan(alarm)).any()


@pytest.mark.parametrize("method", FAST_METHODS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_strategy(1, 80), weeks=st.integers(1, 60))
def test_fast_methods_shape_and_na_invariants(method, counts, weeks):
    check_invariants(method, counts, weeks)


@pytest.mark.parametrize("method", FARRINGTON_METHODS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=seasonal_counts(), weeks=st.integers(1, 40))
def test_farrington_shape_and_na_invariants(method, counts, weeks):
    check_invariants(method, counts, weeks)


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=seasonal_counts(max_series=4), weeks=st.integers(1, 30), seed=st.integers(0, 1000))
def test_permuting_series_permutes_results(method, counts, weeks, seed):
    order = np.random.default_rng(seed).permutation(counts.shape[0])
    together = METHODS[method](counts, weeks)
    permuted = METHODS[method](counts[order], weeks)
    np.testing.assert_array_equal(permuted.threshold, together.threshold[order])
    np.testing.assert_array_equal(permuted.alarm, together.alarm[order])


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=seasonal_counts(max_series=3), weeks=st.integers(1, 30))
def test_batch_equals_one_series_at_a_time(method, counts, weeks):
    together = METHODS[method](counts, weeks)
    for row in range(counts.shape[0]):
        alone = METHODS[method](counts[row : row + 1], weeks)
        np.testing.assert_array_equal(alone.threshold[0], together.threshold[row])
        np.testing.assert_array_equal(alone.alarm[0], together.alarm[row])


@pytest.mark.parametrize("method", FARRINGTON_METHODS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=seasonal_counts(max_series=3), chunk=st.integers(1, 40))
def test_chunk_size_does_not_change_results(method, counts, chunk):
    assert_same(METHODS[method](counts, 20, chunk_fits=chunk), METHODS[method](counts, 20))


@settings(max_examples=40, deadline=None)
@given(counts=counts_strategy(12, 60), scale=st.integers(2, 20))
def test_ears_thresholds_scale_with_the_counts(counts, scale):
    # mean and SD scale linearly and C2 values are scale-free, so every threshold scales and no
    # alarm changes.
    for method in (ears_c1, ears_c2, ears_c3):
        base, scaled = method(counts, 50), method(counts * scale, 50)
        np.testing.assert_allclose(scaled.threshold, base.threshold * scale, rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(scaled.alarm, base.alarm)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=seasonal_counts(max_series=2), extra=st.integers(1, 500))
def test_farrington_threshold_does_not_depend_on_the_current_count(counts, extra):
    # The current week is not in the baseline: raising it can only turn a judged week into an alarm.
    raised = counts.copy()
    raised[:, -1] += extra
    before, after = farrington(counts, 1), farrington(raised, 1)
    judged = ~np.isnan(before.threshold[:, 0])
    np.testing.assert_array_equal(before.threshold[judged, 0], after.threshold[judged, 0])
    assert (after.alarm[judged, 0] >= before.alarm[judged, 0]).all()


@settings(max_examples=20, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    seed=st.integers(0, 1000),
    weeks=st.integers(1, 30),
)
def test_grouping_by_length_equals_separate_calls(lengths, seed, weeks):
    rng = np.random.default_rng(seed)
    series = [rng.poisson(4, size=length) for length in lengths]
    grouped = detect_grouped(ears_c1, series, weeks)
    for one, result in zip(series, grouped, strict=True):
        alone = ears_c1(one[None, :], weeks)
        np.testing.assert_array_equal(result.threshold, alone.threshold[0])
        np.testing.assert_array_equal(result.alarm, alone.alarm[0])
