"""Web UI of surveillance data: diseases, sector authorities, datasets (shared under TLP labels, with
the sharing actions of bulletins) and series with their weekly counts.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
calls one service; a refused input comes back as a message naming the field, with nothing changed.
Uploads of counts and line lists go through the import pages (cbrnet.surveillance.imports).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
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
from cbrnet.core.models import AuditEntry
from cbrnet.core.tables import Column
from cbrnet.exchange.forms import ChangeTlpForm, GrantForm
from cbrnet.sharing import selectors as sharing_selectors
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id
from cbrnet.sharing.predicates import recipient_may_forward
from cbrnet.surveillance import filters, forms
from cbrnet.surveillance.imports import CASES, COUNTS
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series, WeeklyCount
from cbrnet.surveillance.services import ingest
from cbrnet.surveillance.services.datasets import dataset_save

COUNTS_SHOWN = 52  # weeks on the series page unless all are asked for
CORRECTIONS_SHOWN = 20

disease = ModelViews(
    Disease, form=forms.DiseaseForm, filterset=filters.DiseaseFilterSet,
    columns=[Column("code", link=True, order_by="code"), Column("name", order_by="name"), Column("zoonotic"),
             Column("human"), Column("animal"), Column("plant"), Column("food"), Column("environment"),
             Column("icd_code", order_by="icd_code")],
    fields=["code", "name", "zoonotic", "human", "animal", "plant", "food", "environment", "icd_code", "source"],
    export_fields=[("code", "code"), ("name", "name"), ("zoonotic", "zoonotic"), ("human", "human"),
                   ("animal", "animal"), ("plant", "plant"), ("food", "food"), ("environment", "environment"),
                   ("icd_code", "icd_code")],
    title=gettext_lazy("Diseases under surveillance"),
)

sector_authority = ModelViews(
    SectorAuthority, form=forms.SectorAuthorityForm, filterset=filters.SectorAuthorityFilterSet,
    queryset=SectorAuthority.objects.select_related("country", "organisation"),
    columns=[Column("organisation", link=True, order_by="organisation__name"),
             Column("country", order_by="country__name"), Column("sector", order_by="sector")],
    fields=["country", "sector", "organisation"],
    export_fields=[("country", "country.iso2"), ("sector", "sector"), ("organisation", "organisation.name")],
    title=gettext_lazy("Sector authorities"),
)


# --- datasets ------------------------------------------------------------------------------------
def dataset_page(*, user, dataset: Dataset) -> dict:
    """What the dataset page shows besides its fields: its series, the audience (R13) and which
    actions to offer (the services check again)."""
    can_change = access.can(user, "change", dataset)
    owner_editor = sharing.is_owner_editor(user, dataset)
    may_share = can_change and (owner_editor or dataset.status == Status.DRAFT or dataset.tlp == TLP.RED)
    may_forward = dataset.status == Status.PUBLISHED and recipient_may_forward(dataset.tlp)
    series = access.restrict(Series.objects.filter(dataset=dataset).select_related("disease"), user).order_by(
        "disease__name", "admin_area")
    uploads = upload_links(user) if can_change else []
    return {
        "series_list": series,
        "uploads": uploads,
        "can_add_series": can_change,
        "audience": sharing_selectors.shared_item_audience(user=user, item=dataset),
        "approvals": sharing_selectors.shared_item_pending_approvals(user=user, item=dataset),
        "can_publish": can_change and dataset.status != Status.PUBLISHED,
        "can_withdraw": can_change and dataset.status == Status.PUBLISHED,
        "can_change_tlp": can_change,
        "can_grant": may_share or may_forward,
        "can_remove_grants": may_share,
        "tlp_form": ChangeTlpForm(initial={"tlp": dataset.tlp}),
    }


def upload_links(user) -> list[tuple[str, str]]:
    """The upload pages of counts and line lists, when the user may import at all."""
    return [
        (label, reverse("core:import_upload", args=[spec.name]))
        for label, spec in ((_("Upload weekly counts"), COUNTS), (_("Upload a case line list"), CASES))
        if spec.may_import(user)
    ]


class DatasetListView(ObjectListView):
    def extra_context(self, request):
        return {"uploads": upload_links(request.user)}


class DatasetDetailView(ObjectDetailView):
    template_name = "surveillance/dataset_detail.html"

    def extra_context(self, request, instance):
        sharing.shared_item_record_read(user=request.user, item=instance, channel="ui")  # R7
        return dataset_page(user=request.user, dataset=instance)


class DatasetEditView(ObjectEditView):
    model = Dataset
    form_class = forms.DatasetForm

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(data=data, files=files, instance=instance, initial=self.initial(request, instance),
                               user=request.user)
        restrict_form_fields(form, request.user)
        return form

    def save(self, request, form):
        return dataset_save(user=request.user, dataset=form.save(commit=False),
                            networks=form.cleaned_data.get("networks"))


dataset = ModelViews(
    Dataset, form=forms.DatasetForm, filterset=filters.DatasetFilterSet,
    detail_class=DatasetDetailView, list_class=DatasetListView, list_template="surveillance/dataset_list.html",
    queryset=Dataset.objects.select_related("country", "owner_organisation", "author"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("tlp_badge", label=gettext_lazy("TLP")),
        Column("status", order_by="status"),
        Column("country", order_by="country__name"),
        Column("sector", order_by="sector"),
        Column("owner_organisation", order_by="owner_organisation__name"),
        Column("published_at", order_by="published_at"),
    ],
    fields=[],
    export_fields=[
        ("number", "pk"),
        ("title", "title"),
        ("country", "country.iso2"),
        ("sector", "sector"),
        ("method", "method"),
        ("tlp", "tlp"),
        ("status", "status"),
        ("owner", "owner_organisation.name"),
        ("published", "published_at"),
    ],
    title=gettext_lazy("Surveillance datasets"),
)
dataset.edit = DatasetEditView.as_view()


def _dataset(request, pk, action="view") -> Dataset:
    return access.get_object_for(request.user, Dataset.objects.select_related("owner_organisation"), action, pk=pk)


def _explain(error: ValidationError) -> str:
    """One message naming each field, e.g. "TLP: TLP:RED is shared with named people only…"."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    labels = {"tlp": "TLP", "scope": _("Share with"), "status": _("Status"), "networks": _("Networks"),
              "user": _("Person")}
    return " ".join(
        f"{labels.get(field, field.replace('_', ' ').capitalize())}: {message}" if field != "__all__" else message
        for field, field_errors in error.message_dict.items()
        for message in field_errors
    )


def _done(request, item, run, success: str):
    """Run a sharing service; report its refusal by field, or its result (applied, or waiting)."""
    try:
        result = run()
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        if isinstance(result, ShareApproval):
            messages.info(request, _("Waiting for a second editor of %(owner)s to approve (four eyes).")
                          % {"owner": item.owner_organisation})
        else:
            messages.success(request, success)
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def dataset_publish_view(request, pk):
    item = _dataset(request, pk)
    return _done(request, item, lambda: sharing.shared_item_publish(user=request.user, item=item), _("Published."))


@require_POST
@login_required
def dataset_withdraw_view(request, pk):
    item = _dataset(request, pk)
    return _done(request, item, lambda: sharing.shared_item_withdraw(user=request.user, item=item), _("Withdrawn."))


@require_POST
@login_required
def dataset_change_tlp_view(request, pk):
    item = _dataset(request, pk)
    form = ChangeTlpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("TLP: choose one of the labels."))
        return redirect(item.get_absolute_url())
    tlp = form.cleaned_data["tlp"]
    return _done(request, item, lambda: sharing.shared_item_change_tlp(user=request.user, item=item, tlp=tlp),
                 _("The label is now %(label)s.") % {"label": dict(TLP.choices)[tlp]})


@login_required
def dataset_grant_add_view(request, pk):
    """The "Share with…" page: its choices come from the engine (only what the user may see)."""
    item = _dataset(request, pk)
    form = GrantForm(request.POST or None)
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = sharing.shared_item_grant_add(user=request.user, item=item, scope=data["scope"],
                                                   target=data["target"], roles=data["roles"])
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                name = {"user": "person"}.get(field, field)
                form.add_error(name if name in form.fields else None, field_errors)
        else:
            if isinstance(result, ShareApproval):
                messages.info(request, _("Waiting for a second editor of %(owner)s to approve (four eyes).")
                              % {"owner": item.owner_organisation})
            else:
                messages.success(request, _("Shared with %(target)s.") % {"target": result.target})
            return redirect(item.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/bulletin_grant_form.html", {"form": form, "object": item}, status=status)


@require_POST
@login_required
def dataset_grant_remove_view(request, pk, grant_pk):
    item = _dataset(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Dataset), object_id=item.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    return _done(request, item, lambda: sharing.shared_item_grant_remove(user=request.user, item=item, grant=grant),
                 _("No longer shared with %(target)s.") % {"target": grant.target})


# --- series and their counts ---------------------------------------------------------------------
def series_counts(*, user, series: Series, show_all: bool) -> dict:
    """The weekly counts of a series (newest first) and the latest corrections from the audit trail."""
    counts = access.restrict(WeeklyCount.objects.filter(series=series), user).order_by("-week")
    total = counts.count()
    rows = list(counts if show_all else counts[:COUNTS_SHOWN])
    for row in rows:
        row.iso_week = ingest.iso_week_label(row.week)
    corrections = []
    if total:
        content_type = ContentType.objects.get_for_model(WeeklyCount)
        ids = [str(pk) for pk in counts.values_list("pk", flat=True)]
        entries = AuditEntry.objects.filter(
            content_type=content_type, object_id__in=ids, action=AuditEntry.Action.UPDATE
        ).order_by("-pk")[:CORRECTIONS_SHOWN]
        weeks = dict(counts.values_list("pk", "week"))
        for entry in entries:
            week = weeks.get(int(entry.object_id))
            corrections.append({
                "entry": entry,
                "iso_week": ingest.iso_week_label(week) if week else "",
                "before": (entry.before or {}).get("count"),
                "after": (entry.after or {}).get("count"),
                "revision": (entry.after or {}).get("revision"),
            })
    return {"counts": rows, "counts_total": total, "counts_hidden": total - len(rows), "corrections": corrections}


class SeriesDetailView(ObjectDetailView):
    template_name = "surveillance/series_detail.html"

    def extra_context(self, request, instance):
        context = series_counts(user=request.user, series=instance, show_all=request.GET.get("counts") == "all")
        context["can_change_counts"] = access.can(request.user, "change", instance)
        context["count_form"] = forms.WeeklyCountForm()
        return context


class SeriesEditView(ObjectEditView):
    model = Series
    form_class = forms.SeriesForm

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        # A series goes in a dataset the user may change (the engine checks again on save).
        form.fields["dataset"].queryset = Dataset.objects.restrict(request.user, "change").order_by("title")
        return form


series = ModelViews(
    Series, form=forms.SeriesForm, filterset=filters.SeriesFilterSet, detail_class=SeriesDetailView,
    queryset=Series.objects.select_related("dataset__country", "disease"),
    columns=[Column("disease", link=True, order_by="disease__name"),
             Column("admin_area", order_by="admin_area"),
             Column("dataset.country", label=gettext_lazy("Country")),
             Column("dataset.sector", label=gettext_lazy("Sector")),
             Column("dataset", order_by="dataset__title"),
             Column("first_week", order_by="first_week"), Column("last_week", order_by="last_week")],
    fields=["dataset", "disease", "admin_area", "first_week", "last_week", "detected_at"],
    export_fields=[("series", "pk"), ("dataset", "dataset_id"), ("country", "dataset.country.iso2"),
                   ("sector", "dataset.sector"), ("disease", "disease.code"), ("admin_area", "admin_area"),
                   ("first_week", "first_week"), ("last_week", "last_week")],
    title=gettext_lazy("Surveillance series"),
)
series.edit = SeriesEditView.as_view()


@require_POST
@login_required
def series_counts_view(request, pk):
    """Set the count of one week (a late report or a correction) from the series page."""
    item = access.get_object_for(request.user, Series.objects.select_related("dataset__owner_organisation"),
                                 "change", pk=pk)
    form = forms.WeeklyCountForm(request.POST)
    if not form.is_valid():
        for field, field_errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(field_errors)}")
        return redirect(item.get_absolute_url())
    try:
        result = ingest.series_counts_ingest(user=request.user, series=item, rows=[form.cleaned_data])
    except ingest.IngestError as error:
        labels = {"week": _("Week"), "count": _("Count")}
        for problem in error.problems:
            messages.error(request, f"{labels.get(problem.column, problem.column)}: {problem.message}")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if result.changed:
            messages.success(request, _("The count was corrected (revision raised)."))
        elif result.created:
            messages.success(request, _("The count was added."))
        else:
            messages.info(request, _("That week already had this count: nothing changed."))
    return redirect(item.get_absolute_url())


urlpatterns = [
    *disease.urls("diseases", "disease"),
    *sector_authority.urls("authorities", "sectorauthority"),
    *dataset.urls("datasets", "dataset"),
    path("datasets/<int:pk>/publish/", dataset_publish_view, name="dataset_publish"),
    path("datasets/<int:pk>/withdraw/", dataset_withdraw_view, name="dataset_withdraw"),
    path("datasets/<int:pk>/tlp/", dataset_change_tlp_view, name="dataset_change_tlp"),
    path("datasets/<int:pk>/grants/", dataset_grant_add_view, name="dataset_grant_add"),
    path("datasets/<int:pk>/grants/<int:grant_pk>/remove/", dataset_grant_remove_view, name="dataset_grant_remove"),
    *series.urls("series", "series"),
    path("series/<int:pk>/counts/", series_counts_view, name="series_counts"),
]
