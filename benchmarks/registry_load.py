"""Registry under load: the expert directory search and the country page on PostgreSQL with
100,000 people and 20,000 experts, 20 concurrent users (locust), gunicorn as deployed
(deploy/gunicorn.conf.py; workers and threads can be overridden).

    .venv/bin/python benchmarks/registry_load.py            # full run, writes docs/performance.md
    .venv/bin/python benchmarks/registry_load.py --reuse    # keep the generated database from a previous run

Reports throughput, p50/p99 latency per page and the server's peak memory (sum of the resident
memory of gunicorn's master and workers, sampled every 100 ms).
"""

import argparse
import csv
import datetime
import os
import platform
import resource
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg
from performance_doc import write_section  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "performance.md"
SECTION = "## Registry under load"


def run(*command, env=None):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=env, cwd=ROOT)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}"


def prepare(env, database_url, args):
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    run(str(BIN / "cbrnet"), "migrate", "--no-input", "-v", "0", env=env)
    run(str(BIN / "cbrnet"), "demo", env=env)
    started = time.perf_counter()
    run(str(BIN / "cbrnet"), "generate", "--people", str(args.people), "--experts", str(args.experts), env=env)
    print(f"generated in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def partner_country_ids(database_url) -> list[int]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT DISTINCT country_id FROM registry_membership WHERE until IS NULL ORDER BY country_id"
        ).fetchall()
    return [row[0] for row in rows]


class ServerSampler(threading.Thread):
    """Peak resident memory of gunicorn (master + workers), and the CPU time the server spent during
    the measured window: gunicorn's processes, and PostgreSQL's backends serving the benchmark's
    database. CPU time does not depend on what else the machine runs, unlike response times."""

    def __init__(self, pid, database: str, start_marker: Path):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.database = database
        self.start_marker = start_marker
        self.peak = 0
        self.running = True
        self.started = None  # CPU seconds (gunicorn, PostgreSQL, locust, whole machine) when measuring began
        self.seen: dict[int, psutil.Process] = {}
        self.locust = 0.0  # the load generator's CPU seconds, as last seen (it is gone when the run ends)

    def snapshot(self) -> tuple[float, float, float, float]:
        """CPU seconds so far of gunicorn, of PostgreSQL's backends, of locust, and busy on the machine."""
        machine = psutil.cpu_times()
        busy = sum(getattr(machine, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))
        return (*self.cpu(), self.locust, busy)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of gunicorn's processes and of the benchmark database's backends."""
        gunicorn = 0.0
        for process in [self.process, *self.process.children(recursive=True)]:
            self.seen.setdefault(process.pid, process)
        for process in psutil.process_iter(["name", "cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or ())
            if cmdline.startswith("postgres:") and f" {self.database} " in cmdline:
                self.seen.setdefault(process.pid, process)
        postgres = 0.0
        for process in self.seen.values():
            try:
                times = process.cpu_times()
                is_postgres = process.name() == "postgres"
            except psutil.Error:
                continue  # ended (a recycled worker): its time is lost, so the figure is a lower bound
            if is_postgres:
                postgres += times.user + times.system
            else:
                gunicorn += times.user + times.system
        return gunicorn, postgres

    def run(self):
        while self.running:
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in processes))
                for child in psutil.Process().children():
                    if "locust" in " ".join(child.cmdline()):
                        times = child.cpu_times()
                        self.locust = times.user + times.system
                if self.started is None and self.start_marker.exists():
                    self.started = self.snapshot()
            except psutil.Error:
                pass
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cbrnet_bench")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--experts", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds measured once every user is signed in")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load before the statistics start")
    parser.add_argument("--workers", type=int, default=None, help="default: deploy/gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=None, help="default: deploy/gunicorn.conf.py")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--access-log", help="write gunicorn's access log (with each request's time) here")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()

    env = {
        **os.environ,
        "CBRNET_DATABASE_URL": args.database_url,
        "CBRNET_DEBUG": "false",
        "CBRNET_SECRET_KEY": secrets.token_urlsafe(50),
        "CBRNET_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CBRNET_SECURE_HTTPS": "false",
        "CBRNET_REQUIRE_2FA": "false",
        "CBRNET_DB_CONN_MAX_AGE": "600",
    }
    if not args.reuse:
        prepare(env, args.database_url, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    run(str(BIN / "cbrnet"), "collectstatic", "--no-input", "-v", "0", env=env)  # production static storage
    # The production configuration, on another port, with the access log discarded by the benchmark.
    command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{args.port}",
               "--log-level", "warning"]
    if args.workers:
        command += ["-w", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.access_log:
        command += ["--access-logfile", args.access_log]
    config = gunicorn_config(command)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    start_marker = RESULTS / "registry_measuring"
    start_marker.unlink(missing_ok=True)
    sampler = ServerSampler(server.pid, args.database_url.rsplit("/", 1)[1], start_marker)
    sampler.start()
    try:
        time.sleep(3)
        locust_env = {**env, "BENCH_COUNTRY_IDS": ",".join(map(str, partner_country_ids(args.database_url))),
                      "BENCH_USERS": "nfp-kz,nfp-uz,sec-ca,nfp-ph,nfp-th",
                      "BENCH_USER_COUNT": str(args.users), "BENCH_DURATION": str(args.duration),
                      "BENCH_WARMUP": str(args.warmup),
                      "BENCH_START_MARKER": str(start_marker)}
        # Users sign in at 4 per second; the statistics start `warmup` seconds after all of them are
        # signed in (sign-ins hash passwords with Argon2 on purpose; each worker's first pages load
        # templates and caches) and cover `duration` seconds of the steady state of 20 signed-in users
        # (benchmarks/locustfile.py). -t only bounds a run that goes wrong.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run(str(BIN / "locust"), "-f", "benchmarks/locustfile.py", "--headless", "-u", str(args.users), "-r",
            "4", "-t", f"{args.warmup + args.duration + 300}s", "--host", f"http://127.0.0.1:{args.port}", "--csv",
            str(RESULTS / "registry"), "--only-summary", env=locust_env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.locust = max(sampler.locust, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        ended = sampler.snapshot()
    finally:
        sampler.running = False
        server.terminate()
        server.wait(timeout=30)
    rows = list(csv.DictReader((RESULTS / "registry_stats.csv").open()))
    requests = sum(int(row["Request Count"]) for row in rows if row["Name"] == "Aggregated")
    cpu = ""
    if sampler.started is not None and requests:
        gunicorn, postgres, locust, busy = (end - start for end, start in zip(ended, sampler.started, strict=True))
        window = args.duration * (os.cpu_count() or 1)
        others = max(busy - gunicorn - postgres - locust, 0.0)
        cpu = (f"Server CPU time per request, whatever else the machine runs: {gunicorn / requests * 1000:.0f} ms in "
               f"gunicorn (Django) + {postgres / requests * 1000:.0f} ms in PostgreSQL = "
               f"{(gunicorn + postgres) / requests * 1000:.0f} ms, averaged over both pages. While measuring, the "
               f"cores were {busy / window:.0%} busy: the server {(gunicorn + postgres) / window:.0%}, locust "
               f"{locust / window:.0%}, other processes {others / window:.0%}.")
    table = ["| page | requests | failures | req/s | p50 (ms) | p99 (ms) |", "|---|---|---|---|---|---|"]
    for row in rows:
        if row["Name"] in ("expert directory search", "country page", "Aggregated"):
            table.append(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                         f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['99%']} |")
    p99 = {row["Name"]: float(row["99%"]) for row in rows if row["Name"] in ("expert directory search", "country page")}
    met = len(p99) == 2 and all(value < 100 for value in p99.values())
    verdict = (f"Target: p99 under 100 ms for both pages: **{'met' if met else 'not met'}** "
               f"({', '.join(f'{name} {value:.0f} ms' for name, value in sorted(p99.items()))}). A run straight after "
               "generating the database, on cold caches, is slower: use `--reuse` for a second run.")
    report = "\n".join([
        SECTION, "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}; PostgreSQL on the same machine.",
        f"Data: demo network + {args.people:,} people and {args.experts:,} experts (`cbrnet generate`). "
        f"Load: {args.users} locust users (think time 0.5–1.5 s) signed in as focal points and a secretariat officer, "
        f"for {args.duration} s, from {args.warmup} s after all of them signed in; gunicorn as deployed "
        f"(deploy/gunicorn.conf.py): "
        f"{config}; locust runs on the same 2 cores. Command: "
        "`.venv/bin/python benchmarks/registry_load.py`.", "",
        *table, "",
        f"Server peak memory (master + workers, resident): {sampler.peak / 2**20:.0f} MiB.", "",
        *([cpu, ""] if cpu else []),
        verdict, "",
    ])
    print(report)
    if not args.no_doc:
        write_section(SECTION, report, DOC)


def gunicorn_config(command: list[str]) -> str:
    """The worker class, workers and threads gunicorn will run with, as a phrase."""
    from gunicorn.config import Config

    config = Config()
    namespace = {}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    arguments = config.parser().parse_args(command[1:])
    for name in ("workers", "threads"):
        if getattr(arguments, name, None):
            config.set(name, getattr(arguments, name))
    kind = "gthread" if config.threads > 1 and config.worker_class_str == "sync" else config.worker_class_str
    threads = f" × {config.threads} threads" if config.threads > 1 else ""
    return f"{config.workers} {kind} workers{threads}"



if __name__ == "__main__":
    main()
