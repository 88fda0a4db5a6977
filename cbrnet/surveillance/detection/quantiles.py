"""Discrete quantiles that land on the same integer as R's ``qnbinom`` and ``qpois``.

R (>= 4.1, ``nmath/qDiscrete_search.h``) returns the smallest ``u`` with ``F(u) >= p * (1 - 8 eps)``:
the fuzz keeps the quantile left-continuous when ``F(u)`` equals ``p`` up to rounding. scipy's
``ppf`` gives the starting point; a vectorised search then applies R's rule with scipy's CDFs.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import nbinom, poisson

from ._common import DOUBLE_EPS

#: R's relative fuzz for a lower-tail, non-log probability (``_pf_n_ * DBL_EPSILON``).
R_QUANTILE_FUZZ = 8 * DOUBLE_EPS

#: More steps than this means scipy's start was far off; it never happens for finite inputs.
_MAX_SEARCH_STEPS = 64


def _search(cdf, start: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Smallest integer ``u >= 0`` with ``cdf(u) >= p``, searching from ``start``."""
    u = np.where(np.isfinite(start), np.maximum(start, 0.0), 0.0)
    for _ in range(_MAX_SEARCH_STEPS):
        down = (u > 0) & (cdf(u - 1) >= p)
        up = cdf(u) < p
        if not (down.any() or up.any()):
            break
        u = u - down + up
    return u


def qnbinom(p: float, size: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """R's ``qnbinom(p, size, prob)`` (lower tail) for arrays of ``size`` > 0 and 0 < ``prob`` < 1."""
    size = np.asarray(size, dtype=np.float64)
    prob = np.asarray(prob, dtype=np.float64)
    target = np.full(size.shape, p * (1.0 - R_QUANTILE_FUZZ))
    result = np.zeros(size.shape)  # R returns 0 for size == 0 (a zero mean)
    positive = size > 0
    if positive.any():
        s, q, t = size[positive], prob[positive], target[positive]
        start = nbinom.ppf(t, s, q)
        result[positive] = _search(lambda u: nbinom.cdf(u, s, q), start, t)
    return result


def qpois(p: float, mean: np.ndarray) -> np.ndarray:
    """R's ``qpois(p, lambda)`` (lower tail) for an array of finite ``lambda`` >= 0."""
    mean = np.asarray(mean, dtype=np.float64)
    target = np.full(mean.shape, p * (1.0 - R_QUANTILE_FUZZ))
    result = np.zeros(mean.shape)  # R returns 0 for lambda == 0
    positive = mean > 0
    if positive.any():
        m, t = mean[positive], target[positive]
        start = poisson.ppf(t, m)
        result[positive] = _search(lambda u: poisson.cdf(u, m), start, t)
    return result
