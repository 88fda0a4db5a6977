"""`{% list_job_actions %}`: the Import button and the background export of a list page
(core/object_list.html)."""

from django import template
from django.conf import settings
from django.urls import reverse

from cbrnet.core.imports import specs_for_model

register = template.Library()


@register.inclusion_tag("core/import_actions.html", takes_context=True)
def list_job_actions(context):
    """Offer "Import" when the list's model has an import spec the user may use, and "Export all N
    rows" (a background job) when the list is longer than settings.EXPORT_INLINE_MAX_ROWS."""
    request = context.get("request")
    model = context.get("model")
    user = getattr(request, "user", None)
    if request is None or model is None or user is None:
        return {}
    imports = [
        (spec, reverse("core:import_upload", args=[spec.name]))
        for spec in specs_for_model(model)
        if spec.may_import(user)
    ]
    page = context.get("page")
    count = page.paginator.count if page is not None else 0
    match = getattr(request, "resolver_match", None)
    return {
        "imports": imports,
        "background_export": bool(context.get("exportable"))
        and count > settings.EXPORT_INLINE_MAX_ROWS
        and match,
        "list_name": match.view_name if match else "",
        "query": context.get("query", ""),
        "count": count,
        "csrf_token": context.get("csrf_token"),
    }
