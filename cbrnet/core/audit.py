"""The audit trail: who changed what, when, from where, with before/after values.

Every model that inherits `AuditedModel` is recorded on save and delete, whatever the entry point
(UI, API, import, command, task). The actor comes from a context variable that the request
middleware sets and that commands, imports and tasks enter with `audit_actor(...)`; changes made
with no context at all are still recorded, with source "system".

Entries form a hash chain: each stores the SHA-256 of its own content and of its predecessor, and
a single head row holds the last hash, so `cbrnet audit verify` detects an edited or deleted entry.
"""

import contextvars
import datetime
import decimal
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

REDACTED = "***"


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None
    actor_repr: str
    source: str
    request_id: str
    remote_addr: str | None


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("cbrnet_audit", default=None)


def current_context() -> AuditContext:
    context = _current.get()
    if context is None:
        return AuditContext(None, "", "system", uuid.uuid4().hex, None)
    return context


@contextmanager
def audit_actor(user, *, source: str, request_id: str | None = None, remote_addr: str | None = None) -> Iterator[None]:
    """Attribute every change made inside the block to `user` (None for the system)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    token = _current.set(
        AuditContext(
            actor_id=user.pk if authenticated else None,
            actor_repr=user.get_username() if authenticated else "",
            source=source,
            request_id=request_id or uuid.uuid4().hex,
            remote_addr=remote_addr,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)


def set_actor(user) -> None:
    """Update the actor of the current context after login (the request started anonymous)."""
    context = _current.get()
    if context is not None and user is not None and user.is_authenticated:
        _current.set(replace(context, actor_id=user.pk, actor_repr=user.get_username()))


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return REDACTED
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, FieldFile):  # an empty one raises on .url, so test the type
        return value.name or None
    return value


def serialize(instance: models.Model) -> dict:
    """The audited state of an instance: concrete fields by attname, secrets redacted."""
    exclude = set(getattr(instance, "audit_exclude", ())) | {"created", "updated"}
    redact = set(getattr(instance, "audit_redact", ()))
    state = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname in exclude:
            continue
        value = field.value_from_object(instance)
        state[field.attname] = REDACTED if field.name in redact and value else _jsonable(value)
    return state


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(entry) -> str:
    """The SHA-256 that chains an entry to its predecessor; covers every stored field."""
    payload = {
        "id": entry.pk,
        "timestamp": entry.timestamp.isoformat(),
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "source": entry.source,
        "request_id": entry.request_id,
        "remote_addr": entry.remote_addr,
        "action": entry.action,
        "model_label": entry.model_label,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical(payload)).hexdigest()


def changed_fields(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values differ (for updates); creates and deletes keep everything."""
    if before is None or after is None:
        return before, after
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def record(instance: models.Model, action: str, before: dict | None, after: dict | None):
    """Append one entry to the chain, in the caller's transaction. Returns it, or None if no change."""
    from cbrnet.core.models import AuditChainHead, AuditEntry

    if action == AuditEntry.Action.UPDATE:
        before, after = changed_fields(before, after)
        if not after:
            return None
    context = current_context()
    with transaction.atomic():
        # Locking the single head row serialises appends, so the chain never forks (PostgreSQL);
        # SQLite serialises writers already.
        # get_or_create: a test-database flush (TransactionTestCase) removes the row the migration made.
        head = AuditChainHead.objects.select_for_update().get_or_create(pk=1)[0]
        entry = AuditEntry(
            timestamp=datetime.datetime.now(datetime.UTC),
            actor_id=context.actor_id,
            actor_repr=context.actor_repr,
            source=context.source,
            request_id=context.request_id,
            remote_addr=_stored_address(context.remote_addr),
            action=action,
            content_type_id=_content_type_id(instance),
            model_label=instance._meta.label_lower,
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            before=before,
            after=after,
            prev_hash=head.last_hash,
        )
        entry.save_new()
        entry.hash = entry_digest(entry)
        entry.save_hash()
        head.last_hash = entry.hash
        head.last_entry_id = entry.pk
        head.entries += 1
        head.save(update_fields=["last_hash", "last_entry_id", "entries"])
    return entry


def record_many(items) -> list:
    """Append many entries at once, in the caller's transaction: for bulk writes (an import of
    thousands of weekly counts) that bypass `AuditedModel.save`. `items` are (instance, action,
    before, after) as `record` takes them; updates that change nothing are skipped.

    The chain head is locked once and the entries' ids are reserved first, because each hash covers
    the entry's id and its predecessor's hash: the entries are then written complete, in multi-row
    inserts (the PostgreSQL trigger lets an entry's hash be set only once, never its link).
    """
    from cbrnet.core.models import AuditChainHead, AuditEntry

    rows = []
    for instance, action, before, after in items:
        if action == AuditEntry.Action.UPDATE:
            before, after = changed_fields(before, after)
            if not after:
                continue
        rows.append((instance, action, before, after))
    if not rows:
        return []
    context = current_context()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get_or_create(pk=1)[0]
        ids = _reserve_entry_ids(len(rows))
        timestamp = datetime.datetime.now(datetime.UTC)
        remote_addr = _stored_address(context.remote_addr)
        previous = head.last_hash
        entries = []
        for pk, (instance, action, before, after) in zip(ids, rows, strict=True):
            entry = AuditEntry(
                id=pk,
                timestamp=timestamp,
                actor_id=context.actor_id,
                actor_repr=context.actor_repr,
                source=context.source,
                request_id=context.request_id,
                remote_addr=remote_addr,
                action=action,
                content_type_id=_content_type_id(instance),
                model_label=instance._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                before=before,
                after=after,
                prev_hash=previous,
            )
            entry.hash = entry_digest(entry)
            previous = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        head.last_hash = previous
        head.last_entry_id = entries[-1].pk
        head.entries += len(entries)
        head.save(update_fields=["last_hash", "last_entry_id", "entries"])
    return entries


def _reserve_entry_ids(count: int) -> list[int]:
    """`count` new, increasing audit entry ids, taken while the chain head is locked (so no other
    append can take one in between)."""
    from django.db import connection

    from cbrnet.core.models import AuditEntry

    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite (AUTOINCREMENT): after the largest id ever handed out; an explicit id moves the
        # sequence on, so later single appends continue after these.
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table name
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(largest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _stored_address(value: str | None) -> str | None:
    """The address as the database will return it: the hash must cover exactly what is read back
    (PostgreSQL and Django both print IPv6 compressed and lower-case), and never arbitrary text."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _content_type_id(instance) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(instance, for_concrete_model=True).pk


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch_size: int = 2000) -> VerifyResult:
    """Recompute every hash and link; report edited, deleted or reordered entries."""
    from cbrnet.core.models import AuditChainHead, AuditEntry

    problems: list[str] = []
    previous_hash = ""
    checked = 0
    last_id = None
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=batch_size):
        checked += 1
        if entry.prev_hash != previous_hash:
            problems.append(f"entry {entry.pk}: its link does not match the entry before it (an entry was removed or edited)")
        if entry_digest(entry) != entry.hash:
            problems.append(f"entry {entry.pk}: its content does not match its hash (it was edited)")
        previous_hash = entry.hash
        last_id = entry.pk
    head = AuditChainHead.objects.get_or_create(pk=1)[0]
    if head.entries != checked:
        problems.append(f"the chain head counts {head.entries} entries but {checked} are stored (entries were deleted)")
    if head.last_hash != previous_hash or head.last_entry_id != last_id:
        problems.append("the chain head does not point at the last stored entry (the newest entries were removed)")
    return VerifyResult(checked=checked, problems=problems)
