"""Background entry points of incidents (django.tasks): the announcements that notify people of new
incidents, requests, offers, decisions, invitations and situation reports. Tasks take only JSON
values and call services; what they write is attributed to the system (source "task")."""

from django.tasks import task

from cbrnet.core.tasks import acting_user


@task
def announcement_send(announcement_id: int) -> dict:
    """Notify the people concerned by one announcement (queued when its event commits)."""
    from cbrnet.incidents.services import announcement_send as send

    with acting_user(None):
        notified = send(announcement_id=int(announcement_id))
    return {"announcement": int(announcement_id), "notified": notified}


@task
def announcements_pending() -> dict:
    """The sweep (cbrnet.core.periodic, every minute): announce what a lost task or a dead worker
    left pending. Each is sent in its own transaction, so one failure does not hold up the rest."""
    from cbrnet.incidents.services import announcement_send as send
    from cbrnet.incidents.services import announcements_pending as pending

    sent = 0
    ids = pending()
    with acting_user(None):
        for announcement_id in ids:
            sent += send(announcement_id=announcement_id)
    return {"announcements": len(ids), "notified": sent}
