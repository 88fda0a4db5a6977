"""Filters of the achievement list: the same ones serve the web UI, the API and exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.factsheets import models


class AchievementFilterSet(BaseFilterSet):
    search_fields = ("title", "text", "project__code", "project__title")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = models.Achievement
        fields = ["region", "date", "project"]
