"""EARS C1, C2 and C3 as ``surveillance::earsC`` (R package surveillance 1.20.3) computes them.

Sources: Hutwagner, Thompson, Seeman, Treadwell (2003), J. Urban Health 80(2 Suppl 1):i89-96;
Hutwagner, Browne, Seeman, Fleischauer (2005), Emerg. Infect. Dis. 11(2):314-316;
Fricker, Hegler, Dunfee (2008), Statistics in Medicine 27:3407-3429.

The baseline statistics use the sample standard deviation (denominator n - 1). ``ears_c3`` mirrors
the package's *implementation*, which differs from both its help page and the textbook C3
(SURVEILLANCE.md, "C3 as the package implements it"); NaN and infinite intermediate values are
propagated exactly as R propagates them, because that decides which weeks are "not judged".
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import norm

from ._common import Detection, as_count_matrix, check_alpha, empty_detection, evaluated_weeks

#: The package's alpha when the control list has none: CDC's thresholds of about 3 (C1, C2) and 2 (C3).
DEFAULT_ALPHA_C1_C2 = 0.001
DEFAULT_ALPHA_C3 = 0.025


def _baseline_stats(counts: np.ndarray, weeks: np.ndarray, baseline: int, lag: int) -> tuple[np.ndarray, ...]:
    """Mean and sample SD of the ``baseline`` weeks ending ``lag`` weeks before each week in ``weeks``.

    ``weeks`` are 1-based and must all have a full baseline (week - lag - baseline + 1 >= 1).
    """
    windows = sliding_window_view(counts, baseline, axis=1)  # window j covers weeks j+1 .. j+baseline
    start = weeks - lag - baseline  # 0-based index of the window that ends at week - lag
    selected = windows[:, start, :]
    mean = selected.mean(axis=2)
    # Two-pass variance as R's var() does, so that constant baselines give exactly 0.
    sd = np.sqrt(((selected - mean[..., None]) ** 2).sum(axis=2) / (baseline - 1))
    return mean, sd


def _ears_c1_c2(counts, weeks: int, alpha: float, baseline: int, min_sigma: float, lag: int) -> Detection:
    values = as_count_matrix(counts)
    check_alpha(alpha)
    if baseline < 3:
        raise ValueError("baseline must be at least 3 weeks (as in earsC)")
    if min_sigma < 0:
        raise ValueError("min_sigma must be non-negative")
    n_series, n_weeks = values.shape
    evaluated = evaluated_weeks(n_weeks, weeks)
    result = empty_detection(n_series, evaluated.size)
    judged = evaluated >= baseline + lag  # the minimum history: C1 (lag 1) t >= 8, C2 (lag 3) t >= 10
    if not judged.any():
        return result
    z = norm.ppf(1.0 - alpha)
    mean, sd = _baseline_stats(values, evaluated[judged], baseline, lag)
    threshold = mean + z * np.maximum(sd, min_sigma)
    current = values[:, evaluated[judged] - 1]
    result.threshold[:, judged] = threshold
    result.alarm[:, judged] = (current > threshold).astype(np.float64)
    return result


def ears_c1(
    counts: np.ndarray,
    weeks: int = 52,
    *,
    alpha: float = DEFAULT_ALPHA_C1_C2,
    baseline: int = 7,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C1: ``U = mean + z * sd`` over the ``baseline`` weeks just before the week.

    Source: Hutwagner et al. (2003); implementation ``surveillance::earsC(method = "C1")``.

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks (every week of a shorter series).
    :param alpha: one-sided level; ``z = qnorm(1 - alpha)`` (default 0.001, z = 3.090232).
    :param baseline: number of baseline weeks (default 7, at least 3).
    :param min_sigma: lower bound for the baseline SD (default 0).
    :returns: :class:`Detection`; alarm iff count > U. Weeks before ``baseline + 1`` are not judged.
    """
    return _ears_c1_c2(counts, weeks, alpha, baseline, min_sigma, lag=1)


def ears_c2(
    counts: np.ndarray,
    weeks: int = 52,
    *,
    alpha: float = DEFAULT_ALPHA_C1_C2,
    baseline: int = 7,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C2: as C1 but the baseline ends 3 weeks before the week (a 2-week guard band).

    Source: Hutwagner et al. (2003); implementation ``surveillance::earsC(method = "C2")``.

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks (every week of a shorter series).
    :param alpha: one-sided level; ``z = qnorm(1 - alpha)`` (default 0.001, z = 3.090232).
    :param baseline: number of baseline weeks (default 7, at least 3).
    :param min_sigma: lower bound for the baseline SD (default 0).
    :returns: :class:`Detection`; alarm iff count > U. Weeks before ``baseline + 3`` are not judged.
    """
    return _ears_c1_c2(counts, weeks, alpha, baseline, min_sigma, lag=3)


def ears_c3(
    counts: np.ndarray,
    weeks: int = 52,
    *,
    alpha: float = DEFAULT_ALPHA_C3,
    baseline: int = 7,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C3 exactly as ``surveillance::earsC(method = "C3")`` 1.20.3 implements it.

    With ``C2(i) = (y_i - mean2(i)) / sd2'(i)`` (the C2 baseline of week i) and
    ``L(t) = max(0, C2(t-1) - 1) + max(0, C2(t-2) - 1)``, the threshold is
    ``U = max(0, y_t + sd2'(t) * (z - L(t)))`` and the alarm is ``y_t > U``. The threshold thus
    contains the current count, and the alarm fires one and two weeks *after* large C2 exceedances;
    this is the package's behaviour, kept so that results match R (SURVEILLANCE.md). NaN from 0/0
    or 0 * Inf in R (zero-SD baselines) makes the week not judged, as in R.

    Sources: Hutwagner et al. (2005), Fricker et al. (2008) for the textbook C3; the package code
    for what is computed here.

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks (every week of a shorter series).
    :param alpha: one-sided level; ``z = qnorm(1 - alpha)`` (default 0.025, z = 1.959964).
    :param baseline: number of baseline weeks of C2 (default 7, at least 3).
    :param min_sigma: lower bound for the baseline SD (default 0).
    :returns: :class:`Detection`. Weeks before ``baseline + 5`` are not judged.
    """
    values = as_count_matrix(counts)
    check_alpha(alpha)
    if baseline < 3:
        raise ValueError("baseline must be at least 3 weeks (as in earsC)")
    if min_sigma < 0:
        raise ValueError("min_sigma must be non-negative")
    n_series, n_weeks = values.shape
    evaluated = evaluated_weeks(n_weeks, weeks)
    result = empty_detection(n_series, evaluated.size)
    judged = evaluated >= baseline + 5
    if not judged.any():
        return result
    z = norm.ppf(1.0 - alpha)
    target = evaluated[judged]
    # C2 statistics for weeks t-2 .. t of every judged week t.
    c2_weeks = np.arange(target[0] - 2, target[-1] + 1)
    mean, sd = _baseline_stats(values, c2_weeks, baseline, lag=3)
    sd = np.maximum(sd, min_sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (values[:, c2_weeks - 1] - mean) / sd
        # np.maximum propagates NaN like R's pmax(0, NaN).
        lag2 = np.maximum(0.0, c2[:, :-2] - 1.0)
        lag1 = np.maximum(0.0, c2[:, 1:-1] - 1.0)
        current = values[:, target - 1]
        threshold = np.maximum(0.0, current + sd[:, 2:] * (z - (lag2 + lag1)))
        alarm = np.where(np.isnan(threshold), np.nan, (current > threshold).astype(np.float64))
    result.threshold[:, judged] = threshold
    result.alarm[:, judged] = alarm
    return result
