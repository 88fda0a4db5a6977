"""CUSUM as ``surveillance::cusum`` (``algo.cusum``, R package surveillance 1.20.3) computes it.

Source: Rossi, Lampugnani, Marchi (1999), An approximate CUSUM procedure for surveillance of health
events, Statistics in Medicine 18:2111-2122; package defaults ``k = 1.04``, ``h = 2.26``,
``m = NULL`` (mean of all weeks before the window) and ``trans = "standard"``.
"""

from __future__ import annotations

import numpy as np

from ._common import Detection, as_count_matrix, empty_detection, evaluated_weeks


def cusum(counts: np.ndarray, weeks: int = 52, *, k: float = 1.04, h: float = 2.26) -> Detection:
    """One-sided standardised CUSUM started at the first evaluated week.

    With ``r0`` the first evaluated week, the in-control mean is ``m = mean(y_1 .. y_{r0-1})``,
    ``x_t = (y_t - m) / sqrt(m)``, ``C_{r0-1} = 0`` and ``C_t = max(0, C_{t-1} + x_t - k)``; the
    alarm is ``C_t >= h`` (no reset after an alarm) and the threshold
    ``ceiling(m + sqrt(m) * (h + k - C_{t-1}))``, with NaN and negative values set to 0 as R does.
    Because ``m`` comes from the weeks before the window, results depend on ``weeks``. A series
    no longer than ``weeks`` starts at week 2 with ``m = y_1``; week 1 is never judged. With
    ``m = 0`` the standardised value is NaN (alarm NaN from then on) or +Inf, exactly as in R;
    where the alarm is NaN the week is not judged and its threshold is NaN too (R reports 0).

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks (weeks 2.. of a shorter series).
    :param k: reference value (allowance) in SD units (default 1.04).
    :param h: decision interval in SD units (default 2.26).
    :returns: :class:`Detection`.
    """
    values = as_count_matrix(counts)
    n_series, n_weeks = values.shape
    evaluated = evaluated_weeks(n_weeks, weeks)
    result = empty_detection(n_series, evaluated.size)
    first = max(2, int(evaluated[0]))  # r0: the package needs at least one week before the window
    if first > n_weeks:
        return result
    offset = first - int(evaluated[0])  # columns of `result` before r0 stay "not judged"
    mean = values[:, : first - 1].mean(axis=1)
    root = np.sqrt(mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        standardised = (values[:, first - 1 :] - mean[:, None]) / root[:, None]
        previous = np.zeros(n_series)
        for column in range(standardised.shape[1]):
            # np.maximum propagates NaN as R's max(0, NaN) does; the sum is ordered as in R.
            current = np.maximum(0.0, previous + (standardised[:, column] - k))
            bound = np.ceil(root * (h + k - previous) + mean)
            bound = np.where(np.isnan(bound) | (bound < 0), 0.0, bound) + 0.0  # + 0.0 turns -0 into 0
            alarm = np.where(np.isnan(current), np.nan, (current >= h).astype(np.float64))
            # cbrnet convention: a week without an alarm value is not judged, so it has no threshold
            # either (R reports the 0 it substitutes for NaN there).
            result.threshold[:, offset + column] = np.where(np.isnan(alarm), np.nan, bound)
            result.alarm[:, offset + column] = alarm
            previous = current
    return result
