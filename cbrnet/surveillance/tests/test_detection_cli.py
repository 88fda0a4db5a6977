"""The CSV contract of the ``detect`` command (``run_detect``): round trip and every kind of bad input."""

import csv
import datetime
import gzip
import random

import numpy as np
import pytest

from cbrnet.surveillance.detection import METHODS, detect_grouped
from cbrnet.surveillance.detection.cli import DetectInputError, read_input, run_detect

START = datetime.date(2018, 1, 1)  # a Monday


def monday(week: int) -> str:
    return (START + datetime.timedelta(weeks=week)).isoformat()


def write_csv(path, rows, header=("series", "date", "count")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def two_series():
    """Series "north" (300 weeks) and "south, coast" (20 weeks), counts seeded."""
    rng = np.random.default_rng(11)
    counts = {"north": rng.poisson(12, size=300), "south, coast": rng.poisson(3, size=20)}
    rows = [
        (name, monday(week), int(value))
        for name, values in counts.items()
        for week, value in enumerate(values)
    ]
    return counts, rows


@pytest.mark.parametrize("method", sorted(METHODS))
def test_round_trip_matches_the_array_api(tmp_path, two_series, method):
    counts, rows = two_series
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)  # rows may come in any order
    source = write_csv(tmp_path / "in.csv", shuffled)
    target = tmp_path / "out.csv"
    run_detect(method, source, target, weeks=52)
    output = read_csv(target)

    assert list(output[0]) == ["series", "date", "count", "threshold", "alarm"]
    # Series in input order (first appearance), weeks in date order, last 52 weeks or all 20.
    first_seen = list(dict.fromkeys(row[0] for row in shuffled))
    assert [row["series"] for row in output] == [
        name for name in first_seen for _ in range(min(52, len(counts[name])))
    ]
    expected = detect_grouped(METHODS[method], [counts[name] for name in first_seen], weeks=52)
    for name, detection in zip(first_seen, expected, strict=True):
        mine = [row for row in output if row["series"] == name]
        n = len(counts[name])
        assert [row["date"] for row in mine] == [monday(week) for week in range(n - len(mine), n)]
        assert [int(row["count"]) for row in mine] == counts[name][n - len(mine) :].tolist()
        for row, threshold, alarm in zip(mine, detection.threshold, detection.alarm, strict=True):
            assert row["threshold"] == ("" if np.isnan(threshold) else format(threshold + 0.0, ".15g"))
            assert row["alarm"] == ("" if np.isnan(alarm) else str(int(alarm)))
            assert row["alarm"] in ("", "0", "1")


def test_output_conventions_for_limit54_and_short_series(tmp_path):
    rows = [("low", monday(week), 1) for week in range(300)] + [
        ("short", monday(week), 5) for week in range(3)
    ]
    source = write_csv(tmp_path / "in.csv", rows)
    target = tmp_path / "out.csv"
    run_detect("farrington_flexible", source, target, weeks=4)
    output = read_csv(target)
    low = [row for row in output if row["series"] == "low"]
    assert [(row["threshold"], row["alarm"]) for row in low] == [("", "0")] * 4  # limit54 suppressed
    short = [row for row in output if row["series"] == "short"]
    assert [(row["threshold"], row["alarm"]) for row in short] == [("", "")] * 3  # cannot be judged


def test_thresholds_are_printed_with_15_significant_digits(tmp_path):
    rows = [("a", monday(week), value) for week, value in enumerate([1, 2, 3, 4, 5, 6, 7, 11])]
    source = write_csv(tmp_path / "in.csv", rows)
    run_detect("ears_c1", source, tmp_path / "out.csv", weeks=1)
    assert read_csv(tmp_path / "out.csv")[0]["threshold"] == "10.6756647580388"


def test_alpha_and_gzip_input(tmp_path, two_series):
    _, rows = two_series
    source = write_csv(tmp_path / "in.csv", rows)
    compressed = tmp_path / "in.csv.gz"
    compressed.write_bytes(gzip.compress(source.read_bytes()))
    run_detect("ears_c3", compressed, tmp_path / "a.csv", alpha=0.2)
    run_detect("ears_c3", source, tmp_path / "b.csv")
    loose = [float(row["threshold"]) for row in read_csv(tmp_path / "a.csv") if row["threshold"]]
    default = [float(row["threshold"]) for row in read_csv(tmp_path / "b.csv") if row["threshold"]]
    assert loose != default
    with pytest.raises(ValueError, match="cusum has no alpha"):
        run_detect("cusum", source, tmp_path / "c.csv", alpha=0.1)
    with pytest.raises(ValueError, match="unknown method"):
        run_detect("c4", source, tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists()


GOOD = [("a", monday(0), 1), ("a", monday(1), 2), ("a", monday(2), 3)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", ["line 1: the file is empty"], id="empty"),
        pytest.param(b"\n  \n", ["line 1: the file is empty"], id="blank"),
        pytest.param(b"series,date,count\n", ["line 2: the file has no data rows"], id="header-only"),
        pytest.param(
            b"series,week,count\na,2018-01-01,1\n",
            ["line 1: header: missing column date"],
            id="missing-column",
        ),
        pytest.param(
            b"name,value\n", ["line 1: header: missing columns series, date, count"], id="missing-columns"
        ),
        pytest.param(
            b"series,date,count\na,2018-01-01,1\na,2018-01-08,-3\n",
            ['line 3: count: "-3" is negative'],
            id="negative",
        ),
        pytest.param(
            b"series,date,count\na,2018-01-01,1.5\na,2018-01-08,x\n",
            ['line 2: count: "1.5" is not a whole number', 'line 3: count: "x" is not a whole number'],
            id="non-integer",
        ),
        pytest.param(b"series,date,count\na,2018-01-01,\n", ["line 2: count: is empty"], id="empty-count"),
        pytest.param(
            b"series,date,count\na,01/01/2018,1\na,2018-02-30,1\n",
            [
                'line 2: date: "01/01/2018" is not an ISO date',
                'line 3: date: "2018-02-30" is not a valid calendar date',
            ],
            id="bad-dates",
        ),
        pytest.param(
            b"series,date,count\na,2018-01-02,1\n",
            ['line 2: date: "2018-01-02" is a Tuesday, not the Monday that starts the week'],
            id="not-monday",
        ),
        pytest.param(
            b"series,date,count\na,2018-01-01,1\na,2018-01-08,2\na,2018-01-01,3\n",
            ['line 4: date: "2018-01-01" repeats line 2 for series "a"'],
            id="duplicate",
        ),
        pytest.param(
            b"series,date,count\na,2018-01-01,1\na,2018-01-22,2\nb,2018-01-01,1\n",
            ['line 3: date: "2018-01-22" follows "2018-01-01" (line 2) in series "a": 2 weeks missing'],
            id="gap",
        ),
        pytest.param(
            b"series,date,count\na,2018-01-01\n", ["line 2: expected 3 fields, found 2"], id="field-count"
        ),
        pytest.param(b"series,date,count\n,2018-01-01,1\n", ["line 2: series: is empty"], id="empty-series"),
        pytest.param(
            b"series,date,count\na,2018-01-01,1\n\xff\xfe,2018-01-08,2\n",
            ["line 3: not valid UTF-8 (byte 0xff at column 1)"],
            id="not-utf8",
        ),
    ],
)
def test_bad_input_names_line_and_field_and_writes_nothing(tmp_path, content, expected):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    target = tmp_path / "out.csv"
    with pytest.raises(DetectInputError) as caught:
        run_detect("ears_c1", source, target)
    for problem in expected:
        assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems
        assert problem in str(caught.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.csv"]  # no output, no temp file


def test_every_problem_is_listed_in_line_order(tmp_path):
    content = (
        "series,date,count\n"
        "a,2018-01-01,1\n"
        "a,2018-01-09,2\n"  # line 3: a Tuesday
        "a,2018-01-15,-1\n"  # line 4: negative
        "b,2018-01-01,1.0\n"  # line 5: not a whole number
        "b,2018-01-01,2\n"  # line 6: repeats line 5's date (line 5 itself is invalid, so not a repeat)
        "b,2018-01-08,2\n"
    )
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(DetectInputError) as caught:
        read_input(source)
    lines = [problem.split(":")[0] for problem in caught.value.problems]
    assert lines == ["line 3", "line 4", "line 5"]


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("previous result\n", encoding="utf-8")
    source = tmp_path / "in.csv"
    source.write_text("series,date,count\na,2018-01-01,-1\n", encoding="utf-8")
    with pytest.raises(DetectInputError):
        run_detect("cusum", source, target)
    assert target.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_header_is_case_insensitive_and_columns_may_be_reordered_with_a_bom(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("\ufeffCount,Series,Date\n4,a,2018-01-01\n5,a,2018-01-08\n".encode())
    series = read_input(source)
    assert [(one.name, one.counts.tolist()) for one in series] == [("a", [4, 5])]


def test_management_command_wraps_errors(tmp_path):
    management = pytest.importorskip("django.core.management.base")
    from cbrnet.surveillance.management.commands.detect import Command

    source = write_csv(tmp_path / "in.csv", GOOD)
    target = tmp_path / "out.csv"
    command = Command()
    parser = command.create_parser("cbrnet", "detect")
    options = vars(parser.parse_args(["--method", "cusum", "--input", str(source), "--output", str(target)]))
    command.handle(**options)
    output = read_csv(target)
    assert [row["alarm"] for row in output] == ["", "0", "0"]  # week 1 only gives the in-control mean

    (tmp_path / "bad.csv").write_text("series,date,count\na,2018-01-02,1\n", encoding="utf-8")
    options.update(input=str(tmp_path / "bad.csv"), output=str(tmp_path / "never.csv"))
    with pytest.raises(management.CommandError, match=r"line 2: date: \"2018-01-02\" is a Tuesday"):
        command.handle(**options)
    options.update(input=str(source), alpha=0.1)
    with pytest.raises(management.CommandError, match="cusum has no alpha"):
        command.handle(**options)
    assert not (tmp_path / "never.csv").exists()
