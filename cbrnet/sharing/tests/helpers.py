"""Test helpers of the sharing engine: extra personas and labelled bulletins built through the services."""

import datetime

from django.utils import timezone

from cbrnet.accounts.models import User
from cbrnet.core.audit import audit_actor
from cbrnet.registry import models as r
from cbrnet.sharing import services
from cbrnet.sharing.choices import GrantScope, Status

PASSWORD = "persona-password-1"


def make_user(username: str, organisation, role: str, **scope) -> User:
    """A user with a person in `organisation` holding `role` (scoped to the organisation by default)."""
    with audit_actor(None, source="command"):
        person = r.Person.objects.create(
            given_name=username.title(),
            family_name="Tester",
            organisation=organisation,
            country=organisation.country,
        )
        if not scope and role not in ("platform_admin", "expert"):
            scope = {"organisation": organisation}
        r.RoleAssignment.objects.create(
            person=person, role=role, start_date=datetime.date(2020, 1, 1), **scope
        )
        user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org")
        person.user_account = user
        person.save()
    return user


def make_bulletin(
    *,
    author,
    publisher=None,
    tlp: str,
    networks=(),
    grants=(),
    status: str = Status.PUBLISHED,
    embargo_until=None,
    title: str = "Bulletin",
    body: str = "Text",
):
    """Create a bulletin as `author`; `publisher` (an editor of the owner organisation, default the
    author) adds the grants and publishes it. `grants` are (scope, target) or (scope, target, roles)."""
    from cbrnet.exchange.models import Bulletin

    publisher = publisher or author
    with audit_actor(author, source="ui"):
        bulletin = services.shared_item_save(
            user=author,
            instance=Bulletin(title=title, body=body, tlp=tlp, embargo_until=embargo_until),
            networks=list(networks),
        )
    with audit_actor(publisher, source="ui"):
        for spec in grants:
            scope, target, *rest = spec
            services.shared_item_grant_add(
                user=publisher, item=bulletin, scope=scope, target=target, roles=rest[0] if rest else ()
            )
        if status in (Status.PUBLISHED, Status.WITHDRAWN):
            services.shared_item_publish(user=publisher, item=bulletin)
        if status == Status.WITHDRAWN:
            services.shared_item_withdraw(user=publisher, item=bulletin)
    bulletin.refresh_from_db()
    return bulletin


def tomorrow():
    return timezone.now() + datetime.timedelta(days=1)


USER, ORGANISATION, COUNTRY, REGION, NETWORK = (
    GrantScope.USER,
    GrantScope.ORGANISATION,
    GrantScope.COUNTRY,
    GrantScope.REGION,
    GrantScope.NETWORK,
)
