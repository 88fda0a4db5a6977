"""Incident notifications through real worker processes: `cbrnet db_worker` announces a published
incident (inbox notifications and e-mails in the outbox), starts sending, and is killed (SIGKILL) in
the middle of an e-mail; the scheduler and a new worker finish the job. Every person concerned gets
exactly one notification and exactly one e-mail.

The approach and its helpers are those of cbrnet/notifications/tests/test_workers.py (the shared
database, the file mail backend that can hang mid-message, the worker command).
"""

import signal
import subprocess
import time

import pytest

from cbrnet.incidents.tests.helpers import make_incident
from cbrnet.notifications.tests.test_workers import (
    WAIT_SECONDS,
    WORKER,
    SharedDatabase,
    cbrnet,
    delivered,
    environment,
    outbox,
    run,
    time_passes,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("notification-workers"),  # real processes: keep them off the other worker's way
]

CONCERNED = ["nfp-ph", "nfp-th", "nfp-uz", "sec-ca", "team-kz"]


@pytest.fixture
def mail_dir(tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def notifications_per_person(database) -> dict[str, int]:
    rows = database.rows(
        "SELECT u.username, COUNT(*) FROM notifications_notification n "
        "JOIN accounts_user u ON u.id = n.recipient_id GROUP BY u.username"
    )
    return dict(rows)


def test_a_worker_killed_mid_delivery_still_notifies_everyone_exactly_once(
    world, settings, tmp_path, mail_dir
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    incident = make_incident(
        world.nfp_kz, world.kz, networks=[world.coe], title="Chlorine release"
    )  # committed
    database = SharedDatabase(tmp_path)
    assert database.rows("SELECT task_path, status FROM django_tasks_database_dbtaskresult") == [
        ("cbrnet.incidents.tasks.announcement_send", "READY")
    ]
    assert database.rows("SELECT COUNT(*) FROM notifications_notification") == [
        (0,)
    ]  # nothing in the request

    # The worker announces the incident (five notifications, five e-mails queued), sends two e-mails,
    # then the mail server stalls in the middle of the third: kill -9.
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
    assert notifications_per_person(database) == dict.fromkeys(CONCERNED, 1)
    assert database.rows("SELECT done_at IS NOT NULL FROM incidents_announcement") == [(1,)]
    assert outbox(database)[hanging] == ("sending", 1)
    (mail_dir / "hanging").unlink()

    # The scheduler queues the outbox retry (and the announcement sweep, which finds nothing to do);
    # a new worker sends what is due; once the dead worker's claim has run out, the last one too.
    env = environment(database, mail_dir)
    output = run(["periodic"], env)
    assert "notifications.outbox_retry" in output and "incidents.announcements_pending" in output
    run(WORKER, env)
    assert len(delivered(mail_dir)) == 4
    time_passes(database)
    run(["periodic"], env)
    run(WORKER, env)
    run(["periodic"], env)  # nothing is due any more
    run(WORKER, env)

    received = delivered(mail_dir)
    assert sorted(to for to, _id in received) == [
        f"{name}@example.org" for name in CONCERNED
    ]  # exactly once each
    assert len({message_id for _to, message_id in received}) == len(CONCERNED)
    assert {state for state, _attempts in outbox(database).values()} == {"sent"}
    assert notifications_per_person(database) == dict.fromkeys(CONCERNED, 1)
    links = {url for (url,) in database.rows("SELECT DISTINCT url FROM notifications_notification")}
    assert links == {incident.get_absolute_url()}
