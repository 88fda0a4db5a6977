"""Scoring needs assessments: 64 countries × 3 questionnaire versions × 300 questions.

    .venv/bin/python benchmarks/assessment_scoring.py                     # SQLite file in var/bench
    .venv/bin/python benchmarks/assessment_scoring.py --database-url sqlite:///var/bench/s.sqlite3 \
        --database-url postgres://postgres@127.0.0.1:5432/bench_scoring      # each database in turn
    .venv/bin/python benchmarks/assessment_scoring.py --repeat 20 --no-docs

Two measurements:

1. the scoring alone (cbrnet.assessments.scoring, plain numpy): every score (per question, thematic
   area, CBRN domain, overall, coverage) and the gaps of all 192 assessments at once, on one table of
   192 assessments × 900 questions (the three versions side by side, each assessment reading its own
   version's 300), and of one region's 64 latest assessments × 300 questions; median and 95th
   percentile of `--repeat` runs, wall clock and CPU time, and the peak memory of one run;
2. the selectors the pages call, through the database and the access engine, as the region's
   secretariat officer: `region_comparison` (the heatmap: 64 countries, each one's latest of 3
   assessments, 300 answers each), `assessment_scores` (one assessment), `assessment_gaps` and
   `country_history` (one country's 3 assessments across the 3 versions, through Question.maps_to),
   with the number of queries each makes. The data (a network "bench-scoring" with one region, 64
   countries, 3 published versions, 192 published assessments, 57,600 answers) is written with
   bulk_create (not audited: benchmark data) and reused by later runs; the database is migrated first.

Results go into the "Assessment scoring" section of docs/performance.md unless --no-docs is given.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from performance_doc import write_section  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Assessment scoring"
COUNTRIES, VERSIONS, QUESTIONS, AREAS = 64, 3, 300, 12
NETWORK_CODE, FAMILY = "bench-scoring", "BENCHNAQ"
TARGET_SECONDS = 0.5  # the heatmap page's budget for the comparison selector


def synthetic(seed: int = 2026) -> dict:
    """Questions (per version) and answers (per country and version) like a full network's."""
    rng = np.random.default_rng(seed)
    versions = []
    for number in range(VERSIONS):
        versions.append(
            {
                "area": rng.integers(0, AREAS, size=QUESTIONS),
                "kind": np.where(rng.random(QUESTIONS) < 0.7, "level", "yes_partly_no"),
                "weight": rng.choice([1.0, 1.0, 2.0, 3.0], size=QUESTIONS),
                "domains": rng.choice(["", "C", "B", "RN", "CB", "CBRN", "E"], size=QUESTIONS),
                "target": rng.choice([3, 4, 4, 5], size=QUESTIONS),
                # 90 % of a newer version's questions continue a question of the one before
                "maps_to": np.where(rng.random(QUESTIONS) < 0.9, rng.permutation(QUESTIONS), -1)
                if number
                else None,
            }
        )
    answers = []
    for country in range(COUNTRIES):
        base = rng.uniform(1.5, 4.5)
        for number in range(VERSIONS):
            level = np.clip(np.rint(rng.normal(base + 0.3 * number, 1.0, QUESTIONS)), 1, 5).astype(int)
            state = rng.choice(3, size=QUESTIONS, p=[0.9, 0.05, 0.05])  # answered, N/A, unanswered
            answers.append({"country": country, "version": number, "level": level, "state": state})
    return {"versions": versions, "answers": answers}


def arrays(data: dict, version_numbers, question_offset: bool):
    """The scoring arrays of the answers of the given versions (one table, columns side by side when
    `question_offset`)."""
    from cbrnet.assessments import scoring

    columns = QUESTIONS * (len(version_numbers) if question_offset else 1)
    chosen = [row for row in data["answers"] if row["version"] in version_numbers]
    values = np.full((len(chosen), columns), np.nan)
    answered = np.zeros((len(chosen), columns), dtype=bool)
    not_applicable = np.zeros((len(chosen), columns), dtype=bool)
    present = np.zeros((len(chosen), columns), dtype=bool)
    for row, answer in enumerate(chosen):
        start = QUESTIONS * version_numbers.index(answer["version"]) if question_offset else 0
        block = slice(start, start + QUESTIONS)
        kind = data["versions"][answer["version"]]["kind"]
        value = np.where(
            kind == "level",
            (answer["level"] - 1) / 4,
            np.select([answer["level"] >= 4, answer["level"] >= 2], [1.0, 0.5], 0.0),
        )
        values[row, block] = value
        answered[row, block] = answer["state"] == 0
        not_applicable[row, block] = answer["state"] == 1
        present[row, block] = True
    picked = [
        data["versions"][number] for number in (version_numbers if question_offset else version_numbers[:1])
    ]
    return {
        "values": values,
        "answered": answered,
        "not_applicable": not_applicable,
        "present": present,
        "weights": np.concatenate([version["weight"] for version in picked]),
        "area_index": np.concatenate([version["area"] for version in picked]),
        "domains": scoring.domain_membership(np.concatenate([version["domains"] for version in picked])),
        "targets": np.concatenate([version["target"] for version in picked]),
        "priority": np.isin(np.concatenate([version["area"] for version in picked]), [0, 3, 7]),
    }


def time_scoring(repeat: int) -> list[dict]:
    from cbrnet.assessments import scoring

    data = synthetic()
    cases = [
        ("all 192 assessments × 900 questions (3 versions side by side)", arrays(data, [0, 1, 2], True)),
        ("one region's 64 latest assessments × 300 questions", arrays(data, [2], False)),
    ]
    results = []
    for label, a in cases:

        def once(a=a):
            result = scoring.score(
                a["values"],
                a["answered"],
                a["not_applicable"],
                a["weights"],
                a["area_index"],
                n_areas=AREAS,
                domains=a["domains"],
                present=a["present"],
            )
            gaps = scoring.gaps(
                a["values"],
                a["answered"],
                a["not_applicable"],
                a["weights"],
                a["targets"],
                a["priority"],
                present=a["present"],
            )
            return result, gaps

        once()  # warm up
        wall, cpu = [], []
        for _ in range(repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            result, _gaps = once()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        tracemalloc.start()
        once()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append(
            {
                "label": label,
                "shape": a["values"].shape,
                "wall_median": statistics.median(wall),
                "wall_p95": float(np.percentile(wall, 95)),
                "cpu_median": statistics.median(cpu),
                "peak_mb": peak / 2**20,
                "mean_overall": float(np.nanmean(result.overall.score)),
            }
        )
    return results


def setup_django(database_url: str | None) -> str:
    os.environ.setdefault("CBRNET_DEBUG", "true")
    if database_url is None:
        path = ROOT / "var" / "bench" / "assessment_scoring.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{path}"
    os.environ["CBRNET_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbrnet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor


def build_database() -> dict:
    """The benchmark network, written once and reused while its shape is the same."""
    import pycountry
    from django.db import transaction

    from cbrnet.accounts.models import User
    from cbrnet.assessments.models import Answer, Assessment, Question, QuestionnaireVersion, Section
    from cbrnet.core.audit import audit_actor
    from cbrnet.registry.models import (
        Country,
        Membership,
        Network,
        Person,
        Region,
        RegionalPriority,
        RoleAssignment,
        ThematicArea,
    )

    data = synthetic()
    with audit_actor(None, source="command"), transaction.atomic():
        network, _ = Network.objects.get_or_create(
            code=NETWORK_CODE, defaults={"name": "Benchmark network (scoring)"}
        )
        region, _ = Region.objects.get_or_create(
            network=network, code="BENCH", defaults={"name": "Benchmark region"}
        )
        expected = sum(int((row["state"] != 2).sum()) for row in data["answers"])  # unanswered: no row
        stored = Answer.objects.filter(assessment__network=network).count()
        if stored != expected:
            # Benchmark data is replaced without the ORM's per-row delete (which would audit every row).
            # Foreign keys are checked at commit, so the order only has to follow the relations.
            for queryset in (
                Answer.objects.filter(assessment__network=network),
                Assessment.objects.filter(network=network),
                Question.objects.filter(version__network=network),
                Section.objects.filter(version__network=network),
                QuestionnaireVersion.objects.filter(network=network),
            ):
                queryset._raw_delete(queryset.db)
            areas = [
                ThematicArea.objects.get_or_create(
                    code=f"bench-area-{number:02d}",
                    defaults={"name": f"Benchmark area {number:02d}", "order": 100 + number},
                )[0]
                for number in range(AREAS)
            ]
            countries = []
            for item in sorted(pycountry.countries, key=lambda c: c.alpha_2)[:COUNTRIES]:
                country = Country.objects.filter(iso2=item.alpha_2).first() or Country.objects.create(
                    iso2=item.alpha_2, iso3=item.alpha_3, name=item.name
                )
                countries.append(country)
                Membership.objects.get_or_create(
                    network=network, country=country, until=None, defaults={"region": region}
                )
            for number in (0, 3, 7):
                RegionalPriority.objects.get_or_create(
                    region=region,
                    title=f"Benchmark priority {number}",
                    defaults={"thematic_area": areas[number]},
                )
            versions, previous = [], None
            for number, spec in enumerate(data["versions"]):
                version = QuestionnaireVersion.objects.create(
                    network=network,
                    family=FAMILY,
                    version=str(2019 + 3 * number),
                    name=f"Benchmark NAQ {number + 1}",
                    previous=previous,
                    status="published",
                    published_on=datetime.date(2019 + 3 * number, 1, 1),
                )
                sections = Section.objects.bulk_create(
                    [
                        Section(version=version, order=area + 1, code=f"S{area + 1}", title=areas[area].name)
                        for area in range(AREAS)
                    ]
                )
                previous_questions = versions[-1][1] if versions else None
                questions = Question.objects.bulk_create(
                    [
                        Question(
                            version=version,
                            section=sections[int(spec["area"][q])],
                            order=q + 1,
                            code=f"Q{q + 1:03d}",
                            text=f"Benchmark question {q + 1}",
                            answer_type=str(spec["kind"][q]),
                            domains=str(spec["domains"][q]),
                            thematic_area=areas[int(spec["area"][q])],
                            weight=float(spec["weight"][q]),
                            target_level=int(spec["target"][q]),
                            maps_to=(
                                previous_questions[int(spec["maps_to"][q])]
                                if previous_questions is not None and spec["maps_to"][q] >= 0
                                else None
                            ),
                        )
                        for q in range(QUESTIONS)
                    ]
                )
                versions.append((version, questions))
                previous = version
            for row in data["answers"]:
                version, questions = versions[row["version"]]
                assessment = Assessment.objects.create(
                    country=countries[row["country"]],
                    version=version,
                    year=2019 + 3 * row["version"],
                    status="published",
                )
                answers = []
                for q, question in enumerate(questions):
                    state, level = int(row["state"][q]), int(row["level"][q])
                    if state == 2:
                        continue
                    fields = (
                        {"not_applicable": True}
                        if state == 1
                        else (
                            {"level": level}
                            if question.answer_type == "level"
                            else {"yes_partly_no": "yes" if level >= 4 else "partly" if level >= 2 else "no"}
                        )
                    )
                    answers.append(Answer(assessment=assessment, question=question, **fields))
                Answer.objects.bulk_create(answers, batch_size=2000)
        user = User.objects.filter(username="bench-secretariat").first()
        if user is None:
            user = User.objects.create_user(
                "bench-secretariat", "bench-secretariat@example.org", "bench-password-1"
            )
            person = Person.objects.create(given_name="Bench", family_name="Secretariat", user_account=user)
            RoleAssignment.objects.create(
                person=person, role="secretariat", region=region, start_date=datetime.date(2020, 1, 1)
            )
    return {"network": network.pk, "region": region.pk, "user": user.pk}


def time_selectors(repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cbrnet.accounts.models import User
    from cbrnet.assessments.models import Answer, Assessment
    from cbrnet.assessments.selectors import scores
    from cbrnet.registry.models import Region

    started = time.perf_counter()
    ids = build_database()
    build = time.perf_counter() - started
    region = Region.objects.get(pk=ids["region"])
    latest = Assessment.objects.filter(network_id=ids["network"]).order_by("-year", "country__name").first()
    country = latest.country
    answers = Answer.objects.filter(assessment__network_id=ids["network"]).count()

    calls = {
        "region_comparison": lambda user: scores.region_comparison(user=user, region=region, family=FAMILY),
        "assessment_scores": lambda user: scores.assessment_scores(user=user, assessment=latest.pk),
        "assessment_gaps": lambda user: scores.assessment_gaps(user=user, assessment=latest.pk),
        "country_history": lambda user: scores.country_history(user=user, country=country, family=FAMILY),
    }
    results = {"answers": answers, "build_s": build}
    for name, call in calls.items():
        user = User.objects.get(pk=ids["user"])
        result = call(user)  # warm up (and the access context, cached as between requests)
        wall, cpu = [], []
        for _ in range(repeat):
            user = User.objects.get(pk=ids["user"])  # a fresh user object, as in a new request
            w0, c0 = time.perf_counter(), time.process_time()
            result = call(user)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        user = User.objects.get(pk=ids["user"])
        with CaptureQueriesContext(connection) as queries:
            call(user)
        entry = {
            "wall_median": statistics.median(wall),
            "wall_p95": float(np.percentile(wall, 95)),
            "cpu_median": statistics.median(cpu),
            "queries": len(queries),
        }
        if name == "region_comparison":
            entry["countries"] = len(result.rows)
            entry["assessed"] = result.assessed
        if name == "assessment_gaps":
            entry["gaps"] = len(result)
        if name == "country_history":
            entry["points"] = len(result.points)
        results[name] = entry
    return results


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, numpy {np.__version__}"


def _ms(value: float, digits: int = 1) -> str:
    return f"{value * 1000:.{digits}f}"


def report(scoring_results: list[dict], databases: list[tuple[str, dict]], args) -> str:
    load = os.getloadavg()[0]
    # The command as run, without the database addresses (they may hold credentials).
    command = f"python benchmarks/assessment_scoring.py --repeat {args.repeat}" + "".join(
        " --database-url …" for _ in (args.database_url or [])
    )
    lines = [
        SECTION,
        "",
        f"Measured {datetime.date.today().isoformat()} with `{command}` on {machine()}. Load average at the "
        f"start: {load:.1f} (the machine is shared: wall-clock times vary, CPU times less). Databases: "
        f"{', '.join(vendor for vendor, _result in databases) or 'none'}, on the same machine.",
        "",
        f"{COUNTRIES} countries of one region × {VERSIONS} published questionnaire versions × {QUESTIONS} questions "
        f"(70 % capability levels, 30 % yes / partly / no; {AREAS} thematic areas; weights 1–3; each newer version "
        "maps 90 % of its questions onto the one before): 192 assessments, 90 % of the questions answered, 5 % not "
        "applicable, 5 % unanswered.",
        "",
        "| step | table | median ms (wall) | p95 ms (wall) | median ms (CPU) | peak MB | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in scoring_results:
        rows, columns = result["shape"]
        lines.append(
            f"| numpy scoring and gaps: {result['label']} | {rows} × {columns} | {_ms(result['wall_median'], 2)} | "
            f"{_ms(result['wall_p95'], 2)} | {_ms(result['cpu_median'], 2)} | {result['peak_mb']:.1f} | — |"
        )
    labels = {
        "region_comparison": "`region_comparison` (heatmap: 64 countries, latest of 3 each)",
        "assessment_scores": "`assessment_scores` (one assessment, 300 questions)",
        "assessment_gaps": "`assessment_gaps` (ranked gaps of that assessment)",
        "country_history": "`country_history` (3 assessments across 3 versions through maps_to)",
    }
    for vendor, result in databases:
        for name, label in labels.items():
            entry = result[name]
            lines.append(
                f"| {label} on {vendor} | — | {_ms(entry['wall_median'], 0)} | {_ms(entry['wall_p95'], 0)} | "
                f"{_ms(entry['cpu_median'], 0)} | — | {entry['queries']} |"
            )
    lines.append("")
    lines.append(
        "The numpy step computes every score (per question, thematic area, CBRN domain and overall, with coverage "
        "and counts) and every gap with its rank score, for all rows at once; the selectors add the queries (each "
        "through the access engine, as the region's secretariat officer), turning the rows into arrays, and the "
        "result objects. Query counts include none for the access context (cached between requests, as in "
        "production)."
    )
    lines.append("")
    for vendor, result in databases:
        entry = result["region_comparison"]
        met = entry["wall_median"] <= TARGET_SECONDS
        lines.append(
            f"Target on {vendor}: the region comparison under {TARGET_SECONDS * 1000:.0f} ms for 64 countries × 300 "
            f"questions ({result['answers']:,} answers stored). **{'Met' if met else 'Not met'}**: median "
            f"{_ms(entry['wall_median'], 0)} ms (CPU {_ms(entry['cpu_median'], 0)} ms), {entry['countries']} countries, "
            f"{entry['assessed']} assessed."
        )
    if databases:
        lines.append("")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"Peak resident memory of the benchmark process (numpy part): {peak:.0f} MB.")
    return "\n".join(lines) + "\n"



def measure_in_a_process(database_url: str | None, args) -> tuple[str, dict]:
    """Django settles its database once per process: each database gets a process of its own."""
    command = [sys.executable, __file__, "--selectors-only", "--repeat", str(args.repeat)]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["vendor"], result["selectors"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url",
        action="append",
        default=None,
        help="repeatable; default: a SQLite file in var/bench",
    )
    parser.add_argument("--no-database", action="store_true", help="time the numpy scoring only")
    parser.add_argument("--selectors-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)

    if args.selectors_only:
        vendor = setup_django((args.database_url or [None])[0])
        print(json.dumps({"vendor": vendor, "selectors": time_selectors(max(3, args.repeat // 2))}))
        return 0
    scoring_results = time_scoring(args.repeat)
    for result in scoring_results:
        print(
            f"numpy {result['label']}: median {_ms(result['wall_median'], 2)} ms, peak {result['peak_mb']:.1f} MB",
            flush=True,
        )
    databases = []
    if not args.no_database:
        for database_url in args.database_url or [None]:
            vendor, result = measure_in_a_process(database_url, args)
            print(
                f"{vendor}: region_comparison median {_ms(result['region_comparison']['wall_median'], 0)} ms, "
                f"assessment_scores median {_ms(result['assessment_scores']['wall_median'], 0)} ms "
                f"(data built in {result['build_s']:.1f} s)",
                flush=True,
            )
            databases.append((vendor, result))
    text = report(scoring_results, databases, args)
    print(text)
    if not args.no_docs:
        write_section(SECTION, text, DOCS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
