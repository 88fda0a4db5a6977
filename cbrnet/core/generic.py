"""Generic list, detail, edit and delete views. Every one of them goes through the access engine.

A model's UI is then mostly declarations (see registry/views.py): the queryset, a filter set, the
list columns, the form and the export fields.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from cbrnet import access
from cbrnet.core import services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.core.models import AuditEntry


def url_name(model, action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def restrict_form_fields(form, user) -> None:
    """Offer only choices the user may see in every related-object field."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            field.queryset = queryset.restrict(user, "view")


def history_for(instance, user, limit: int = 50):
    """The audit entries of one record, contact details blanked for users who may not see them."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    entries = list(
        AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk)).order_by("-pk")[:limit]
    )
    hidden = set(getattr(instance, "contact_fields", ())) if not _contact_visible(instance, user) else set()
    redact = set(getattr(instance, "audit_redact", ()))
    for entry in entries:
        entry.rows = []
        keys = list((entry.after or entry.before or {}).keys())
        for key in keys:
            before = (entry.before or {}).get(key, "")
            after = (entry.after or {}).get(key, "")
            if key in hidden or key in redact:
                before, after = ("***" if before else ""), ("***" if after else "")
            entry.rows.append((key, before, after))
    return entries


def _contact_visible(instance, user) -> bool:
    if not getattr(instance, "contact_fields", None):
        return True
    return access.contact_visible(user, instance)


class ObjectListView(LoginRequiredMixin, View):
    model = None
    queryset = None
    filterset_class = None
    columns: list = []
    export_fields: list = []
    template_name = "core/object_list.html"
    table_template = "core/_object_table.html"
    title = ""
    paginate_by = 25
    max_paginate_by = 200

    def get_queryset(self):
        return self.queryset.all() if self.queryset is not None else self.model.objects.all()

    def get(self, request, *args, **kwargs):
        model = self.model
        base = self.get_queryset()
        filterset = self.filterset_class(request.GET or None, queryset=base, request=request)
        if filterset.is_bound and not filterset.is_valid():
            queryset = base.none()
        else:
            queryset = filterset.qs
        file_format = request.GET.get("export")
        if file_format in EXPORT_FORMATS and self.export_fields:
            if access.restrict(queryset, request.user, "export").count() > settings.EXPORT_INLINE_MAX_ROWS:
                # A long export would hold a worker and memory: it runs as a background job instead.
                messages.info(request, _("This list is long: use “Export all rows” to export it in the background."))
                query = request.GET.copy()
                query.pop("export")
                return redirect(f"{request.path}?{query.urlencode()}")
            return export_response(
                queryset, request.user, self.export_fields, basename=model._meta.model_name, file_format=file_format
            )
        queryset = access.restrict(queryset, request.user, "view")
        ordering = request.GET.get("ordering")
        allowed = {column.order_by for column in self.columns if column.order_by}
        if ordering and ordering.lstrip("-") in allowed:
            queryset = queryset.order_by(ordering, "pk")
        elif not queryset.ordered:
            queryset = queryset.order_by("pk")
        try:
            per_page = min(int(request.GET.get("per_page", self.paginate_by)), self.max_paginate_by)
        except ValueError:
            per_page = self.paginate_by
        page = Paginator(queryset, max(per_page, 1)).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "model": model,
            "verbose_name": model._meta.verbose_name,
            "verbose_name_plural": model._meta.verbose_name_plural,
            "title": self.title or model._meta.verbose_name_plural.capitalize(),
            "filterset": filterset,
            "page": page,
            "rows": [(row, [column.value(row) for column in self.columns]) for row in page.object_list],
            "columns": [(column, column.header(model)) for column in self.columns],
            "ordering": ordering or "",
            "query": query.urlencode(),
            "can_add": access.may_add(request.user, model),
            "add_url": _maybe_reverse(url_name(model, "add")),
            "exportable": bool(self.export_fields),
            "export_in_background": page.paginator.count > settings.EXPORT_INLINE_MAX_ROWS,
        }
        context.update(self.extra_context(request))
        template = self.table_template if request.htmx and not request.htmx.boosted else self.template_name
        return render(request, template, context)

    def extra_context(self, request):
        return {}


def _maybe_reverse(name, args=None):
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class ObjectDetailView(LoginRequiredMixin, View):
    model = None
    queryset = None
    template_name = None
    fields: list[str] = []

    def get_queryset(self):
        return self.queryset.all() if self.queryset is not None else self.model.objects.all()

    def get(self, request, pk):
        model = self.model
        # Whether the user may change or delete the record comes with the record: one query, not three.
        permissions = {
            f"cbrnet_may_{action}": Exists(access.restrict(model.objects.filter(pk=OuterRef("pk")), request.user, action))
            for action in ("change", "delete")
        }
        instance = access.get_object_for(request.user, self.get_queryset().annotate(**permissions), "view", pk=pk)
        contact_ok = _contact_visible(instance, request.user)
        hidden = set() if contact_ok else set(getattr(model, "contact_fields", ()))
        rows = []
        for name in self.fields:
            if name in hidden:
                continue
            field = model._meta.get_field(name)
            value = getattr(instance, name)
            display = getattr(instance, f"get_{name}_display", None)
            if callable(display):
                value = display()
            elif hasattr(value, "all"):
                value = list(value.all())
            rows.append((field.verbose_name, value))
        context = {
            "object": instance,
            "model": model,
            "verbose_name": model._meta.verbose_name,
            "rows": rows,
            "contact_visible": contact_ok,
            "can_change": instance.cbrnet_may_change,
            "can_delete": instance.cbrnet_may_delete,
            "edit_url": _maybe_reverse(url_name(model, "edit"), [instance.pk]),
            "delete_url": _maybe_reverse(url_name(model, "delete"), [instance.pk]),
            "list_url": _maybe_reverse(url_name(model, "list")),
            "history": history_for(instance, request.user),
        }
        context.update(self.extra_context(request, instance))
        template = self.template_name or [
            f"{model._meta.app_label}/{model._meta.model_name}_detail.html",
            "core/object_detail.html",
        ]
        return render(request, template, context)

    def extra_context(self, request, instance):
        return {}


class ObjectEditView(LoginRequiredMixin, View):
    """Add (no pk) or change (pk) a record through a ModelForm and the generic save service."""

    model = None
    form_class = None
    template_name = "core/object_edit.html"

    def get_object(self, request, pk):
        if pk is None:
            if not access.may_add(request.user, self.model):
                raise PermissionDenied(_("You may not add records of this kind."))
            return self.model()
        return access.get_object_for(request.user, self.model.objects.all(), "change", pk=pk)

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(data=data, files=files, instance=instance, initial=self.initial(request, instance))
        restrict_form_fields(form, request.user)
        return form

    def initial(self, request, instance):
        return {key: value for key, value in request.GET.items() if key in self.form_class.base_fields}

    def get(self, request, pk=None):
        instance = self.get_object(request, pk)
        return self.render(request, instance, self.get_form(request, instance))

    def post(self, request, pk=None):
        instance = self.get_object(request, pk)
        form = self.get_form(request, instance, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = self.save(request, form)
            except ValidationError as error:
                add_validation_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
                return redirect(saved.get_absolute_url())
        return self.render(request, instance, form, status=400)

    def save(self, request, form):
        instance = form.save(commit=False)
        m2m = {name: form.cleaned_data[name] for name in form.cleaned_data if name in _m2m_names(self.model)}
        return services.record_save(user=request.user, instance=instance, m2m=m2m)

    def render(self, request, instance, form, status=200):
        adding = instance._state.adding
        context = {
            "form": form,
            "object": None if adding else instance,
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "adding": adding,
            "cancel_url": _maybe_reverse(url_name(self.model, "list")) if adding else instance.get_absolute_url(),
        }
        return render(request, self.template_name, context, status=status)


def _m2m_names(model):
    return {field.name for field in model._meta.many_to_many}


def add_validation_errors(form, error: ValidationError):
    """Show a service's ValidationError on the form: by field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ObjectDeleteView(LoginRequiredMixin, View):
    model = None
    template_name = "core/object_delete.html"

    def get_object(self, request, pk):
        return access.get_object_for(request.user, self.model.objects.all(), "delete", pk=pk)

    def get(self, request, pk):
        instance = self.get_object(request, pk)
        return render(request, self.template_name, {"object": instance, "verbose_name": self.model._meta.verbose_name})

    def post(self, request, pk):
        instance = self.get_object(request, pk)
        try:
            services.record_delete(user=request.user, instance=instance)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("%(name)s deleted.") % {"name": instance})
        return redirect(reverse(url_name(self.model, "list")))


def not_found(*args, **kwargs):
    raise Http404


REGISTERED: dict = {}  # model -> ModelViews, for the meta-tests (every model has a UI and filters)


class ModelViews:
    """The four generic views of one model, configured in one place (see registry/views.py)."""

    def __init__(self, model, *, form, filterset, columns, fields, export_fields=(), queryset=None,
                 list_template=None, detail_class=ObjectDetailView, list_class=ObjectListView, title=""):
        REGISTERED[model] = self
        self.model, self.filterset = model, filterset
        base = queryset if queryset is not None else model.objects.all()
        list_attrs = {"model": model, "queryset": base, "filterset_class": filterset, "columns": list(columns),
                      "export_fields": list(export_fields), "title": title}
        if list_template:
            list_attrs["template_name"] = list_template
        self.list = type(f"{model.__name__}ListView", (list_class,), list_attrs).as_view()
        self.detail = type(f"{model.__name__}DetailView", (detail_class,),
                           {"model": model, "queryset": base, "fields": list(fields)}).as_view()
        self.edit = type(f"{model.__name__}EditView", (ObjectEditView,), {"model": model, "form_class": form}).as_view()
        self.delete = type(f"{model.__name__}DeleteView", (ObjectDeleteView,), {"model": model}).as_view()

    def urls(self, prefix: str, name: str):
        from django.urls import path

        base = f"{prefix}/" if prefix else ""
        return [
            path(base, self.list, name=f"{name}_list"),
            path(f"{base}add/", self.edit, name=f"{name}_add"),
            path(f"{base}<int:pk>/", self.detail, name=f"{name}_detail"),
            path(f"{base}<int:pk>/edit/", self.edit, name=f"{name}_edit"),
            path(f"{base}<int:pk>/delete/", self.delete, name=f"{name}_delete"),
        ]
