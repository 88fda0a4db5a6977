"""JSON API of National Action Plans, under /api/actionplans/:

    /plans, /objectives, /actions, /indicators, /progress-reports
                                    list (filters, ordering, limit/offset), read, create, replace,
                                    partial update, delete, export — like crud_router, but writes go
                                    through this app's services (crud_router saves with the generic
                                    record service, which knows none of the plan's rules)
    /plans/{id}/submit|approve|adopt|return     the workflow steps
    /plans/{id}/draft-from-gaps     draft the plan from an assessment's ranked gaps
    /plans/{id}/timeline            the plan's actions on a time axis
    /plans/{id}/progress, /progress plans' progress (actions by status, % complete, indicators)
    /actions/{id}/projects          link a project; DELETE …/projects/{project id} unlinks it
    /actions/for-project, /actions/unaddressed   NAP actions a project carries; actions no project carries
    /progress-reports/{id}/evidence upload (POST, multipart field `file`) or download (GET) the evidence
    /methodology?region=<id>        the methodology stage of each country of a region and its figures

Every endpoint reads through the access engine and writes through the services: the same rules and
audit trail as the web UI. Errors are problem details naming the field.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from cbrnet import access
from cbrnet.actionplans import filters, forms, models, selectors, services, views
from cbrnet.actionplans.forms import form_values
from cbrnet.api import RecordId, crud_router, form_errors, list_parameters, page_params
from cbrnet.projects.models import Project
from cbrnet.registry.api import schemas
from cbrnet.registry.models import Region


def service_router(
    *,
    model,
    form_class,
    filterset_class,
    model_views,
    argument,
    create,
    update,
    delete,
    out_fields,
    in_fields=None,
    ordering=(),
    select_related=(),
    prefetch_related=(),
    parts=True,
    tag=None,
    out_schema=None,
) -> Router:
    """cbrnet.api.crud_router with writes through this app's services: `create(user=, data=)`,
    `update(user=, <argument>=, data=)` and `delete(user=, <argument>=)`; parts of a plan may be
    added by whoever may change a plan (`views.may_add_part`)."""
    default_out, _unused = schemas(model, out_fields)
    out_schema = out_schema or default_out
    in_schema = schemas(model, list(in_fields or form_class._meta.fields))[1]

    def save(request, form):
        values = form_values(form)
        if form.instance.pk:
            current = model.objects.get(pk=form.instance.pk)
            return update(user=request.user, data=values, **{argument: current})
        return create(user=request.user, data=values)

    router = crud_router(
        model=model,
        schema_out=out_schema,
        schema_in=in_schema,
        form_class=form_class,
        filterset_class=filterset_class,
        ordering=ordering,
        export_fields=model_views.list.view_class.export_fields,
        select_related=select_related,
        prefetch_related=prefetch_related,
        tag=tag or str(model._meta.verbose_name_plural).capitalize(),
        save=save,
        delete=lambda request, instance: delete(user=request.user, **{argument: instance}),
        may_add=views.may_add_part if parts else None,
    )
    router.out_schema = out_schema
    return router


PLAN_OUT = [
    "country",
    "network",
    "assessment",
    "title",
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
]
ACTION_OUT = ["plan", *forms.ActionForm._meta.fields, "projects"]


class ProgressReportOut(Schema):
    id: int
    action: int
    date: datetime.date
    status: str
    percent_complete: int
    narrative: str
    evidence: str | None  # where to download the evidence file, if any
    author: int | None

    @staticmethod
    def resolve_action(obj):
        return obj.action_id

    @staticmethod
    def resolve_author(obj):
        return obj.author_id

    @staticmethod
    def resolve_evidence(obj):
        return f"/api/actionplans/progress-reports/{obj.pk}/evidence" if obj.evidence else None


plans = service_router(
    model=models.ActionPlan,
    form_class=forms.ActionPlanForm,
    filterset_class=filters.ActionPlanFilterSet,
    model_views=views.actionplan,
    argument="plan",
    create=services.action_plan_create,
    update=services.action_plan_update,
    delete=services.action_plan_delete,
    out_fields=PLAN_OUT,
    ordering=("title", "start_year", "end_year", "adopted_on"),
    select_related=("country",),
    parts=False,
    tag="National Action Plans",
)
objectives = service_router(
    model=models.Objective,
    form_class=forms.ObjectiveForm,
    filterset_class=filters.ObjectiveFilterSet,
    model_views=views.objective,
    argument="objective",
    create=services.objective_create,
    update=services.objective_update,
    delete=services.objective_delete,
    out_fields=list(forms.ObjectiveForm._meta.fields),
    ordering=("order", "title"),
    tag="NAP objectives",
)
actions = service_router(
    model=models.Action,
    form_class=forms.ActionForm,
    filterset_class=filters.ActionFilterSet,
    model_views=views.action,
    argument="action",
    create=services.action_create,
    update=services.action_update,
    delete=services.action_delete,
    out_fields=ACTION_OUT,
    ordering=("order", "title", "start_date", "end_date"),
    prefetch_related=("partners", "projects"),
    tag="NAP actions",
)
indicators = service_router(
    model=models.Indicator,
    form_class=forms.IndicatorForm,
    filterset_class=filters.IndicatorFilterSet,
    model_views=views.indicator,
    argument="indicator",
    create=services.indicator_create,
    update=services.indicator_update,
    delete=services.indicator_delete,
    out_fields=list(forms.IndicatorForm._meta.fields),
    ordering=("name",),
    tag="NAP indicators",
)
progress_reports = service_router(
    model=models.ProgressReport,
    form_class=forms.ProgressReportForm,
    filterset_class=filters.ProgressReportFilterSet,
    model_views=views.progress_report,
    argument="report",
    create=services.progress_report_add,
    update=services.progress_report_update,
    delete=services.progress_report_delete,
    out_fields=["action", "date", "status", "percent_complete", "narrative"],
    out_schema=ProgressReportOut,
    in_fields=["action", "date", "status", "percent_complete", "narrative"],
    ordering=("date", "percent_complete"),
    tag="NAP progress reports",
)
PlanOut = plans.out_schema
ActionOut = actions.out_schema


def _plan(request, pk, action="view"):
    return access.get_object_for(
        request.user, models.ActionPlan.objects.select_related("country"), action, pk=pk
    )


def _validated(form):
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


# --- the workflow --------------------------------------------------------------------------------------


class NoteIn(Schema):
    note: str = ""


class AdoptIn(Schema):
    adopted_on: datetime.date
    adoption_reference: str
    note: str = ""


@plans.post(
    "/{int:pk}/submit",
    response=PlanOut,
    operation_id="actionplan_submit",
    summary="Submit a plan in preparation for approval (the country's focal point)",
)
def actionplan_submit(request, pk: int, payload: NoteIn):
    data = _validated(forms.NoteForm(data=payload.model_dump()))
    return services.action_plan_submit(user=request.user, plan=_plan(request, pk), **data)


@plans.post(
    "/{int:pk}/approve",
    response=PlanOut,
    operation_id="actionplan_approve",
    summary="Approve a submitted plan: it is then developed (the region's secretariat)",
)
def actionplan_approve(request, pk: int, payload: NoteIn):
    data = _validated(forms.NoteForm(data=payload.model_dump()))
    return services.action_plan_approve(user=request.user, plan=_plan(request, pk), **data)


@plans.post(
    "/{int:pk}/adopt",
    response=PlanOut,
    operation_id="actionplan_adopt",
    summary="Record the government's adoption of an approved plan (date and reference of the act)",
)
def actionplan_adopt(request, pk: int, payload: AdoptIn):
    data = _validated(forms.AdoptForm(data=payload.model_dump()))
    return services.action_plan_adopt(user=request.user, plan=_plan(request, pk), **data)


@plans.post(
    "/{int:pk}/return",
    response=PlanOut,
    operation_id="actionplan_return",
    summary="Send a submitted or approved plan back to preparation, with a note",
)
def actionplan_return(request, pk: int, payload: NoteIn):
    data = _validated(forms.ReturnForm(data=payload.model_dump()))
    return services.action_plan_return(user=request.user, plan=_plan(request, pk), **data)


class DraftIn(Schema):
    assessment: RecordId
    cut_off: float = 0
    limit: int | None = None


class DraftOut(Schema):
    plan: int
    objectives: list[int]
    actions: list[int]
    gaps: int
    below_cut_off: int
    already_addressed: int
    over_limit: int


@plans.post(
    "/{int:pk}/draft-from-gaps",
    response=DraftOut,
    operation_id="actionplan_draft_from_gaps",
    summary="Draft a plan in preparation from the ranked gaps of an assessment of its country",
)
def actionplan_draft_from_gaps(request, pk: int, payload: DraftIn):
    plan = _plan(request, pk, "change")
    form = forms.DraftFromGapsForm(
        data=payload.model_dump(), assessments=selectors.draftable_assessments(user=request.user, plan=plan)
    )
    data = _validated(form)
    result = services.action_plan_draft_from_gaps(
        user=request.user,
        plan=plan,
        assessment=data["assessment"],
        cut_off=data.get("cut_off") or 0,
        limit=data.get("limit"),
    )
    return {
        "plan": plan.pk,
        "objectives": [item.pk for item in result.objectives],
        "actions": [item.pk for item in result.actions],
        "gaps": result.gaps,
        "below_cut_off": result.below_cut_off,
        "already_addressed": result.already_addressed,
        "over_limit": result.over_limit,
    }


# --- timeline and progress -----------------------------------------------------------------------------


class TimelineRowOut(Schema):
    kind: str
    title: str
    url: str
    status: str
    start: datetime.date | None
    end: datetime.date | None
    percent: float | None
    lead_agency: str
    overdue: bool


class TimelineOut(Schema):
    plan: int
    first: datetime.date
    last: datetime.date
    rows: list[TimelineRowOut]


@plans.get(
    "/{int:pk}/timeline",
    response=TimelineOut,
    operation_id="actionplan_timeline",
    summary="The plan's objectives and actions on a time axis (a Gantt chart's data)",
)
def actionplan_timeline(request, pk: int):
    plan = _plan(request, pk)
    timeline = selectors.plan_timeline(user=request.user, plan=plan)
    return {
        "plan": plan.pk,
        "first": timeline.first,
        "last": timeline.last,
        "rows": [
            {
                "kind": row.kind,
                "title": row.full_label,
                "url": row.url,
                "status": row.status,
                "start": row.start,
                "end": row.end,
                "percent": row.percent,
                "lead_agency": row.lead_agency,
                "overdue": row.overdue,
            }
            for row in timeline.rows
        ],
    }


class IndicatorProgressOut(Schema):
    id: int
    action: int
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    percent: float | None


class ProgressOut(Schema):
    plan: int
    actions: int
    by_status: dict[str, int]
    percent_complete: float | None
    overdue: int
    indicators: list[IndicatorProgressOut]
    indicators_percent: float | None


def _progress_out(progress: selectors.PlanProgress) -> dict:
    return {
        "plan": progress.plan_id,
        "actions": progress.actions,
        "by_status": progress.by_status,
        "percent_complete": progress.percent_complete,
        "overdue": progress.overdue,
        "indicators_percent": progress.indicators_percent,
        "indicators": [
            {
                "id": item.id,
                "action": item.action_id,
                "name": item.name,
                "unit": item.unit,
                "baseline": item.baseline,
                "target": item.target,
                "current": item.current,
                "percent": item.percent,
            }
            for item in progress.indicators
        ],
    }


@plans.get(
    "/{int:pk}/progress",
    response=ProgressOut,
    operation_id="actionplan_progress",
    summary="How far the plan has come: actions by status, % complete, indicators",
)
def actionplan_progress(request, pk: int):
    plan = _plan(request, pk)
    return _progress_out(selectors.plan_progress(user=request.user, plans=[plan])[plan.pk])


progress = Router(tags=["National Action Plans"])


class ProgressPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ProgressOut]


@progress.get(
    "",
    response=ProgressPage,
    operation_id="actionplan_progress_list",
    summary="The progress of the plans you may see (filtered like the plan list)",
    openapi_extra={"parameters": list_parameters(filters.ActionPlanFilterSet, ())},
)
def actionplan_progress_list(request):
    filterset = filters.ActionPlanFilterSet(
        request.GET, queryset=models.ActionPlan.objects.all(), request=request
    )
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        )
    queryset = access.restrict(filterset.qs, request.user).order_by("country__name", "-start_year", "pk")
    limit, offset = page_params(request)
    page = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    found = selectors.plan_progress(user=request.user, plans=page)
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "results": [_progress_out(found[pk]) for pk in page if pk in found],
    }


# --- actions and projects ------------------------------------------------------------------------------


class LinkIn(Schema):
    project: RecordId


@actions.post(
    "/{int:pk}/projects",
    response=ActionOut,
    operation_id="action_link_project",
    summary="Link a project (one you may see) that carries out the action",
)
def action_link_project(request, pk: int, payload: LinkIn):
    action = access.get_object_for(request.user, models.Action.objects.all(), "change", pk=pk)
    form = forms.LinkProjectForm(
        data=payload.model_dump(), projects=access.restrict(Project.objects.all(), request.user)
    )
    data = _validated(form)
    services.action_link_project(user=request.user, action=action, project=data["project"])
    return models.Action.objects.prefetch_related("partners", "projects").get(pk=action.pk)


@actions.delete(
    "/{int:pk}/projects/{int:project}",
    response=ActionOut,
    operation_id="action_unlink_project",
    summary="Remove the link between the action and a project",
)
def action_unlink_project(request, pk: int, project: int):
    action = access.get_object_for(request.user, models.Action.objects.all(), "change", pk=pk)
    linked = access.get_object_for(request.user, Project.objects.all(), "view", pk=project)
    services.action_unlink_project(user=request.user, action=action, project=linked)
    return models.Action.objects.prefetch_related("partners", "projects").get(pk=action.pk)


class ProjectActionOut(Schema):
    id: int
    title: str
    plan: int
    plan_title: str
    country: int
    objective: int
    status: str
    lead_agency: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None

    @staticmethod
    def resolve_plan(obj):
        return obj.plan_id

    @staticmethod
    def resolve_plan_title(obj):
        return obj.plan.title

    @staticmethod
    def resolve_country(obj):
        return obj.plan.country_id

    @staticmethod
    def resolve_objective(obj):
        return obj.objective_id

    @staticmethod
    def resolve_lead_agency(obj):
        return obj.lead_agency_id


MAX_LISTED = 1000


@actions.get(
    "/for-project",
    response=list[ProjectActionOut],
    operation_id="action_for_project",
    summary="The NAP actions a project carries out (as far as you may see their plans)",
)
def action_for_project(request, project: RecordId):
    chosen = access.get_object_for(request.user, Project.objects.all(), "view", pk=project)
    return list(selectors.nap_actions_for_project(user=request.user, project=chosen)[:MAX_LISTED])


@actions.get(
    "/unaddressed",
    response=list[ProjectActionOut],
    operation_id="action_unaddressed",
    summary="Open NAP actions of a region's countries that no project carries yet",
)
def action_unaddressed(request, region: RecordId | None = None):
    chosen = access.get_object_for(request.user, Region.objects.all(), "view", pk=region) if region else None
    return list(selectors.unaddressed_nap_gaps(user=request.user, region=chosen)[:MAX_LISTED])


# --- evidence ------------------------------------------------------------------------------------------


@progress_reports.post(
    "/{int:pk}/evidence",
    response=ProgressReportOut,
    operation_id="progressreport_upload",
    summary="Upload (or replace) the evidence of a progress report (multipart form field `file`)",
)
def progressreport_upload(request, pk: int, file: File[UploadedFile]):
    report = access.get_object_for(request.user, models.ProgressReport.objects.all(), "change", pk=pk)
    return services.progress_report_update(user=request.user, report=report, data={"evidence": file})


@progress_reports.get(
    "/{int:pk}/evidence",
    operation_id="progressreport_download",
    response={200: None},
    summary="Download the evidence of a progress report",
)
def progressreport_download(request, pk: int):
    report = access.get_object_for(request.user, models.ProgressReport.objects.all(), "view", pk=pk)
    return views.evidence_response(report)


# --- methodology ---------------------------------------------------------------------------------------


class CountryStageOut(Schema):
    id: int
    iso2: str
    name: str
    stage: int
    stage_label: str


class MethodologyOut(Schema):
    region: int
    countries: list[CountryStageOut]
    figures: dict[str, int | dict[str, int]]


methodology = Router(tags=["National Action Plans"])


@methodology.get(
    "",
    response=MethodologyOut,
    operation_id="methodology_region",
    summary="The methodology stage of each country of a region, derived from the records, and the figures",
)
def methodology_region(request, region: RecordId):
    chosen = access.get_object_for(request.user, Region.objects.select_related("network"), "view", pk=region)
    found = selectors.region_methodology(region=chosen)
    figures = dict(found["figures"])
    figures["by_stage"] = {str(stage): count for stage, count in figures["by_stage"].items()}
    return {
        "region": chosen.pk,
        "countries": [
            {
                "id": country.pk,
                "iso2": country.iso2,
                "name": country.name,
                "stage": int(found["stages"][country.pk]),
                "stage_label": str(found["stages"][country.pk].label),
            }
            for country in found["countries"]
        ],
        "figures": figures,
    }


router = Router()
router.add_router("/plans", plans)
router.add_router("/objectives", objectives)
router.add_router("/actions", actions)
router.add_router("/indicators", indicators)
router.add_router("/progress-reports", progress_reports)
router.add_router("/progress", progress)
router.add_router("/methodology", methodology)
