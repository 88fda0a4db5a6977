"""`cbrnet audit verify` checks the hash chain; `cbrnet audit show` prints recent entries.

    cbrnet audit verify                      exit 0 when intact, 1 and the problems when not
    cbrnet audit show [--model app.model] [--object ID] [--limit N]

Run verify from cron or a systemd timer and alert on a non-zero exit; keep the printed chain
head somewhere else (a ticket, the backup log) so a rewrite of the whole chain is noticed too.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from cbrnet.core import audit
from cbrnet.core.models import AuditChainHead, AuditEntry

VALUE_WIDTH = 80


def _positive(text: str) -> int:
    import argparse

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _short(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or show recent audit entries."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute every hash and link; exit 1 and list problems if broken")
        show = sub.add_parser("show", help="print recent entries, newest first")
        show.add_argument("--model", help="only this model, as app_label.model_name (e.g. registry.person)")
        show.add_argument("--object", dest="object_id", help="only this record id (use with --model)")
        show.add_argument("--limit", type=_positive, default=20, help="how many entries (default 20)")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            self.verify()
        else:
            self.show(model=options["model"], object_id=options["object_id"], limit=options["limit"])

    def verify(self):
        result = audit.verify()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The audit chain is broken: {len(result.problems)} problem(s) in {result.checked} entries."
            )
        head = AuditChainHead.objects.get(pk=1).last_hash
        self.stdout.write(f"The audit chain is intact: {result.checked} entries; head {head or '(empty)'}.")

    def show(self, *, model: str | None, object_id: str | None, limit: int):
        entries = AuditEntry.objects.order_by("-pk")
        if model:
            try:
                label = apps.get_model(model)._meta.label_lower
            except (LookupError, ValueError):
                raise CommandError(f"--model {model!r}: no such model; use app_label.model_name.") from None
            entries = entries.filter(model_label=label)
        if object_id:
            entries = entries.filter(object_id=object_id)
        shown = 0
        for entry in entries[:limit]:
            shown += 1
            who = entry.actor_repr or "-"
            self.stdout.write(
                f"#{entry.pk} {entry.timestamp:%Y-%m-%d %H:%M:%S}Z {entry.action} {entry.model_label} "
                f"{entry.object_id} {entry.object_repr!r} by {who} via {entry.source}"
                + (f" from {entry.remote_addr}" if entry.remote_addr else "")
            )
            before, after = entry.before or {}, entry.after or {}
            for key in sorted(set(before) | set(after)):
                if entry.action == AuditEntry.Action.UPDATE:
                    self.stdout.write(f"    {key}: {_short(before.get(key))} → {_short(after.get(key))}")
                else:
                    self.stdout.write(f"    {key}: {_short(after.get(key) if after else before.get(key))}")
        if not shown:
            self.stdout.write("No audit entries match.")
