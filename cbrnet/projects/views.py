"""Web UI of projects: the generic pages of projects, activities and participations, the pipeline,
uncovered priorities, training totals and certificates.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
calls one service or selector.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.exports import EXPORT_FORMATS, XLSX_CONTENT_TYPE, write_csv, write_xlsx
from cbrnet.core.generic import (
    ModelViews,
    ObjectDetailView,
    ObjectEditView,
    add_validation_errors,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.projects import filters, forms, models, selectors, services
from cbrnet.projects.certificates import certificate_pdf
from cbrnet.registry.models import Region

# --- projects --------------------------------------------------------------------------------------


class ProjectDetailView(ObjectDetailView):
    template_name = "projects/project_detail.html"

    def extra_context(self, request, instance):
        context = selectors.project_page(user=request.user, project=instance)
        context["advance_form"] = forms.ProjectAdvanceForm(
            initial={"to_status": context["transitions"][0] if context["transitions"] else ""}
        )
        context["advance_form"].fields["to_status"].choices = [
            (status.value, status.label) for status in context["transitions"]
        ]
        return context


project = ModelViews(
    models.Project, form=forms.ProjectForm, filterset=filters.ProjectFilterSet, detail_class=ProjectDetailView,
    list_template="projects/project_list.html",
    queryset=models.Project.objects.select_related("network", "lead_implementer").prefetch_related(
        Prefetch("regions", queryset=Region.objects.order_by("code"))
    ),
    columns=[Column("code", link=True, order_by="code"), Column("title", order_by="title"), Column("regions"),
             Column("start_year", order_by="start_year"), Column("end_year", order_by="end_year"),
             Column("status", order_by="status")],
    fields=["network", "code", "title", "objectives", "cbrn_areas", "regions", "countries", "thematic_areas",
            "priorities", "funding_instrument", "lead_implementer", "implementers", "start_date", "end_date",
            "start_year", "end_year", "budget", "currency", "status", "status_note", "status_changed_on", "origin",
            "origin_detail", "source"],
    export_fields=[("code", "code"), ("title", "title"), ("regions", "regions"), ("cbrn_areas", "cbrn_areas"),
                   ("funding_instrument", "funding_instrument"), ("start_date", "start_date"),
                   ("end_date", "end_date"), ("start_year", "start_year"), ("end_year", "end_year"),
                   ("budget", "budget"), ("currency", "currency"), ("status", "status")],
)


@require_POST
@login_required
def project_advance_view(request, pk):
    """One step of the pipeline (a POST from the project page)."""
    instance = access.get_object_for(request.user, models.Project.objects.all(), "change", pk=pk)
    form = forms.ProjectAdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect(instance.get_absolute_url())
    try:
        moved = services.project_advance(user=request.user, project=instance, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is now: %(status)s.") % {"status": moved.get_status_display()})
    return redirect(instance.get_absolute_url())


@login_required
def project_idea_view(request):
    """Raise a project idea for a region (focal points of its countries, its secretariat, admins)."""
    context = access.user_context(request.user)
    if not context.active or not (context.platform_admin or context.focal_point_country_ids or context.secretariat_region_ids):
        raise PermissionDenied(_("Focal points and secretariats raise project ideas."))
    form = forms.ProjectIdeaForm(request.POST or None, initial=selectors.project_idea_initial(
        user=request.user, region=request.GET.get("region"), nap_action=request.GET.get("nap_action")
    ))
    restrict_form_fields(form, request.user)
    form.fields["nap_actions"].queryset = selectors.nap_actions_to_link(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.project_idea_raise(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        except PermissionDenied as error:
            form.add_error("region", str(error))
        else:
            messages.success(request, _("The idea is recorded; the regional secretariat takes it forward."))
            return redirect(idea.get_absolute_url())
    return render(request, "projects/project_idea.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def pipeline_view(request):
    region = _region_from(request)
    return render(request, "projects/pipeline.html", {
        "stages": selectors.pipeline(user=request.user, region=region),
        "region": region,
        "regions": access.restrict(Region.objects.select_related("network"), request.user),
    })


@login_required
def uncovered_view(request):
    region = _region_from(request)
    return render(request, "projects/uncovered.html", {
        **selectors.uncovered_priorities(user=request.user, region=region),
        "region": region,
        "regions": access.restrict(Region.objects.select_related("network"), request.user),
    })


def _region_from(request):
    value = request.GET.get("region", "")
    if not value.isdigit() or len(value) > 18:
        return None
    return access.restrict(Region.objects.all(), request.user).filter(pk=int(value)).first()


# --- activities ------------------------------------------------------------------------------------


def projects_open_to_activities(user):
    """Projects whose activities `user` may plan: the projects they may change, and those their
    organisation leads when they administer it."""
    context = access.user_context(user)
    changeable = access.restrict(models.Project.objects.all(), user, "change").values("pk")
    return models.Project.objects.filter(Q(pk__in=changeable) | Q(lead_implementer_id__in=list(context.org_admin_ids)))


class ActivityDetailView(ObjectDetailView):
    template_name = "projects/activity_detail.html"

    def extra_context(self, request, instance):
        return selectors.activity_page(user=request.user, activity=instance)


class ActivityEditView(ObjectEditView):
    model = models.Activity
    form_class = forms.ActivityForm

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        form.fields["project"].queryset = projects_open_to_activities(request.user).order_by("code", "title")
        return form


activity = ModelViews(
    models.Activity, form=forms.ActivityForm, filterset=filters.ActivityFilterSet, detail_class=ActivityDetailView,
    queryset=models.Activity.objects.select_related("project", "country"),
    columns=[Column("title", link=True, order_by="title"), Column("kind", order_by="kind"),
             Column("project.code", label=gettext_lazy("Project")), Column("start_date", order_by="start_date"),
             Column("place", label=gettext_lazy("Place")), Column("status", order_by="status")],
    fields=["project", "kind", "title", "status", "start_date", "end_date", "country", "city", "latitude", "longitude",
            "organisers", "thematic_areas", "agenda", "outcomes", "source"],
    export_fields=[("id", "pk"), ("title", "title"), ("kind", "kind"), ("project", "project.code"),
                   ("status", "status"), ("start_date", "start_date"), ("end_date", "end_date"),
                   ("country", "country.iso2"), ("city", "city"), ("latitude", "latitude"),
                   ("longitude", "longitude")],
    title=gettext_lazy("Activities"),
)
activity.edit = ActivityEditView.as_view()


# --- participations --------------------------------------------------------------------------------


class ParticipationDetailView(ObjectDetailView):
    template_name = "projects/participation_detail.html"

    def extra_context(self, request, instance):
        return {
            "person_visible": access.can(request.user, "view", instance.person),
            "can_issue": access.can(request.user, "change", instance),
        }


class ParticipationEditView(ObjectEditView):
    model = models.Participation
    form_class = forms.ParticipationForm

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        if "activity" in form.fields:
            form.fields["activity"].queryset = access.restrict(
                models.Activity.objects.select_related("project"), request.user, "change"
            )
        return form


participation = ModelViews(
    models.Participation, form=forms.ParticipationForm, filterset=filters.ParticipationFilterSet,
    detail_class=ParticipationDetailView,
    queryset=models.Participation.objects.select_related("activity", "person", "country", "organisation"),
    columns=[Column("person", link=True, order_by="person__family_name"), Column("activity"),
             Column("role", order_by="role"), Column("attended", order_by="attended"),
             Column("country", order_by="country__name"), Column("certificate_issued")],
    fields=["activity", "person", "role", "attended", "country", "organisation", "gender", "certificate_issued",
            "certificate_issued_on", "note"],
    export_fields=[("activity", "activity.pk"), ("activity_title", "activity.title"),
                   ("start_date", "activity.start_date"), ("given_name", "person.given_name"),
                   ("family_name", "person.family_name"), ("country", "country.iso2"),
                   ("organisation", "organisation.name"), ("gender", "gender"), ("role", "role"),
                   ("attended", "attended"), ("certificate", "certificate_issued")],
    title=gettext_lazy("Participants"),
)
participation.edit = ParticipationEditView.as_view()


def _participation(request, pk, action="view"):
    return access.get_object_for(
        request.user,
        models.Participation.objects.select_related("activity__project", "person", "country", "organisation"),
        action, pk=pk,
    )


@login_required
def training_record_view(request, pk):
    """A person's training record: the activities they took part in (what, when, role, attendance,
    certificate), as far as the user may see their participations."""
    from django.http import Http404

    from cbrnet.registry.models import Person

    participations = access.restrict(
        models.Participation.objects.filter(person_id=pk).select_related("activity__project", "country"), request.user
    ).order_by("-activity__start_date")
    person = access.restrict(Person.objects.filter(pk=pk), request.user).first()
    rows = list(participations)
    if person is None and not rows:
        raise Http404(_("No such person, or you may not see their training record."))
    name = person or rows[0].person
    return render(request, "projects/training_record.html", {
        "name": name, "person": person, "participations": rows,
        "trained_in": sorted({row.activity.start_date.year for row in rows if row.attended in ("yes", "partly")}),
    })


@require_POST
@login_required
def certificate_issue_view(request, pk):
    instance = _participation(request, pk, "change")
    revoke = request.POST.get("revoke") == "1"
    try:
        if revoke:
            services.participation_certificate_revoke(user=request.user, participation=instance)
        else:
            services.participation_certificate_issue(user=request.user, participation=instance)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The certificate is withdrawn.") if revoke else _("The certificate is issued."))
    return redirect(instance.get_absolute_url())


@login_required
def certificate_download_view(request, pk):
    """The certificate as PDF, for whoever may see the participation (the person themself included)."""
    instance = _participation(request, pk)
    if not instance.certificate_issued:
        messages.error(request, _("No certificate has been issued for this participation."))
        return redirect(instance.get_absolute_url())
    response = HttpResponse(certificate_pdf(instance), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{instance.certificate_code}.pdf"'
    return response


def certificate_verify_view(request, code):
    """Public: whether a certificate code is valid, and for whom. The code is unguessable (80 bits), so
    only someone shown the certificate can ask; the page says no more than the certificate does."""
    code = (code or "").strip().upper()[:32]
    found = (
        models.Participation.objects.select_related("activity__project", "person").filter(certificate_code=code).first()
        if code else None
    )
    return render(request, "projects/certificate_verify.html", {"code": code, "participation": found},
                  status=200 if found else 404)


# --- training totals -------------------------------------------------------------------------------


@login_required
def training_totals_view(request):
    form = forms.TotalsForm(request.GET or None)
    restrict_form_fields(form, request.user)
    totals = None
    if not request.GET or form.is_valid():
        group_by = (form.cleaned_data.get("group_by") if form.is_bound else None) or forms.DEFAULT_GROUP_BY
        filters_ = forms.totals_filters(form) if form.is_bound else {}
        totals = selectors.training_totals(request.user, group_by=group_by, filters=filters_)
        file_format = request.GET.get("export")
        if file_format in EXPORT_FORMATS:
            return totals_file(totals, file_format)
    query = request.GET.copy()
    query.pop("export", None)
    return render(request, "projects/training_totals.html", {
        "form": form, "totals": totals, "table": totals.table() if totals else [], "query": query.urlencode(),
    }, status=200 if totals is not None else 400)


def totals_file(totals: selectors.TrainingTotals, file_format: str) -> HttpResponse:
    if file_format == "csv":
        text = io.StringIO()
        write_csv(totals.table(), text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(totals.table(), buffer, title="training-totals")
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="training-totals.{file_format}"'
    return response
