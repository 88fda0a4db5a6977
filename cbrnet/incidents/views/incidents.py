"""Incident pages: the list with its figures, the self-refreshing incident page (dashboard), the
edit form, and the actions (publish, withdraw, label, sharing, phase, close, details, CAP)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.generic import (
    ModelViews,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.incidents import filters, forms, selectors, services
from cbrnet.incidents.models import Incident
from cbrnet.incidents.views.common import done, form_error
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id


class IncidentListView(ObjectListView):
    template_name = "incidents/incident_list.html"

    def extra_context(self, request):
        # Figures leave exercises out unless asked to count them ("figures=all").
        exclude = request.GET.get("figures") != "all"
        return {"figures": selectors.incident_figures(user=request.user, exclude_exercises=exclude)}


class IncidentDetailView(ObjectDetailView):
    template_name = "incidents/incident_detail.html"

    def extra_context(self, request, instance):
        sharing.shared_item_record_read(user=request.user, item=instance, channel="ui")  # R7, R11
        context = selectors.incident_page(user=request.user, incident=instance)
        context["tlp_form"] = forms.ChangeTlpForm(initial={"tlp": instance.tlp})
        context["phase_form"] = forms.PhaseForm(initial={"phase": instance.phase})
        context["close_form"] = forms.CloseForm()
        return context


class IncidentEditView(ObjectEditView):
    model = Incident
    form_class = forms.IncidentForm

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(
            data=data,
            files=files,
            instance=instance,
            initial=self.initial(request, instance),
            user=request.user,
        )
        restrict_form_fields(form, request.user)
        return form

    def save(self, request, form):
        return services.incident_save(
            user=request.user,
            incident=form.save(commit=False),
            networks=form.cleaned_data.get("networks"),
            detail_organisations=form.cleaned_data.get("detail_organisations"),
        )


incident = ModelViews(
    Incident,
    form=forms.IncidentForm,
    filterset=filters.IncidentFilterSet,
    list_class=IncidentListView,
    detail_class=IncidentDetailView,
    queryset=Incident.objects.select_related("country", "owner_organisation"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("exercise_badge", label=gettext_lazy("Exercise")),
        Column("tlp_badge", label=gettext_lazy("TLP")),
        Column("cbrn_type", order_by="cbrn_type"),
        Column("country", order_by="country__name"),
        Column("severity", order_by="severity"),
        Column("phase", order_by="phase"),
        Column("started_at", order_by="started_at"),
    ],
    fields=[],
    export_fields=[
        ("title", "title"),
        ("exercise", "is_exercise"),
        ("tlp", "tlp"),
        ("status", "status"),
        ("cbrn_type", "cbrn_type"),
        ("agent", "agent"),
        ("country", "country.iso2"),
        ("place", "place"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("started", "started_at"),
        ("severity", "severity"),
        ("deaths", "deaths"),
        ("injured", "injured"),
        ("phase", "phase"),
        ("closed", "closed_at"),
    ],
    title=gettext_lazy("Incidents"),
)
incident.edit = IncidentEditView.as_view()


def _incident(request, pk, action="view"):
    return access.get_object_for(
        request.user, Incident.objects.select_related("owner_organisation", "country"), action, pk=pk
    )


@login_required
def incident_live_view(request, pk):
    """The part of the incident page that refreshes itself (htmx, every 15 seconds)."""
    item = _incident(request, pk)
    context = selectors.incident_page(user=request.user, incident=item)
    context["object"] = item
    return render(request, "incidents/_incident_live.html", context)


@require_POST
@login_required
def incident_publish_view(request, pk):
    item = _incident(request, pk)
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.incident_publish(user=request.user, incident=item),
        _("Published: the people concerned are being notified."),
        owner=item.owner_organisation,
    )


@require_POST
@login_required
def incident_withdraw_view(request, pk):
    item = _incident(request, pk)
    return done(
        request,
        item.get_absolute_url(),
        lambda: sharing.shared_item_withdraw(user=request.user, item=item),
        _("Withdrawn."),
    )


@require_POST
@login_required
def incident_change_tlp_view(request, pk):
    item = _incident(request, pk)
    form = forms.ChangeTlpForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect(item.get_absolute_url())
    return done(
        request,
        item.get_absolute_url(),
        lambda: sharing.shared_item_change_tlp(user=request.user, item=item, tlp=form.cleaned_data["tlp"]),
        _("The label is now %(label)s.") % {"label": dict(TLP.choices)[form.cleaned_data["tlp"]]},
        owner=item.owner_organisation,
    )


@login_required
def incident_grant_add_view(request, pk):
    """ "Share with…": who may read the incident besides its networks' defaults (R4–R9)."""
    item = _incident(request, pk)
    form = forms.GrantForm(request.POST or None)
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = sharing.shared_item_grant_add(
                user=request.user, item=item, scope=data["scope"], target=data["target"], roles=data["roles"]
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                name = {"user": "person"}.get(field, field)
                form.add_error(name if name in form.fields else None, field_errors)
        else:
            if isinstance(result, ShareApproval):
                messages.info(
                    request,
                    _("Waiting for a second editor of %(owner)s to approve (four eyes).")
                    % {"owner": item.owner_organisation},
                )
            else:
                messages.success(request, _("Shared with %(target)s.") % {"target": result.target})
            return redirect(item.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request, "incidents/incident_grant_form.html", {"form": form, "object": item}, status=status
    )


@require_POST
@login_required
def incident_grant_remove_view(request, pk, grant_pk):
    item = _incident(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Incident), object_id=item.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    return done(
        request,
        item.get_absolute_url(),
        lambda: sharing.shared_item_grant_remove(user=request.user, item=item, grant=grant),
        _("No longer shared with %(target)s.") % {"target": grant.target},
    )


@require_POST
@login_required
def incident_phase_view(request, pk):
    item = _incident(request, pk)
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect(item.get_absolute_url())
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.incident_set_phase(
            user=request.user, incident=item, phase=form.cleaned_data["phase"]
        ),
        _("Phase changed."),
    )


@require_POST
@login_required
def incident_close_view(request, pk):
    item = _incident(request, pk)
    form = forms.CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.incident_close(user=request.user, incident=item, note=note),
        _("Incident closed."),
    )


@login_required
def incident_details_share_view(request, pk):
    """The affected country shows the restricted details to more organisations."""
    item = _incident(request, pk)
    form = forms.DetailShareForm(request.POST or None)
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        return done(
            request,
            item.get_absolute_url(),
            lambda: services.incident_details_share(
                user=request.user, incident=item, organisations=form.cleaned_data["organisations"]
            ),
            _("The restricted details are now shown to them too."),
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "incidents/incident_details_share.html", {"form": form, "object": item}, status=status
    )


@login_required
def incident_cap_view(request, pk):
    """The incident as an OASIS CAP 1.2 alert, for other alerting systems."""
    item = _incident(request, pk, "export")
    response = HttpResponse(
        selectors.incident_cap(user=request.user, incident=item), content_type="application/cap+xml"
    )
    response["Content-Disposition"] = f'attachment; filename="incident-{item.pk}.cap.xml"'
    response["Cache-Control"] = "private, no-store"
    return response
