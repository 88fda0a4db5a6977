"""Real worker processes: `cbrnet db_worker` killed (SIGKILL) in the middle of a delivery, then
recovered by the periodic retry; several schedulers and workers at once. Every e-mail arrives
exactly once.

The processes work on the test database: on PostgreSQL the test database itself; on SQLite (kept in
memory by the tests) a file copy of it made once the test's rows are committed, which the test then
inspects. The e-mails are files written by cbrnet.notifications.tests.mailers.FileBackend.
"""

import datetime
import email
import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from cbrnet.notifications import services

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("notification-workers"),  # real processes: keep them off the other worker's way
]

WAIT_SECONDS = 300  # a loaded two-core machine takes over a minute to start a Django process


class SharedDatabase:
    """The database the worker processes use, and raw SQL on it (the test's own connection cannot
    see a SQLite copy)."""

    def __init__(self, tmp_path):
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self.path = tmp_path / "workers.sqlite3"
            copy = sqlite3.connect(self.path)
            connection.connection.backup(copy)
            copy.close()
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            credentials = quote(s["USER"] or "", safe="") + (
                f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
            )
            self.url = f"postgres://{credentials}@{s['HOST'] or ''}:{s['PORT'] or 5432}/{s['NAME']}"
            self.path = None

    def rows(self, sql: str, params=()) -> list[tuple]:
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.path) as raw:
            return raw.execute(sql.replace("%s", "?"), [_sqlite(p) for p in params]).fetchall()

    def execute(self, sql: str, params=()) -> None:
        self.rows(sql, params)


def _sqlite(value):
    # Django stores aware datetimes on SQLite as naive UTC text.
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    return value


@pytest.fixture
def mail_dir(tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def environment(database: SharedDatabase, mail_dir, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        CBRNET_DEBUG="true",
        CBRNET_DATABASE_URL=database.url,
        CBRNET_TASKS="database",
        CBRNET_EMAIL_BACKEND="cbrnet.notifications.tests.mailers.FileBackend",
        CBRNET_TEST_MAIL_DIR=str(mail_dir),
        CBRNET_LOG_LEVEL="ERROR",
    )
    env.pop("CBRNET_TEST_MAIL_HANG_AFTER", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def cbrnet(*args) -> list[str]:
    return [sys.executable, "-m", "cbrnet.cli", *args]


WORKER = ("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", "--interval", "0")


def run(args, env) -> str:
    done = subprocess.run(cbrnet(*args), env=env, capture_output=True, text=True, timeout=WAIT_SECONDS)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def delivered(mail_dir) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every e-mail the "server" accepted."""
    result = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        result.append((message["To"], message["Message-ID"]))
    return result


def outbox(database) -> dict[str, tuple]:
    rows = database.rows("SELECT address, status, attempts FROM notifications_outboxmessage")
    return {address: (status, attempts) for address, status, attempts in rows}


def time_passes(database, minutes=15):
    """Leases and the periodic interval run out, as they would in `minutes`."""
    earlier = timezone.now() - datetime.timedelta(minutes=minutes)
    database.execute(
        "UPDATE notifications_outboxmessage SET lease_until = %s WHERE lease_until IS NOT NULL", [earlier]
    )
    database.execute("UPDATE notifications_periodictaskrun SET last_enqueued_at = %s", [earlier])


def notify_everyone(world):
    users = [world.nfp_kz, world.nfp_uz, world.sec_ca, world.nfp_ph, world.nfp_th]
    services.notify(
        users, kind="surveillance_alert", title="Anthrax signal", body="Week 12.", url="/surveillance/"
    )
    return sorted(user.email for user in users)


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    world, settings, tmp_path, mail_dir
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    addresses = notify_everyone(world)  # committed: its delivery task is queued for the worker
    database = SharedDatabase(tmp_path)
    assert database.rows("SELECT task_path, status FROM django_tasks_database_dbtaskresult") == [
        ("cbrnet.notifications.tasks.outbox_deliver", "READY")
    ]

    # The worker sends two e-mails, then the mail server stalls in the middle of the third: kill -9.
    worker = subprocess.Popen(
        cbrnet(*WORKER),
        env=environment(database, mail_dir, CBRNET_TEST_MAIL_HANG_AFTER=2),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while not (mail_dir / "hanging").exists():
        assert worker.poll() is None, worker.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the worker never reached the third e-mail"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=WAIT_SECONDS)
    worker.stderr.close()

    hanging = (mail_dir / "hanging").read_text()
    assert len(delivered(mail_dir)) == 2
    states = outbox(database)
    assert states[hanging] == ("sending", 1)  # claimed, leased, never accepted by the server
    assert sorted(state for state, _attempts in states.values()) == [
        "pending",
        "pending",
        "sending",
        "sent",
        "sent",
    ]
    (mail_dir / "hanging").unlink()

    # The scheduler queues the outbox retry; a new worker sends what is due. The dead worker's claim
    # still holds: its e-mail is not touched yet (its worker might only be slow).
    env = environment(database, mail_dir)
    assert "notifications.outbox_retry" in run(["periodic"], env)
    run(WORKER, env)
    assert len(delivered(mail_dir)) == 4 and outbox(database)[hanging] == ("sending", 1)

    # Ten minutes later the claim has run out: the next periodic retry sends it, once.
    time_passes(database)
    assert "notifications.outbox_retry" in run(["periodic"], env)
    run(WORKER, env)
    run(["periodic"], env)  # nothing is due any more
    run(WORKER, env)

    received = delivered(mail_dir)
    assert sorted(to for to, _id in received) == addresses  # every e-mail, exactly once
    assert len({message_id for _to, message_id in received}) == len(addresses)
    assert outbox(database)[hanging] == ("sent", 2)
    assert {state for state, _attempts in outbox(database).values()} == {"sent"}


def test_several_workers_at_once_send_every_email_exactly_once(world, settings, tmp_path, mail_dir):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    addresses = notify_everyone(world)
    database = SharedDatabase(tmp_path)
    script = "from cbrnet.notifications.services import outbox_deliver; print(outbox_deliver().sent)"
    env = environment(database, mail_dir, CBRNET_TEST_MAIL_DELAY="0.2")
    workers = [
        subprocess.Popen(
            cbrnet("shell", "-c", script), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    sent = []
    for worker in workers:
        out, err = worker.communicate(timeout=WAIT_SECONDS)
        assert worker.returncode == 0, err[-3000:]
        sent.append(int(out.strip().splitlines()[-1]))
    assert sum(sent) == len(addresses)
    assert sorted(to for to, _id in delivered(mail_dir)) == addresses
    assert {state for state, _attempts in outbox(database).values()} == {"sent"}


def test_several_schedulers_at_once_queue_a_periodic_task_once(world, tmp_path, mail_dir):
    database = SharedDatabase(tmp_path)
    env = environment(database, mail_dir)
    schedulers = [
        subprocess.Popen(
            cbrnet("periodic"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = []
    for scheduler in schedulers:
        out, err = scheduler.communicate(timeout=WAIT_SECONDS)
        assert scheduler.returncode == 0, err[-3000:]
        outputs.append(out)
    assert sum("notifications.outbox_retry" in out for out in outputs) == 1
    tasks = database.rows(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
        ["cbrnet.notifications.tasks.outbox_retry"],
    )
    assert tasks == [(1,)]
