"""The CSV contract of ``manage.py detect``: read weekly counts, judge them, write the result.

Input: a UTF-8 CSV (optionally gzip-compressed) with the columns ``series,date,count`` (rows in
any order; ``date`` is the ISO date of the Monday that starts the week; within a series the weeks
must be consecutive; further columns are ignored). Output: ``series,date,count,threshold,alarm``
for the last ``weeks`` weeks of every series (every week of a shorter one), series in input order,
weeks in date order, the threshold with 15 significant digits, threshold and alarm empty where the
method cannot judge, threshold empty and alarm 0 where limit54 suppressed the week
(docs/surveillance.md).

Bad input raises :class:`DetectInputError` listing every problem by line and field, and nothing is
written: the output goes to a temporary file beside the target, renamed only on success.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import os
import re
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import METHODS, METHODS_WITH_ALPHA, Detection, detect_grouped

REQUIRED_COLUMNS = ("series", "date", "count")
OUTPUT_COLUMNS = ("series", "date", "count", "threshold", "alarm")

#: Larger weekly counts are certainly a data error, and beyond 2**53 floats lose whole numbers.
MAX_COUNT = 10**9

_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER_PATTERN = re.compile(r"[+-]?[0-9]+")
_GZIP_MAGIC = b"\x1f\x8b"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DetectInputError(ValueError):
    """The input file cannot be judged; ``problems`` lists each problem as ``line N: field: ...``."""

    def __init__(self, path: str | os.PathLike[str], problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{self.path}: {count} problem{'s' if count != 1 else ''} in the input, nothing was written:\n"
            + "\n".join(self.problems)
        )


@dataclass(frozen=True)
class InputSeries:
    """One series of the input: its name, its consecutive Mondays and its counts."""

    name: str
    dates: tuple[datetime.date, ...]
    counts: np.ndarray


def _decoded_lines(raw: bytes, problems: list[str]) -> Iterator[str]:
    """Yield the lines decoded as UTF-8; an undecodable line is reported and yielded blank.

    Decoding line by line (instead of the whole file) lets every bad line be named, and yielding
    them keeps a large file from being held twice in memory.
    """
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, as spreadsheet exports add
        raw = raw[3:]
    for number, chunk in enumerate(io.BytesIO(raw), start=1):
        try:
            yield chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = chunk[error.start]
            problems.append(f"line {number}: not valid UTF-8 (byte 0x{byte:02x} at column {error.start + 1})")
            yield "\n"


def _parse_date(text: str, line: int, problems: list[str]) -> datetime.date | None:
    if not text:
        problems.append(f"line {line}: date: is empty")
        return None
    if not _DATE_PATTERN.fullmatch(text):
        problems.append(f'line {line}: date: "{text}" is not an ISO date (YYYY-MM-DD)')
        return None
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(f'line {line}: date: "{text}" is not a valid calendar date')
        return None
    if value.weekday() != 0:
        problems.append(
            f'line {line}: date: "{text}" is a {_WEEKDAYS[value.weekday()]}, '
            "not the Monday that starts the week"
        )
        return None
    return value


def _parse_count(text: str, line: int, problems: list[str]) -> int | None:
    if not text:
        problems.append(f"line {line}: count: is empty")
        return None
    if not _INTEGER_PATTERN.fullmatch(text):
        problems.append(f'line {line}: count: "{text}" is not a whole number')
        return None
    value = int(text)
    if value < 0:
        problems.append(f'line {line}: count: "{text}" is negative')
        return None
    if value > MAX_COUNT:
        problems.append(f'line {line}: count: "{text}" is larger than {MAX_COUNT}')
        return None
    return value


def read_input(path: str | os.PathLike[str]) -> list[InputSeries]:
    """Read and validate an input CSV; raise :class:`DetectInputError` listing every problem."""
    problems: list[str] = []
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise DetectInputError(path, [f"cannot read the file: {error.strerror}"]) from error
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise DetectInputError(
                path, [f"the file looks gzip-compressed but cannot be decompressed: {error}"]
            ) from error
    if not raw.strip():
        raise DetectInputError(path, ["line 1: the file is empty (expected the header series,date,count)"])
    reader = csv.reader(_decoded_lines(raw, problems))
    header: list[str] | None = None
    header_line = 0
    # Valid rows, column-wise in compact arrays: a file of millions of rows stays small.
    rows = _Rows()
    names: dict[str, int] = {}
    dates: dict[str, datetime.date] = {}  # every valid date text seen; a file repeats few dates
    for record in reader:
        line = reader.line_num
        if not any(field.strip() for field in record):
            continue  # blank line (or a line blanked because it was not UTF-8)
        if header is None:
            header = [field.strip().lower() for field in record]
            header_line = line
            _check_header(header, line, problems, path)
            series_at, date_at, count_at = (header.index(name) for name in REQUIRED_COLUMNS)
            continue
        if len(record) != len(header):
            problems.append(f"line {line}: expected {len(header)} fields, found {len(record)}")
            continue
        name = record[series_at].strip()
        if not name:
            problems.append(f"line {line}: series: is empty")
        date_text = record[date_at].strip()
        date = dates.get(date_text)
        if date is None:
            date = _parse_date(date_text, line, problems)
            if date is not None:
                dates[date_text] = date
        count_text = record[count_at].strip()
        if count_text.isascii() and count_text.isdigit() and len(count_text) < 10:
            count: int | None = int(count_text)  # the common case, below MAX_COUNT
        else:
            count = _parse_count(count_text, line, problems)
        if name and date is not None and count is not None:
            rows.append(names.setdefault(name, len(names)), date.toordinal(), count, line)
    if header is None:
        raise DetectInputError(
            path, [*problems, "line 1: the file has no header (expected series,date,count)"]
        )
    if not len(rows.line) and not problems:
        problems.append(f"line {header_line + 1}: the file has no data rows")
    series = _assemble(rows, list(names), problems)
    if problems:
        raise DetectInputError(path, _in_line_order(problems))
    return series


def _check_header(header: list[str], line: int, problems: list[str], path) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1 and name in REQUIRED_COLUMNS})
    if missing:
        problems.append(
            f"line {line}: header: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (expected series,date,count)"
        )
    if repeated:
        problems.append(f"line {line}: header: column {', '.join(repeated)} appears more than once")
    if missing or repeated:
        raise DetectInputError(path, problems)


class _Rows:
    """The valid data rows as four int64 columns (series number, date ordinal, count, line)."""

    def __init__(self) -> None:
        self.series, self.ordinal, self.count, self.line = (array("q") for _ in range(4))

    def append(self, series: int, ordinal: int, count: int, line: int) -> None:
        self.series.append(series)
        self.ordinal.append(ordinal)
        self.count.append(count)
        self.line.append(line)


def _assemble(rows: _Rows, names: list[str], problems: list[str]) -> list[InputSeries]:
    """Group rows by series (input order), sort by date, report duplicate weeks and gaps."""
    series = np.frombuffer(rows.series, dtype=np.int64)
    ordinal = np.frombuffer(rows.ordinal, dtype=np.int64)
    count = np.frombuffer(rows.count, dtype=np.int64)
    line = np.frombuffer(rows.line, dtype=np.int64)
    order = np.lexsort((line, ordinal, series))
    series, ordinal, count, line = series[order], ordinal[order], count[order], line[order]

    def iso(day: int) -> str:
        return datetime.date.fromordinal(int(day)).isoformat()

    # A repeated week is reported against its first (kept) row; gaps are checked between kept rows.
    repeat = np.zeros(series.size, dtype=bool)
    repeat[1:] = (series[1:] == series[:-1]) & (ordinal[1:] == ordinal[:-1])
    first_of_run = np.maximum.accumulate(np.where(repeat, 0, np.arange(series.size)))
    for position in np.flatnonzero(repeat):
        problems.append(
            f'line {line[position]}: date: "{iso(ordinal[position])}" repeats line '
            f'{line[first_of_run[position]]} for series "{names[series[position]]}"'
        )
    kept = ~repeat
    series, ordinal, count, line = series[kept], ordinal[kept], count[kept], line[kept]
    step = np.diff(ordinal)
    for position in np.flatnonzero((series[1:] == series[:-1]) & (step != 7)):
        missing = int(step[position]) // 7 - 1
        weeks = f"{missing} week{'s' if missing > 1 else ''}"
        problems.append(
            f'line {line[position + 1]}: date: "{iso(ordinal[position + 1])}" follows '
            f'"{iso(ordinal[position])}" (line {line[position]}) in series "{names[series[position]]}": '
            f"{weeks} missing"
        )
    if problems:
        return []
    bounds = np.searchsorted(series, np.arange(len(names) + 1))
    day_of = {day: datetime.date.fromordinal(day) for day in np.unique(ordinal).tolist()}
    return [
        InputSeries(
            name=name,
            dates=tuple(map(day_of.__getitem__, ordinal[bounds[number] : bounds[number + 1]].tolist())),
            counts=count[bounds[number] : bounds[number + 1]].copy(),
        )
        for number, name in enumerate(names)
    ]


def _in_line_order(problems: list[str]) -> list[str]:
    def line_of(problem: str) -> int:
        match = re.match(r"line (\d+):", problem)
        return int(match.group(1)) if match else 0

    return sorted(problems, key=line_of)  # sorted() is stable: problems of one line keep their order


def judge(
    method: str, series: Sequence[InputSeries], weeks: int = 52, alpha: float | None = None
) -> list[Detection]:
    """Run ``method`` on every series (grouped by length); one :class:`Detection` per series."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    parameters: dict[str, float] = {}
    if alpha is not None:
        if method not in METHODS_WITH_ALPHA:
            raise ValueError(f"{method} has no alpha (it is tuned by k and h)")
        parameters["alpha"] = alpha
    return detect_grouped(METHODS[method], [one.counts for one in series], weeks, **parameters)


def format_threshold(value: float) -> str:
    """15 significant digits as R's ``sprintf("%.15g")``; empty for NaN; never ``-0``."""
    if np.isnan(value):
        return ""
    return format(float(value) + 0.0, ".15g")


def format_alarm(value: float) -> str:
    return "" if np.isnan(value) else str(int(value))


def write_output(
    path: str | os.PathLike[str], series: Sequence[InputSeries], detections: Sequence[Detection]
) -> None:
    """Write the output CSV atomically: a temporary file in the same directory, then a rename."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(OUTPUT_COLUMNS)
            for one, detection in zip(series, detections, strict=True):
                n_evaluated = detection.threshold.shape[0]
                dates = one.dates[len(one.dates) - n_evaluated :]
                counts = one.counts[len(one.counts) - n_evaluated :]
                for date, count, threshold, alarm in zip(
                    dates, counts, detection.threshold, detection.alarm, strict=True
                ):
                    writer.writerow(
                        (
                            one.name,
                            date.isoformat(),
                            int(count),
                            format_threshold(threshold),
                            format_alarm(alarm),
                        )
                    )
        # mkstemp creates the file readable by its owner only; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_detect(
    method: str,
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    weeks: int = 52,
    alpha: float | None = None,
) -> None:
    """Judge every series of ``input_path`` with ``method`` and write ``output_path``.

    :param method: one of :data:`METHODS` (ears_c1, ears_c2, ears_c3, farrington,
      farrington_flexible, cusum).
    :param weeks: judge the last ``weeks`` weeks of each series (all weeks of a shorter series).
    :param alpha: override the method's default alpha (not for cusum).
    :raises DetectInputError: the input is invalid (every problem listed); nothing is written.
    :raises ValueError: unknown method, bad ``weeks`` or ``alpha``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if alpha is not None and method not in METHODS_WITH_ALPHA:
        raise ValueError(f"{method} has no alpha (it is tuned by k and h)")
    series = read_input(input_path)
    detections = judge(method, series, weeks, alpha)
    write_output(output_path, series, detections)
