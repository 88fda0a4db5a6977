"""The global audit log: every recorded change, for platform administrators only.

Values are shown with the same care as a record's own history (cbrnet.core.generic.history_for):
contact details only where the access engine lets the viewer see the person's contacts, secrets
never (they are redacted when recorded). Beyond that, values of a record the viewer may not view
are hidden, and so are those of deleted records, whose visibility can no longer be decided: a
platform administrator has no implicit read of, say, an AMBER bulletin (docs/access-control.md),
and the audit log must not become a side door. `cbrnet audit show` on the server prints everything.
"""

from collections import defaultdict

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.core.audit import REDACTED
from cbrnet.core.models import AuditedModel, AuditEntry

PAGE_SIZE = 50


def _model_choices() -> list[tuple[str, str]]:
    labels = sorted(
        (model._meta.label_lower, f"{model._meta.app_config.verbose_name}: {model._meta.verbose_name}")
        for model in apps.get_models()
        if issubclass(model, AuditedModel)
    )
    return [("", gettext_lazy("Any")), *labels]


class AuditFilterForm(forms.Form):
    """The list filters; an invalid value shows an error on its field and lists nothing."""

    model = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    actor = forms.CharField(label=gettext_lazy("Changed by (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("Any")), *AuditEntry.Action.choices],
    )
    since = forms.DateField(
        label=gettext_lazy("From (UTC date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until (UTC date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("model"):
            queryset = queryset.filter(model_label=data["model"])
        if data.get("actor"):
            queryset = queryset.filter(actor_repr__iexact=data["actor"].strip())
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("since"):
            queryset = queryset.filter(timestamp__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(timestamp__date__lte=data["until"])
        return queryset


def audit_entry_list(*, user, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Attach display rows to a page of entries, hiding what `user` may not read (module docstring).

    One query per record type on the page decides visibility; contact details follow the person's
    consent through the access engine, as on the record's own history.
    """
    ids_by_label: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        ids_by_label[entry.model_label].add(entry.object_id)
    readable: dict[str, set[str]] = {}
    contacts: dict[str, set[str]] = {}
    for label, ids in ids_by_label.items():
        model = _model_for(label)
        if model is None or getattr(model, "access_policy", None) is None:
            # Accounts and tokens have no access policy: they are the platform administrator's to
            # manage, and their secrets were redacted when recorded. An unknown label shows nothing.
            readable[label] = ids if model is not None else set()
            contacts[label] = readable[label]
            continue
        visible = access.restrict(model.objects.filter(pk__in=_valid_pks(model, ids)), user, "view")
        readable[label] = {str(pk) for pk in visible.values_list("pk", flat=True)}
        if getattr(model, "contact_fields", None):
            contacts[label] = {
                str(pk)
                for pk, shown in access.with_contact_visibility(visible, user).values_list(
                    "pk", "contact_visible"
                )
                if shown
            }
        else:
            contacts[label] = readable[label]
    for entry in entries:
        model = _model_for(entry.model_label)
        entry.readable = entry.object_id in readable[entry.model_label]
        hidden = (
            set(getattr(model, "contact_fields", ()))
            if entry.object_id not in contacts[entry.model_label]
            else set()
        )
        redact = set(getattr(model, "audit_redact", ()))
        entry.rows = []
        for key in sorted(set(entry.before or {}) | set(entry.after or {})):
            before = (entry.before or {}).get(key, "")
            after = (entry.after or {}).get(key, "")
            if not entry.readable or key in hidden or key in redact:
                before, after = (
                    (REDACTED if before not in ("", None) else ""),
                    (REDACTED if after not in ("", None) else ""),
                )
            entry.rows.append((key, before, after))
    return entries


def _valid_pks(model, ids) -> list:
    pks = []
    for value in ids:
        try:
            pks.append(model._meta.pk.to_python(value))
        except ValidationError:
            continue  # not a key of this model (cannot be one of its rows)
    return pks


def _model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@login_required
def audit_list_view(request):
    """Every audit entry, newest first, filtered by record type, actor, action and date."""
    if not access.user_context(request.user).platform_admin:
        raise PermissionDenied(_("Only platform administrators may read the audit log."))
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.order_by("-pk")
    if form.is_bound:
        entries = form.filter(entries) if form.is_valid() else entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = audit_entry_list(user=request.user, entries=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "entries": shown, "query": query.urlencode()}
    return render(request, "core/audit_list.html", context)
