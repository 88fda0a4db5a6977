"""Batched quasi-Poisson GLMs ``log mu_t = alpha_{g(t)} + beta * t``, fitted as R's ``glm.fit`` does.

Both Farrington methods fit, for every (series, week), a log-linear model whose design is a set of
level intercepts (the seasonal factor; a single level for the original method) plus an optional
linear time trend. The design is identical for every fit in a batch; only the responses and the
prior weights differ, so the fits run side by side as array operations.

The design is parameterised by one intercept per level ("cell means") instead of R's intercept
plus treatment contrasts; both span the same column space, so fitted values, hat values, the trend
estimate with its t statistic and the predictions are the same. With this parameterisation
``X'WX`` is an arrow matrix and every weighted least-squares step has a closed form (per-level
weighted means plus a within-level slope), which keeps each IRLS iteration O(n) per fit.

R's iteration is reproduced step by step because degenerate data (all-zero baselines) depend on
it: start ``mu = y + 0.1``; at most 25 iterations; stop when
``|dev - dev_old| / (|dev| + 0.1) < 1e-8``; ``mu = max(exp(eta), 2.22e-16)``. Like ``glm.fit``,
the stored working weights, hat values and ``(X'WX)^-1`` belong to the *last* weighted
least-squares step, and the residuals to the final ``mu``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import xlogy
from scipy.stats import t as student_t

from ._common import DOUBLE_EPS

LOG_DOUBLE_EPS = float(np.log(DOUBLE_EPS))

#: glm.control() defaults, which both Farrington methods use.
MAX_ITERATIONS = 25
CONVERGENCE_EPSILON = 1e-8

#: Compact the working arrays once this share of the active fits has converged.
_COMPACT_SHARE = 0.2


@dataclass(frozen=True)
class GroupedDesign:
    """The shared design: a level per baseline observation and its time relative to the week judged.

    ``time`` is relative to the evaluated week (the week itself is 0): R uses the absolute week
    index, which only shifts the intercepts, and the relative time keeps ``X'WX`` well conditioned.
    """

    groups: np.ndarray  # (n,) level index 0..n_groups-1 of every baseline observation
    time: np.ndarray  # (n,) float, week relative to the evaluated week
    n_groups: int
    indicator: np.ndarray = field(init=False, repr=False)  # (n, n_groups) 0/1 matrix

    def __post_init__(self) -> None:
        indicator = np.zeros((self.groups.size, self.n_groups))
        indicator[np.arange(self.groups.size), self.groups] = 1.0
        object.__setattr__(self, "indicator", indicator)
        if np.any(indicator.sum(axis=0) == 0):
            raise ValueError("every level of the design needs at least one observation")

    @property
    def n_observations(self) -> int:
        return int(self.groups.size)


@dataclass
class GlmFits:
    """Fitted models of a batch, row ``i`` being fit ``i``; models without trend have slope 0.

    ``level_weight``, ``level_time`` and ``time_ss`` describe the last IRLS step's ``X'WX``:
    per-level sums of working weights, weighted mean time per level, and the within-level
    weighted sum of squares of time (infinite without trend, which zeroes its contributions).
    """

    converged: np.ndarray  # (B,) bool
    has_trend: np.ndarray  # (B,) bool
    intercepts: np.ndarray  # (B, G)
    slope: np.ndarray  # (B,)
    mu: np.ndarray  # (B, n) final fitted means
    working_weights: np.ndarray  # (B, n) R's model$weights (prior weight * mu of the last step)
    level_weight: np.ndarray  # (B, G)
    level_time: np.ndarray  # (B, G)
    time_ss: np.ndarray  # (B,)
    pearson: np.ndarray  # (B,) sum(working weights * working residuals^2), the X^2 statistic

    def take(self, rows: np.ndarray) -> GlmFits:
        return GlmFits(**{name: value[rows] for name, value in vars(self).items()})

    def put(self, rows: np.ndarray, other: GlmFits) -> None:
        """Overwrite the fits at ``rows`` with ``other`` (same number of rows)."""
        for name, value in vars(self).items():
            value[rows] = getattr(other, name)

    def n_coefficients(self, design: GroupedDesign) -> np.ndarray:
        return design.n_groups + self.has_trend.astype(np.int64)

    def df_residual(self, design: GroupedDesign) -> np.ndarray:
        return design.n_observations - self.n_coefficients(design)

    def pearson_dispersion(self, design: GroupedDesign) -> np.ndarray:
        """``summary.glm(model)$dispersion``: X^2 / (n - p), not clamped."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.pearson / self.df_residual(design)

    def hat_values(self, design: GroupedDesign) -> np.ndarray:
        """Diagonal of ``W^1/2 X (X'WX)^-1 X' W^1/2`` with the last step's weights, as ``hatvalues``."""
        level = design.groups
        spread = design.time[None, :] - self.level_time[:, level]
        with np.errstate(divide="ignore", invalid="ignore"):
            leverage = 1.0 / self.level_weight[:, level] + spread**2 / self.time_ss[:, None]
        hat = self.working_weights * leverage
        hat[hat > 1.0 - 10.0 * DOUBLE_EPS] = 1.0  # as lm.influence() rounds
        return hat

    def predict_link(self, level: int, time: float = 0.0) -> np.ndarray:
        return self.intercepts[:, level] + self.slope * time

    def predict_variance(self, level: int, time: float = 0.0) -> np.ndarray:
        """``x0' (X'WX)^-1 x0`` for a new observation of ``level`` at ``time`` (unscaled by phi)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / self.level_weight[:, level] + (time - self.level_time[:, level]) ** 2 / self.time_ss

    def slope_pvalue(self, design: GroupedDesign) -> np.ndarray:
        """Two-sided t-test p-value of the trend, as ``summary.glm`` gives it (NaN without trend)."""
        dispersion = self.pearson_dispersion(design)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = self.slope / np.sqrt(dispersion / self.time_ss)
            pvalue = 2.0 * student_t.sf(np.abs(statistic), self.df_residual(design))
        return np.where(self.has_trend, pvalue, np.nan)


def _deviance(y, ylogy, eta, mu, prior):
    """Poisson deviance ``2 * sum(w * (y log(y/mu) - (y - mu)))``; log(mu) is the clamped eta."""
    log_mu = np.maximum(eta, LOG_DOUBLE_EPS)
    terms = ylogy - y * log_mu - (y - mu)
    if prior is not None:
        terms = prior * terms
    return 2.0 * terms.sum(axis=1)


def fit_quasipoisson(
    y: np.ndarray,
    design: GroupedDesign,
    trend: bool,
    prior_weights: np.ndarray | None = None,
    max_iterations: int = MAX_ITERATIONS,
    epsilon: float = CONVERGENCE_EPSILON,
) -> GlmFits:
    """Fit ``log mu = alpha_level + beta * time`` (``beta`` only with ``trend``) to every row of ``y``.

    Reproduces ``glm.fit(..., family = quasipoisson(link = "log"))`` iteration by iteration
    (see the module docstring). ``prior_weights`` (B, n) are the ``weights =`` of ``glm``.
    """
    n_fits, n_obs = y.shape
    groups = design.groups
    indicator = design.indicator
    time = design.time
    n_groups = design.n_groups

    fits = GlmFits(
        converged=np.zeros(n_fits, dtype=bool),
        has_trend=np.full(n_fits, trend),
        intercepts=np.full((n_fits, n_groups), np.nan),
        slope=np.zeros(n_fits),
        mu=np.full((n_fits, n_obs), np.nan),
        working_weights=np.full((n_fits, n_obs), np.nan),
        level_weight=np.full((n_fits, n_groups), np.nan),
        level_time=np.zeros((n_fits, n_groups)),
        time_ss=np.full(n_fits, np.inf),
        pearson=np.full(n_fits, np.nan),
    )
    if n_fits == 0:
        return fits

    # Working state of the fits still iterating; `rows` maps it back to the batch.
    rows = np.arange(n_fits)
    y_active = y
    ylogy = xlogy(y, y)
    prior = prior_weights
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = _deviance(y_active, ylogy, eta, mu, prior)
    done_since_compaction = 0

    def store(mask: np.ndarray, converged: bool) -> None:
        target = rows[mask]
        fits.converged[target] = converged
        fits.intercepts[target] = intercepts[mask]
        fits.slope[target] = slope[mask]
        fits.mu[target] = mu[mask]
        fits.working_weights[target] = weights[mask]
        fits.level_weight[target] = level_weight[mask]
        if trend:
            fits.level_time[target] = level_time[mask]
            fits.time_ss[target] = time_ss[mask]
        residual = (y_active[mask] - mu[mask]) / mu[mask]
        fits.pearson[target] = (weights[mask] * residual**2).sum(axis=1)

    finished = np.zeros(rows.size, dtype=bool)
    for _iteration in range(max_iterations):
        if done_since_compaction > _COMPACT_SHARE * finished.size:
            # Drop the finished fits from the working arrays (the copies cost less than iterating them).
            keep = ~finished
            rows, y_active, ylogy, eta, mu, dev_old = (
                rows[keep], y_active[keep], ylogy[keep], eta[keep], mu[keep], dev_old[keep]
            )
            prior = None if prior is None else prior[keep]
            finished = np.zeros(rows.size, dtype=bool)
            done_since_compaction = 0
        # Weighted least squares of the working response z on the design, weights w^2 = prior * mu
        # (for the log link mu.eta(eta)^2 / V(mu) = mu, both floored at eps by R's linkinv).
        weights = mu if prior is None else prior * mu
        z = eta + (y_active - mu) / mu
        level_weight = weights @ indicator
        level_z = ((weights * z) @ indicator) / level_weight
        if trend:
            level_time = ((weights * time) @ indicator) / level_weight
            spread = time[None, :] - level_time[:, groups]
            weighted_spread = weights * spread
            time_ss = (weighted_spread * spread).sum(axis=1)
            slope = (weighted_spread * z).sum(axis=1) / time_ss
            intercepts = level_z - slope[:, None] * level_time
            eta = intercepts[:, groups] + slope[:, None] * time
        else:
            slope = np.zeros(rows.size)
            intercepts = level_z
            eta = intercepts[:, groups]
        mu = np.maximum(np.exp(eta), DOUBLE_EPS)
        dev = _deviance(y_active, ylogy, eta, mu, prior)
        with np.errstate(invalid="ignore"):
            converged_now = np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < epsilon
        # A non-finite deviance would make R halve the step; it cannot happen for counts that fit
        # in float64, so such fits are simply reported as not converged.
        failed_now = ~np.isfinite(dev)
        newly_done = (converged_now | failed_now) & ~finished
        if newly_done.any():
            store(newly_done & converged_now, converged=True)
            store(newly_done & ~converged_now, converged=False)
            finished |= newly_done
            done_since_compaction += int(newly_done.sum())
        dev_old = dev
        if finished.all():
            return fits
    # Not converged within max_iterations: keep the last iterate, as glm.fit does.
    store(~finished, converged=False)
    return fits


def fit_mixed(
    y: np.ndarray, design: GroupedDesign, trend: np.ndarray, prior_weights: np.ndarray | None = None
) -> GlmFits:
    """Fit rows with ``trend[i]`` True with the trend and the others without, in two batches."""
    with_trend = np.flatnonzero(trend)
    without = np.flatnonzero(~trend)
    first = with_trend if with_trend.size else without
    result = fit_quasipoisson(
        y[first], design, trend=bool(with_trend.size),
        prior_weights=None if prior_weights is None else prior_weights[first],
    )
    if with_trend.size == trend.size or without.size == trend.size:
        return result
    other = fit_quasipoisson(
        y[without], design, trend=False, prior_weights=None if prior_weights is None else prior_weights[without]
    )
    merged = _allocate_like(result, trend.size)
    merged.put(with_trend, result)
    merged.put(without, other)
    return merged


def _allocate_like(fits: GlmFits, n_rows: int) -> GlmFits:
    return GlmFits(
        **{name: np.empty((n_rows,) + value.shape[1:], dtype=value.dtype) for name, value in vars(fits).items()}
    )


def anscombe_residuals(y: np.ndarray, fits: GlmFits, design: GroupedDesign, phi: np.ndarray) -> np.ndarray:
    """Standardised Anscombe residuals, ``surveillance:::anscombe.residuals``.

    ``s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h))`` with the hat values ``h``.
    """
    mu = fits.mu
    raw = 1.5 * (y ** (2.0 / 3.0) * mu ** (-1.0 / 6.0) - np.sqrt(mu))
    with np.errstate(divide="ignore", invalid="ignore"):
        return raw / np.sqrt(phi[:, None] * (1.0 - fits.hat_values(design)))


def farrington_weights(residuals: np.ndarray, threshold: float) -> np.ndarray:
    """``surveillance:::algo.farrington.assign.weights``: down-weight residuals above ``threshold``.

    ``omega = gamma * s^-2`` where ``s > threshold``, else ``gamma``, with ``gamma`` chosen so that
    the weights sum to n.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        high = residuals > threshold
        inverse_square = residuals**-2.0
        per_obs = np.where(high, inverse_square, 1.0)
        gamma = residuals.shape[1] / per_obs.sum(axis=1)
        return gamma[:, None] * per_obs
