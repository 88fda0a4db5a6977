"""Filters of project, activity and participation lists: the same ones serve the web UI, the API and exports."""

import django_filters
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.projects import models
from cbrnet.registry.choices import Domain
from cbrnet.registry.models import Membership, Region


def _in_region(field: str):
    def method(self, queryset, name, value):
        countries = Membership.objects.current().filter(region=value).values("country_id")
        return queryset.filter(**{f"{field}__in": countries})

    return method


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("code", "title", "objectives", "origin_detail", "status_note")
    cbrn_areas = django_filters.ChoiceFilter(choices=Domain.choices, method="with_domain", label=_("CBRN area"))

    class Meta:
        model = models.Project
        fields = [
            "network", "code", "regions", "countries", "thematic_areas", "priorities", "funding_instrument",
            "lead_implementer", "implementers", "start_date", "end_date", "start_year", "end_year", "budget",
            "currency", "status", "status_changed_on", "origin",
        ]

    def with_domain(self, queryset, name, value):
        # One letter per area in the stored text (see models.encode_domains): "contains" is exact.
        return queryset.filter(cbrn_areas__contains=value)


class ActivityFilterSet(BaseFilterSet):
    search_fields = ("title", "city", "project__code", "project__title", "agenda", "outcomes")
    year = django_filters.NumberFilter(method="in_year", label=_("Year"))
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), method="in_region", label=_("Region"))
    unfiltered = {
        "latitude": "a position on the map, not a criterion (filter by country or city)",
        "longitude": "a position on the map, not a criterion (filter by country or city)",
    }

    class Meta:
        model = models.Activity
        fields = ["project", "kind", "status", "start_date", "end_date", "country", "city", "organisers", "thematic_areas"]

    def in_year(self, queryset, name, value):
        return queryset.annotate(start_year=ExtractYear("start_date")).filter(start_year=value)

    def in_region(self, queryset, name, value):
        # The activity's project works in the region (not where the activity took place).
        return queryset.filter(project__in=models.Project.objects.filter(regions=value).values("pk"))


class ParticipationFilterSet(BaseFilterSet):
    # Names only: never e-mail or phone (they would reveal contact details).
    search_fields = ("person__given_name", "person__family_name", "activity__title", "note")
    project = django_filters.ModelChoiceFilter(
        queryset=models.Project.objects.all(), field_name="activity__project", label=_("Project")
    )
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), method="in_region", label=_("Region"))
    unfiltered = {"certificate_code": "a verification code is checked on its own page, never listed by value"}

    class Meta:
        model = models.Participation
        fields = [
            "activity", "person", "role", "attended", "certificate_issued", "certificate_issued_on", "country",
            "organisation", "gender",
        ]

    in_region = _in_region("country_id")
