"""List filters of questionnaire templates, shared by the list pages, the API lists and the exports.
Relations with many rows (sections, questions) are filtered by id: pages link here with it filled in."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cbrnet.assessments.models import Choice, LevelDescriptor, Question, QuestionnaireVersion, Section
from cbrnet.core.filters import BaseFilterSet
from cbrnet.registry.choices import Domain


class QuestionnaireVersionFilterSet(BaseFilterSet):
    search_fields = ("name", "description", "family", "version")
    published_on = django_filters.DateFromToRangeFilter(label=_("Published between"))

    class Meta:
        model = QuestionnaireVersion
        fields = ["network", "family", "version", "status", "previous"]


class SectionFilterSet(BaseFilterSet):
    search_fields = ("code", "title", "description")

    class Meta:
        model = Section
        fields = ["version", "order", "code"]


class QuestionFilterSet(BaseFilterSet):
    search_fields = ("code", "text", "guidance", "reference")
    section = django_filters.NumberFilter(field_name="section", label=_("Section (id)"))
    maps_to = django_filters.NumberFilter(field_name="maps_to", label=_("Maps to question (id)"))
    domains = django_filters.ChoiceFilter(
        choices=Domain.choices, method="with_domain", label=_("CBRN domain")
    )
    reference = django_filters.CharFilter(lookup_expr="istartswith", label=_("Reference starts with"))

    class Meta:
        model = Question
        fields = [
            "version",
            "order",
            "code",
            "answer_type",
            "thematic_area",
            "weight",
            "target_level",
            "allow_not_applicable",
            "required",
        ]

    def with_domain(self, queryset, name, value):
        return queryset.filter(domains__contains=value)


class LevelDescriptorFilterSet(BaseFilterSet):
    search_fields = ("text", "question__code")
    question = django_filters.NumberFilter(field_name="question", label=_("Question (id)"))

    class Meta:
        model = LevelDescriptor
        fields = ["level"]


class ChoiceFilterSet(BaseFilterSet):
    search_fields = ("label", "value", "question__code")
    question = django_filters.NumberFilter(field_name="question", label=_("Question (id)"))

    class Meta:
        model = Choice
        fields = ["order", "value"]
