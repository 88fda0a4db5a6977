"""`cbrnet sharing`: federation with peer hubs (R14).

cbrnet sharing hubs                                list the peer hubs
cbrnet sharing hub NAME [--network CODE]… [--organisation "Name@ISO2"]… [--url URL] [--inactive]
                                                   create or change a peer hub
cbrnet sharing export --hub NAME [--output FILE]   what may replicate to NAME, as JSON
cbrnet sharing import FILE --hub NAME              apply an export received from NAME
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cbrnet.core.audit import audit_actor
from cbrnet.sharing.federation import export_for_hub, import_from_hub
from cbrnet.sharing.models import PeerHub
from cbrnet.sharing.services import peer_hub_save


class Command(BaseCommand):
    help = "Exchange shared items with peer hubs: list hubs, export for a hub, import from a hub."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser("hubs", help="List the peer hubs.")
        hub = subcommands.add_parser("hub", help="Create or change a peer hub.")
        hub.add_argument("name", help="Name of the peer hub.")
        hub.add_argument("--url", help="Its address.")
        hub.add_argument("--network", action="append", help="Code of a network it serves (repeat; replaces).")
        hub.add_argument(
            "--organisation",
            action="append",
            help='"Name@ISO2" of an organisation it hosts ("Name@" if international; repeat; replaces).',
        )
        hub.add_argument("--inactive", action="store_true", help="Stop exchanging with it.")
        export = subcommands.add_parser("export", help="Write what may replicate to a hub, as JSON.")
        export.add_argument("--hub", required=True, help="Name of the peer hub.")
        export.add_argument("--output", help="File to write (default: standard output).")
        imported = subcommands.add_parser("import", help="Apply a JSON export received from a hub.")
        imported.add_argument("file", help="The JSON file (- for standard input).")
        imported.add_argument("--hub", required=True, help="Name of the peer hub that sent it.")

    def handle(self, *args, subcommand, **options):
        if subcommand == "hubs":
            for hub in PeerHub.objects.prefetch_related("networks", "organisations"):
                networks = ", ".join(network.code for network in hub.networks.all()) or "-"
                state = "" if hub.is_active else " (inactive)"
                self.stdout.write(
                    f"{hub.name}{state}: networks {networks}; {hub.organisations.count()} organisations"
                )
            return
        if subcommand == "hub":
            self._hub(options)
            return
        hub = PeerHub.objects.filter(name=options["hub"]).first()
        if hub is None:
            raise CommandError(f"No peer hub named {options['hub']!r} (see `cbrnet sharing hubs`).")
        if not hub.is_active:
            raise CommandError(f"The peer hub {hub.name!r} is inactive.")
        if subcommand == "export":
            text = json.dumps(export_for_hub(hub), ensure_ascii=False, indent=1)
            if options.get("output"):
                Path(options["output"]).write_text(text, encoding="utf-8")
                self.stderr.write(f"Wrote {options['output']}.")
            else:
                self.stdout.write(text)
            return
        self._import(hub, options["file"])

    def _hub(self, options):
        try:
            with audit_actor(None, source="command"):
                hub = peer_hub_save(
                    user=None,
                    name=options["name"],
                    url=options.get("url"),
                    networks=options.get("network"),
                    organisations=options.get("organisation"),
                    active=not options["inactive"],
                )
        except ValidationError as error:
            problems = (f"{field}: {'; '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(" ".join(problems)) from None
        self.stdout.write(f"Saved peer hub {hub.name}.")

    def _import(self, hub, path):
        limit = settings.IMPORT_MAX_BYTES
        try:
            raw = (
                sys.stdin.read(limit + 1)
                if path == "-"
                else Path(path).open(encoding="utf-8").read(limit + 1)
            )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        if len(raw) > limit:
            raise CommandError(f"{path} is larger than CBRNET_IMPORT_MAX_BYTES ({limit} bytes).")
        try:
            report = import_from_hub(hub, json.loads(raw))
        except (json.JSONDecodeError, ValueError) as error:
            raise CommandError(f"{path} is not a cbrnet sharing export: {error}") from None
        self.stdout.write(
            f"Created {len(report.created)}, updated {len(report.updated)}, "
            f"retracted {len(report.retracted)}, refused {len(report.refused)}."
        )
        for uid, reason in report.refused:
            self.stderr.write(f"refused {uid}: {reason}")
        if not report.ok:
            raise CommandError("Some items were refused (see above); the others were imported.")
