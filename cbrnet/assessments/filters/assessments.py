"""List filters of countries' assessments and their parts (shared by the UI lists, the API and exports)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cbrnet.assessments import models
from cbrnet.core.filters import BaseFilterSet

# Hundreds of questions per version, many assessments: the parts' lists take their ids (pages link
# there with them filled in) instead of offering every one in a list.
PART_LARGE_RELATIONS = (*BaseFilterSet.large_relations, "question", "assessment", "section")


class AssessmentFilterSet(BaseFilterSet):
    search_fields = ("title", "status_note", "country__name")
    submitted_at = django_filters.DateFromToRangeFilter(label=_("Submitted between (UTC dates)"))
    validated_at = django_filters.DateFromToRangeFilter(label=_("Validated between (UTC dates)"))
    published_at = django_filters.DateFromToRangeFilter(label=_("Published between (UTC dates)"))
    family = django_filters.CharFilter(field_name="version__family", label=_("Questionnaire"))

    class Meta:
        model = models.Assessment
        fields = [
            "country",
            "version",
            "year",
            "status",
            "network",
            "submitted_by",
            "validated_by",
            "published_by",
        ]


class SectionAssignmentFilterSet(BaseFilterSet):
    large_relations = PART_LARGE_RELATIONS
    search_fields = ("note", "section__title", "person__given_name", "person__family_name")

    class Meta:
        model = models.SectionAssignment
        fields = ["assessment", "section", "person"]


class AnswerFilterSet(BaseFilterSet):
    large_relations = PART_LARGE_RELATIONS
    search_fields = ("text", "justification", "question__code")
    date = django_filters.DateFromToRangeFilter(label=_("Date answered between"))
    unfiltered = {
        "choices": "a list of chosen options: the question and its code narrow answers down instead"
    }

    class Meta:
        model = models.Answer
        fields = [
            "assessment",
            "question",
            "level",
            "yes_partly_no",
            "number",
            "not_applicable",
            "target_level",
            "answered_by",
        ]


class AssessmentCommentFilterSet(BaseFilterSet):
    large_relations = PART_LARGE_RELATIONS
    search_fields = ("text",)

    class Meta:
        model = models.AssessmentComment
        fields = ["assessment", "question", "author"]


class EvidenceFilterSet(BaseFilterSet):
    large_relations = PART_LARGE_RELATIONS
    search_fields = ("title", "file")

    class Meta:
        model = models.Evidence
        fields = ["assessment", "question", "uploaded_by"]
