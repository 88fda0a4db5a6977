"""Filters of action plan lists: the same ones serve the web UI, the API and exports."""

import django_filters
from django.db.models import Q
from django.forms import NumberInput
from django.utils.translation import gettext_lazy as _

from cbrnet.actionplans import models
from cbrnet.core.filters import BaseFilterSet
from cbrnet.registry.choices import Domain
from cbrnet.registry.models import Membership, Region

USER_ACCOUNT = (
    "a user account: who did a step is on the record's page and in its history, never a list criterion"
)


class ActionPlanFilterSet(BaseFilterSet):
    search_fields = ("title", "summary", "status_note", "adoption_reference", "country__name")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), method="in_region", label=_("Region")
    )
    year = django_filters.NumberFilter(
        method="covering_year",
        label=_("Covers the year"),
        widget=NumberInput(attrs={"min": 2000, "max": 2100}),
    )
    unfiltered = {"approved_by": USER_ACCOUNT}

    class Meta:
        model = models.ActionPlan
        fields = [
            "country",
            "network",
            "assessment",
            "status",
            "start_year",
            "end_year",
            "submitted_at",
            "approved_at",
            "adopted_on",
        ]

    def in_region(self, queryset, name, value):
        countries = Membership.objects.current().filter(region=value).values("country_id")
        return queryset.filter(country_id__in=countries, network_id=value.network_id)

    def covering_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class ObjectiveFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "plan__title")
    domains = django_filters.ChoiceFilter(
        choices=Domain.choices, method="with_domain", label=_("CBRN domain")
    )
    country = django_filters.NumberFilter(field_name="plan__country", label=_("Country (id)"))

    class Meta:
        model = models.Objective
        fields = ["plan", "order", "thematic_area"]

    def with_domain(self, queryset, name, value):
        # One letter per domain in the stored text (see projects.models.encode_domains).
        return queryset.filter(domains__contains=value)


class ActionFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "objective__title", "plan__title")
    gap_question = django_filters.NumberFilter(
        field_name="gap_question", label=_("Gap addressed (question id)")
    )
    country = django_filters.NumberFilter(field_name="plan__country", label=_("Country (id)"))
    without_project = django_filters.BooleanFilter(method="carried", label=_("No project carries it yet"))

    class Meta:
        model = models.Action
        fields = [
            "plan",
            "objective",
            "order",
            "lead_agency",
            "partners",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "status",
            "projects",
        ]

    def carried(self, queryset, name, value):
        carried = models.Action.projects.through.objects.values("action_id")
        return queryset.exclude(pk__in=carried) if value else queryset.filter(pk__in=carried)

    def filter_queryset(self, queryset):
        # Filtering by a many-to-many value (partners, projects) joins: keep each action once.
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if data.get("partners") or data.get("projects"):
            queryset = queryset.distinct()
        return queryset


class IndicatorFilterSet(BaseFilterSet):
    search_fields = ("name", "unit", "action__title")
    plan = django_filters.ModelChoiceFilter(
        queryset=models.ActionPlan.objects.all(), field_name="action__plan", label=_("Action plan")
    )

    class Meta:
        model = models.Indicator
        fields = ["action", "name", "unit", "baseline", "target", "current"]


class ProgressReportFilterSet(BaseFilterSet):
    search_fields = ("narrative", "evidence", "action__title")
    plan = django_filters.ModelChoiceFilter(
        queryset=models.ActionPlan.objects.all(), field_name="action__plan", label=_("Action plan")
    )
    with_evidence = django_filters.BooleanFilter(method="has_evidence", label=_("With evidence"))
    unfiltered = {"author": USER_ACCOUNT}

    class Meta:
        model = models.ProgressReport
        fields = ["action", "date", "status", "percent_complete"]

    def has_evidence(self, queryset, name, value):
        empty = Q(evidence="") | Q(evidence__isnull=True)
        return queryset.exclude(empty) if value else queryset.filter(empty)
