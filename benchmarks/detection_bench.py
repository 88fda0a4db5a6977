"""Speed and memory of cbrnet's outbreak detection, and the same work timed in R's surveillance.

    python benchmarks/detection_bench.py --series 10000

Generates ``--series`` weekly series of 7 years (364 weeks; seeded Poisson and negative binomial
counts with seasonality, trends, zero-heavy series and outbreaks), judges the last 52 weeks with
every method at 1/4, 1/2 and all of the series (memory must grow linearly), and reports series per
second (wall clock and CPU time) and the peak memory of each call (numpy and Python allocations,
traced by tracemalloc in a second, untimed call). When ``Rscript`` and the surveillance package
are installed it also times R on a sample of the series, in chunks of 50 series per multivariate
``sts`` (SURVEILLANCE.md F11), and prints cbrnet's throughput as a multiple of R's. Results go
into the "Outbreak detection" section of docs/performance.md unless ``--no-docs`` is given.

The ratio uses CPU time on both sides, because this machine is shared and wall-clock times wander
with the load; both figures are printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from performance_doc import write_section  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

from cbrnet.surveillance.detection import METHODS  # noqa: E402  (needs the path above)

WEEKS = 52
N_WEEKS = 364
R_CHUNK = 50
DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Outbreak detection"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
counts <- as.matrix(read.csv(args[1], header = FALSE))
methods <- strsplit(args[2], ",")[[1]]
chunk <- as.integer(args[3])
n <- nrow(counts)
range <- (n - 51):n
run <- function(method, s) {
  switch(method,
    ears_c1 = earsC(s, control = list(method = "C1", range = range, baseline = 7, minSigma = 0)),
    ears_c2 = earsC(s, control = list(method = "C2", range = range, baseline = 7, minSigma = 0)),
    ears_c3 = earsC(s, control = list(method = "C3", range = range, baseline = 7, minSigma = 0)),
    cusum = cusum(s, control = list(range = range, k = 1.04, h = 2.26, m = NULL, trans = "standard")),
    farrington = farrington(s, control = list(range = range, b = 5, w = 3, reweight = TRUE,
      verbose = FALSE, alpha = 0.05, trend = TRUE, limit54 = c(5, 4), powertrans = "2/3",
      fitFun = "algo.farrington.fitGLM.fast")),
    farrington_flexible = farringtonFlexible(s, control = list(range = range, b = 5, w = 3,
      reweight = TRUE, weightsThreshold = 2.58, alpha = 0.05, trend = TRUE, pThresholdTrend = 1,
      limit54 = c(5, 4), powertrans = "2/3", fitFun = "algo.farrington.fitGLM.flexible",
      populationOffset = FALSE, noPeriods = 10, pastWeeksNotIncluded = 26,
      thresholdMethod = "nbPlugin", glmWarnings = FALSE)))
}
for (method in methods) {
  started <- proc.time()
  for (first in seq(1, ncol(counts), by = chunk)) {
    columns <- first:min(ncol(counts), first + chunk - 1)
    s <- sts(observed = counts[, columns, drop = FALSE], frequency = 52, start = c(2000, 1))
    invisible(capture.output(suppressWarnings(run(method, s))))
  }
  used <- proc.time() - started
  cat(sprintf('{"method": "%s", "series": %d, "cpu": %.3f, "wall": %.3f}\n', method, ncol(counts),
              used[["user.self"]] + used[["sys.self"]], used[["elapsed"]]))
}
"""


def generate(n_series: int, seed: int = 2024) -> np.ndarray:
    """A realistic mix of weekly count series, shape (n_series, 364)."""
    rng = np.random.default_rng(seed)
    week = np.arange(N_WEEKS)
    level = np.exp(rng.uniform(np.log(0.3), np.log(300.0), size=(n_series, 1)))
    season = np.exp(
        rng.uniform(0.0, 0.8, size=(n_series, 1))
        * np.sin(2 * np.pi * week / 52 + rng.uniform(0, 6.3, size=(n_series, 1)))
    )
    trend = np.exp(rng.normal(0.0, 0.002, size=(n_series, 1)) * week)
    mean = level * season * trend
    outbreak = rng.uniform(size=(n_series, N_WEEKS)) < 0.01
    mean = mean + outbreak * (5.0 + 3.0 * np.sqrt(mean)) * rng.uniform(1, 4, size=(n_series, N_WEEKS))
    kind = rng.uniform(size=(n_series, 1))
    size = 2.0
    counts = np.where(
        kind < 0.6,
        rng.poisson(mean),
        rng.negative_binomial(size, size / (size + mean)),
    )
    zero_heavy = (kind > 0.95) & (rng.uniform(size=(n_series, N_WEEKS)) < 0.8)
    return np.where(zero_heavy, 0, counts).astype(np.int64)


def measure(method: str, counts: np.ndarray) -> dict:
    """Time one call of ``method`` (wall and CPU), then trace the peak allocation of a second call.

    tracemalloc slows allocation-heavy code by about half, so the timed call runs untraced.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    METHODS[method](counts, WEEKS)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    METHODS[method](counts, WEEKS)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return {"method": method, "series": counts.shape[0], "wall": wall, "cpu": cpu, "peak_mb": peak / 2**20}


def time_r(counts: np.ndarray, methods: list[str]) -> dict[str, dict]:
    """CPU and wall seconds R needs for ``counts`` (chunks of 50 series), per method; {} without R."""
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory) / "counts.csv"
        np.savetxt(data, counts.T, fmt="%d", delimiter=",")
        script = Path(directory) / "bench.R"
        script.write_text(R_SCRIPT)
        completed = subprocess.run(
            ["Rscript", str(script), str(data), ",".join(methods), str(R_CHUNK)],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        print("R failed:", completed.stderr.strip()[-500:], file=sys.stderr)
        return {}
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {result["method"]: result for result in results}


def machine() -> dict[str, str]:
    cpu_model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu_model = match.group(1).strip() if match else cpu_model
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(match.group(1)) / 2**20:.1f} GiB" if match else memory
    r_version = "not installed"
    if shutil.which("Rscript"):
        completed = subprocess.run(
            [
                "Rscript",
                "-e",
                'cat(R.version.string, "/ surveillance", as.character(packageVersion("surveillance")))',
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        r_version = completed.stdout.strip() or r_version
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "date": datetime.date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model,
        "ram": memory,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "r": r_version,
        "load": f"{load:.1f}",
    }


def render(info: dict, rows: list[dict], r_sample: int, r_times: dict, ratios: dict) -> str:
    largest = max(row["series"] for row in rows)
    lines = [
        SECTION,
        "",
        f"Measured {info['date']} with `python benchmarks/detection_bench.py --series {largest}"
        f" --r-sample {r_sample}` on {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM; Python "
        f"{info['python']}, numpy {info['numpy']}, scipy {info['scipy']}; {info['r']}. Load average at the "
        f"start: {info['load']} (the machine is shared, so wall-clock times vary; throughput is "
        "computed from CPU time). Each series has 364 weeks (7 years); the last 52 weeks are judged. "
        "One process, one thread.",
        "",
        "| method | series | wall s | CPU s | series/s (CPU) | peak MB | MB per 1,000 series |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['method']} | {row['series']:,} | {row['wall']:.2f} | {row['cpu']:.2f} | "
            f"{row['series'] / max(row['cpu'], 1e-9):,.0f} | {row['peak_mb']:.1f} | "
            f"{1000 * row['peak_mb'] / row['series']:.2f} |"
        )
    lines += [
        "",
        "Peak MB is the most memory allocated at once during the call (tracemalloc), including the "
        "float64 copy of the counts and the result arrays. It grows linearly with the number of "
        "series; the Farrington methods add a fixed working set for their 512-fit chunks.",
    ]
    fast = [row for row in rows if row["method"] in ("ears_c1", "ears_c2", "ears_c3", "cusum")]
    if fast:
        slowest = max(row["wall"] for row in fast if row["series"] == largest)
        lines += ["", f"EARS and CUSUM judge {largest:,} series in at most {slowest:.2f} s (wall clock)."]
    if r_times:
        lines += [
            "",
            f"R's surveillance on a sample of {r_sample} of the same series, in chunks of {R_CHUNK} "
            "series per `sts` (F11), same settings as the reference fixtures:",
            "",
            "| method | R CPU s | R series/s | cbrnet series/s | cbrnet / R |",
            "|---|---:|---:|---:|---:|",
        ]
        for method, ratio in ratios.items():
            r = r_times[method]
            lines.append(
                f"| {method} | {r['cpu']:.2f} | {r['series'] / r['cpu']:,.1f} | {ratio['ours']:,.0f} | "
                f"{ratio['ratio']:,.0f}x |"
            )
        if "farrington_flexible" in ratios:
            ratio = ratios["farrington_flexible"]["ratio"]
            verdict = "met" if ratio >= 50 else "NOT met"
            lines += [
                "",
                f"Target for farrington_flexible, at least 50x R's throughput: {ratio:,.0f}x, {verdict}.",
            ]
    else:
        lines += ["", "Rscript was not available, so R was not timed."]
    return "\n".join(lines) + "\n"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=10_000, help="largest number of series (default 10000)")
    parser.add_argument(
        "--r-sample", type=int, default=100, help="series timed in R (default 100; 0 skips R)"
    )
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    options = parser.parse_args()
    methods = options.methods.split(",")

    info = machine()
    counts = generate(options.series)
    METHODS["farrington_flexible"](counts[:4], WEEKS)  # warm up imports and caches
    sizes = sorted({max(1, options.series // 4), max(1, options.series // 2), options.series})
    rows = []
    for method in methods:
        for size in sizes:
            row = measure(method, counts[:size])
            rows.append(row)
            print(
                f"{method:20s} {size:7,d} series  wall {row['wall']:7.2f} s  CPU {row['cpu']:7.2f} s  "
                f"{size / max(row['cpu'], 1e-9):9,.0f} series/s  peak {row['peak_mb']:8.1f} MB",
                flush=True,
            )
    r_times = time_r(counts[: options.r_sample], methods) if options.r_sample > 0 else {}
    ratios = {}
    for method, r in r_times.items():
        largest = [row for row in rows if row["method"] == method][-1]
        ours = largest["series"] / max(largest["cpu"], 1e-9)
        theirs = r["series"] / max(r["cpu"], 1e-9)
        ratios[method] = {"ours": ours, "ratio": ours / theirs}
        print(
            f"R {method:20s} {r['series']:5d} series  CPU {r['cpu']:8.2f} s  wall {r['wall']:8.2f} s  "
            f"{theirs:8.1f} series/s  -> cbrnet is {ours / theirs:,.0f}x faster",
            flush=True,
        )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if not options.no_docs:
        write_section(SECTION, render(info, rows, options.r_sample, r_times, ratios), DOCS)
        print(f"updated {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
