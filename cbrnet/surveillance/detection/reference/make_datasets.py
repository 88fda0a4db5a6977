"""Deterministic synthetic weekly series for the R reference comparison.

Run ``python -m cbrnet.surveillance.detection.reference.make_datasets OUTPUT.csv.gz`` to write the
input file (``series,date,count``) that ``make_reference.R`` judges with the R package. The same
seed always gives the same file, so the fixture can be rebuilt and checked.

The series cover what the methods must survive: seasonal Poisson counts at several levels, trends,
over-dispersion, zero-heavy and all-zero series, constant series (quirk F9), series shorter than the
minimum history, a series emerging from zero (quirk F2), and outbreaks in the current and in past
years (which the Farrington reweighting must down-weight).
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

SEED = 20240601
N_WEEKS = 364  # 7 years of 52 weeks
LAST_MONDAY = datetime.date(2024, 12, 30)


def _seasonal_mean(level: float, amplitude: float, phase: float, n: int = N_WEEKS) -> np.ndarray:
    week = np.arange(1, n + 1)
    return level * np.exp(amplitude * np.sin(2 * np.pi * week / 52 + phase))


def _outbreak(n: int, start: int, size: float, length: int = 4) -> np.ndarray:
    """An extra mean of ``size`` cases spread over ``length`` weeks from 1-based week ``start``."""
    extra = np.zeros(n)
    shape = np.array([0.5, 1.0, 0.8, 0.4, 0.2, 0.1])[:length]
    stop = min(n, start - 1 + length)
    extra[start - 1 : stop] = size * shape[: stop - start + 1] / shape.sum()
    return extra


def generate(seed: int = SEED) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``(name, counts)`` for every synthetic series, in a fixed order."""
    rng = np.random.default_rng(seed)
    n = N_WEEKS

    def poisson(mean: np.ndarray) -> np.ndarray:
        return rng.poisson(mean)

    def negative_binomial(mean: np.ndarray, size: float) -> np.ndarray:
        return rng.negative_binomial(size, size / (size + mean))

    for i, level in enumerate([0.6, 1.5, 3.0]):
        yield f"seasonal_low_{i + 1}", poisson(_seasonal_mean(level, 0.8, rng.uniform(0, 6)))
    for i, level in enumerate([6.0, 8.0, 12.0, 20.0]):
        yield f"seasonal_mid_{i + 1}", poisson(_seasonal_mean(level, 0.6, rng.uniform(0, 6)))
    for i, level in enumerate([60.0, 150.0, 400.0]):
        yield f"seasonal_high_{i + 1}", poisson(_seasonal_mean(level, 0.5, rng.uniform(0, 6)))
    yield "seasonal_very_high", poisson(_seasonal_mean(2500.0, 0.4, 1.0))
    for rate in [0.3, 2.0, 25.0]:
        yield f"flat_poisson_{rate:g}", poisson(np.full(n, rate))
    week = np.arange(1, n + 1)
    for i, (level, slope) in enumerate([(4.0, 0.004), (10.0, 0.003), (1.0, 0.009)]):
        yield f"trend_up_{i + 1}", poisson(level * np.exp(slope * week) * _seasonal_mean(1.0, 0.3, 0.0))
    for i, (level, slope) in enumerate([(40.0, -0.004), (12.0, -0.006)]):
        yield f"trend_down_{i + 1}", poisson(level * np.exp(slope * week))
    for i, (level, size) in enumerate([(10.0, 1.5), (25.0, 3.0), (4.0, 0.5), (60.0, 5.0)]):
        yield f"overdispersed_{i + 1}", negative_binomial(_seasonal_mean(level, 0.5, rng.uniform(0, 6)), size)
    for i, (p_zero, rate) in enumerate([(0.8, 2.0), (0.9, 4.0), (0.6, 1.0)]):
        yield f"zero_heavy_{i + 1}", np.where(rng.uniform(size=n) < p_zero, 0, poisson(np.full(n, rate)))
    for i, rate in enumerate([0.05, 0.15]):
        yield f"rare_{i + 1}", poisson(np.full(n, rate))
    yield "all_zero", np.zeros(n, dtype=np.int64)
    for value in [1, 5, 20]:
        yield f"constant_{value}", np.full(n, value)
    yield "alternating_0_10", np.where(week % 2 == 0, 10, 0)
    for i, onset in enumerate([300, 330, 350]):
        counts = poisson(np.where(week >= onset, 6.0, 0.0))
        yield f"emerging_zero_then_cases_{i + 1}", counts
    for i, level in enumerate([5.0, 15.0, 40.0, 3.0]):
        base = _seasonal_mean(level, 0.5, rng.uniform(0, 6))
        start = int(rng.integers(n - 50, n - 6))
        yield f"outbreak_current_{i + 1}", poisson(base + _outbreak(n, start, 12 * np.sqrt(level) + 10))
    for i, level in enumerate([5.0, 15.0, 40.0, 3.0]):
        base = _seasonal_mean(level, 0.5, rng.uniform(0, 6))
        extra = sum(_outbreak(n, int(rng.integers(60, n - 60)), 15 * np.sqrt(level) + 10) for _ in range(3))
        # One outbreak right on a reference window of the last year, the case the reweighting is for.
        extra = extra + _outbreak(n, n - 52 - 2, 15 * np.sqrt(level) + 10)
        yield f"outbreak_past_{i + 1}", poisson(base + extra)
    for i, level in enumerate([8.0, 30.0]):
        base = _seasonal_mean(level, 0.4, rng.uniform(0, 6))
        extra = _outbreak(n, n - 104 - 1, 20 * np.sqrt(level)) + _outbreak(n, n - 20, 20 * np.sqrt(level), 6)
        yield f"outbreak_both_{i + 1}", negative_binomial(base + extra, 8.0)
    for i, (before, after) in enumerate([(5.0, 12.0), (30.0, 12.0)]):
        yield f"step_change_{i + 1}", poisson(np.where(week >= 250, after, before))
    for length in [1, 2, 5, 9, 11, 12, 60, 263, 264, 290]:
        yield f"short_{length}", poisson(_seasonal_mean(7.0, 0.5, 0.5, length))


def rows(seed: int = SEED) -> Iterator[tuple[str, str, int]]:
    """``(series, date, count)`` rows: every series ends on :data:`LAST_MONDAY`."""
    for name, counts in generate(seed):
        first = LAST_MONDAY - datetime.timedelta(weeks=len(counts) - 1)
        for offset, count in enumerate(counts):
            yield name, (first + datetime.timedelta(weeks=offset)).isoformat(), int(count)


def write(path: Path, seed: int = SEED) -> None:
    """Write the CSV (gzipped when ``path`` ends in .gz, with a fixed mtime so the bytes never change)."""
    with open(path, "wb") as raw:
        binary = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if path.suffix == ".gz" else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["series", "date", "count"])
            writer.writerows(rows(seed))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cbrnet.surveillance.detection.reference.make_datasets OUTPUT.csv[.gz]")
    write(Path(sys.argv[1]))
