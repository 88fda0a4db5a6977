"""Base filter set shared by list pages, API lists and exports: free-text search plus field filters."""

import operator
from functools import reduce

import django_filters
from django.core.cache import cache
from django.db.models import Q
from django.forms import NumberInput, TextInput
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cbrnet.core.widgets import speed_up_selects

REFERENCE_CHOICES_SECONDS = 60


def _is_public_reference(model) -> bool:
    """Reference data every signed-in user reads in full (countries, regions, languages…)."""
    from cbrnet.access.policies import ScopedPolicy

    policy = getattr(model, "access_policy", None)
    return isinstance(policy, ScopedPolicy) and policy.public_read and model._meta.model_name not in BaseFilterSet.large_relations


def _reference_choices(queryset, empty_label) -> list[tuple]:
    """The (id, label) options of a reference list, cached briefly: the same for every user."""
    key = f"filter-choices:{queryset.model._meta.label}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = [(obj.pk, str(obj)) for obj in queryset.model._default_manager.all()]
        cache.set(key, choices, REFERENCE_CHOICES_SECONDS)
    return ([("", empty_label)] if empty_label is not None else []) + choices


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
            for field in form.fields.values():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and _is_public_reference(queryset.model):
                    # Validation keeps the queryset; only the rendered options come from the cache.
                    field.widget.choices = _reference_choices(queryset, field.empty_label)
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
