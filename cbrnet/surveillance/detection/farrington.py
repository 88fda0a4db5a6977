"""The Farrington methods as the R package surveillance 1.20.3 computes them.

* :func:`farrington`: ``surveillance::farrington`` / ``algo.farrington``, the original method of
  Farrington, Andrews, Beale, Catchpole (1996), J. R. Statist. Soc. A 159:547-563.
* :func:`farrington_flexible`: ``surveillance::farringtonFlexible`` with the "improved method"
  settings of Noufaily, Enki, Farrington, Garthwaite, Andrews, Charlett (2013), Statistics in
  Medicine 32(7):1206-1222.

Every (series, week) pair is one GLM fit on the baseline weeks around the reference weeks
``k - 52 i``. The baseline layout relative to the week is the same for every week and series (the
time axis is the plain week index, 52 weeks a "year"), so the fits of many series and weeks run as
one batch (see :mod:`.glm`), in chunks so that memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from ._common import (
    DOUBLE_EPS,
    WEEKS_PER_YEAR,
    Detection,
    as_count_matrix,
    check_alpha,
    empty_detection,
    evaluated_weeks,
    limit54_ok,
)
from .glm import GlmFits, GroupedDesign, anscombe_residuals, farrington_weights, fit_mixed, fit_quasipoisson
from .quantiles import qnbinom, qpois

#: Fits per chunk: small enough that the (chunk x baseline) working arrays stay in the CPU cache.
DEFAULT_CHUNK_FITS = 512

#: A Pearson X^2 this small (relative to the counts) is rounding noise of an exact fit (quirk F9).
_EXACT_FIT_TOLERANCE = 1e-20


@dataclass(frozen=True)
class _Layout:
    """Baseline weeks relative to the judged week (``offsets`` < 0), their levels, and the model."""

    offsets: np.ndarray
    design: GroupedDesign
    predict_level: int
    minimum_week: int  # first 1-based week with the full history


def _original_layout(b: int, w: int, freq: int) -> _Layout:
    """``algo.farrington`` baseline: weeks ``k - freq*i + j``, ``i = b..1``, ``j = -w..w``; no factor."""
    offsets = np.array([-freq * i + j for i in range(b, 0, -1) for j in range(-w, w + 1)])
    design = GroupedDesign(
        groups=np.zeros(offsets.size, dtype=np.int64), time=offsets.astype(float), n_groups=1
    )
    return _Layout(offsets=offsets, design=design, predict_level=0, minimum_week=freq * b + w + 1)


def _flexible_layout(b: int, w: int, no_periods: int, past_weeks_not_included: int, freq: int) -> _Layout:
    """The baseline and seasonal factor of ``farringtonFlexible`` (its ``blocks()``, index time axis).

    Windows ``[k - freq*i - w, k - freq*i + w]`` and the current window ``[k - w, k]`` get level
    ``no_periods``; the weeks between consecutive windows are cut into ``no_periods - 1`` blocks
    labelled 1.. in time order (the first ``period mod (no_periods - 1)`` one week longer); then the
    weeks ``k - past_weeks_not_included .. k`` are dropped.
    """
    span = freq * b + w  # offsets -span .. 0
    level = np.full(span + 1, -1)

    def assign(start: int, stop: int, value: int) -> None:  # offsets start..stop inclusive
        level[start + span : stop + span + 1] = value

    assign(-w, 0, no_periods)
    for i in range(1, b + 1):
        reference = -freq * i
        assign(reference - w, reference + w, no_periods)
        if no_periods != 1:
            period = (reference + freq) - 2 * w - 1 - reference
            lengths = [period // (no_periods - 1)] * (no_periods - 1)
            for extra in range(period % (no_periods - 1)):
                lengths[extra] += 1
            if min(lengths) < 1:
                raise ValueError("no_periods is too large for the gap between the reference windows")
            start = reference + w + 1
            for block, length in enumerate(lengths, start=1):
                assign(start, start + length - 1, block)
                start += length
    level[span - past_weeks_not_included : span + 1] = -1
    offsets = np.flatnonzero(level >= 0) - span
    labels = level[offsets + span]
    present = np.unique(labels)  # R's as.factor(): only the levels that occur, in numeric order
    if no_periods not in present:
        raise ValueError("past_weeks_not_included removes every observation of the reference level")
    groups = np.searchsorted(present, labels)
    by_level = np.lexsort((offsets, groups))  # GroupedDesign wants each level's weeks together
    offsets, groups = offsets[by_level], groups[by_level]
    design = GroupedDesign(groups=groups, time=offsets.astype(float), n_groups=present.size)
    return _Layout(
        offsets=offsets,
        design=design,
        predict_level=int(np.searchsorted(present, no_periods)),
        minimum_week=freq * b + w + 1,
    )


def _gather(values: np.ndarray, series: np.ndarray, week: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Baseline counts (fits x baseline) of the fits (``series``, 1-based ``week``)."""
    return values[series[:, None], (week - 1)[:, None] + offsets[None, :]]


@dataclass
class _Stage:
    """One pass of fitFun: the (reweighted) fits, whether they count as valid, and phi = max(1, X2/df)."""

    valid: np.ndarray
    fits: GlmFits
    phi: np.ndarray


def _fit_stage(
    y: np.ndarray,
    design: GroupedDesign,
    trend: bool,
    reweight: bool,
    weights_threshold: float,
    require_convergence: bool,
) -> _Stage:
    """fitFun: fit, fall back to no trend if the trend fit did not converge, then reweight once.

    ``algo.farrington.fitGLM.fast`` (original) uses the fallback fit even if it did not converge;
    ``algo.farrington.fitGLM.flexible`` returns no model then (``require_convergence``). Neither
    checks the convergence of the reweighted fit.
    """
    fits = fit_quasipoisson(y, design, trend=trend)
    retry = np.flatnonzero(fits.has_trend & ~fits.converged)
    if retry.size:
        fits.put(retry, fit_quasipoisson(y[retry], design, trend=False))
    valid = fits.converged.copy() if require_convergence else np.ones(y.shape[0], dtype=bool)
    phi = np.maximum(fits.pearson_dispersion(design), 1.0)
    if reweight:
        rows = np.flatnonzero(valid)
        subset = fits.take(rows)
        residuals = anscombe_residuals(y[rows], subset, design, phi[rows])
        omega = farrington_weights(residuals, weights_threshold)
        refit = fit_mixed(y[rows], design, subset.has_trend, prior_weights=omega)
        fits.put(rows, refit)
        phi[rows] = np.maximum(refit.pearson_dispersion(design), 1.0)
    return _Stage(valid=valid, fits=fits, phi=phi)


def _final_model(
    y: np.ndarray,
    layout: _Layout,
    *,
    trend: bool,
    reweight: bool,
    weights_threshold: float,
    p_threshold_trend: float,
    b: int,
    require_convergence: bool,
) -> _Stage:
    """Fit, then keep the trend only if significant, b >= 3 and not extrapolating; else refit without.

    cbrnet decision (SURVEILLANCE.md quirk F9): a trend model that fits exactly (Pearson X^2 zero up
    to rounding) never keeps its trend, because its t statistic is floating-point noise.
    """
    design = layout.design
    stage = _fit_stage(y, design, trend, reweight, weights_threshold, require_convergence)
    candidates = stage.valid & stage.fits.has_trend
    if not candidates.any():
        return stage
    pvalue = stage.fits.slope_pvalue(design)
    prediction = np.maximum(np.exp(stage.fits.predict_link(layout.design, layout.predict_level)), DOUBLE_EPS)
    exact_fit = stage.fits.pearson <= _EXACT_FIT_TOLERANCE * np.maximum(y.sum(axis=1), 1.0)
    with np.errstate(invalid="ignore"):
        keep = (b >= 3) & (pvalue < p_threshold_trend) & (prediction <= y.max(axis=1)) & ~exact_fit
    drop = np.flatnonzero(candidates & ~keep)
    if drop.size:
        again = _fit_stage(y[drop], design, False, reweight, weights_threshold, require_convergence)
        stage.valid[drop] = again.valid
        stage.fits.put(drop, again.fits)
        stage.phi[drop] = again.phi
    return stage


def farrington(
    counts: np.ndarray,
    weeks: int = 52,
    *,
    alpha: float = 0.05,
    b: int = 5,
    w: int = 3,
    reweight: bool = True,
    trend: bool = True,
    limit54: tuple[int, int] = (5, 4),
    chunk_fits: int = DEFAULT_CHUNK_FITS,
) -> Detection:
    """The original Farrington method (``algo.farrington`` with ``fitGLM.fast``, ``powertrans = "2/3"``).

    For week ``k`` a quasi-Poisson GLM ``log mu = b0 + b1 t`` is fitted to the ``b (2w + 1)`` weeks
    ``k - 52 i + j`` (``i = 1..b``, ``j = -w..w``); if it does not converge it is refitted without
    trend (used even if that does not converge either). Dispersion ``phi = max(1, X2 / (n - p))``;
    one reweighting with Anscombe residuals above 1 down-weighted; the trend is kept iff its t-test
    p < 0.05, ``b >= 3`` and ``mu0 <= max(baseline)``, otherwise everything is redone without it.
    The threshold is the delta-method bound on the 2/3-power scale:
    ``U = (mu0^(2/3) + z sqrt(4/9 mu0^(1/3) (phi + se^2 / mu0)))^(3/2)``, ``z = qnorm(1 - alpha/2)``.
    Alarm iff ``(y - mu0) / (U - mu0) > 1``. Weeks with fewer than ``limit54[0]`` cases in the last
    ``limit54[1]`` weeks get threshold NaN and alarm 0 (R returns 0 as a placeholder threshold).

    Source: Farrington et al. (1996); implementation ``surveillance::farrington``.

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks; weeks before ``52 b + w + 1`` are not judged.
    :param alpha: two-sided level of the prediction interval (default 0.05: z = 1.959964).
    :param b: number of past years (default 5).
    :param w: half-width of the reference windows in weeks (default 3).
    :param reweight: down-weight past outbreaks (default True).
    :param trend: consider a linear time trend (default True).
    :param limit54: (cases, weeks) of the limit54 rule (default (5, 4)).
    :param chunk_fits: GLM fits per batch; bounds memory, does not change results.
    :returns: :class:`Detection`.
    """
    values = as_count_matrix(counts)
    check_alpha(alpha)
    _check_history(b, w)
    layout = _original_layout(b, w, WEEKS_PER_YEAR)
    n_series, n_weeks = values.shape
    evaluated = evaluated_weeks(n_weeks, weeks)
    result = empty_detection(n_series, evaluated.size)
    judged = evaluated >= layout.minimum_week
    if not judged.any():
        return result
    enough = limit54_ok(values, evaluated, *limit54) & judged
    # A week failing limit54 is never alarmed and its model never used, so it is not even fitted.
    result.threshold[:, judged] = np.nan
    result.alarm[:, judged] = 0.0
    series, column = np.nonzero(enough)
    z = norm.ppf(1.0 - alpha / 2.0)
    exponent = 2.0 / 3.0
    for start in range(0, series.size, chunk_fits):
        rows, cols = series[start : start + chunk_fits], column[start : start + chunk_fits]
        week = evaluated[cols]
        y = _gather(values, rows, week, layout.offsets)
        stage = _final_model(
            y,
            layout,
            trend=trend,
            reweight=reweight,
            weights_threshold=1.0,
            p_threshold_trend=0.05,
            b=b,
            require_convergence=False,
        )
        eta0 = stage.fits.predict_link(layout.design, layout.predict_level)
        mu0 = np.maximum(np.exp(eta0), DOUBLE_EPS)  # predict.glm(type = "response")
        # predict.glm(se.fit = TRUE, dispersion = phi): link-scale SE times |dmu/deta| = mu0.
        se = np.sqrt(stage.phi * stage.fits.predict_variance(layout.design, layout.predict_level)) * mu0
        tau = stage.phi + se**2 / mu0
        sd = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau)
        # R sorts (lower, upper) with the NaN lower bound first; the upper bound is always lu[2].
        upper = (mu0**exponent + z * sd) ** (1.0 / exponent)
        current = values[rows, week - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (current - mu0) / (upper - mu0)
        result.threshold[rows, cols] = upper
        result.alarm[rows, cols] = np.where(np.isnan(score), np.nan, (score > 1.0).astype(np.float64))
    return result


def farrington_flexible(
    counts: np.ndarray,
    weeks: int = 52,
    *,
    alpha: float = 0.05,
    b: int = 5,
    w: int = 3,
    reweight: bool = True,
    weights_threshold: float = 2.58,
    trend: bool = True,
    p_threshold_trend: float = 1.0,
    limit54: tuple[int, int] = (5, 4),
    no_periods: int = 10,
    past_weeks_not_included: int = 26,
    chunk_fits: int = DEFAULT_CHUNK_FITS,
) -> Detection:
    """The improved Farrington method (``farringtonFlexible``, Noufaily et al. 2013 settings, nbPlugin).

    For week ``k`` the baseline is weeks ``k - 52 b - w .. k - past_weeks_not_included - 1`` with a
    ``no_periods``-level seasonal factor (level ``no_periods`` on the windows around the reference
    weeks ``k - 52 i``, levels 1.. on the blocks between them; 237 weeks with the defaults). Model
    ``log mu = b0 + b1 t + gamma_level``, quasi-Poisson, fitted with R's IRLS; without convergence
    refitted without trend, and if that fails too the week is not judged. Dispersion
    ``phi = max(1, X2 / (n - p))``; one reweighting (Anscombe residuals above ``weights_threshold``
    down-weighted); the trend is kept iff its t-test p < ``p_threshold_trend``, ``b >= 3`` and the
    trend prediction does not exceed the largest baseline count (and, a cbrnet decision, the fit is
    not exact: quirk F9). Threshold (nbPlugin): the ``1 - alpha`` quantile of a negative binomial
    with mean ``mu0 = exp(eta0)`` and variance ``phi mu0`` (Poisson if ``phi = 1``); alarm iff
    ``(y - eta0) / (U - eta0) > 1`` and ``y > 0`` (quirk F5: the log-scale ``eta0``). Weeks failing
    limit54 get threshold NaN and alarm 0.

    Source: Noufaily et al. (2013); implementation ``surveillance::farringtonFlexible``.

    :param counts: integer counts, shape (n_series, n_weeks), one row per series.
    :param weeks: judge the last ``weeks`` weeks; weeks before ``52 b + w + 1`` are not judged.
    :param alpha: one-sided level: the threshold is the ``1 - alpha`` quantile (default 0.05).
    :param b: number of past years (default 5).
    :param w: half-width of the reference windows in weeks (default 3).
    :param reweight: down-weight past outbreaks (default True).
    :param weights_threshold: Anscombe residual above which observations are down-weighted (2.58).
    :param trend: consider a linear time trend (default True).
    :param p_threshold_trend: keep the trend if its p-value is below this (default 1: always
      when it does not extrapolate, as the improved method advises).
    :param limit54: (cases, weeks) of the limit54 rule (default (5, 4)).
    :param no_periods: levels of the seasonal factor (default 10; 1 means no factor).
    :param past_weeks_not_included: recent weeks left out of the baseline (default 26).
    :param chunk_fits: GLM fits per batch; bounds memory, does not change results.
    :returns: :class:`Detection`.
    """
    values = as_count_matrix(counts)
    check_alpha(alpha)
    _check_history(b, w)
    if no_periods < 1 or past_weeks_not_included < w:
        raise ValueError("no_periods must be >= 1 and past_weeks_not_included >= w")
    layout = _flexible_layout(b, w, no_periods, past_weeks_not_included, WEEKS_PER_YEAR)
    n_series, n_weeks = values.shape
    evaluated = evaluated_weeks(n_weeks, weeks)
    result = empty_detection(n_series, evaluated.size)
    judged = evaluated >= layout.minimum_week
    if not judged.any():
        return result
    enough = limit54_ok(values, evaluated, *limit54)
    series, column = np.nonzero(np.broadcast_to(judged, enough.shape))
    for start in range(0, series.size, chunk_fits):
        rows, cols = series[start : start + chunk_fits], column[start : start + chunk_fits]
        week = evaluated[cols]
        y = _gather(values, rows, week, layout.offsets)
        threshold, alarm = _flexible_chunk(
            y,
            values[rows, week - 1],
            enough[rows, cols],
            layout,
            alpha=alpha,
            b=b,
            reweight=reweight,
            weights_threshold=weights_threshold,
            trend=trend,
            p_threshold_trend=p_threshold_trend,
        )
        result.threshold[rows, cols] = threshold
        result.alarm[rows, cols] = alarm
    return result


def _flexible_chunk(
    y: np.ndarray,
    current: np.ndarray,
    enough: np.ndarray,
    layout: _Layout,
    *,
    alpha: float,
    b: int,
    reweight: bool,
    weights_threshold: float,
    trend: bool,
    p_threshold_trend: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Threshold and alarm of a batch of farringtonFlexible fits (see :func:`farrington_flexible`)."""
    threshold = np.full(y.shape[0], np.nan)
    alarm = np.full(y.shape[0], np.nan)
    # A week failing limit54 ends as (NaN, 0) whatever its model, unless there is no model at all,
    # which the first fit (with its no-trend fallback) decides; so only that fit is run for it.
    suppressed = np.flatnonzero(~enough)
    if suppressed.size:
        first = fit_quasipoisson(y[suppressed], layout.design, trend=trend)
        retry = np.flatnonzero(first.has_trend & ~first.converged)
        converged = first.converged.copy()
        if retry.size:
            converged[retry] = fit_quasipoisson(y[suppressed[retry]], layout.design, trend=False).converged
        alarm[suppressed[converged]] = 0.0
    judged = np.flatnonzero(enough)
    if not judged.size:
        return threshold, alarm
    stage = _final_model(
        y[judged],
        layout,
        trend=trend,
        reweight=reweight,
        weights_threshold=weights_threshold,
        p_threshold_trend=p_threshold_trend,
        b=b,
        require_convergence=True,
    )
    eta0 = stage.fits.predict_link(layout.design, layout.predict_level)
    mu0 = np.exp(eta0)  # algo.farrington.threshold.noufaily uses exp(), not the floored linkinv
    upper = np.full(judged.size, np.nan)
    negative_binomial = np.isfinite(mu0) & (stage.phi > 1.0) & stage.valid
    poisson = np.isfinite(mu0) & ~(stage.phi > 1.0) & stage.valid
    if negative_binomial.any():
        phi = stage.phi[negative_binomial]
        upper[negative_binomial] = qnbinom(1.0 - alpha, mu0[negative_binomial] / (phi - 1.0), 1.0 / phi)
    if poisson.any():
        upper[poisson] = qpois(1.0 - alpha, mu0[poisson])
    y_now = current[judged]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (y_now - eta0) / (upper - eta0)
        alarmed = ~np.isnan(score) & (score > 1.0) & (y_now != 0)
    threshold[judged] = np.where(stage.valid, upper, np.nan)
    alarm[judged] = np.where(stage.valid, alarmed.astype(np.float64), np.nan)
    return threshold, alarm


def _check_history(b: int, w: int) -> None:
    if b < 1 or w < 0:
        raise ValueError("b must be >= 1 and w >= 0")
    if 2 * w + 1 > WEEKS_PER_YEAR:
        raise ValueError("the reference windows (2 w + 1 weeks) must be shorter than a year")
