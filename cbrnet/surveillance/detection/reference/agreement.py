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
import io
import json
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


def run_cbrnet(set_name: str, method: str, weeks: int) -> list[OutputRow]:
    """cbrnet's output for a fixture set, through the same code path as the ``detect`` command."""
    from ..cli import judge, read_input, write_output

    series = read_input(fixture_path(f"{set_name}_input.csv.gz"))
    detections = judge(method, series, weeks)
    buffer = io.StringIO()
    _write_to(buffer, series, detections, write_output)
    buffer.seek(0)
    return parse_output(buffer)


def _write_to(buffer, series, detections, write_output) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "out.csv"
        write_output(path, series, detections)
        buffer.write(path.read_text(encoding="utf-8"))


def table() -> str:
    """Markdown table: agreement per method and data set, then the totals per fixture set."""
    weeks = manifest()["weeks"]
    lines = [
        "| method | data set | weeks | alarms agree | thresholds within 1% | p99 rel. error | max rel. error |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for method in METHOD_ORDER:
        for set_name in SETS:
            expected = read_output(fixture_path(f"r_{set_name}_{method}.csv.gz"))
            actual = run_cbrnet(set_name, method, weeks)
            group = (lambda row: "synthetic (all)") if set_name == "synthetic" else (lambda row: dataset_of(row.series))
            per_group = compare(expected, actual, group)
            if set_name == "package":
                total = compare(expected, actual)["all"]
                per_group = {"package (all)": total, **dict(sorted(per_group.items()))}
            for name, agreement in per_group.items():
                bold = "**" if "(all)" in name else ""
                lines.append(
                    f"| {method} | {bold}{name}{bold} | {agreement.weeks} | {100 * agreement.alarm_share:.2f}% | "
                    f"{100 * agreement.threshold_share:.2f}% | {agreement.error_quantile(0.99):.2g} | "
                    f"{max(agreement.relative_errors, default=0.0):.2g} |"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
