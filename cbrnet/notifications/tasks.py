"""Background entry points of the outbox (django.tasks): both send e-mails through
cbrnet.notifications.services.outbox_deliver; what they change is attributed to the system (source
"task"), since no user asked for it."""

from django.tasks import task

from cbrnet.core.audit import audit_actor


@task
def outbox_deliver(message_ids: list[int]) -> dict:
    """Send the e-mails `notify` (or an administrator's retry) just queued."""
    from cbrnet.notifications import services

    with audit_actor(None, source="task"):
        return services.outbox_deliver(message_ids=[int(pk) for pk in message_ids]).as_dict()


@task
def outbox_retry() -> dict:
    """Send every e-mail that is due: retries after a failure, e-mails whose task was lost, and those
    whose worker died while sending (their claim expired). Queued every minute by `cbrnet periodic`."""
    from cbrnet.notifications import services

    with audit_actor(None, source="task"):
        return services.outbox_deliver().as_dict()
