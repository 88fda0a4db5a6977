"""`cbrnet token create USERNAME [--scope read|write] [--days N] [--name NAME]` prints a new API token."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cbrnet.accounts import services
from cbrnet.accounts.models import ApiToken, User
from cbrnet.core.audit import audit_actor


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown once and stored hashed)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token")
        create.add_argument("username")
        create.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        create.add_argument("--days", type=int, default=None)
        create.add_argument("--name", default="command-line token")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        with audit_actor(None, source="command"):
            try:
                token, key = services.api_token_create(
                    user=user, name=options["name"], scope=options["scope"], days=options["days"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Token {token.prefix}… for {user.username}, scope {token.scope}, expires {token.expires_at:%Y-%m-%d}.")
        self.stdout.write(key)
