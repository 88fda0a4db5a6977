"""Web UI of National Action Plans: the generic pages of plans, objectives, actions, indicators and
progress reports (their writes go through the services), a plan's page with its workflow steps,
drafting from an assessment's gaps, the timeline (a server-rendered SVG Gantt chart), project links
and evidence downloads.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
calls one service or selector; refused input comes back as a message naming the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.actionplans import filters, forms, models, selectors, services
from cbrnet.actionplans.choices import CONTENT_EDITABLE, IMPLEMENTATION, PlanStatus
from cbrnet.actionplans.forms import form_values
from cbrnet.core.generic import (
    ModelViews,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    add_validation_errors,
    url_name,
)
from cbrnet.core.tables import Column
from cbrnet.projects.models import Project

# --- shared machinery: edits and deletes go through the services ---------------------------------


def may_add_part(user) -> bool:
    """Parts of plans (objectives, actions…) are added by whoever may change a plan: the focal
    point, the national team, the secretariat, platform administrators (the services check which)."""
    context = access.user_context(user)
    return access.may_add(user, models.ActionPlan) or bool(context.active and context.team_country_ids)


class ServiceEditView(ObjectEditView):
    """Add or change a record through its services: `create(user=, data=)` and
    `update(user=, <argument>=, data=)`."""

    create = None
    update = None
    argument = ""
    parts = True  # a part of a plan: added by whoever may change a plan

    def get_object(self, request, pk):
        if pk is None:
            allowed = may_add_part(request.user) if self.parts else access.may_add(request.user, self.model)
            if not allowed:
                raise PermissionDenied(_("You may not add records of this kind."))
            return self.model()
        return access.get_object_for(request.user, self.model.objects.all(), "change", pk=pk)

    def save(self, request, form):
        data = form_values(form)
        if form.instance.pk:
            stored = self.model.objects.get(pk=form.instance.pk)
            return type(self).update(user=request.user, data=data, **{self.argument: stored})
        return type(self).create(user=request.user, data=data)


class ServiceDeleteView(ObjectDeleteView):
    """Delete a record through its service `remove(user=, <argument>=)`."""

    remove = None
    argument = ""

    def post(self, request, pk):
        instance = self.get_object(request, pk)
        back = self.after_delete(instance)
        try:
            type(self).remove(user=request.user, **{self.argument: instance})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("%(name)s deleted.") % {"name": instance})
        return redirect(back)

    def after_delete(self, instance):
        return reverse(url_name(self.model, "list"))


class PlanPartDetailView(ObjectDetailView):
    """A detail page that offers Edit and Delete only at the plan statuses where the services allow
    them (docs/actionplans.md, "What may change at which status")."""

    plan_path = "plan"
    editable = CONTENT_EDITABLE
    deletable = CONTENT_EDITABLE

    def plan_of(self, instance):
        plan = instance
        for part in self.plan_path.split("."):
            plan = getattr(plan, part) if part else plan
        return plan

    def offered(self, instance) -> dict:
        status = self.plan_of(instance).status
        offered = {}
        if status not in self.editable:
            offered["edit_url"] = None
        if status not in self.deletable:
            offered["delete_url"] = None
        return offered


def _editable_plans(user):
    return access.restrict(
        models.ActionPlan.objects.filter(status__in=list(CONTENT_EDITABLE)), user, "change"
    )


# --- plans ---------------------------------------------------------------------------------------------


class ActionPlanDetailView(PlanPartDetailView):
    template_name = "actionplans/actionplan_detail.html"
    plan_path = ""

    def extra_context(self, request, instance):
        context = selectors.plan_page(user=request.user, plan=instance)
        context.update(self.offered(instance))
        context["return_form"] = forms.ReturnForm()
        context["adopt_form"] = forms.AdoptForm()
        context["note_form"] = forms.NoteForm()
        return context


class ActionPlanEditView(ServiceEditView):
    model = models.ActionPlan
    form_class = forms.ActionPlanForm
    create = staticmethod(services.action_plan_create)
    update = staticmethod(services.action_plan_update)
    argument = "plan"
    parts = False


class ActionPlanDeleteView(ServiceDeleteView):
    model = models.ActionPlan
    remove = staticmethod(services.action_plan_delete)
    argument = "plan"


actionplan = ModelViews(
    models.ActionPlan,
    form=forms.ActionPlanForm,
    filterset=filters.ActionPlanFilterSet,
    detail_class=ActionPlanDetailView,
    queryset=models.ActionPlan.objects.select_related("country", "network", "assessment", "approved_by"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("country", order_by="country__name"),
        Column("network"),
        Column("start_year", order_by="start_year"),
        Column("end_year", order_by="end_year"),
        Column("status", order_by="status"),
        Column("adopted_on", order_by="adopted_on"),
    ],
    fields=[
        "country",
        "network",
        "assessment",
        "summary",
        "start_year",
        "end_year",
        "status",
        "status_note",
        "submitted_at",
        "approved_at",
        "approved_by",
        "adopted_on",
        "adoption_reference",
    ],
    export_fields=[
        ("id", "pk"),
        ("title", "title"),
        ("country", "country.iso2"),
        ("network", "network.code"),
        ("assessment", "assessment.pk"),
        ("start_year", "start_year"),
        ("end_year", "end_year"),
        ("status", "status"),
        ("submitted_at", "submitted_at"),
        ("approved_at", "approved_at"),
        ("adopted_on", "adopted_on"),
        ("adoption_reference", "adoption_reference"),
    ],
    title=gettext_lazy("National Action Plans"),
)
actionplan.edit = ActionPlanEditView.as_view()
actionplan.delete = ActionPlanDeleteView.as_view()


STEP_SERVICES = {
    "submit": services.action_plan_submit,
    "approve": services.action_plan_approve,
    "adopt": services.action_plan_adopt,
    "return": services.action_plan_return,
}
STEP_FORMS = {
    "submit": forms.NoteForm,
    "approve": forms.NoteForm,
    "adopt": forms.AdoptForm,
    "return": forms.ReturnForm,
}
STEP_DONE = {
    "submit": gettext_lazy("The plan is submitted for approval."),
    "approve": gettext_lazy("The plan is approved: it now counts as developed."),
    "adopt": gettext_lazy("The adoption is recorded."),
    "return": gettext_lazy("The plan is back in preparation."),
}


@login_required
def plan_step_view(request, pk, step):
    """One workflow step: GET shows its form (adoption needs a date and a reference), POST takes it."""
    if step not in STEP_SERVICES:
        raise Http404
    plan = access.get_object_for(
        request.user, models.ActionPlan.objects.select_related("country"), "view", pk=pk
    )
    if step not in services.allowed_steps(user=request.user, plan=plan):
        raise PermissionDenied(_("You may not take this step now."))
    form = STEP_FORMS[step](request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            STEP_SERVICES[step](user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, STEP_DONE[step])
            return redirect(plan.get_absolute_url())
    return render(
        request,
        "actionplans/actionplan_step.html",
        {"object": plan, "form": form, "step": step},
        status=400 if form.errors else 200,
    )


@login_required
def plan_draft_view(request, pk):
    """Draft a plan in preparation from the ranked gaps of an assessment of its country."""
    plan = access.get_object_for(
        request.user, models.ActionPlan.objects.select_related("country"), "change", pk=pk
    )
    assessments = selectors.draftable_assessments(user=request.user, plan=plan)
    form = forms.DraftFromGapsForm(
        request.POST or None,
        assessments=assessments,
        initial={"assessment": plan.assessment_id, "cut_off": 0, "limit": 50},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.action_plan_draft_from_gaps(
                user=request.user,
                plan=plan,
                assessment=form.cleaned_data["assessment"],
                cut_off=form.cleaned_data.get("cut_off") or 0,
                limit=form.cleaned_data.get("limit"),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Drafted from %(gaps)s gaps: %(objectives)s new objectives and %(actions)s new actions "
                    "(%(addressed)s already in the plan, %(below)s at or below the cut-off)."
                )
                % {
                    "gaps": result.gaps,
                    "objectives": len(result.objectives),
                    "actions": len(result.actions),
                    "addressed": result.already_addressed,
                    "below": result.below_cut_off,
                },
            )
            return redirect(plan.get_absolute_url())
    return render(
        request,
        "actionplans/actionplan_draft.html",
        {
            "object": plan,
            "form": form,
            "editable": plan.status in CONTENT_EDITABLE,
        },
        status=400 if form.errors else 200,
    )


@login_required
def plan_timeline_view(request, pk):
    plan = access.get_object_for(
        request.user, models.ActionPlan.objects.select_related("country"), "view", pk=pk
    )
    return render(
        request,
        "actionplans/actionplan_timeline.html",
        {
            "object": plan,
            "timeline": selectors.plan_timeline(user=request.user, plan=plan),
        },
    )


# --- objectives ----------------------------------------------------------------------------------------


class ObjectiveDetailView(PlanPartDetailView):
    template_name = "actionplans/objective_detail.html"

    def extra_context(self, request, instance):
        return {
            "actions": instance.actions.select_related("lead_agency").order_by("order", "pk"),
            "content_editable": instance.cbrnet_may_change and instance.plan.status in CONTENT_EDITABLE,
            **self.offered(instance),
        }


class ObjectiveEditView(ServiceEditView):
    model = models.Objective
    form_class = forms.ObjectiveForm
    create = staticmethod(services.objective_create)
    update = staticmethod(services.objective_update)
    argument = "objective"

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        if not instance.pk:
            form.fields["plan"].queryset = _editable_plans(request.user).select_related("country")
        return form


class ObjectiveDeleteView(ServiceDeleteView):
    model = models.Objective
    remove = staticmethod(services.objective_delete)
    argument = "objective"

    def after_delete(self, instance):
        return instance.plan.get_absolute_url()


objective = ModelViews(
    models.Objective,
    form=forms.ObjectiveForm,
    filterset=filters.ObjectiveFilterSet,
    detail_class=ObjectiveDetailView,
    queryset=models.Objective.objects.select_related("plan__country", "thematic_area"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("plan", order_by="plan__title"),
        Column("order", order_by="order"),
        Column("thematic_area"),
    ],
    fields=["plan", "order", "description", "thematic_area", "domains"],
    export_fields=[
        ("id", "pk"),
        ("plan", "plan.pk"),
        ("country", "plan.country.iso2"),
        ("order", "order"),
        ("title", "title"),
        ("thematic_area", "thematic_area.code"),
        ("domains", "domains"),
    ],
    title=gettext_lazy("Objectives of action plans"),
)
objective.edit = ObjectiveEditView.as_view()
objective.delete = ObjectiveDeleteView.as_view()


# --- actions -------------------------------------------------------------------------------------------


class ActionDetailView(PlanPartDetailView):
    template_name = "actionplans/action_detail.html"
    editable = (*CONTENT_EDITABLE, *IMPLEMENTATION)  # the status moves while the plan is carried out

    def extra_context(self, request, instance):
        plan = instance.plan
        projects = access.restrict(Project.objects.all(), request.user).order_by("code", "title")
        linked = projects.filter(nap_actions=instance)
        can_change = instance.cbrnet_may_change
        return {
            "plan": plan,
            "indicators": instance.indicators.order_by("pk"),
            "reports": instance.progress_reports.select_related("author").order_by("-date", "-pk"),
            "linked_projects": linked,
            "link_form": forms.LinkProjectForm(projects=projects.exclude(pk__in=linked.values("pk"))),
            "content_editable": can_change and plan.status in CONTENT_EDITABLE,
            "can_track": can_change and plan.status in IMPLEMENTATION,
            "can_link": can_change and plan.status != PlanStatus.SUPERSEDED,
            # Who raises project ideas (cbrnet.projects.views.project_idea_view): focal points,
            # secretariats, platform administrators; the idea is then linked to this action.
            "can_raise_idea": can_change and plan.status != PlanStatus.SUPERSEDED and _raises_ideas(request.user),
            **self.offered(instance),
        }


class ActionEditView(ServiceEditView):
    model = models.Action
    form_class = forms.ActionForm
    create = staticmethod(services.action_create)
    update = staticmethod(services.action_update)
    argument = "action"

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        if instance.pk:
            plan = instance.plan
            objectives = models.Objective.objects.filter(plan=plan)
            if plan.status not in CONTENT_EDITABLE:
                for name, field in form.fields.items():
                    field.disabled = name not in services.ACTION_TRACKING_FIELDS
        else:
            objectives = access.restrict(
                models.Objective.objects.filter(plan__status__in=list(CONTENT_EDITABLE)),
                request.user,
                "change",
            )
            chosen = str(form["objective"].value() or "")
            found = (
                objectives.filter(pk=int(chosen)).select_related("plan").first()
                if chosen.isdigit() and len(chosen) < 18
                else None
            )
            plan = found.plan if found else None
        form.fields["objective"].queryset = objectives.select_related("plan")
        form.fields["lead_agency"].queryset = selectors.lead_agency_choices(user=request.user, plan=plan)
        return form


class ActionDeleteView(ServiceDeleteView):
    model = models.Action
    remove = staticmethod(services.action_delete)
    argument = "action"

    def after_delete(self, instance):
        return instance.plan.get_absolute_url()


action = ModelViews(
    models.Action,
    form=forms.ActionForm,
    filterset=filters.ActionFilterSet,
    detail_class=ActionDetailView,
    queryset=models.Action.objects.select_related(
        "plan__country", "objective", "lead_agency", "gap_question"
    ),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("plan", order_by="plan__title"),
        Column("lead_agency"),
        Column("start_date", order_by="start_date"),
        Column("end_date", order_by="end_date"),
        Column("status", order_by="status"),
    ],
    fields=[
        "plan",
        "objective",
        "order",
        "description",
        "lead_agency",
        "partners",
        "start_date",
        "end_date",
        "budget",
        "currency",
        "status",
        "gap_question",
    ],
    export_fields=[
        ("id", "pk"),
        ("plan", "plan.pk"),
        ("country", "plan.country.iso2"),
        ("objective", "objective.title"),
        ("order", "order"),
        ("title", "title"),
        ("lead_agency", "lead_agency"),
        ("start_date", "start_date"),
        ("end_date", "end_date"),
        ("budget", "budget"),
        ("currency", "currency"),
        ("status", "status"),
        ("gap_question", "gap_question.code"),
    ],
    title=gettext_lazy("Actions of action plans"),
)
action.edit = ActionEditView.as_view()
action.delete = ActionDeleteView.as_view()


def _action(request, pk, permission="view"):
    return access.get_object_for(
        request.user, models.Action.objects.select_related("plan"), permission, pk=pk
    )


@require_POST
@login_required
def action_link_view(request, pk):
    """Link a project the user may see to an action (a POST from the action's page)."""
    instance = _action(request, pk, "change")
    projects = access.restrict(Project.objects.all(), request.user)
    form = forms.LinkProjectForm(request.POST, projects=projects)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
            ),
        )
        return redirect(instance.get_absolute_url())
    try:
        services.action_link_project(user=request.user, action=instance, project=form.cleaned_data["project"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is linked to the action."))
    return redirect(instance.get_absolute_url())


@require_POST
@login_required
def action_unlink_view(request, pk, project_pk):
    instance = _action(request, pk, "change")
    project = access.get_object_for(request.user, Project.objects.all(), "view", pk=project_pk)
    try:
        services.action_unlink_project(user=request.user, action=instance, project=project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is no longer linked to the action."))
    return redirect(instance.get_absolute_url())


# --- indicators ----------------------------------------------------------------------------------------


class IndicatorDetailView(PlanPartDetailView):
    plan_path = "action.plan"
    editable = (*CONTENT_EDITABLE, *IMPLEMENTATION)  # the current value moves while the plan is carried out

    def extra_context(self, request, instance):
        return self.offered(instance)


class IndicatorEditView(ServiceEditView):
    model = models.Indicator
    form_class = forms.IndicatorForm
    create = staticmethod(services.indicator_create)
    update = staticmethod(services.indicator_update)
    argument = "indicator"

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        if not instance.pk:
            form.fields["action"].queryset = access.restrict(
                models.Action.objects.filter(plan__status__in=list(CONTENT_EDITABLE)), request.user, "change"
            ).select_related("plan")
        elif instance.action.plan.status not in CONTENT_EDITABLE:
            for name, field in form.fields.items():
                field.disabled = name not in services.INDICATOR_TRACKING_FIELDS
        return form


class IndicatorDeleteView(ServiceDeleteView):
    model = models.Indicator
    remove = staticmethod(services.indicator_delete)
    argument = "indicator"

    def after_delete(self, instance):
        return instance.action.get_absolute_url()


indicator = ModelViews(
    models.Indicator,
    form=forms.IndicatorForm,
    filterset=filters.IndicatorFilterSet,
    detail_class=IndicatorDetailView,
    queryset=models.Indicator.objects.select_related("action__plan"),
    columns=[
        Column("name", link=True, order_by="name"),
        Column("action", order_by="action__title"),
        Column("unit"),
        Column("baseline"),
        Column("target"),
        Column("current"),
    ],
    fields=["action", "name", "unit", "baseline", "target", "current"],
    export_fields=[
        ("id", "pk"),
        ("plan", "action.plan.pk"),
        ("action", "action.pk"),
        ("name", "name"),
        ("unit", "unit"),
        ("baseline", "baseline"),
        ("target", "target"),
        ("current", "current"),
    ],
    title=gettext_lazy("Indicators of action plans"),
)
indicator.edit = IndicatorEditView.as_view()
indicator.delete = IndicatorDeleteView.as_view()


# --- progress reports ----------------------------------------------------------------------------------


class ProgressReportDetailView(PlanPartDetailView):
    template_name = "actionplans/progressreport_detail.html"
    plan_path = "action.plan"
    editable = deletable = IMPLEMENTATION

    def extra_context(self, request, instance):
        return self.offered(instance)


class ProgressReportEditView(ServiceEditView):
    model = models.ProgressReport
    form_class = forms.ProgressReportForm
    create = staticmethod(services.progress_report_add)
    update = staticmethod(services.progress_report_update)
    argument = "report"

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        if not instance.pk:
            form.fields["action"].queryset = access.restrict(
                models.Action.objects.filter(plan__status__in=list(IMPLEMENTATION)), request.user, "change"
            ).select_related("plan")
        return form


class ProgressReportDeleteView(ServiceDeleteView):
    model = models.ProgressReport
    remove = staticmethod(services.progress_report_delete)
    argument = "report"

    def after_delete(self, instance):
        return instance.action.get_absolute_url()


progress_report = ModelViews(
    models.ProgressReport,
    form=forms.ProgressReportForm,
    filterset=filters.ProgressReportFilterSet,
    detail_class=ProgressReportDetailView,
    queryset=models.ProgressReport.objects.select_related("action__plan", "author"),
    columns=[
        Column("action", link=True, order_by="action__title"),
        Column("date", order_by="date"),
        Column("status", order_by="status"),
        Column("percent_complete", order_by="percent_complete"),
    ],
    fields=["action", "date", "status", "percent_complete", "narrative", "author"],
    export_fields=[
        ("id", "pk"),
        ("plan", "action.plan.pk"),
        ("action", "action.pk"),
        ("date", "date"),
        ("status", "status"),
        ("percent_complete", "percent_complete"),
        ("narrative", "narrative"),
    ],
    title=gettext_lazy("Progress reports"),
)
progress_report.edit = ProgressReportEditView.as_view()
progress_report.delete = ProgressReportDeleteView.as_view()


def evidence_response(report: models.ProgressReport):
    if not report.evidence:
        raise Http404
    try:
        handle = report.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=report.evidence.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_download_view(request, pk):
    report = access.get_object_for(request.user, models.ProgressReport.objects.all(), "view", pk=pk)
    return evidence_response(report)


# --- methodology ---------------------------------------------------------------------------------------


@login_required
def methodology_view(request):
    """The methodology stage of each country of a region, and the region's figures."""
    from cbrnet.registry.models import Region

    regions = access.restrict(Region.objects.select_related("network"), request.user).order_by(
        "network__name", "name"
    )
    value = request.GET.get("region", "")
    region = regions.filter(pk=int(value)).first() if value.isdigit() and len(value) < 18 else None
    context = {"regions": regions, "region": region}
    if region is not None:
        context.update(selectors.region_methodology(region=region))
        context["rows"] = [(country, context["stages"][country.pk]) for country in context["countries"]]
    return render(request, "actionplans/methodology.html", context)


def _raises_ideas(user) -> bool:
    context = access.user_context(user)
    return context.active and bool(
        context.platform_admin or context.focal_point_country_ids or context.secretariat_region_ids
    )
