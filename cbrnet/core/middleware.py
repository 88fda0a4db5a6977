"""Request middleware: every change made while serving a request is attributed to its user."""

import uuid

from cbrnet.core.audit import audit_actor


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "ui"
        # The API authenticates its own requests (tokens); it re-enters the context with that user.
        with audit_actor(request.user, source=source, request_id=request.id, remote_addr=client_address(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
