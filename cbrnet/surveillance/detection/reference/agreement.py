"""Agreement between cbrnet's detection output and R's reference output (both in the CSV contract).

Measured as SURVEILLANCE.md asks, over every evaluated week (row):

* alarm agreement: the alarms are equal, an empty (not judged) alarm equal only to an empty one;
* threshold agreement: both empty, or both present with ``|c - e| / max(|e|, 1) <= 1%`` (quirk
  F10: relative to at least 1 because small integer thresholds differ by 1 at quantile edges).

``python -m cbrnet.surveillance.detection.reference.agreement`` prints the table of
docs/surveillance.md (per method and data set) from the fixtures.
"""

from __future__ import annotations

import csv
import gzip
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "detection"
SETS = ("synthetic", "package")
METHOD_ORDER = ("ears_c1", "ears_c2", "ears_c3", "farrington", "farrington_flexible", "cusum")
RELATIVE_TOLERANCE = 0.01


@dataclass(frozen=True)
class OutputRow:
    series: str
    date: str
    count: int
    threshold: float  # NaN when empty
    alarm: float  # NaN when empty


@dataclass
class Agreement:
    """Counts of agreeing weeks, and the relative threshold errors where both sides have one."""

    weeks: int = 0
    alarms_agreeing: int = 0
    thresholds_agreeing: int = 0
    relative_errors: list[float] = field(default_factory=list)
    disagreements: list[tuple[OutputRow, OutputRow]] = field(default_factory=list)

    @property
    def alarm_share(self) -> float:
        return self.alarms_agreeing / self.weeks if self.weeks else 1.0

    @property
    def threshold_share(self) -> float:
        return self.thresholds_agreeing / self.weeks if self.weeks else 1.0

    def error_quantile(self, q: float) -> float:
        return float(np.quantile(self.relative_errors, q)) if self.relative_errors else 0.0

    def add(self, expected: OutputRow, actual: OutputRow) -> None:
        self.weeks += 1
        alarm_ok = (np.isnan(expected.alarm) and np.isnan(actual.alarm)) or expected.alarm == actual.alarm
        both_empty = np.isnan(expected.threshold) and np.isnan(actual.threshold)
        threshold_ok = both_empty
        if not (np.isnan(expected.threshold) or np.isnan(actual.threshold)):
            error = abs(actual.threshold - expected.threshold) / max(abs(expected.threshold), 1.0)
            self.relative_errors.append(error)
            threshold_ok = error <= RELATIVE_TOLERANCE
        self.alarms_agreeing += bool(alarm_ok)
        self.thresholds_agreeing += bool(threshold_ok)
        if not (alarm_ok and threshold_ok):
            self.disagreements.append((expected, actual))


def parse_output(lines: Iterable[str]) -> list[OutputRow]:
    """Rows of an output CSV (``series,date,count,threshold,alarm``)."""
    reader = csv.DictReader(lines)
    return [
        OutputRow(
            series=record["series"],
            date=record["date"],
            count=int(record["count"]),
            threshold=float(record["threshold"]) if record["threshold"] else float("nan"),
            alarm=float(record["alarm"]) if record["alarm"] else float("nan"),
        )
        for record in reader
    ]


def read_output(path: Path) -> list[OutputRow]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return parse_output(handle)


def compare(
    expected: Sequence[OutputRow], actual: Sequence[OutputRow], group_of=lambda row: "all"
) -> dict[str, Agreement]:
    """Agreement per group (``group_of(row)``); raises if the two outputs cover different weeks."""
    keys_expected = [(row.series, row.date) for row in expected]
    keys_actual = [(row.series, row.date) for row in actual]
    if keys_expected != keys_actual:
        raise ValueError("the outputs do not list the same series and weeks in the same order")
    result: dict[str, Agreement] = defaultdict(Agreement)
    for left, right in zip(expected, actual, strict=True):
        result[group_of(left)].add(left, right)
    return dict(result)


def dataset_of(series_name: str) -> str:
    """Package data set of a series of the package fixture (``fluBYBW.8336`` -> ``fluBYBW``)."""
    for prefix in ("salmonella.agona", "ha.sts"):
        if series_name.startswith(prefix):
            return prefix
    return series_name.split(".")[0]


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def manifest() -> dict:
    return json.loads(fixture_path("manifest.json").read_text())


def run_cbrnet(set_name: str, method: str, weeks: int, series=None) -> list[OutputRow]:
    """cbrnet's output for a fixture set, through the code path of the ``detect`` command.

    ``series`` may pass the already parsed input (``cli.read_input``) to avoid reading it again.
    """
    from ..cli import judge, read_input, write_output

    if series is None:
        series = read_input(fixture_path(f"{set_name}_input.csv.gz"))
    detections = judge(method, series, weeks)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "out.csv"
        write_output(path, series, detections)
        with open(path, encoding="utf-8", newline="") as handle:
            return parse_output(handle)


def _cell(agreement: Agreement) -> str:
    def share(value: float) -> str:
        return "100" if value == 1.0 else f"{100 * value:.2f}"

    return f"{share(agreement.alarm_share)} / {share(agreement.threshold_share)}"


def table() -> str:
    """Markdown tables of docs/surveillance.md: agreement per data set and method, then error sizes."""
    weeks = manifest()["weeks"]
    per_set: dict[str, dict[str, Agreement]] = {}
    per_dataset: dict[str, dict[str, Agreement]] = defaultdict(dict)
    for method in METHOD_ORDER:
        for set_name in SETS:
            expected = read_output(fixture_path(f"r_{set_name}_{method}.csv.gz"))
            actual = run_cbrnet(set_name, method, weeks)
            per_set.setdefault(set_name, {})[method] = compare(expected, actual)["all"]
            if set_name == "package":
                for dataset, agreement in compare(
                    expected, actual, lambda row: dataset_of(row.series)
                ).items():
                    per_dataset[dataset][method] = agreement
    header = "| data set | weeks | " + " | ".join(METHOD_ORDER) + " |"
    rule = "|---|---:|" + "---:|" * len(METHOD_ORDER)
    lines = ["Alarms agreeing / thresholds within 1%, in % of the evaluated weeks:", "", header, rule]
    rows = [("**synthetic**", per_set["synthetic"]), ("**package, all**", per_set["package"])]
    rows += [(dataset, per_dataset[dataset]) for dataset in sorted(per_dataset, key=str.lower)]
    for name, agreements in rows:
        n_weeks = agreements[METHOD_ORDER[0]].weeks
        cells = " | ".join(_cell(agreements[method]) for method in METHOD_ORDER)
        lines.append(f"| {name} | {n_weeks:,} | {cells} |")
    lines += [
        "",
        "Relative threshold error |cbrnet - R| / max(|R|, 1) where both have a threshold (99th percentile and"
        " maximum):",
        "",
        "| method | synthetic p99 | synthetic max | package p99 | package max |",
        "|---|---:|---:|---:|---:|",
    ]
    for method in METHOD_ORDER:
        synthetic, package = per_set["synthetic"][method], per_set["package"][method]
        sizes = [
            f"{agreement.error_quantile(0.99):.2g} | {max(agreement.relative_errors, default=0):.2g}"
            for agreement in (synthetic, package)
        ]
        lines.append(f"| {method} | {sizes[0]} | {sizes[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
