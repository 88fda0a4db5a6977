"""Batched quasi-Poisson GLMs ``log mu_t = alpha_{g(t)} + beta * t``, fitted as R's ``glm.fit`` does.

Both Farrington methods fit, for every (series, week), a log-linear model whose design is a set of
level intercepts (the seasonal factor; a single level for the original method) plus an optional
linear time trend. The design is identical for every fit in a batch; only the responses and the
prior weights differ, so the fits run side by side as array operations.

The design is parameterised by one intercept per level ("cell means") instead of R's intercept
plus treatment contrasts, and time is centred within each level; both choices span the same
column space, so fitted values, hat values, the trend estimate with its t statistic and the
predictions are the same. With this parameterisation ``X'WX`` is an arrow matrix and each
weighted least-squares step has a closed form: per-level weighted means plus a within-level slope.

Because the linear predictor of every IRLS step after the first lies in the column space, each
later step can be written as an update ``c + (X'WX)^-1 X'p(y - mu)`` whose score sums follow from
``mu`` and constant sums of the data, and so does the deviance's ``sum p y log(mu)``. An iteration
therefore costs one ``exp`` and a handful of passes over the (fits x observations) arrays.

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

    Observations are ordered by level (the order of observations does not change a GLM), so every
    level is a contiguous run of columns: per-level sums are ``np.add.reduceat`` and per-level values
    spread back with ``np.repeat``, both far cheaper than products with an indicator matrix.
    ``time`` is relative to the evaluated week (the week itself is 0); R uses the absolute week
    index, which only shifts the intercepts. The fits use ``centred_time``, time minus its level's
    mean, which keeps the closed-form sums free of cancellation.
    """

    groups: np.ndarray  # (n,) level index 0..n_groups-1 of every observation, non-decreasing
    time: np.ndarray  # (n,) float, week relative to the evaluated week
    n_groups: int
    sizes: np.ndarray = field(init=False, repr=False)  # (n_groups,) observations per level
    starts: np.ndarray = field(init=False, repr=False)  # (n_groups,) first column of each level
    centres: np.ndarray = field(init=False, repr=False)  # (n_groups,) mean time of each level
    centred_time: np.ndarray = field(init=False, repr=False)  # (n,)

    def __post_init__(self) -> None:
        if np.any(np.diff(self.groups) < 0):
            raise ValueError("the observations of a GroupedDesign must be ordered by level")
        sizes = np.bincount(self.groups, minlength=self.n_groups)
        if np.any(sizes == 0):
            raise ValueError("every level of the design needs at least one observation")
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        centres = np.add.reduceat(self.time, starts) / sizes
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "centres", centres)
        object.__setattr__(self, "centred_time", self.time - np.repeat(centres, sizes))

    @property
    def n_observations(self) -> int:
        return int(self.groups.size)

    def level_sums(self, values: np.ndarray) -> np.ndarray:
        """(B, n) -> (B, n_groups): sum of each level's columns."""
        return np.add.reduceat(values, self.starts, axis=1)

    def spread(self, per_level: np.ndarray) -> np.ndarray:
        """(B, n_groups) -> (B, n): each observation gets its level's value."""
        return np.repeat(per_level, self.sizes, axis=1)


@dataclass
class GlmFits:
    """Fitted models of a batch, row ``i`` being fit ``i``; models without trend have slope 0.

    Intercepts refer to the centred time of the design. ``level_weight``, ``level_time`` and
    ``time_ss`` describe the last IRLS step's ``X'WX``: per-level sums of working weights, weighted
    mean (centred) time per level, and the within-level weighted sum of squares of time (infinite
    without trend, which zeroes its contributions).
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
        spread = design.centred_time[None, :] - design.spread(self.level_time)
        with np.errstate(divide="ignore", invalid="ignore"):
            leverage = design.spread(1.0 / self.level_weight) + spread**2 / self.time_ss[:, None]
        hat = self.working_weights * leverage
        hat[hat > 1.0 - 10.0 * DOUBLE_EPS] = 1.0  # as lm.influence() rounds
        return hat

    def predict_link(self, design: GroupedDesign, level: int, time: float = 0.0) -> np.ndarray:
        """Linear predictor of a new observation of ``level`` at ``time`` (relative to the week)."""
        return self.intercepts[:, level] + self.slope * (time - design.centres[level])

    def predict_variance(self, design: GroupedDesign, level: int, time: float = 0.0) -> np.ndarray:
        """``x0' (X'WX)^-1 x0`` for a new observation of ``level`` at ``time`` (unscaled by phi)."""
        offset = time - design.centres[level] - self.level_time[:, level]
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / self.level_weight[:, level] + offset**2 / self.time_ss

    def slope_pvalue(self, design: GroupedDesign) -> np.ndarray:
        """Two-sided t-test p-value of the trend, as ``summary.glm`` gives it (NaN without trend)."""
        dispersion = self.pearson_dispersion(design)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = self.slope / np.sqrt(dispersion / self.time_ss)
            pvalue = 2.0 * student_t.sf(np.abs(statistic), self.df_residual(design))
        return np.where(self.has_trend, pvalue, np.nan)


@dataclass
class _Step:
    """Sums of one weighted least-squares step: ``X'WX`` and ``X'Wz`` in per-level form."""

    level_weight: np.ndarray  # S_g = sum_g w
    level_time: np.ndarray  # T_g / S_g, weighted mean time per level
    time_ss: np.ndarray  # Q - sum_g T_g^2 / S_g (inf without trend)
    intercepts: np.ndarray  # new coefficients
    slope: np.ndarray

    def take(self, rows) -> _Step:
        return _Step(**{name: value[rows] for name, value in vars(self).items()})

    def shifted(self, previous: _Step) -> _Step:
        """This step's coefficients read as an update of ``previous``'s coefficients."""
        return _Step(
            self.level_weight,
            self.level_time,
            self.time_ss,
            previous.intercepts + self.intercepts,
            previous.slope + self.slope,
        )


def _solve(
    level_weight: np.ndarray,
    level_wz: np.ndarray,
    level_wt: np.ndarray | None,
    wtt: np.ndarray | None,
    wtz: np.ndarray | None,
) -> _Step:
    """Closed-form WLS with per-level intercepts and (if ``level_wt`` is given) a common slope.

    Inputs are S_g = sum w, Z_g = sum w z, T_g = sum w t per level, and sum w t^2, sum w t z: the
    blocks of X'WX and X'Wz. (With a score X'r in place of X'Wz it returns the update (X'WX)^-1 X'r.)
    """
    level_z = level_wz / level_weight
    if level_wt is None:
        n = level_weight.shape[0]
        return _Step(level_weight, np.zeros_like(level_weight), np.full(n, np.inf), level_z, np.zeros(n))
    level_time = level_wt / level_weight
    time_ss = wtt - np.einsum("ij,ij->i", level_time, level_wt)
    slope = (wtz - np.einsum("ij,ij->i", level_time, level_wz)) / time_ss
    return _Step(level_weight, level_time, time_ss, level_z - slope[:, None] * level_time, slope)


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
    Rows that converge leave the working arrays, so a few slow fits do not hold up the batch.
    """
    n_fits, n_obs = y.shape
    time = design.centred_time
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

    prior = prior_weights
    weighted_y = y if prior is None else prior * y
    # Constant sums of the data: sum p (y log y - y) of the deviance, sum_g p y, sum p y t.
    y_log_y = xlogy(y, y)
    constant = _weighted_sum(prior, y_log_y - y)
    level_y = design.level_sums(weighted_y)
    yt = _dot(weighted_y, time) if trend else np.zeros(n_fits)
    # The sums above carry a rounding error of about eps * sum p y (|log y| + 1). Where that is not
    # far below the convergence tolerance times the deviance (near-exact fits of large counts), the
    # deviance is computed term by term as R does instead, or such fits would never "converge".
    rounding = 16.0 * DOUBLE_EPS * _weighted_sum(prior, np.abs(y_log_y) + y)

    # First step from mu = y + 0.1, whose eta is not in the column space: explicit working response.
    mu = y + 0.1
    eta = np.log(mu)
    weights = mu if prior is None else prior * mu
    dev_old = _exact_deviance(y, mu, prior)
    exact = np.zeros(n_fits, dtype=bool)  # fits whose deviance is computed term by term
    z = y / mu
    z += eta - 1.0  # z = eta + (y - mu) / mu
    level_weight = design.level_sums(weights)
    level_wz = design.level_sums(weights * z)
    if trend:
        wt = weights * time
        step = _solve(
            level_weight, level_wz, design.level_sums(wt), _dot(wt, time), np.einsum("ij,ij->i", wt, z)
        )
    else:
        step = _solve(level_weight, level_wz, None, None, None)

    rows = np.arange(n_fits)  # working rows -> batch rows
    y_active = y
    finished = np.zeros(n_fits, dtype=bool)
    done_since_compaction = 0

    for _iteration in range(max_iterations):
        if done_since_compaction > _COMPACT_SHARE * finished.size:
            # Drop the finished fits from the working arrays (copying costs less than iterating them).
            keep = ~finished
            rows, y_active, weights, step = rows[keep], y_active[keep], weights[keep], step.take(keep)
            constant, level_y, yt, dev_old = constant[keep], level_y[keep], yt[keep], dev_old[keep]
            rounding, exact = rounding[keep], exact[keep]
            prior = None if prior is None else prior[keep]
            finished = np.zeros(rows.size, dtype=bool)
            done_since_compaction = 0
        # The coefficients of this step give eta and mu; the weights of the step stay "last step".
        eta = design.spread(step.intercepts)
        if trend:
            eta += step.slope[:, None] * time
        mu = np.exp(eta)
        floored = not mu.min() >= DOUBLE_EPS  # R's linkinv floors mu at eps (all-zero baselines)
        if floored:
            np.maximum(mu, DOUBLE_EPS, out=mu)
        new_weights = mu if prior is None else prior * mu
        new_level_weight = design.level_sums(new_weights)
        # sum p y log(mu): linear in the coefficients unless the floor is active.
        if floored:
            y_log_mu = np.einsum("ij,ij->i", weighted_y[rows], np.maximum(eta, LOG_DOUBLE_EPS))
        else:
            y_log_mu = np.einsum("ij,ij->i", level_y, step.intercepts) + step.slope * yt
        dev = 2.0 * (constant - y_log_mu + new_level_weight.sum(axis=1))
        if _iteration == 0:  # the first model deviance tells which fits need the exact sum
            exact = rounding > 1e-2 * epsilon * (0.1 * np.abs(dev) + 0.1)
        if exact.any():
            dev[exact] = _exact_deviance(y_active[exact], mu[exact], None if prior is None else prior[exact])
        with np.errstate(invalid="ignore"):
            converged_now = np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < epsilon
        # A non-finite deviance would make R halve the step; it cannot happen for counts that fit
        # in float64, so such fits are simply reported as not converged.
        newly_done = (converged_now | ~np.isfinite(dev)) & ~finished
        last = _iteration == max_iterations - 1
        if last:
            newly_done = ~finished
        if newly_done.any():
            _store(fits, y, rows, newly_done, converged_now, step, mu, weights, trend)
            finished |= newly_done
            done_since_compaction += int(newly_done.sum())
            if finished.all():
                break
        dev_old = dev
        # Next step, in update form: since eta is in the column space, the weighted least-squares
        # solution for z = eta + (y - mu)/mu is c + (X'WX)^-1 X'p(y - mu), and the score X'p(y - mu)
        # is sum_g p y - S_g per level and sum p y t - sum w t for the trend. The update form also
        # lets a converged fit stay bit-for-bit put, as R's does.
        weights, level_weight = new_weights, new_level_weight
        level_score = level_y - level_weight
        if trend:
            wt = weights * time
            level_wt = design.level_sums(wt)
            update = _solve(level_weight, level_score, level_wt, _dot(wt, time), yt - level_wt.sum(axis=1))
        else:
            update = _solve(level_weight, level_score, None, None, None)
        step = update.shifted(step)
    return fits


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Row-wise dot product; einsum instead of ``@`` keeps these small products off the BLAS threads."""
    return np.einsum("ij,j->i", matrix, vector)


def _store(
    fits: GlmFits,
    y: np.ndarray,
    rows: np.ndarray,
    done: np.ndarray,
    converged: np.ndarray,
    step: _Step,
    mu: np.ndarray,
    weights: np.ndarray,
    trend: bool,
) -> None:
    """Record finished fits: coefficients and mu of the last iterate, X'WX of the step before."""
    target = rows[done]
    fits.converged[target] = converged[done]
    fits.intercepts[target] = step.intercepts[done]
    fits.slope[target] = step.slope[done]
    fits.mu[target] = mu[done]
    fits.working_weights[target] = weights[done]
    fits.level_weight[target] = step.level_weight[done]
    if trend:
        fits.level_time[target] = step.level_time[done]
        fits.time_ss[target] = step.time_ss[done]
    residual = y[target] / mu[done] - 1.0  # (y - mu) / mu.eta(eta), and mu.eta = mu for the log link
    fits.pearson[target] = np.einsum("ij,ij->i", weights[done] * residual, residual)


def _exact_deviance(y: np.ndarray, mu: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
    """The quasi-Poisson deviance term by term, as R's ``dev.resids``: 2 sum p (y log(y/mu) - (y - mu))."""
    return 2.0 * _weighted_sum(prior, xlogy(y, y / mu) - (y - mu))


def _weighted_sum(prior: np.ndarray | None, values: np.ndarray) -> np.ndarray:
    return values.sum(axis=1) if prior is None else np.einsum("ij,ij->i", prior, values)


def fit_mixed(
    y: np.ndarray, design: GroupedDesign, trend: np.ndarray, prior_weights: np.ndarray | None = None
) -> GlmFits:
    """Fit rows with ``trend[i]`` True with the trend and the others without, in two batches."""
    with_trend = np.flatnonzero(trend)
    without = np.flatnonzero(~trend)
    first = with_trend if with_trend.size else without
    result = fit_quasipoisson(
        y[first],
        design,
        trend=bool(with_trend.size),
        prior_weights=None if prior_weights is None else prior_weights[first],
    )
    if with_trend.size == trend.size or without.size == trend.size:
        return result
    other = fit_quasipoisson(
        y[without],
        design,
        trend=False,
        prior_weights=None if prior_weights is None else prior_weights[without],
    )
    merged = _allocate_like(result, trend.size)
    merged.put(with_trend, result)
    merged.put(without, other)
    return merged


def _allocate_like(fits: GlmFits, n_rows: int) -> GlmFits:
    return GlmFits(
        **{
            name: np.empty((n_rows,) + value.shape[1:], dtype=value.dtype)
            for name, value in vars(fits).items()
        }
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
        inverse_square = 1.0 / (residuals * residuals)
        per_obs = np.where(high, inverse_square, 1.0)
        gamma = residuals.shape[1] / per_obs.sum(axis=1)
        return gamma[:, None] * per_obs
