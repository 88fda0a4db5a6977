"""Base filter set shared by list pages, API lists and exports: free-text search plus field filters."""

import operator
from functools import reduce

import django_filters
from django.db.models import Q
from django.forms import NumberInput, TextInput
from django.utils.translation import gettext_lazy as _

from cbrnet.core.widgets import speed_up_selects


class SearchInput(TextInput):
    input_type = "search"


class BaseFilterSet(django_filters.FilterSet):
    """Subclasses set Meta.model, Meta.fields and `search_fields` (never contact details)."""

    q = django_filters.CharFilter(method="search", label=_("Search"), widget=SearchInput())
    search_fields: tuple[str, ...] = ()
    large_relations = ("organisation", "person", "expertprofile", "user")
    unfiltered: dict[str, str] = {}  # field name -> why it deliberately has no filter (meta-tested)

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # The search box first, then the filters a model declares for people, then per-field ones.
        declared = list(type(self).declared_filters)
        order = ["q", *[name for name in declared if name != "q"]]
        self.filters = dict(
            [(name, self.filters[name]) for name in order if name in self.filters]
            + [(name, value) for name, value in self.filters.items() if name not in order]
        )
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            choices = getattr(filter_, "queryset", None)
            if choices is not None and hasattr(choices, "restrict"):
                filter_.queryset = choices.restrict(user, "view")  # offer only what the user may see
                if choices.model._meta.model_name in self.large_relations:
                    # Thousands of options would make the page heavy on a slow link: take an id
                    # (pages link here with it filled in, e.g. "people of this organisation").
                    filter_.extra["widget"] = NumberInput(attrs={"min": 1})

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_fast_selects", False):
            speed_up_selects(form)
            form._fast_selects = True
        return form

    def search(self, queryset, name, value):
        words = value.split()[:8]
        if not words or not self.search_fields:
            return queryset
        clauses = [
            reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in self.search_fields)) for word in words
        ]
        return queryset.filter(reduce(operator.and_, clauses))
