"""Shared pieces of the detection methods: the result type, input checks and the week window.

Every method takes a 2-D array of weekly counts, one row per series, all rows of the same length,
and judges the last ``weeks`` weeks of each row (or every week of a shorter row). It returns two
float arrays of shape ``(n_series, n_evaluated)``:

* ``threshold``: the upper bound of the method; NaN where the week was not judged *or* was
  suppressed by the Farrington limit54 rule;
* ``alarm``: 1.0 or 0.0, NaN where the week was not judged.

So ``threshold`` NaN with ``alarm`` NaN means "could not be judged", and ``threshold`` NaN with
``alarm`` 0 means "suppressed by limit54" (see docs/surveillance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

#: R's ``.Machine$double.eps``; the log link's inverse never returns less than this.
DOUBLE_EPS = float(np.finfo(np.float64).eps)

#: Number of weeks in a "year" of the index time axis (the package's ``freq`` of a weekly ``sts``).
WEEKS_PER_YEAR = 52


class Detection(NamedTuple):
    """The judgement of the evaluated weeks: ``threshold`` and ``alarm``, both float arrays.

    Shapes are ``(n_series, n_evaluated)``; the columns are the last ``n_evaluated`` weeks in time
    order. NaN in both arrays: not judged. NaN threshold with alarm 0: suppressed by limit54.
    """

    threshold: np.ndarray
    alarm: np.ndarray


def as_count_matrix(counts: np.ndarray | Sequence[Sequence[int]]) -> np.ndarray:
    """Return ``counts`` as a float64 matrix (n_series, n_weeks) after checking it holds counts.

    Counts are validated here because every method silently produces nonsense (NaN square roots,
    negative Poisson means) on negative or fractional input.
    """
    array = np.asarray(counts)
    if array.ndim != 2:
        raise ValueError(f"counts must be a 2-D array (n_series, n_weeks), got {array.ndim} dimension(s)")
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise ValueError(f"counts must be numeric, got dtype {array.dtype}")
    values = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(values)):
        raise ValueError("counts must be finite (missing weeks are not supported)")
    if np.any(values < 0):
        raise ValueError("counts must be non-negative")
    if np.any(values != np.floor(values)):
        raise ValueError("counts must be whole numbers")
    return values


def evaluated_weeks(n_weeks: int, weeks: int) -> np.ndarray:
    """1-based indices of the evaluated weeks: the last ``weeks`` weeks, or all of a shorter series."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    first = max(1, n_weeks - weeks + 1)
    return np.arange(first, n_weeks + 1)


def empty_detection(n_series: int, n_evaluated: int) -> Detection:
    """A result in which no week is judged (both arrays NaN)."""
    return Detection(
        threshold=np.full((n_series, n_evaluated), np.nan),
        alarm=np.full((n_series, n_evaluated), np.nan),
    )


def check_alpha(alpha: float) -> float:
    """Reject an alpha outside (0, 1): every method turns it into a quantile."""
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    return alpha


def limit54_ok(counts: np.ndarray, week_index: np.ndarray, cases: int, period: int) -> np.ndarray:
    """The Farrington limit54 rule: at least ``cases`` cases in the ``period`` weeks ending with the week.

    ``counts`` is (n_series, n_weeks), ``week_index`` 1-based. Returns a boolean (n_series, len(index))
    array. The current week is included (SURVEILLANCE.md quirk F3); weeks before the first are 0.
    """
    cumulative = np.concatenate([np.zeros((counts.shape[0], 1)), np.cumsum(counts, axis=1)], axis=1)
    start = np.maximum(week_index - period, 0)
    return (cumulative[:, week_index] - cumulative[:, start]) >= cases


def detect_grouped(
    method: Callable[..., Detection],
    series: Sequence[np.ndarray | Sequence[int]],
    weeks: int = 52,
    **parameters: object,
) -> list[Detection]:
    """Run ``method`` on series of different lengths, grouping the series by length.

    Each group of equal-length series is judged in one vectorised call. The result list follows the
    order of ``series``; each item is a :class:`Detection` of 1-D arrays for that series.
    """
    by_length: dict[int, list[int]] = {}
    arrays = [np.asarray(one) for one in series]
    for position, one in enumerate(arrays):
        if one.ndim != 1:
            raise ValueError(f"series {position} must be 1-D, got {one.ndim} dimension(s)")
        by_length.setdefault(one.shape[0], []).append(position)
    results: list[Detection | None] = [None] * len(arrays)
    for positions in by_length.values():
        group = method(np.stack([arrays[position] for position in positions]), weeks, **parameters)
        for row, position in enumerate(positions):
            results[position] = Detection(group.threshold[row], group.alarm[row])
    return results  # type: ignore[return-value]  # every slot was filled above
