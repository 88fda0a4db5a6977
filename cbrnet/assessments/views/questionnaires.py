"""Web UI of questionnaire templates: the generic pages of versions, sections, questions, level
descriptors and choices; a version's page (read-only, with the level descriptors); the builder of a
draft (sections and questions added, edited and deleted in place with htmx; descriptors and choices
edited on the question); publish, retire and new-version actions; export and import of a whole
template as JSON or XLSX.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
writes through `services/questionnaires.py`; refused input comes back naming the field, with
nothing changed.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cbrnet import access
from cbrnet.assessments import models
from cbrnet.assessments.filters import questionnaires as filters
from cbrnet.assessments.forms import questionnaires as forms
from cbrnet.assessments.selectors import questionnaires as selectors
from cbrnet.assessments.services import questionnaires as services
from cbrnet.core.exports import XLSX_CONTENT_TYPE
from cbrnet.core.generic import (
    ModelViews,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    add_validation_errors,
    restrict_form_fields,
)
from cbrnet.core.tables import Column

# --- how each model's generic pages write: through the services ------------------------------------


def version_create(user, data):
    return services.questionnaire_version_create(user=user, **data)


def version_update(user, instance, data):
    data = {key: value for key, value in data.items() if key != "network"}
    return services.questionnaire_version_update(user=user, version=instance, changes=data)


def section_create(user, data):
    return services.section_create(user=user, **data)


def section_update(user, instance, data):
    data = {key: value for key, value in data.items() if key != "version"}
    return services.section_update(user=user, section=instance, changes=data)


def question_create(user, data):
    return services.question_create(user=user, **data)


def question_update(user, instance, data):
    return services.question_update(user=user, question=instance, changes=data)


def descriptor_create(user, data):
    return services.level_descriptor_create(user=user, **data)


def descriptor_update(user, instance, data):
    data = {key: value for key, value in data.items() if key != "question"}
    return services.level_descriptor_update(user=user, descriptor=instance, changes=data)


def choice_create(user, data):
    return services.choice_create(user=user, **data)


def choice_update(user, instance, data):
    data = {key: value for key, value in data.items() if key != "question"}
    return services.choice_update(user=user, choice=instance, changes=data)


WRITERS = {
    models.QuestionnaireVersion: (
        version_create,
        version_update,
        lambda user, obj: services.questionnaire_version_delete(user=user, version=obj),
    ),
    models.Section: (
        section_create,
        section_update,
        lambda user, obj: services.section_delete(user=user, section=obj),
    ),
    models.Question: (
        question_create,
        question_update,
        lambda user, obj: services.question_delete(user=user, question=obj),
    ),
    models.LevelDescriptor: (
        descriptor_create,
        descriptor_update,
        lambda user, obj: services.level_descriptor_delete(user=user, descriptor=obj),
    ),
    models.Choice: (
        choice_create,
        choice_update,
        lambda user, obj: services.choice_delete(user=user, choice=obj),
    ),
}


def save_through_services(user, form):
    """Create or update the form's record with its model's service (the API does the same)."""
    create, update, _delete = WRITERS[form._meta.model]
    data = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
    if form.instance.pk:
        return update(user, form.instance, data)
    return create(user, data)


def delete_through_services(user, instance) -> None:
    WRITERS[type(instance)][2](user, instance)


class TemplateEditView(ObjectEditView):
    def save(self, request, form):
        return save_through_services(request.user, form)


class TemplateDeleteView(ObjectDeleteView):
    def post(self, request, pk):
        instance = self.get_object(request, pk)
        try:
            delete_through_services(request.user, instance)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("%(name)s deleted.") % {"name": instance})
        return redirect(_parent_url(instance))


def _parent_url(instance) -> str:
    """Where to go once a record is deleted: its version's page (a version: the list)."""
    if isinstance(instance, models.QuestionnaireVersion):
        return reverse("assessments:questionnaireversion_list")
    if isinstance(instance, models.LevelDescriptor | models.Choice):
        return reverse("assessments:question_detail", args=[instance.question_id])
    return reverse("assessments:questionnaireversion_detail", args=[instance.version_id])


class VersionDetailView(ObjectDetailView):
    template_name = "assessments/questionnaireversion_detail.html"

    def extra_context(self, request, instance):
        return selectors.questionnaire_version_page(user=request.user, version=instance)


class QuestionDetailView(ObjectDetailView):
    template_name = "assessments/question_detail.html"

    def extra_context(self, request, instance):
        return {
            "descriptors": list(instance.level_descriptors.order_by("level")),
            "choice_list": list(instance.choices.order_by("order", "pk")),
        }


def _views(model, form, filterset, *, detail_class=ObjectDetailView, **options):
    views = ModelViews(model, form=form, filterset=filterset, detail_class=detail_class, **options)
    views.edit = type(
        f"{model.__name__}TemplateEditView", (TemplateEditView,), {"model": model, "form_class": form}
    ).as_view()
    views.delete = type(
        f"{model.__name__}TemplateDeleteView", (TemplateDeleteView,), {"model": model}
    ).as_view()
    return views


questionnaire_version = _views(
    models.QuestionnaireVersion,
    forms.QuestionnaireVersionForm,
    filters.QuestionnaireVersionFilterSet,
    detail_class=VersionDetailView,
    queryset=models.QuestionnaireVersion.objects.select_related("network", "previous"),
    columns=[
        Column("name", link=True, order_by="name"),
        Column("family", order_by="family"),
        Column("version", order_by="version"),
        Column("network"),
        Column("status", order_by="status"),
        Column("published_on", order_by="published_on"),
    ],
    fields=["network", "family", "version", "status", "published_on", "previous", "description", "source"],
    export_fields=[
        ("network", "network.code"),
        ("family", "family"),
        ("version", "version"),
        ("name", "name"),
        ("status", "status"),
        ("published on", "published_on"),
        ("previous", "previous.version"),
    ],
    title=gettext_lazy("Questionnaires"),
    list_template="assessments/questionnaireversion_list.html",
)

section = _views(
    models.Section,
    forms.SectionForm,
    filters.SectionFilterSet,
    queryset=models.Section.objects.select_related("version"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("code", order_by="code"),
        Column("order", order_by="order"),
        Column("version"),
    ],
    fields=["version", "order", "code", "title", "description"],
    export_fields=[
        ("questionnaire", "version.family"),
        ("version", "version.version"),
        ("order", "order"),
        ("code", "code"),
        ("title", "title"),
        ("description", "description"),
    ],
)

question = _views(
    models.Question,
    forms.QuestionForm,
    filters.QuestionFilterSet,
    detail_class=QuestionDetailView,
    queryset=models.Question.objects.select_related("version", "section", "thematic_area", "maps_to"),
    columns=[
        Column("code", link=True, order_by="code"),
        Column("text"),
        Column("answer_type", order_by="answer_type"),
        Column("thematic_area"),
        Column("domains"),
        Column("weight", order_by="weight"),
        Column("reference", order_by="reference"),
        Column("version"),
    ],
    fields=[
        "version",
        "section",
        "order",
        "code",
        "text",
        "guidance",
        "answer_type",
        "domains",
        "thematic_area",
        "weight",
        "target_level",
        "allow_not_applicable",
        "required",
        "reference",
        "maps_to",
    ],
    export_fields=[
        ("questionnaire", "version.family"),
        ("version", "version.version"),
        ("section", "section.code"),
        ("order", "order"),
        ("code", "code"),
        ("text", "text"),
        ("answer type", "answer_type"),
        ("domains", "domains"),
        ("thematic area", "thematic_area.code"),
        ("weight", "weight"),
        ("target level", "target_level"),
        ("reference", "reference"),
        ("maps to", "maps_to.code"),
    ],
)

level_descriptor = _views(
    models.LevelDescriptor,
    forms.LevelDescriptorForm,
    filters.LevelDescriptorFilterSet,
    queryset=models.LevelDescriptor.objects.select_related("question__version"),
    columns=[Column("question", link=True), Column("level", order_by="level"), Column("text")],
    fields=["question", "level", "text"],
    export_fields=[
        ("questionnaire", "question.version.family"),
        ("version", "question.version.version"),
        ("question", "question.code"),
        ("level", "level"),
        ("text", "text"),
    ],
)

choice = _views(
    models.Choice,
    forms.ChoiceForm,
    filters.ChoiceFilterSet,
    queryset=models.Choice.objects.select_related("question__version"),
    columns=[
        Column("label", link=True, order_by="label"),
        Column("value", order_by="value"),
        Column("order", order_by="order"),
        Column("question"),
    ],
    fields=["question", "order", "value", "label"],
    export_fields=[
        ("questionnaire", "question.version.family"),
        ("version", "question.version.version"),
        ("question", "question.code"),
        ("order", "order"),
        ("value", "value"),
        ("label", "label"),
    ],
)


# --- actions on a version -----------------------------------------------------------------------------


def _version(request, pk, action="view"):
    return access.get_object_for(request.user, models.QuestionnaireVersion.objects.all(), action, pk=pk)


def _explain(error: ValidationError) -> list[str]:
    return list(error.messages)


@login_required
@require_POST
def questionnaireversion_publish_view(request, pk):
    version = _version(request, pk)
    try:
        services.questionnaire_version_publish(user=request.user, version=version)
    except ValidationError as error:
        for message in _explain(error):
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(version)s is published: countries can answer it.") % {"version": version}
        )
    return redirect(version.get_absolute_url())


@login_required
@require_POST
def questionnaireversion_retire_view(request, pk):
    version = _version(request, pk)
    try:
        services.questionnaire_version_retire(user=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(_explain(error)))
    else:
        messages.success(request, _("%(version)s is retired.") % {"version": version})
    return redirect(version.get_absolute_url())


@login_required
def questionnaireversion_new_version_view(request, pk):
    """Start a new draft from a published version (its questions map onto the copied ones)."""
    version = _version(request, pk)
    if not selectors.version_permissions(user=request.user, version=version).new_version:
        raise PermissionDenied(_("You may not make new versions of this questionnaire."))
    form = forms.NewVersionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                draft = services.questionnaire_version_new_from(
                    user=request.user,
                    version=version,
                    new_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(
                    request, _("Draft %(version)s made: edit it, then publish it.") % {"version": draft}
                )
                return redirect("assessments:questionnaireversion_builder", draft.pk)
        status = 400
    return render(
        request,
        "assessments/questionnaireversion_new_version.html",
        {"object": version, "form": form},
        status=status,
    )


@login_required
@require_safe
def questionnaireversion_export_view(request, pk, file_format):
    if file_format not in ("json", "xlsx"):
        raise Http404
    version = _version(request, pk, "export")
    if file_format == "xlsx":
        response = HttpResponse(
            selectors.template_workbook(user=request.user, version=version), content_type=XLSX_CONTENT_TYPE
        )
    else:
        document = selectors.template_document(user=request.user, version=version)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = (
        f'attachment; filename="{selectors.template_filename(version, file_format)}"'
    )
    return response


@login_required
def questionnaireversion_import_view(request):
    """Upload a whole template (JSON or XLSX) as a new draft; every problem is listed, nothing written."""
    if not access.may_add(request.user, models.QuestionnaireVersion):
        raise PermissionDenied(_("You may not add questionnaire versions."))
    form = forms.TemplateImportForm(request.POST or None, request.FILES or None)
    restrict_form_fields(form, request.user)
    problems, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > services.TEMPLATE_IMPORT_MAX_BYTES:
                form.add_error(
                    "file",
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {
                        "size": f"{upload.size / 2**20:.1f}",
                        "limit": f"{services.TEMPLATE_IMPORT_MAX_BYTES / 2**20:.0f}",
                    },
                )
            else:
                try:
                    version = services.questionnaire_version_import(
                        user=request.user,
                        network=form.cleaned_data["network"],
                        data=upload.read(),
                    )
                except services.TemplateImportError as error:
                    problems = error.problems
                except PermissionDenied as error:
                    form.add_error("network", str(error))
                else:
                    messages.success(request, _("%(version)s imported as a draft.") % {"version": version})
                    return redirect(version.get_absolute_url())
    return render(
        request,
        "assessments/questionnaireversion_import.html",
        {"form": form, "problems": problems, "limit_mb": services.TEMPLATE_IMPORT_MAX_BYTES // 2**20},
        status=status,
    )


# --- the builder of a draft ---------------------------------------------------------------------------


def _draft(request, pk):
    """A draft the user may build: 404 when invisible, 403 when published or not theirs."""
    return _version(request, pk, "change")


@login_required
@require_safe
def questionnaireversion_builder_view(request, pk):
    version = _draft(request, pk)
    context = selectors.questionnaire_version_page(user=request.user, version=version)
    context.update(object=context["version"], section_form=forms.SectionBuilderForm())
    return render(request, "assessments/questionnaireversion_builder.html", context)


def _fragment_or_redirect(request, version, template, context, *, status=200, retarget=None):
    """htmx requests get the fragment (swapped into `retarget` when given); plain form posts (no
    JavaScript) go back to the builder."""
    if request.htmx:
        # htmx swaps only 2xx answers: a form with errors comes back as 200, showing its messages.
        response = render(request, template, context)
        if retarget:
            response["HX-Retarget"] = retarget
            response["HX-Reswap"] = "outerHTML"
        return response
    if status >= 400:
        for message in context.get("errors", []):
            messages.error(request, message)
    return redirect("assessments:questionnaireversion_builder", version.pk)


def _section_context(request, section):
    section = selectors.builder_section(user=request.user, section=section)
    return {"section": section, "version": section.version, "can_build": True}


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
        for name, errors in form.errors.items()
        for error in errors
    ]


@login_required
def section_builder_form_view(request, version_pk, pk=None):
    """Add a section to a draft (no pk) or edit one in place."""
    version = _draft(request, version_pk)
    instance = None
    if pk is not None:
        instance = access.get_object_for(
            request.user, models.Section.objects.filter(version=version), "change", pk=pk
        )
    form = forms.SectionBuilderForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if instance is None:
                saved = services.section_create(user=request.user, version=version, **data)
            else:
                if data.get("order") is None:
                    data.pop("order")
                saved = services.section_update(user=request.user, section=instance, changes=data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _fragment_or_redirect(
                request, version, "assessments/section_builder.html", _section_context(request, saved)
            )
    template = "assessments/section_builder_form.html"
    context = {"form": form, "version": version, "section": instance, "errors": _form_errors(form)}
    if request.method == "GET" and not request.htmx:
        return redirect(
            reverse("assessments:section_edit", args=[pk])
            if pk
            else reverse("assessments:section_add") + f"?version={version.pk}"
        )
    return _fragment_or_redirect(
        request, version, template, context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_safe
def section_builder_view(request, pk):
    """One section of the builder as shown (the "cancel" of an inline form)."""
    section = access.get_object_for(request.user, models.Section.objects.all(), "change", pk=pk)
    return render(request, "assessments/section_builder.html", _section_context(request, section))


@login_required
@require_POST
def section_builder_delete_view(request, pk):
    section = access.get_object_for(request.user, models.Section.objects.all(), "change", pk=pk)
    version = section.version
    try:
        services.section_delete(user=request.user, section=section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:questionnaireversion_builder", version.pk)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Section %(code)s deleted.") % {"code": section.code})
    return redirect("assessments:questionnaireversion_builder", version.pk)


def _question_context(request, question):
    question = selectors.builder_question(user=request.user, question=question)
    return {
        "question": question,
        "version": question.version,
        "can_build": True,
        "descriptors_form": forms.DescriptorsForm(question=question, prefix=f"q{question.pk}"),
        "choice_form": forms.ChoiceBuilderForm(prefix=f"q{question.pk}"),
    }


@login_required
def question_builder_form_view(request, section_pk, pk=None):
    """Add a question to a draft's section (no pk) or edit one in place."""
    section = access.get_object_for(
        request.user, models.Section.objects.select_related("version"), "change", pk=section_pk
    )
    version = section.version
    instance = None
    if pk is not None:
        instance = access.get_object_for(
            request.user, models.Question.objects.filter(section=section), "change", pk=pk
        )
    form = forms.QuestionBuilderForm(
        request.POST or None, instance=instance, version=version, prefix=f"s{section.pk}q{pk or 'new'}"
    )
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if instance is None:
                saved = services.question_create(user=request.user, section=section, **data)
            else:
                if data.get("order") is None:
                    data.pop("order")
                saved = services.question_update(user=request.user, question=instance, changes=data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if instance is None:  # the new question shows in its section, in order
                return _fragment_or_redirect(
                    request,
                    version,
                    "assessments/section_builder.html",
                    _section_context(request, section),
                    retarget=f"#builder-section-{section.pk}",
                )
            return _fragment_or_redirect(
                request, version, "assessments/question_builder.html", _question_context(request, saved)
            )
    if request.method == "GET" and not request.htmx:
        return redirect(
            reverse("assessments:question_edit", args=[pk])
            if pk
            else reverse("assessments:question_add") + f"?section={section.pk}"
        )
    context = {
        "form": form,
        "section": section,
        "question": instance,
        "version": version,
        "errors": _form_errors(form),
    }
    return _fragment_or_redirect(
        request,
        version,
        "assessments/question_builder_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def question_builder_view(request, pk):
    question = access.get_object_for(request.user, models.Question.objects.all(), "change", pk=pk)
    return render(request, "assessments/question_builder.html", _question_context(request, question))


@login_required
@require_POST
def question_builder_delete_view(request, pk):
    question = access.get_object_for(request.user, models.Question.objects.all(), "change", pk=pk)
    version = question.version
    try:
        services.question_delete(user=request.user, question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:questionnaireversion_builder", version.pk)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Question %(code)s deleted.") % {"code": question.code})
    return redirect("assessments:questionnaireversion_builder", version.pk)


@login_required
@require_POST
def question_descriptors_view(request, pk):
    """Save the five level descriptors of a draft's capability-level question."""
    question = access.get_object_for(
        request.user, models.Question.objects.select_related("version"), "change", pk=pk
    )
    form = forms.DescriptorsForm(request.POST, question=question, prefix=f"q{question.pk}")
    errors = []
    if form.is_valid():
        try:
            services.question_descriptors_save(user=request.user, question=question, texts=form.texts())
        except ValidationError as error:
            errors = _explain(error)
    context = _question_context(request, question)
    context["errors"] = errors
    if not errors and not request.htmx:
        messages.success(request, _("Level descriptors of %(code)s saved.") % {"code": question.code})
    return _fragment_or_redirect(
        request, question.version, "assessments/question_builder.html", context, status=400 if errors else 200
    )


@login_required
@require_POST
def question_choice_add_view(request, pk):
    """Add an option to a draft's choice question."""
    question = access.get_object_for(
        request.user, models.Question.objects.select_related("version"), "change", pk=pk
    )
    form = forms.ChoiceBuilderForm(request.POST, prefix=f"q{question.pk}")
    errors = []
    if form.is_valid():
        try:
            services.choice_create(user=request.user, question=question, **form.cleaned_data)
        except ValidationError as error:
            errors = _explain(error)
    else:
        errors = _form_errors(form)
    context = _question_context(request, question)
    context["errors"] = errors
    return _fragment_or_redirect(
        request, question.version, "assessments/question_builder.html", context, status=400 if errors else 200
    )


@login_required
@require_POST
def question_choice_delete_view(request, pk):
    item = access.get_object_for(
        request.user, models.Choice.objects.select_related("question__version"), "change", pk=pk
    )
    question = item.question
    errors = []
    try:
        services.choice_delete(user=request.user, choice=item)
    except ValidationError as error:
        errors = _explain(error)
    context = _question_context(request, question)
    context["errors"] = errors
    return _fragment_or_redirect(
        request, question.version, "assessments/question_builder.html", context, status=400 if errors else 200
    )


urlpatterns = [
    path("questionnaires/import/", questionnaireversion_import_view, name="questionnaireversion_import"),
    path(
        "questionnaires/<int:pk>/builder/",
        questionnaireversion_builder_view,
        name="questionnaireversion_builder",
    ),
    path(
        "questionnaires/<int:pk>/publish/",
        questionnaireversion_publish_view,
        name="questionnaireversion_publish",
    ),
    path(
        "questionnaires/<int:pk>/retire/",
        questionnaireversion_retire_view,
        name="questionnaireversion_retire",
    ),
    path(
        "questionnaires/<int:pk>/new-version/",
        questionnaireversion_new_version_view,
        name="questionnaireversion_new_version",
    ),
    path(
        "questionnaires/<int:pk>/export.<str:file_format>",
        questionnaireversion_export_view,
        name="questionnaireversion_export",
    ),
    path(
        "questionnaires/<int:version_pk>/builder/sections/add/",
        section_builder_form_view,
        name="section_builder_add",
    ),
    path(
        "questionnaires/<int:version_pk>/builder/sections/<int:pk>/edit/",
        section_builder_form_view,
        name="section_builder_edit",
    ),
    path("questionnaires/builder/sections/<int:pk>/", section_builder_view, name="section_builder"),
    path(
        "questionnaires/builder/sections/<int:pk>/delete/",
        section_builder_delete_view,
        name="section_builder_delete",
    ),
    path(
        "questionnaires/builder/sections/<int:section_pk>/questions/add/",
        question_builder_form_view,
        name="question_builder_add",
    ),
    path(
        "questionnaires/builder/sections/<int:section_pk>/questions/<int:pk>/edit/",
        question_builder_form_view,
        name="question_builder_edit",
    ),
    path("questionnaires/builder/questions/<int:pk>/", question_builder_view, name="question_builder"),
    path(
        "questionnaires/builder/questions/<int:pk>/delete/",
        question_builder_delete_view,
        name="question_builder_delete",
    ),
    path(
        "questionnaires/builder/questions/<int:pk>/descriptors/",
        question_descriptors_view,
        name="question_descriptors",
    ),
    path(
        "questionnaires/builder/questions/<int:pk>/choices/add/",
        question_choice_add_view,
        name="question_choice_add",
    ),
    path(
        "questionnaires/builder/choices/<int:pk>/delete/",
        question_choice_delete_view,
        name="question_choice_delete",
    ),
    *questionnaire_version.urls("questionnaires", "questionnaireversion"),
    *section.urls("questionnaires/sections", "section"),
    *question.urls("questionnaires/questions", "question"),
    *level_descriptor.urls("questionnaires/level-descriptors", "leveldescriptor"),
    *choice.urls("questionnaires/choices", "choice"),
]
