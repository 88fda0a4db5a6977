"""Fact sheets on the demo data (PostgreSQL): how long the Central Asia fact sheet takes as a PDF and as a
page, and the pieces of it (the selector, the PDF drawing alone), plus a country sheet and the dashboard.

    .venv/bin/python benchmarks/factsheet_pdf.py            # build the database, measure, write docs/performance.md
    .venv/bin/python benchmarks/factsheet_pdf.py --reuse    # measure the data of a previous run

The database `cbrnet_bench_factsheets` (override with CBRNET_BENCH_DATABASE_URL) is dropped and built
again: migrations, then the whole demo data set (`cbrnet demo`: reference data, the fictional
population, projects, activities and participants) and the demo achievements. Each measurement is one
warm-up, then the median and the slowest of `--repeat` runs in one process, signed in as the demo's
Central Asia secretariat officer. Writes only its own section, "## Fact sheet PDF", of docs/performance.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from performance_doc import write_section  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "performance.md"
SECTION = "## Fact sheet PDF"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cbrnet_bench_factsheets"


def run(*command, env=None):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=env, cwd=ROOT)


def machine() -> str:
    import psutil

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}"


def recreate(database_url: str) -> None:
    import psycopg

    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build() -> float:
    """The demo data set and the demo achievements (idempotent: a second run writes nothing)."""
    from cbrnet.core.audit import audit_actor
    from cbrnet.factsheets.demo import load_achievements
    from cbrnet.registry.demo import Reference, load_demo
    from cbrnet.registry.demo.common import LoadReport

    started = time.perf_counter()
    load_demo(include_population=True, source="command")
    with audit_actor(None, source="command"):
        load_achievements(Reference.from_database(), LoadReport())
    return time.perf_counter() - started


def measure(repeat: int) -> tuple[list[tuple[str, float, float, str]], dict]:
    """(what, median ms, slowest ms, size) per measurement, and what the sheet states."""
    from django.db import connection
    from django.test import Client

    from cbrnet.accounts.models import User
    from cbrnet.factsheets import pdf, selectors
    from cbrnet.registry.models import Country, Network, Region

    user = User.objects.get(username="sec-ca")
    region = Region.objects.select_related("network").get(network__code="eu-cbrn-coe", code="CA")
    country = Country.objects.get(iso2="UZ")
    network = Network.objects.get(code="eu-cbrn-coe")
    client = Client()
    client.force_login(user)
    sheet = selectors.region_fact_sheet(user=user, region=region)
    cases = [
        (
            "selector: region_fact_sheet (Central Asia)",
            lambda: selectors.region_fact_sheet(user=user, region=region),
        ),
        ("PDF drawing only: region_fact_sheet_pdf", lambda: pdf.region_fact_sheet_pdf(sheet)),
        (
            "PDF download: GET /factsheets/regions/CA/fact-sheet.pdf",
            lambda: client.get(f"/factsheets/regions/{region.pk}/fact-sheet.pdf"),
        ),
        (
            "API: GET /api/factsheets/regions/CA.pdf",
            lambda: client.get(f"/api/factsheets/regions/{region.pk}.pdf"),
        ),
        ("page: GET /factsheets/regions/CA/", lambda: client.get(f"/factsheets/regions/{region.pk}/")),
        (
            "API: GET /api/factsheets/regions/CA (JSON)",
            lambda: client.get(f"/api/factsheets/regions/{region.pk}"),
        ),
        (
            "PDF download: GET /factsheets/countries/UZ/fact-sheet.pdf",
            lambda: client.get(f"/factsheets/countries/{country.pk}/fact-sheet.pdf"),
        ),
        (
            "page: GET /factsheets/?network=CoE (dashboard)",
            lambda: client.get("/factsheets/", {"network": network.pk}),
        ),
    ]
    results = []
    for label, call in cases:
        value = call()  # warm up: caches, the plan, the connection, the font files
        status = getattr(value, "status_code", 200)
        if status != 200:
            raise SystemExit(f"{label}: HTTP {status}")
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            value = call()
            timings.append((time.perf_counter() - started) * 1000)
        body = value if isinstance(value, bytes) else getattr(value, "content", b"")
        size = f"{len(body) / 1024:.0f} KiB" if body else ""
        results.append((label, statistics.median(timings), max(timings), size))
        print(
            f"{label}: median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms {size}",
            flush=True,
        )
    stated = {
        "partners": len(sheet.partners),
        "priorities": len(sheet.priorities),
        "projects": sheet.projects.total,
        "ongoing": len(sheet.projects.ongoing),
        "since": sheet.projects.since,
        "trained": sheet.training.people,
        "achievements": len(sheet.achievements),
    }
    connection.close()
    return results, stated


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run built")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()

    database_url = os.environ.get("CBRNET_BENCH_DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "CBRNET_DATABASE_URL": database_url, "CBRNET_DEBUG": "true"}
    os.environ.update(
        {
            "CBRNET_DATABASE_URL": database_url,
            "CBRNET_DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "cbrnet.settings",
        }
    )
    load_before = os.getloadavg()
    if not args.reuse:
        recreate(database_url)
        run(str(BIN / "cbrnet"), "migrate", "--no-input", "-v", "0", env=env)
    import django

    django.setup()
    from django.db import connection

    built = None
    if not args.reuse:
        built = build()
        print(f"demo data built in {built:.0f} s", flush=True)
    load_start = os.getloadavg()
    results, stated = measure(args.repeat)
    load_end = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]

    table = ["| measurement | median (ms) | slowest (ms) | size |", "|---|---:|---:|---:|"]
    table += [
        f"| {label} | {median:.0f} | {slowest:.0f} | {size} |" for label, median, slowest, size in results
    ]
    report = "\n".join(
        [
            SECTION,
            "",
            f"Measured {datetime.date.today().isoformat()} on {machine()}; PostgreSQL {server.split()[0]} on the same "
            f"machine. Command: `.venv/bin/python benchmarks/factsheet_pdf.py` (database `cbrnet_bench_factsheets`).",
            "Data: the whole demo data set (`cbrnet demo`) and the demo achievements"
            + (f", built in {built:.0f} s" if built else "")
            + f". The Central Asia sheet states {stated['partners']} partner countries, {stated['priorities']} "
            f"regional priorities, {stated['projects']} projects since {stated['since']} ({stated['ongoing']} ongoing), "
            f"{stated['trained']} people trained and {stated['achievements']} recent achievements. Signed in as the demo's "
            f"Central Asia secretariat officer; each measurement: one warm-up, then the median and the slowest of "
            f"{args.repeat} runs, in one process (Django's test client: no network, no web server).",
            "",
            f"Load average (1, 5, 15 min) when the run started: {load_before[0]:.1f}, {load_before[1]:.1f}, "
            f"{load_before[2]:.1f}; when the measurements started: {load_start[0]:.1f}; at the end: {load_end[0]:.1f}. "
            "The machine was shared with other work during the run, so the times are upper bounds.",
            "",
            *table,
            "",
            "A sheet reads a fixed number of queries whatever the records (about a dozen for a region, checked by "
            "`cbrnet/factsheets/tests/test_selectors.py`), so the page and the JSON cost about as much as the "
            "selector plus rendering. Most of a PDF download is fpdf2's: parsing the two DejaVu Sans font files "
            "for every document (`add_font`, about 0.1 s for both on this machine when idle), measuring the text "
            "for line breaks, then embedding the glyph subset it used, compressed. If PDFs must get faster, the "
            "next step is to keep the parsed fonts between documents (fpdf2 keeps per-document glyph subsets on "
            "the font object, so they would have to be copied, not shared).",
            "",
        ]
    )
    print(report)
    if not args.no_doc:
        write_section(SECTION, report, DOC)



if __name__ == "__main__":
    main()
