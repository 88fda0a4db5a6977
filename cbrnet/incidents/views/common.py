"""Helpers shared by the incident views: report a service's refusal by field, or its result."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cbrnet.sharing.models import ShareApproval


def explain(error: ValidationError, labels: dict | None = None) -> str:
    """One message naming each field, e.g. "Stage: The deployment is already arrived."."""
    if hasattr(error, "error_dict"):
        parts = []
        for field, field_errors in error.message_dict.items():
            label = (
                ""
                if field == "__all__"
                else str((labels or {}).get(field, field.replace("_", " ").capitalize()))
            )
            parts.extend(f"{label}: {message}" if label else message for message in field_errors)
        return " ".join(parts)
    return " ".join(error.messages)


def form_error(form) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else field}: {message}"
        if field != "__all__"
        else str(message)
        for field, errors in form.errors.items()
        for message in errors
    )


def done(request, target_url: str, run, success: str, *, owner=None, labels=None):
    """Run a service; report its refusal by field, or its result (done, or waiting for approval)."""
    try:
        result = run()
    except ValidationError as error:
        messages.error(request, explain(error, labels))
    else:
        if isinstance(result, ShareApproval):
            messages.info(
                request,
                _("Waiting for a second editor of %(owner)s to approve (four eyes).") % {"owner": owner},
            )
        else:
            messages.success(request, success)
    return redirect(target_url)
