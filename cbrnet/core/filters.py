"""Base filter set shared by list pages, API lists and exports: free-text search plus field filters."""

import hashlib
import operator
from functools import reduce

import django_filters
from django.core.cache import cache
from django.db.models import Q
from django.forms import NumberInput, TextInput
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cbrnet.core.widgets import ReferenceSelect, speed_up_selects

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


_OPTIONS: dict[tuple, tuple[tuple, list]] = {}  # per process: the choices they were made from, the options


def _reference_options(queryset, empty_label) -> list[tuple[str, str, str]]:
    """The options of a reference list rendered once, as (value, <option>, selected <option>): a list
    page renders hundreds of them (countries, languages) on every request, for every user alike.

    Kept in the process while the cached choices stay the same (rendered options would cost more to
    unpickle from the shared cache than the choices they are made from)."""
    choices = tuple(_reference_choices(queryset, empty_label))
    key = (queryset.model._meta.label, get_language(), str(empty_label))
    memo = _OPTIONS.get(key)
    if memo is not None and memo[0] == choices:
        return memo[1]
    options = [
        (
            str(value),
            format_html('<option value="{}">{}</option>', value, label),
            format_html('<option value="{}" selected>{}</option>', value, label),
        )
        for value, label in choices
    ]
    _OPTIONS[key] = (choices, options)
    return options


def render_filter_fields(filterset) -> str:
    """The fields of a list page's filter form (label, widget, errors), cached per query.

    Only when the same query renders the same fields for every user: every list of choices is
    reference data (cached as briefly as `_reference_choices`) or an id box, and nothing is in error.
    Other forms are rendered each time, as a template loop over the fields would."""
    form = filterset.form
    cacheable = not form.errors and not any(
        getattr(field, "queryset", None) is not None and not isinstance(field.widget, (ReferenceSelect, NumberInput))
        for field in form.fields.values()
    )
    key = None
    if cacheable:
        data = form.data if form.is_bound else {}
        values = [
            (name, data.getlist(form.add_prefix(name)) if hasattr(data, "getlist") else data.get(form.add_prefix(name)))
            for name in form.fields
        ]
        parts = [type(filterset).__module__, type(filterset).__qualname__, get_language(), repr(form.is_bound), repr(values)]
        key = "filter-fields:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # noqa: S308 - built with format_html below
    rows = []
    for field in form:
        errors = format_html_join("", '<p class="error">{}</p>', ((error,) for error in field.errors))
        rows.append(format_html('<div class="field">{} {}{}</div>', field.label_tag(), field, errors))
    html = "\n".join(rows)
    if key is not None:
        cache.set(key, html, REFERENCE_CHOICES_SECONDS)
    return mark_safe(html)  # noqa: S308 - built with format_html above


class SearchInput(TextInput):
    input_type = "search"


DATABASE_INTEGER_MAX = 2**63 - 1


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
            if isinstance(filter_, django_filters.NumberFilter):
                # Beyond the databases' 64-bit integers a lookup fails (SQLite raises OverflowError):
                # such a number is bad input naming its filter, never a server error.
                filter_.extra.setdefault("max_value", DATABASE_INTEGER_MAX)
                filter_.extra.setdefault("min_value", -DATABASE_INTEGER_MAX)
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
                    widget = ReferenceSelect(attrs=field.widget.attrs, options=_reference_options(queryset, field.empty_label))
                    widget.is_required = field.widget.is_required
                    field.widget = widget
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
