"""Training totals on PostgreSQL: 5,000 activities and 200,000 participation records, the totals report
by country and year (cbrnet.projects.selectors.training_totals) and its API endpoint.

    .venv/bin/python benchmarks/training_totals.py            # build the database, measure, write docs/performance.md
    .venv/bin/python benchmarks/training_totals.py --reuse    # keep the data of a previous run

The database `cbrnet_bench_training` (override with CBRNET_BENCH_DATABASE_URL) is dropped and built
again: migrations, the demo's reference data, then synthetic activities, people and participations
written with bulk inserts (seeded, so every run builds the same rows; bulk inserts bypass the audit
trail, which is not what is measured). Each measurement is repeated; the table gives the median and
the slowest run. The machine is shared with other work: the load average is reported with the results.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from performance_doc import write_section  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "performance.md"
SECTION = "## Training totals"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cbrnet_bench_training"
SEED = 5000


def run(*command, env=None):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=env, cwd=ROOT)


def machine() -> str:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}"


def recreate(database_url: str) -> None:
    import psycopg

    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def generate(activities: int, participations: int) -> dict:
    """Synthetic activities of the demo projects, people of the CoE partner countries and their
    participations (about a third of the people take part more than once)."""
    from django.db import transaction

    from cbrnet.core.audit import audit_actor
    from cbrnet.projects.choices import ActivityKind, ActivityStatus, Attendance, ParticipantRole
    from cbrnet.projects.models import Activity, Participation, Project
    from cbrnet.registry.choices import OrganisationKind
    from cbrnet.registry.demo import load_demo
    from cbrnet.registry.models import Membership, Organisation, Person, ThematicArea

    rng = random.Random(SEED)
    started = time.perf_counter()
    load_demo(include_population=False, source="command")
    projects = list(Project.objects.prefetch_related("regions"))
    areas = list(ThematicArea.objects.values_list("pk", flat=True))
    countries_by_region: dict[int, list[int]] = {}
    for region_id, country_id in Membership.objects.current().values_list("region_id", "country_id"):
        countries_by_region.setdefault(region_id, []).append(country_id)
    all_countries = sorted({c for countries in countries_by_region.values() for c in countries})
    with audit_actor(None, source="command"), transaction.atomic():
        organisations = {
            country_id: Organisation.objects.create(
                name=f"Bench national agency {country_id}", kind=OrganisationKind.AGENCY, country_id=country_id
            ).pk
            for country_id in all_countries
        }
    people_per_country = max(20, participations // 3 // len(all_countries))
    people = [
        Person(given_name=f"Bench{number}", family_name=f"Trainee{country_id}", country_id=country_id,
               organisation_id=organisations[country_id], gender=rng.choice(("female", "male", "")))
        for country_id in all_countries for number in range(people_per_country)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    people_by_country: dict[int, list[tuple[int, str]]] = {}
    for pk, country_id, gender in Person.objects.filter(family_name__startswith="Trainee").values_list(
        "pk", "country_id", "gender"
    ):
        people_by_country.setdefault(country_id, []).append((pk, gender))

    kinds = ActivityKind.values
    rows = []
    for number in range(activities):
        project = projects[number % len(projects)]
        day = datetime.date(2014, 1, 1) + datetime.timedelta(days=rng.randrange(12 * 365))
        rows.append(Activity(
            project=project, kind=rng.choice(kinds), title=f"Bench activity {number}", start_date=day,
            end_date=day + datetime.timedelta(days=rng.randrange(5)),
            status=rng.choices((ActivityStatus.HELD, ActivityStatus.CANCELLED, ActivityStatus.PLANNED), (92, 4, 4))[0],
        ))
    Activity.objects.bulk_create(rows, batch_size=5000)
    activity_rows = list(Activity.objects.filter(title__startswith="Bench activity").values_list("pk", "project_id"))
    region_of_project = {p.pk: [r.pk for r in p.regions.all()] for p in projects}
    through = Activity.thematic_areas.through
    through.objects.bulk_create(
        [through(activity_id=pk, thematicarea_id=area) for pk, _ in activity_rows for area in rng.sample(areas, rng.randint(1, 2))],
        batch_size=10000,
    )
    per_activity = participations // len(activity_rows)
    extra = participations - per_activity * len(activity_rows)
    roles = (ParticipantRole.TRAINEE,) * 8 + (ParticipantRole.TRAINER, ParticipantRole.FACILITATOR, ParticipantRole.OBSERVER)
    attendance = (Attendance.YES,) * 17 + (Attendance.PARTLY, Attendance.NO, Attendance.NOT_RECORDED)
    batch, written = [], 0
    for index, (activity_id, project_id) in enumerate(activity_rows):
        regions = region_of_project.get(project_id) or list(countries_by_region)
        countries = sorted({c for region in regions for c in countries_by_region.get(region, [])}) or all_countries
        pool = [person for country in rng.sample(countries, min(len(countries), 4)) for person in people_by_country[country]]
        size = per_activity + (1 if index < extra else 0)
        for person_id, gender in rng.sample(pool, min(size, len(pool))):
            batch.append(Participation(
                activity_id=activity_id, person_id=person_id, role=rng.choice(roles), attended=rng.choice(attendance),
                gender=gender,  # country and organisation: copied from the person in _flush
            ))
        if len(batch) >= 20000:
            written += _flush(batch, people_by_country)
            batch = []
    written += _flush(batch, people_by_country)
    return {"activities": len(activity_rows), "participations": written, "people": len(people),
            "countries": len(all_countries), "seconds": time.perf_counter() - started}


def _flush(batch, people_by_country) -> int:
    from cbrnet.projects.models import Participation
    from cbrnet.registry.models import Person

    snapshot = dict(Person.objects.filter(pk__in=[p.person_id for p in batch]).values_list("pk", "country_id"))
    organisations = dict(Person.objects.filter(pk__in=[p.person_id for p in batch]).values_list("pk", "organisation_id"))
    for participation in batch:
        participation.country_id = snapshot[participation.person_id]
        participation.organisation_id = organisations[participation.person_id]
    Participation.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


def measure(repeat: int) -> list[tuple[str, float, float, int]]:
    """(what, median ms, slowest ms, rows) per measurement."""
    from django.db import connection, reset_queries
    from django.test import Client

    from cbrnet.accounts.models import User
    from cbrnet.projects import selectors

    user, _ = User.objects.get_or_create(username="bench-totals")
    client = Client()
    client.force_login(user)
    cases = [
        ("selector: by country and year", lambda: selectors.training_totals(user, group_by=("country", "year"))),
        ("selector: by region and year", lambda: selectors.training_totals(user, group_by=("region", "year"))),
        ("selector: by thematic area, gender", lambda: selectors.training_totals(user, group_by=("thematic_area", "gender"))),
        ("selector: one country, by year", lambda: selectors.training_totals(
            user, group_by=("year",), filters={"country": _busiest_country()})),
        ("API: GET /api/projects/training-totals (country, year)",
         lambda: client.get("/api/projects/training-totals", {"group_by": ["country", "year"]})),
        ("page: /projects/training-totals/ (country, year)",
         lambda: client.get("/projects/training-totals/", {"group_by": ["country", "year"]})),
    ]
    results = []
    for label, call in cases:
        value = call()  # warm up: caches, the plan, the connection
        timings = []
        for _ in range(repeat):
            reset_queries()
            started = time.perf_counter()
            value = call()
            timings.append((time.perf_counter() - started) * 1000)
        rows = len(value.rows) if hasattr(value, "rows") else getattr(value, "status_code", 0)
        results.append((label, statistics.median(timings), max(timings), rows))
        print(f"{label}: median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms", flush=True)
    connection.close()
    return results


def _busiest_country():
    from django.db.models import Count

    from cbrnet.projects.models import Participation

    return Participation.objects.values("country_id").annotate(n=Count("pk")).order_by("-n").first()["country_id"]


def explain() -> str:
    """PostgreSQL's plan of the rows query (country, year), with timings."""
    from django.db import connection, transaction
    from django.db.models import Count, F
    from django.db.models.functions import ExtractYear

    from cbrnet.projects.selectors import report_memory, trained_participations

    grouped = (
        trained_participations({})
        .annotate(g_country=F("country_id"), g_year=ExtractYear("activity__start_date"))
        .values("g_country", "g_year")
        .annotate(people=Count("person_id", distinct=True), participations=Count("id"),
                  activities=Count("activity_id", distinct=True))
        .order_by("g_country", "g_year")
    )
    sql, params = grouped.query.sql_with_params()
    with transaction.atomic(), report_memory(), connection.cursor() as cursor:  # as the selector runs it
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--participations", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run built")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()

    database_url = os.environ.get("CBRNET_BENCH_DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "CBRNET_DATABASE_URL": database_url, "CBRNET_DEBUG": "true"}
    os.environ.update({"CBRNET_DATABASE_URL": database_url, "CBRNET_DEBUG": "true",
                       "DJANGO_SETTINGS_MODULE": "cbrnet.settings"})
    load_before = os.getloadavg()
    built = None
    if not args.reuse:
        recreate(database_url)
        run(str(BIN / "cbrnet"), "migrate", "--no-input", "-v", "0", env=env)
    import django

    django.setup()
    from django.db import connection

    if not args.reuse:
        built = generate(args.activities, args.participations)
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"built in {built['seconds']:.0f} s: {built}", flush=True)
    from cbrnet.projects.models import Activity, Participation
    from cbrnet.projects.selectors import trained_participations
    from cbrnet.registry.models import Person

    bench_people = Person.objects.filter(family_name__startswith="Trainee")
    counts = {"activities": Activity.objects.count(), "participations": Participation.objects.count(),
              "trained": trained_participations({}).count(), "people": bench_people.count(),
              "countries": bench_people.values("country_id").distinct().count()}
    load_start = os.getloadavg()
    results = measure(args.repeat)
    plan = explain()
    load_end = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]

    table = ["| measurement | median (ms) | slowest (ms) |", "|---|---:|---:|"]
    table += [f"| {label} | {median:.0f} | {slowest:.0f} |" for label, median, slowest, _rows in results]
    plan_lines = [line for line in plan.splitlines() if "Execution Time" in line or "Planning Time" in line]
    report = "\n".join([
        SECTION, "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}; PostgreSQL {server.split()[0]} on the same "
        f"machine. Command: `.venv/bin/python benchmarks/training_totals.py` (database `cbrnet_bench_training`).",
        f"Data: the demo's 20 CoE projects with {counts['activities']:,} activities (2014–2025, 1–2 thematic areas "
        f"each) and {counts['participations']:,} participation records of {counts['people']:,} people from "
        f"{counts['countries']} countries"
        + (f", built in {built['seconds']:.0f} s" if built else ""),
        f"(bulk-inserted, seeded; {counts['trained']:,} of them count as trained: trainees who attended, in "
        "activities not cancelled). "
        f"Each measurement: one warm-up, then the median and the slowest of {args.repeat} runs, in one process.",
        "",
        f"Load average (1, 5, 15 min) when the run started: {load_before[0]:.1f}, {load_before[1]:.1f}, "
        f"{load_before[2]:.1f}; when the measurements started: {load_start[0]:.1f}; at the end: {load_end[0]:.1f}. "
        "The machine (2 cores) was shared with other work during the run, so the times are upper bounds.",
        "",
        *table, "",
        "The report runs three queries over the participation records: the grouped rows (one aggregate query: "
        "`COUNT(DISTINCT person_id)` per country and year, participations joined to their activities), the "
        "overall total and the yearly headline (\"N people from M countries trained in YEAR\"), plus one small "
        "look-up for the country names. The report runs with 64 MB of working memory for its sorts "
        "(`SET LOCAL work_mem`; the default 4 MB spilled them to disk). PostgreSQL's timing of the rows query "
        "(`EXPLAIN ANALYZE`): "
        + "; ".join(line.strip() for line in plan_lines) + ".",
        "",
    ])
    print(report)
    print(plan)
    if not args.no_doc:
        write_section(SECTION, report, DOC)



if __name__ == "__main__":
    main()
