"""Hand-checked cases of the detection methods: values worked out from the formulas in SURVEILLANCE.md."""

import math
import statistics

import numpy as np
import pytest

from cbrnet.surveillance.detection import (
    METHODS,
    cusum,
    detect_grouped,
    ears_c1,
    ears_c2,
    ears_c3,
    farrington,
    farrington_flexible,
)
from cbrnet.surveillance.detection.quantiles import qnbinom, qpois

Z_C1 = 3.090232306167813  # qnorm(1 - 0.001)
Z_C3 = 1.959963984540054  # qnorm(1 - 0.025) = qnorm(1 - 0.05/2)


def one(result):
    """Threshold and alarm rows of a single-series result."""
    return result.threshold[0], result.alarm[0]


# ---- EARS -----------------------------------------------------------------------------------


def test_ears_c1_threshold_is_mean_plus_z_sd_of_the_previous_seven_weeks():
    base = list(range(1, 8))
    expected = statistics.mean(base) + Z_C1 * statistics.stdev(base)
    assert expected == pytest.approx(10.6756647580388, rel=1e-13)  # R: mean(1:7) + qnorm(0.999) * sd(1:7)
    threshold, alarm = one(ears_c1(np.array([base + [11]]), weeks=1))
    assert threshold[0] == pytest.approx(expected, rel=1e-14)
    assert alarm[0] == 1
    assert one(ears_c1(np.array([base + [10]]), weeks=1))[1][0] == 0


def test_ears_c2_skips_the_two_weeks_before_the_week():
    counts = np.array([list(range(1, 8)) + [100, 100, 10]])
    threshold, alarm = one(ears_c2(counts, weeks=1))
    assert threshold[0] == pytest.approx(10.6756647580388, rel=1e-13)
    assert alarm[0] == 0


def test_ears_c1_and_c2_do_not_judge_weeks_without_a_full_baseline():
    counts = np.arange(1, 13)[None, :]
    threshold, alarm = one(ears_c1(counts, weeks=12))
    assert np.isnan(threshold[:7]).all() and np.isnan(alarm[:7]).all()
    assert not np.isnan(threshold[7:]).any()
    threshold, alarm = one(ears_c2(counts, weeks=12))
    assert np.isnan(alarm[:9]).all() and not np.isnan(alarm[9:]).any()
    threshold, alarm = one(ears_c3(counts, weeks=12))
    assert np.isnan(alarm[:11]).all() and not np.isnan(alarm[11:]).any()


def test_ears_c3_follows_the_package_and_alarms_after_the_exceedance():
    # Week 13 is a large C2 exceedance; the package's C3 alarms in weeks 14 and 15, not in week 13.
    counts = [1, 2, 3, 4, 5, 6, 7, 4, 4, 4, 4, 4, 40, 4, 4, 4]
    threshold, alarm = one(ears_c3(np.array([counts]), weeks=len(counts)))

    def c2(week):  # 1-based week; its baseline is weeks week-9 .. week-3
        base = counts[week - 10 : week - 3]
        return (counts[week - 1] - statistics.mean(base)) / statistics.stdev(base)

    for week in range(12, 17):
        lag_sum = max(0.0, c2(week - 1) - 1) + max(0.0, c2(week - 2) - 1)
        sd = statistics.stdev(counts[week - 10 : week - 3])
        expected = max(0.0, counts[week - 1] + sd * (Z_C3 - lag_sum))
        assert threshold[week - 1] == pytest.approx(expected, rel=1e-12)
        assert alarm[week - 1] == float(counts[week - 1] > expected)
    assert alarm[11:].tolist() == [0, 0, 1, 1, 0]  # weeks 12..16


def test_ears_on_constant_and_all_zero_series():
    constant = np.full((1, 20), 5)
    threshold, alarm = one(ears_c1(constant, weeks=5))
    assert (threshold == 5).all() and (alarm == 0).all()  # sd 0: U = mean, alarm iff y > mean
    threshold, alarm = one(ears_c3(constant, weeks=5))
    assert np.isnan(threshold).all() and np.isnan(alarm).all()  # C2 = 0/0 is NaN in R too
    zero = np.zeros((1, 20), dtype=int)
    threshold, alarm = one(ears_c1(zero, weeks=5))
    assert (threshold == 0).all() and (alarm == 0).all()
    zero[0, -1] = 1
    assert one(ears_c1(zero, weeks=1))[1][0] == 1  # any positive count over an all-zero baseline


# ---- CUSUM ----------------------------------------------------------------------------------


def test_cusum_worked_example():
    # r0 = week 5, m = mean(4, 4, 4, 4) = 4, sqrt(m) = 2, k = 1.04, h = 2.26.
    result = cusum(np.array([[4, 4, 4, 4, 8, 4, 12]]), weeks=3)
    threshold, alarm = one(result)
    # C5 = max(0, (8-4)/2 - 1.04) = 0.96; U5 = ceil(4 + 2 * 3.3) = 11
    # C6 = max(0, 0.96 + 0 - 1.04) = 0;  U6 = ceil(4 + 2 * (3.3 - 0.96)) = 9
    # C7 = 0 + 4 - 1.04 = 2.96 >= 2.26;  U7 = ceil(4 + 2 * 3.3) = 11
    assert threshold.tolist() == [11, 9, 11]
    assert alarm.tolist() == [0, 0, 1]


def test_cusum_short_series_starts_at_week_two():
    threshold, alarm = one(cusum(np.array([[3, 3, 9]]), weeks=52))
    assert np.isnan(threshold[0]) and np.isnan(alarm[0])
    assert not np.isnan(threshold[1:]).any()
    assert one(cusum(np.array([[3]]), weeks=52))[0].shape == (1,)


def test_cusum_with_zero_mean_judges_only_infinite_exceedances():
    threshold, alarm = one(cusum(np.zeros((1, 10), dtype=int), weeks=5))
    assert np.isnan(alarm).all()  # (0 - 0) / 0 is NaN in R and propagates
    assert np.isnan(threshold).all()  # not judged, so no threshold (R substitutes 0)
    threshold, alarm = one(cusum(np.array([[0] * 6 + [2, 0, 0, 0]]), weeks=5))
    # Week 6 is NaN; week 7 keeps the NaN sum; a positive count first would give +Inf and alarm 1.
    assert np.isnan(alarm).all()
    threshold, alarm = one(cusum(np.array([[0] * 5 + [2, 0, 0, 0, 0]]), weeks=5))
    assert alarm[0] == 1 and threshold[0] == 0  # (2 - 0) / 0 = +Inf: alarm, threshold ceil(0) = 0
    assert np.isnan(alarm[1:]).all()  # Inf + NaN afterwards


# ---- Farrington -----------------------------------------------------------------------------


def test_limit54_suppresses_weeks_with_fewer_than_five_cases_in_four_weeks():
    counts = np.ones((1, 364), dtype=int)  # 4 cases in every 4 weeks
    for method in (farrington, farrington_flexible):
        threshold, alarm = one(method(counts, weeks=52))
        assert np.isnan(threshold).all()
        assert (alarm == 0).all()
    counts[0, -2:] = [2, 3]  # weeks 363, 364 now have 1+1+2+... >= 5 cases in their last 4 weeks
    threshold, alarm = one(farrington(counts, weeks=2))
    assert not np.isnan(threshold[1]) and not np.isnan(alarm[1])


def test_farrington_methods_need_five_full_years_of_history():
    rng = np.random.default_rng(3)
    for method in (farrington, farrington_flexible):
        threshold, alarm = one(method(rng.poisson(10, size=(1, 263)), weeks=52))
        assert np.isnan(threshold).all() and np.isnan(alarm).all()
        threshold, alarm = one(method(rng.poisson(10, size=(1, 264)), weeks=2))
        assert np.isnan(alarm[0]) and not np.isnan(alarm[1]) and not np.isnan(threshold[1])


def test_all_zero_series():
    zero = np.zeros((1, 364), dtype=int)
    # farringtonFlexible: IRLS needs more than 25 iterations on 237 zeros, so no model (quirk F2).
    threshold, alarm = one(farrington_flexible(zero, weeks=10))
    assert np.isnan(threshold).all() and np.isnan(alarm).all()
    # algo.farrington converges on its 35 zeros; every week fails limit54.
    threshold, alarm = one(farrington(zero, weeks=10))
    assert np.isnan(threshold).all() and (alarm == 0).all()


def test_farrington_alarms_on_any_case_after_an_all_zero_baseline():
    counts = np.zeros((1, 364), dtype=int)
    counts[0, -1] = 6  # limit54 met only by the current week
    threshold, alarm = one(farrington(counts, weeks=1))
    # mu0 = 0.1 exp(-24) (24 IRLS steps of -1 on the log scale), so U is about 0.0021 (quirk F2).
    assert 0.001 < threshold[0] < 0.005
    assert alarm[0] == 1
    threshold, alarm = one(farrington_flexible(counts, weeks=1))
    assert np.isnan(threshold[0]) and np.isnan(alarm[0])


def test_constant_series_fits_no_trend_and_gives_the_closed_form_thresholds():
    counts = np.full((1, 364), 5)
    threshold, alarm = one(farrington(counts, weeks=5))
    # No trend (exact fit, quirk F9): mu0 = 5, phi = 1, var(eta0) = 1 / (35 * 5).
    se = 5 * math.sqrt(1 / 175)
    sd = math.sqrt(4 / 9 * 5 ** (1 / 3) * (1 + se**2 / 5))
    expected = (5 ** (2 / 3) + Z_C3 * sd) ** 1.5
    # (X'WX) uses the weights of the last IRLS step, 2e-8 away from mu = 5, as in R.
    assert threshold == pytest.approx(np.full(5, expected), rel=1e-8)
    assert threshold[0] == pytest.approx(10.0495212039163, rel=1e-13)  # R's value
    assert (alarm == 0).all()
    threshold, alarm = one(farrington_flexible(counts, weeks=5))
    assert (threshold == 9).all()  # qpois(0.95, 5) = 9 with phi = 1
    assert (alarm == 0).all()


def test_farrington_flexible_alarms_on_a_large_outbreak():
    rng = np.random.default_rng(7)
    counts = rng.poisson(20, size=(1, 364))
    counts[0, -1] = 80
    threshold, alarm = one(farrington_flexible(counts, weeks=1))
    assert threshold[0] == pytest.approx(28, abs=4)  # about the 95% point of Poisson(20) with phi ~ 1
    assert alarm[0] == 1
    threshold, alarm = one(farrington(counts, weeks=1))
    assert alarm[0] == 1


# ---- Quantiles, grouping, parameters ---------------------------------------------------------


def test_quantiles_match_r():
    # R 4.2.2: qnbinom(0.95, c(2, 0.3, 1e-12, 10, 1000), c(0.5, 0.1, 0.5, 1/1.5, 0.999)),
    # qpois(0.95, c(5, 4e-12, 123.4))
    sizes = np.array([2, 0.3, 1e-12, 10, 1000])
    probs = np.array([0.5, 0.1, 0.5, 1 / 1.5, 0.999])
    assert qnbinom(0.95, sizes, probs).tolist() == [6, 13, 0, 10, 3]
    assert qpois(0.95, np.array([5, 4e-12, 123.4])).tolist() == [9, 0, 142]


def test_detect_grouped_keeps_input_order_across_lengths():
    rng = np.random.default_rng(1)
    series = [rng.poisson(5, size=length) for length in (30, 12, 30, 5)]
    results = detect_grouped(ears_c1, series, weeks=10)
    assert [len(result.threshold) for result in results] == [10, 10, 10, 5]
    alone = ears_c1(series[2][None, :], weeks=10)
    np.testing.assert_array_equal(results[2].threshold, alone.threshold[0])


@pytest.mark.parametrize("method", sorted(METHODS))
def test_bad_counts_are_rejected(method):
    with pytest.raises(ValueError, match="non-negative"):
        METHODS[method](np.array([[1, -1, 2]]), weeks=2)
    with pytest.raises(ValueError, match="whole"):
        METHODS[method](np.array([[1.5, 1, 2]]), weeks=2)
    with pytest.raises(ValueError, match="2-D"):
        METHODS[method](np.array([1, 2, 3]), weeks=2)


def test_parameters_can_be_overridden():
    rng = np.random.default_rng(5)
    counts = rng.poisson(10, size=(3, 364))
    strict = ears_c1(counts, alpha=0.0001).threshold
    loose = ears_c1(counts, alpha=0.2).threshold
    assert (strict > loose).all()
    assert (ears_c2(counts, baseline=14).threshold != ears_c2(counts).threshold).any()
    assert (cusum(counts, h=5.0).alarm <= cusum(counts).alarm).all()
    low = farrington_flexible(counts, alpha=0.01).threshold
    high = farrington_flexible(counts, alpha=0.2).threshold
    assert (low >= high).all()
    assert np.isnan(farrington(counts, b=7).threshold).all()  # 7 years need 52 * 7 + 4 = 368 weeks
    assert np.isnan(farrington(counts, b=6).threshold[:, :3]).all()  # judged from week 52 * 6 + 4 = 316
    assert not np.isnan(farrington(counts, b=3, w=2).threshold).any()


@pytest.mark.parametrize(
    ("level", "flexible", "original"),
    [
        # R 4.2.2, surveillance 1.20.3, a constant series of 364 weeks, weeks 362-364.
        (1e5, 100520, 100629.244966913),
        (1e6, 1001645, 1001988.42467121),
        (1e8, None, 100019878.321329),  # farringtonFlexible does not converge; algo.farrington goes on
    ],
)
def test_constant_series_of_large_counts_converge_like_r(level, flexible, original):
    # An exact fit of large counts leaves only rounding noise in the deviance: the convergence test
    # must see it as R does (term by term), neither stopping early nor iterating forever.
    counts = np.full((1, 364), int(level))
    threshold, alarm = one(farrington_flexible(counts, weeks=3))
    if flexible is None:
        assert np.isnan(threshold).all() and np.isnan(alarm).all()
    else:
        assert (threshold == flexible).all() and (alarm == 0).all()
    threshold, alarm = one(farrington(counts, weeks=3))
    assert threshold == pytest.approx(np.full(3, original), rel=1e-12)
