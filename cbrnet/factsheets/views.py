"""Web UI of fact sheets: the fact sheet of a region and of a country (page and PDF), the network
dashboard, and the generic pages of achievements.

Every view fetches through the access engine (invisible: 404) and reads through the selectors.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.core.generic import ModelViews
from cbrnet.core.maps import render_map_legend, render_world_map
from cbrnet.core.tables import Column
from cbrnet.factsheets import filters, forms, models, pdf, selectors
from cbrnet.registry.models import Country, Network, Region

achievement = ModelViews(
    models.Achievement,
    form=forms.AchievementForm,
    filterset=filters.AchievementFilterSet,
    queryset=models.Achievement.objects.select_related("region", "project"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("region", order_by="region__name"),
        Column("date", order_by="date"),
        Column("project.code", label=gettext_lazy("Project")),
    ],
    fields=["region", "date", "title", "text", "project", "source"],
    export_fields=[
        ("id", "pk"),
        ("region", "region.code"),
        ("date", "date"),
        ("title", "title"),
        ("text", "text"),
        ("project", "project.code"),
        ("source", "source"),
    ],
    title=gettext_lazy("Achievements"),
)


def _as_of(request):
    """The `as_of` date of the query (today when absent), and the form to show its error."""
    form = forms.FactSheetForm(request.GET or None)
    return form, form.as_of_date() if form.is_bound else None


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _region(request, pk) -> Region:
    return access.get_object_for(request.user, Region.objects.select_related("network"), "view", pk=pk)


def _country(request, pk) -> Country:
    return access.get_object_for(request.user, Country.objects.all(), "view", pk=pk)


@login_required
def region_factsheet_view(request, pk):
    region = _region(request, pk)
    form, as_of = _as_of(request)
    sheet = selectors.region_fact_sheet(user=request.user, region=region, as_of=as_of)
    codes = [line.iso2 for line in sheet.partners + sheet.potential_partners]
    classes = {line.iso2: f"stage-{line.stage or 0}" for line in sheet.partners}
    classes.update({line.iso2: "potential" for line in sheet.potential_partners})
    links = {line.iso2: _country_sheet_url(line.id) for line in sheet.partners + sheet.potential_partners}
    legend = {**selectors.stage_legend(), "potential": str(gettext_lazy("Potential partner country"))}
    return render(
        request,
        "factsheets/region_factsheet.html",
        {
            "region": region,
            "sheet": sheet,
            "form": form,
            "map": render_world_map(classes, links, region.name, crop=codes or False, legend=legend)
            if codes
            else "",
            "legend": render_map_legend(
                {key: label for key, label in legend.items() if key in set(classes.values())}
            ),
            "achievement_add_url": (
                f"{reverse('factsheets:achievement_add')}?region={region.pk}"
                if access.may_add(request.user, models.Achievement)
                and access.can(request.user, "change", region)
                else ""
            ),
            "query": _query(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def region_factsheet_pdf_view(request, pk):
    region = _region(request, pk)
    _form, as_of = _as_of(request)
    sheet = selectors.region_fact_sheet(user=request.user, region=region, as_of=as_of)
    return pdf_response(pdf.region_fact_sheet_pdf(sheet), pdf.filename(sheet))


@login_required
def country_factsheet_view(request, pk):
    country = _country(request, pk)
    form, as_of = _as_of(request)
    sheet = selectors.country_fact_sheet(user=request.user, country=country, as_of=as_of)
    return render(
        request,
        "factsheets/country_factsheet.html",
        {
            "country": country,
            "sheet": sheet,
            "form": form,
            "query": _query(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def country_factsheet_pdf_view(request, pk):
    country = _country(request, pk)
    _form, as_of = _as_of(request)
    sheet = selectors.country_fact_sheet(user=request.user, country=country, as_of=as_of)
    return pdf_response(pdf.country_fact_sheet_pdf(sheet), pdf.filename(sheet))


def _query(request) -> str:
    value = request.GET.get("as_of", "")
    return f"?as_of={value}" if value and forms.FactSheetForm(request.GET).is_valid() else ""


def _country_sheet_url(pk) -> str:
    from cbrnet.registry.models import detail_url

    return detail_url("factsheets:country_factsheet", pk)


def default_network(user) -> Network | None:
    """The network a dashboard opens on: the first network of the user's organisation, else the first
    network the user may see (by name)."""
    visible = access.restrict(Network.objects.all(), user).order_by("name")
    ids = access.user_context(user).network_ids
    return (visible.filter(pk__in=list(ids)).first() if ids else None) or visible.first()


@login_required
def dashboard_view(request):
    form = forms.DashboardForm(request.GET or None)
    form.fields["network"].queryset = access.restrict(Network.objects.all(), request.user).order_by("name")
    network = family = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        network = data.get("network") or default_network(request.user)
        family = data.get("family") or None
    dashboard = (
        selectors.network_dashboard(user=request.user, network=network, family=family) if network else None
    )
    context = {"form": form, "dashboard": dashboard, "network": network}
    if dashboard is not None:
        title = str(gettext_lazy("Partner countries of %(network)s by methodology stage")) % {
            "network": network
        }
        context["map"] = render_world_map(
            dashboard.map_classes,
            dashboard.map_links,
            title,
            crop=bool(dashboard.map_classes),
            legend=dashboard.legend,
        )
        context["legend"] = render_map_legend(dashboard.legend)
    return render(request, "factsheets/dashboard.html", context, status=400 if form.errors else 200)
