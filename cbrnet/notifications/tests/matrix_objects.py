"""The notifications objects of the permission matrix (cbrnet/tests/matrix.py, rows "notification:…"
and "outboxmessage:…"), added to the personas' world by cbrnet/tests/test_permission_matrix._populate."""

from cbrnet.core.audit import audit_actor
from cbrnet.notifications.choices import NotificationKind
from cbrnet.notifications.services import notify


def notification_matrix_objects(w) -> dict:
    with audit_actor(None, source="command"):
        notification = notify(
            [w.nfp_kz],
            kind=NotificationKind.SYSTEM,
            title="Matrix notification for the KZ focal point",
            body="Matrix check.",
            url="/notifications/",
        )[0]
    return {"notification:nfp_kz": notification, "outboxmessage:nfp_kz": notification.emails.get()}
