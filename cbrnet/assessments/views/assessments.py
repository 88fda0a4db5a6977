"""Web UI of countries' assessments: the generic pages of assessments and their parts, the
assessment's page (status, completion, workflow steps, sections with assignees and progress), the fill
page with its autosave, comments and evidence, evidence downloads and the workbook round trip.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and calls
one service; refused input comes back as a message naming the field, with nothing changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cbrnet import access
from cbrnet.assessments import models, workbook
from cbrnet.assessments.choices import AnswerType, AssessmentStatus, YesPartlyNo
from cbrnet.assessments.filters import assessments as filters
from cbrnet.assessments.forms import assessments as forms
from cbrnet.assessments.selectors import assessments as selectors
from cbrnet.assessments.services import assessments as services
from cbrnet.core.generic import ModelViews, ObjectDeleteView, ObjectDetailView, ObjectEditView
from cbrnet.core.tables import Column

STEP_SERVICES = {
    "submit": services.assessment_submit,
    "validate": services.assessment_validate,
    "publish": services.assessment_publish,
}
STEP_DONE = {
    "submit": gettext_lazy("Assessment submitted to the secretariat."),
    "validate": gettext_lazy("Assessment validated."),
    "publish": gettext_lazy("Assessment published."),
    "return": gettext_lazy("Assessment returned to the country as a draft."),
}


def _explain(error: ValidationError) -> str:
    return " ".join(error.messages)


def _link_or_text(value):
    """A related record as the detail page shows it: linked when it has a page, else as text (the
    questionnaire pages belong to another part of the app and may not be mounted)."""
    if hasattr(value, "get_absolute_url"):
        try:
            value.get_absolute_url()
        except NoReverseMatch:
            return str(value)
    return value


def _url_or_none(name: str, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- generic pages --------------------------------------------------------------------------------
class PartDetailView(ObjectDetailView):
    """The generic detail page of a part of an assessment; questionnaire records shown safely."""

    def extra_context(self, request, instance):
        rows = []
        for name in self.fields:
            value = getattr(instance, name)
            display = getattr(instance, f"get_{name}_display", None)
            if isinstance(value, list):
                value = ", ".join(str(item) for item in value)
            rows.append(
                (
                    self.model._meta.get_field(name).verbose_name,
                    display() if callable(display) else _link_or_text(value),
                )
            )
        return {"rows": rows}


class AssessmentDetailView(ObjectDetailView):
    template_name = "assessments/assessment_detail.html"

    def extra_context(self, request, instance):
        progress = selectors.section_progress(instance)
        draft = instance.status == AssessmentStatus.DRAFT
        sections = services.answerable_section_ids(request.user, instance)
        may_manage = draft and services.is_manager(request.user, instance)
        return {
            **selectors.completion_summary(progress),
            "version_link": _link_or_text(instance.version),
            "scores_url": _url_or_none("assessments:assessment_scores", instance.pk),
            "sections": progress,
            "can_change": may_manage,
            "steps": services.assessment_steps(user=request.user, assessment=instance),
            "may_manage": may_manage,
            "may_answer": draft and sections != set(),
            "return_form": forms.ReturnForm(),
            "workbook_form": forms.WorkbookUploadForm(),
            "general_comments": list(
                models.AssessmentComment.objects.filter(
                    assessment=instance, question__isnull=True
                ).select_related("author")
            ),
            "may_comment": instance.status != AssessmentStatus.PUBLISHED
            and access.can(request.user, "change", instance),
            "comment_form": forms.CommentForm(),
        }


class AssessmentEditView(ObjectEditView):
    model = models.Assessment
    form_class = forms.AssessmentForm

    def save(self, request, form):
        data = form.cleaned_data
        if form.instance._state.adding:
            return services.assessment_create(
                user=request.user,
                country=data["country"],
                version=data["version"],
                year=data["year"],
                title=data.get("title") or "",
            )
        stored = models.Assessment.objects.get(pk=form.instance.pk)
        return services.assessment_update(
            user=request.user,
            assessment=stored,
            title=data.get("title") or "",
            year=data["year"],
            version=data["version"],
            country=data["country"],
        )


class AssessmentDeleteView(ObjectDeleteView):
    model = models.Assessment

    def get_object(self, request, pk):
        # Visible and changeable: the service says who may delete and at which status (with a message).
        return access.get_object_for(request.user, self.model.objects.all(), "view", pk=pk)

    def post(self, request, pk):
        instance = self.get_object(request, pk)
        try:
            services.assessment_delete(user=request.user, assessment=instance)
        except ValidationError as error:
            messages.error(request, _explain(error))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("%(name)s deleted.") % {"name": instance})
        return redirect("assessments:assessment_list")

    def get(self, request, pk):
        instance = access.get_object_for(request.user, self.model.objects.all(), "delete", pk=pk)
        return render(
            request, self.template_name, {"object": instance, "verbose_name": self.model._meta.verbose_name}
        )


class PartDeleteView(ObjectDeleteView):
    """Delete a part of an assessment through its service (the cycle's rules), back to the assessment."""

    service = None

    def post(self, request, pk):
        instance = self.get_object(request, pk)
        try:
            type(self).service(user=request.user, **{self.argument: instance})
        except ValidationError as error:
            messages.error(request, _explain(error))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("%(name)s deleted.") % {"name": instance})
        return redirect(instance.assessment.get_absolute_url())


class SectionAssignmentEditView(ObjectEditView):
    model = models.SectionAssignment
    form_class = forms.SectionAssignmentForm

    def save(self, request, form):
        data = form.cleaned_data
        current = (
            None if form.instance._state.adding else models.SectionAssignment.objects.get(pk=form.instance.pk)
        )
        if current is not None and current.assessment_id != data["assessment"].pk:
            raise ValidationError({"assessment": _("An assignment stays with its assessment.")})
        return services.section_assign(
            user=request.user,
            assessment=data["assessment"],
            section=data["section"],
            person=data["person"],
            note=data.get("note") or "",
            assignment=current,
        )


def answer_value_from_form(question, data: dict):
    """The raw value of an answer given as separate fields (the generic form and the API): the field of
    the question's type; another value field filled in is an error naming it."""
    field = services.VALUE_FIELDS[AnswerType(question.answer_type)]
    for name, empty in services.EMPTY_VALUES.items():
        if name != field and data.get(name) not in (None, "", []) and data.get(name) != empty:
            raise ValidationError(
                {
                    name: _("Question %(code)s is answered with “%(type)s”: leave %(field)s empty.")
                    % {"code": question.code, "type": question.get_answer_type_display(), "field": name}
                }
            )
    return data.get(field) if field else None


class AnswerEditView(ObjectEditView):
    model = models.Answer
    form_class = forms.AnswerForm

    def save(self, request, form):
        data = form.cleaned_data
        if not form.instance._state.adding:
            stored = models.Answer.objects.get(pk=form.instance.pk)
            if (stored.assessment_id, stored.question_id) != (data["assessment"].pk, data["question"].pk):
                raise ValidationError({"question": _("An answer stays with its assessment and question.")})
        answer = services.answer_save(
            user=request.user,
            assessment=data["assessment"],
            question=data["question"],
            value=answer_value_from_form(data["question"], data),
            not_applicable=data.get("not_applicable", False),
            justification=data.get("justification") or "",
            target_level=data.get("target_level"),
        )
        if answer is None:
            raise ValidationError({"question": _("Give an answer, “not applicable” or a justification.")})
        return answer


class CommentEditView(ObjectEditView):
    model = models.AssessmentComment
    form_class = forms.AssessmentCommentForm

    def save(self, request, form):
        data = form.cleaned_data
        if form.instance._state.adding:
            return services.comment_add(
                user=request.user,
                assessment=data["assessment"],
                text=data["text"],
                question=data.get("question"),
            )
        stored = models.AssessmentComment.objects.get(pk=form.instance.pk)
        if stored.assessment_id != data["assessment"].pk:
            raise ValidationError({"assessment": _("A comment stays with its assessment.")})
        return services.comment_update(
            user=request.user, comment=stored, text=data["text"], question=data.get("question")
        )


class EvidenceEditView(ObjectEditView):
    model = models.Evidence
    form_class = forms.EvidenceForm

    def save(self, request, form):
        data = form.cleaned_data
        if form.instance._state.adding:
            return services.evidence_upload(
                user=request.user,
                assessment=data["assessment"],
                file=data["file"],
                title=data.get("title") or "",
                question=data.get("question"),
            )
        stored = models.Evidence.objects.get(pk=form.instance.pk)
        if stored.assessment_id != data["assessment"].pk:
            raise ValidationError({"assessment": _("Evidence stays with its assessment.")})
        new_file = data["file"] if data.get("file") and data["file"] != stored.file else None
        return services.evidence_update(
            user=request.user,
            evidence=stored,
            title=data.get("title") or "",
            question=data.get("question"),
            file=new_file,
        )


class EvidenceDetailView(PartDetailView):
    template_name = "assessments/evidence_detail.html"


def _part_delete(model, service, argument):
    return type(
        f"{model.__name__}DeleteView",
        (PartDeleteView,),
        {"model": model, "service": service, "argument": argument},
    ).as_view()


assessment = ModelViews(
    models.Assessment,
    form=forms.AssessmentForm,
    filterset=filters.AssessmentFilterSet,
    detail_class=AssessmentDetailView,
    queryset=models.Assessment.objects.select_related("country", "version", "network"),
    columns=[
        Column("country", link=True, order_by="country__name"),
        Column("version", order_by="version__version"),
        Column("year", order_by="year"),
        Column("status", order_by="status"),
        Column("title"),
        Column("submitted_at", order_by="submitted_at"),
    ],
    fields=["country", "version", "network", "year", "title", "status"],
    export_fields=[
        ("country", "country.iso2"),
        ("country name", "country.name"),
        ("questionnaire", "version.family"),
        ("version", "version.version"),
        ("year", "year"),
        ("title", "title"),
        ("status", "status"),
        ("submitted at", "submitted_at"),
        ("validated at", "validated_at"),
        ("published at", "published_at"),
    ],
)
assessment.edit = AssessmentEditView.as_view()
assessment.delete = AssessmentDeleteView.as_view()

section_assignment = ModelViews(
    models.SectionAssignment,
    form=forms.SectionAssignmentForm,
    filterset=filters.SectionAssignmentFilterSet,
    queryset=models.SectionAssignment.objects.select_related(
        "assessment__country", "assessment__version", "section", "person"
    ),
    columns=[
        Column("section", link=True),
        Column("person", order_by="person__family_name"),
        Column("assessment", order_by="assessment__year"),
        Column("note"),
    ],
    fields=["assessment", "section", "person", "note"],
    detail_class=PartDetailView,
    export_fields=[
        ("assessment", "assessment"),
        ("section", "section.code"),
        ("person", "person"),
        ("note", "note"),
    ],
)
section_assignment.edit = SectionAssignmentEditView.as_view()
section_assignment.delete = _part_delete(models.SectionAssignment, services.section_unassign, "assignment")

answer = ModelViews(
    models.Answer,
    form=forms.AnswerForm,
    filterset=filters.AnswerFilterSet,
    queryset=models.Answer.objects.select_related("assessment__country", "assessment__version", "question"),
    columns=[
        Column("question.code", link=True, label=gettext_lazy("Question")),
        Column("display_value", label=gettext_lazy("Answer")),
        Column("assessment", order_by="assessment__year"),
        Column("not_applicable", order_by="not_applicable"),
        Column("updated", order_by="updated"),
    ],
    fields=[
        "assessment",
        "question",
        "level",
        "yes_partly_no",
        "number",
        "date",
        "choices",
        "text",
        "not_applicable",
        "target_level",
        "justification",
        "answered_by",
    ],
    detail_class=PartDetailView,
    export_fields=[
        ("assessment", "assessment"),
        ("question", "question.code"),
        ("answer", "display_value"),
        ("not applicable", "not_applicable"),
        ("target level", "target_level"),
        ("justification", "justification"),
    ],
)
answer.edit = AnswerEditView.as_view()
answer.delete = _part_delete(models.Answer, services.answer_delete, "answer")

comment = ModelViews(
    models.AssessmentComment,
    form=forms.AssessmentCommentForm,
    filterset=filters.AssessmentCommentFilterSet,
    queryset=models.AssessmentComment.objects.select_related(
        "assessment__country", "assessment__version", "question", "author"
    ),
    columns=[
        Column("text", link=True, label=gettext_lazy("Comment")),
        Column("question.code", label=gettext_lazy("Question")),
        Column("author"),
        Column("assessment", order_by="assessment__year"),
        Column("created", order_by="created"),
    ],
    fields=["assessment", "question", "author", "text"],
    detail_class=PartDetailView,
    export_fields=[
        ("assessment", "assessment"),
        ("question", "question.code"),
        ("author", "author"),
        ("created", "created"),
        ("comment", "text"),
    ],
)
comment.edit = CommentEditView.as_view()
comment.delete = _part_delete(models.AssessmentComment, services.comment_delete, "comment")

evidence = ModelViews(
    models.Evidence,
    form=forms.EvidenceForm,
    filterset=filters.EvidenceFilterSet,
    detail_class=EvidenceDetailView,
    queryset=models.Evidence.objects.select_related("assessment__country", "assessment__version", "question"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("file_name", label=gettext_lazy("File")),
        Column("question.code", label=gettext_lazy("Question")),
        Column("assessment", order_by="assessment__year"),
        Column("created", order_by="created"),
    ],
    fields=["assessment", "question", "title", "uploaded_by"],
    export_fields=[
        ("assessment", "assessment"),
        ("question", "question.code"),
        ("title", "title"),
        ("file", "file_name"),
        ("uploaded", "created"),
    ],
)
evidence.edit = EvidenceEditView.as_view()
evidence.delete = _part_delete(models.Evidence, services.evidence_delete, "evidence")


# --- workflow -------------------------------------------------------------------------------------
def _assessment(request, pk, action="view"):
    return access.get_object_for(
        request.user, models.Assessment.objects.select_related("country", "version"), action, pk=pk
    )


@login_required
@require_POST
def assessment_step_view(request, pk, step):
    """Submit, validate or publish (the service checks who may, and when)."""
    instance = _assessment(request, pk)
    try:
        STEP_SERVICES[step](user=request.user, assessment=instance)
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, str(STEP_DONE[step]))
    return redirect(instance.get_absolute_url())


@login_required
@require_POST
def assessment_return_view(request, pk):
    instance = _assessment(request, pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Note: %(errors)s") % {"errors": " ".join(form.errors.get("note", []))})
        return redirect(instance.get_absolute_url())
    try:
        services.assessment_return(user=request.user, assessment=instance, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, str(STEP_DONE["return"]))
    return redirect(instance.get_absolute_url())


# --- the fill page and its autosave ---------------------------------------------------------------
def _section(instance, request):
    section_id = request.GET.get("section") or request.POST.get("section")
    if not section_id:
        return None
    try:
        return models.Section.objects.get(version_id=instance.version_id, pk=int(section_id))
    except (ValueError, TypeError, OverflowError, models.Section.DoesNotExist):
        raise Http404 from None


@login_required
@require_safe
def assessment_fill_view(request, pk):
    """One section of the assessment, one input per question; answers save themselves on change."""
    instance = _assessment(request, pk)
    context = selectors.fill_page(user=request.user, assessment=instance, section=_section(instance, request))
    context.update(
        {
            "object": instance,
            "assessment": instance,
            "comment_form": forms.CommentForm(),
            "evidence_form": forms.EvidenceUploadForm(),
            "may_comment": instance.status != AssessmentStatus.PUBLISHED
            and access.can(request.user, "change", instance),
            "yes_partly_no": YesPartlyNo.choices,
        }
    )
    return render(request, "assessments/assessment_fill.html", context)


def _fill_url(instance, question=None, section_id=None):
    section_id = section_id or (question.section_id if question is not None else None)
    url = reverse("assessments:assessment_fill", args=[instance.pk])
    if section_id:
        url += f"?section={section_id}"
    if question is not None:
        url += f"#question-{question.pk}"
    return url


def _question(instance, question_pk):
    try:
        return models.Question.objects.select_related("section").get(
            version_id=instance.version_id, pk=question_pk
        )
    except models.Question.DoesNotExist:
        raise Http404 from None


def _posted_answer(request, question) -> dict:
    values = [value for value in request.POST.getlist("value") if value.strip()]
    return {
        "values": values,
        "not_applicable": request.POST.get("not_applicable") in ("1", "on", "true", "yes"),
        "justification": request.POST.get("justification", ""),
    }


@login_required
@require_POST
def assessment_answer_view(request, pk, question_pk):
    """Save one answer (the fill page posts each question when it changes). For htmx: the question's
    save state and, out of band, the completion and the section's progress; otherwise back to the page."""
    instance = _assessment(request, pk)
    question = _question(instance, question_pk)
    posted = _posted_answer(request, question)
    if question.answer_type == AnswerType.MULTIPLE_CHOICE:
        value = posted["values"]
    else:
        value = posted["values"][0] if posted["values"] else None
    errors = []
    try:
        services.answer_save(
            user=request.user,
            assessment=instance,
            question=question,
            value=value,
            not_applicable=posted["not_applicable"],
            justification=posted["justification"],
        )
    except ValidationError as error:
        errors = error.messages
    except PermissionDenied as error:
        if not request.htmx:
            raise
        errors = [str(error)]
    if not request.htmx:
        if errors:
            messages.error(request, f"{question.code}: {' '.join(errors)}")
        else:
            messages.success(request, _("Answer to %(code)s saved.") % {"code": question.code})
        return redirect(_fill_url(instance, question))
    block = selectors.question_block(user=request.user, assessment=instance, question=question)
    block.errors, block.saved = errors, not errors
    if errors:
        block.submitted = posted
    progress = selectors.section_progress(instance)
    return render(
        request,
        "assessments/assessment_fill_saved.html",
        {
            **selectors.completion_summary(progress),
            "assessment": instance,
            "block": block,
            "saved_at": timezone.localtime(),
            "section_item": next((item for item in progress if item.section.pk == question.section_id), None),
        },
    )


@login_required
@require_POST
def assessment_comment_add_view(request, pk):
    instance = _assessment(request, pk)
    form = forms.CommentForm(request.POST)
    question = None
    if form.is_valid() and form.cleaned_data.get("question"):
        question = _question(instance, form.cleaned_data["question"])
    target = _fill_url(instance, question) if question else instance.get_absolute_url() + "#comments"
    if not form.is_valid():
        messages.error(request, _("Comment: %(errors)s") % {"errors": " ".join(form.errors.get("text", []))})
        return redirect(target)
    try:
        services.comment_add(
            user=request.user, assessment=instance, text=form.cleaned_data["text"], question=question
        )
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, _("Comment added."))
    return redirect(target)


@login_required
@require_POST
def assessment_evidence_upload_view(request, pk):
    instance = _assessment(request, pk)
    form = forms.EvidenceUploadForm(request.POST, request.FILES)
    question = None
    if form.is_valid() and form.cleaned_data.get("question"):
        question = _question(instance, form.cleaned_data["question"])
    target = _fill_url(instance, question) if question else instance.get_absolute_url()
    if not form.is_valid():
        messages.error(
            request,
            _("Evidence: %(errors)s")
            % {"errors": " ".join(str(error) for errors in form.errors.values() for error in errors)},
        )
        return redirect(target)
    try:
        services.evidence_upload(
            user=request.user,
            assessment=instance,
            file=form.cleaned_data["file"],
            title=form.cleaned_data.get("title") or "",
            question=question,
        )
    except ValidationError as error:
        messages.error(request, _("Evidence: %(errors)s") % {"errors": _explain(error)})
    else:
        messages.success(request, _("Evidence file uploaded."))
    return redirect(target)


def evidence_file_response(item: models.Evidence):
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def evidence_download_view(request, pk):
    """The file, only for those who may read the assessment."""
    item = access.get_object_for(request.user, models.Evidence.objects.all(), "view", pk=pk)
    return evidence_file_response(item)


# --- the workbook ---------------------------------------------------------------------------------
def workbook_response(instance) -> HttpResponse:
    response = HttpResponse(workbook.workbook_build(instance), content_type=workbook.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{workbook.workbook_filename(instance)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def assessment_workbook_view(request, pk):
    """The assessment as an XLSX workbook to fill in offline."""
    return workbook_response(_assessment(request, pk))


@login_required
@require_POST
def assessment_workbook_upload_view(request, pk):
    """Read a filled-in workbook back: every bad cell listed by sheet, row and column, or every
    changed answer saved (all or nothing)."""
    instance = _assessment(request, pk)
    form = forms.WorkbookUploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            workbook.check_size(upload.size)
            result = workbook.workbook_upload(user=request.user, assessment=instance, data=upload.read())
        except workbook.WorkbookError as error:
            problems = error.problems
        else:
            messages.success(
                request, _("Workbook read: %(count)s answers changed.") % {"count": result.changed}
            )
            return redirect(instance.get_absolute_url())
    return render(
        request,
        "assessments/assessment_workbook.html",
        {"object": instance, "assessment": instance, "form": form, "problems": problems},
        status=400,
    )


urlpatterns = [
    path("<int:pk>/fill/", assessment_fill_view, name="assessment_fill"),
    path("<int:pk>/questions/<int:question_pk>/answer/", assessment_answer_view, name="assessment_answer"),
    path("<int:pk>/comments/add/", assessment_comment_add_view, name="assessment_comment_add"),
    path("<int:pk>/evidence/add/", assessment_evidence_upload_view, name="assessment_evidence_upload"),
    path("<int:pk>/submit/", assessment_step_view, {"step": "submit"}, name="assessment_submit"),
    path("<int:pk>/validate/", assessment_step_view, {"step": "validate"}, name="assessment_validate"),
    path("<int:pk>/publish/", assessment_step_view, {"step": "publish"}, name="assessment_publish"),
    path("<int:pk>/return/", assessment_return_view, name="assessment_return"),
    path("<int:pk>/workbook.xlsx", assessment_workbook_view, name="assessment_workbook"),
    path("<int:pk>/workbook/", assessment_workbook_upload_view, name="assessment_workbook_upload"),
    path("evidence/<int:pk>/file/", evidence_download_view, name="evidence_download"),
    *assessment.urls("", "assessment"),
    *section_assignment.urls("section-assignments", "sectionassignment"),
    *answer.urls("answers", "answer"),
    *comment.urls("comments", "assessmentcomment"),
    *evidence.urls("evidence", "evidence"),
]
