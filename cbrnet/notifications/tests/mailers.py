"""Mail backends for the tests: a mail server that is down, one that refuses an address for good,
one that dies after accepting, and one that writes files (for worker processes, which cannot share
Django's in-memory outbox with the test)."""

import os
import smtplib
import time
import uuid
from pathlib import Path

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """The mail server does not answer."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        self.open()


class RefusingBackend(BaseEmailBackend):
    """The server refuses the recipient for good (550)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"5.1.1 No such user") for m in messages})


class WorkerKilled(BaseException):
    """Stands for SIGKILL inside the test process: not an Exception, so nothing catches it."""


class AcceptThenDieBackend(BaseEmailBackend):
    """The server accepts the message, then the worker dies before it can record that."""

    def send_messages(self, messages):
        for message in messages:
            mail.outbox.append(message)
        raise WorkerKilled


def mail_dir() -> Path:
    return Path(os.environ["CBRNET_TEST_MAIL_DIR"])


class FileBackend(BaseEmailBackend):
    """Writes every message it accepts to its own file in CBRNET_TEST_MAIL_DIR (atomically: a message
    is there whole or not at all, as with an SMTP server's final answer).

    CBRNET_TEST_MAIL_HANG_AFTER=N: once N messages are in the directory, the next one stalls for
    good after a `hanging` marker is written — a server that stops answering mid-message, which is
    when the test kills the worker. CBRNET_TEST_MAIL_DELAY: seconds per message (interleaves workers).
    """

    def send_messages(self, messages):
        directory = mail_dir()
        hang_after = os.environ.get("CBRNET_TEST_MAIL_HANG_AFTER")
        delay = float(os.environ.get("CBRNET_TEST_MAIL_DELAY", "0"))
        for message in messages:
            if hang_after is not None and len(list(directory.glob("*.eml"))) >= int(hang_after):
                marker = directory / "hanging.part"
                marker.write_text(message.to[0])
                marker.rename(directory / "hanging")  # whole, or not there yet
                time.sleep(3600)
            time.sleep(delay)
            name = directory / f"{uuid.uuid4().hex}.eml"
            part = name.with_suffix(".part")
            part.write_bytes(message.message().as_bytes())
            part.rename(name)
        return len(messages)
