"""Filters of incidents and mutual assistance: the same ones serve the web UI, the API and exports.

Every list can leave exercises out ("exclude exercises", on by default nowhere: a list shows what
it is asked for, and the exercise badge marks each row). Restricted details (agent, coordinates,
casualties, conditions, contact point) have no filter: filtering on a hidden value would reveal it.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.incidents import taxonomy
from cbrnet.incidents.models import AssistanceRequest, Capability, Incident, Offer, Sitrep
from cbrnet.registry.models import Network

RESTRICTED = "a restricted detail: filtering on it would reveal it to those who may not see it"


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class ExerciseFilterSet(BaseFilterSet):
    """`exclude_exercises` on every list; `exercise_path` leads to the incident's flag."""

    exercise_path = "incident__is_exercise"
    exclude_exercises = django_filters.BooleanFilter(
        method="without_exercises",
        label=_("Exclude exercises"),
        widget=django_filters.widgets.BooleanWidget(),
    )

    def without_exercises(self, queryset, name, value):
        return queryset.filter(**{self.exercise_path: False}) if value else queryset


class CodeFilter(django_filters.ChoiceFilter):
    """One code of a stored ",a,b," list."""

    def filter(self, queryset, value):
        return queryset.filter(**{f"{self.field_name}__contains": f",{value},"}) if value else queryset


class CapabilityFilterSet(BaseFilterSet):
    search_fields = ("name", "base_name", "organisation__name")
    codes = CodeFilter(label=_("Capability code"), choices=taxonomy.flat_choices)
    languages = django_filters.CharFilter(method="speaks", label=_("Language (ISO code)"))
    readiness_hours = django_filters.RangeFilter(label=_("Readiness (hours)"))
    size = django_filters.RangeFilter(label=_("Size"))
    self_sufficiency_days = django_filters.RangeFilter(label=_("Self-sufficiency (days)"))
    base_latitude = django_filters.RangeFilter(label=_("Home base latitude"))
    base_longitude = django_filters.RangeFilter(label=_("Home base longitude"))

    class Meta:
        model = Capability
        fields = ["kind", "status", "organisation", "country", "base_name"]

    def speaks(self, queryset, name, value):
        return (
            queryset.filter(languages__contains=f",{value.strip().lower()},") if value.strip() else queryset
        )


class IncidentFilterSet(ExerciseFilterSet):
    exercise_path = "is_exercise"
    search_fields = ("title", "place")
    unfiltered = {
        "agent": RESTRICTED,
        "latitude": RESTRICTED,
        "longitude": RESTRICTED,
        "deaths": RESTRICTED,
        "injured": RESTRICTED,
        "detail_organisations": "who sees the details is shown to the responders on the incident page",
    }
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), method="in_network", label=_("Network")
    )
    started_at = django_filters.DateFromToRangeFilter(label=_("Started between"), widget=DateRangeWidget())
    closed_at = django_filters.DateFromToRangeFilter(label=_("Closed between"), widget=DateRangeWidget())
    published_at = django_filters.DateFromToRangeFilter(
        label=_("Published between"), widget=DateRangeWidget()
    )
    embargo_until = django_filters.DateFromToRangeFilter(
        label=_("Embargoed until, between"), widget=DateRangeWidget()
    )
    author = django_filters.NumberFilter(field_name="author_id", label=_("Author (user id)"))
    uid = django_filters.UUIDFilter(label=_("Identifier"))
    origin_hub = django_filters.CharFilter(label=_("Received from hub"))

    class Meta:
        model = Incident
        fields = [
            "cbrn_type",
            "country",
            "severity",
            "phase",
            "is_exercise",
            "tlp",
            "status",
            "owner_organisation",
            "place",
        ]

    def in_network(self, queryset, name, value):
        through = Incident.networks.through
        return queryset.filter(Exists(through.objects.filter(incident_id=OuterRef("pk"), network=value)))


class AssistanceRequestFilterSet(ExerciseFilterSet):
    search_fields = ("title", "location", "incident__title")
    unfiltered = {
        "contact_name": RESTRICTED,
        "contact_email": RESTRICTED,
        "contact_phone": RESTRICTED,
        "entry_conditions": RESTRICTED,
        "customs_conditions": RESTRICTED,
        "liability_conditions": RESTRICTED,
    }
    code = django_filters.ChoiceFilter(
        choices=taxonomy.flat_choices, method="asks_for", label=_("Capability asked for")
    )
    languages = django_filters.CharFilter(method="in_language", label=_("Working language (ISO code)"))
    needed_from = django_filters.DateFromToRangeFilter(
        label=_("Needed from, between"), widget=DateRangeWidget()
    )
    duration_days = django_filters.RangeFilter(label=_("For (days)"))
    requested_by = django_filters.NumberFilter(
        field_name="requested_by_id", label=_("Requested by (user id)")
    )
    version = django_filters.NumberFilter(label=_("Version"))

    class Meta:
        model = AssistanceRequest
        fields = ["incident", "status", "cost_arrangement", "location"]

    def asks_for(self, queryset, name, value):
        from cbrnet.incidents.models import RequestItem

        return queryset.filter(Exists(RequestItem.objects.filter(request_id=OuterRef("pk"), code=value)))

    def in_language(self, queryset, name, value):
        return (
            queryset.filter(languages__contains=f",{value.strip().lower()},") if value.strip() else queryset
        )


class OfferFilterSet(ExerciseFilterSet):
    exercise_path = "request__incident__is_exercise"
    search_fields = ("description", "offering_organisation__name")
    incident = django_filters.NumberFilter(field_name="request__incident_id", label=_("Incident (id)"))
    code = django_filters.ChoiceFilter(choices=taxonomy.flat_choices, label=_("For the requested capability"))
    available_from = django_filters.DateFromToRangeFilter(
        label=_("Available from, between"), widget=DateRangeWidget()
    )
    decided_at = django_filters.DateFromToRangeFilter(label=_("Decided between"), widget=DateRangeWidget())
    duration_days = django_filters.RangeFilter(label=_("For (days)"))
    quantity = django_filters.RangeFilter(label=_("Quantity"))
    offered_by = django_filters.NumberFilter(field_name="offered_by_id", label=_("Offered by (user id)"))
    decided_by = django_filters.NumberFilter(field_name="decided_by_id", label=_("Decided by (user id)"))
    request = django_filters.NumberFilter(field_name="request_id", label=_("Request (id)"))
    capability = django_filters.NumberFilter(field_name="capability_id", label=_("Capability (id)"))
    unfiltered = {
        "conditions": "prose, shown on the offer page",
        "decision_note": "prose, shown on the offer page",
    }

    class Meta:
        model = Offer
        fields = ["status", "offering_organisation", "offering_country"]


class SitrepFilterSet(ExerciseFilterSet):
    search_fields = ("title", "body")
    situation_at = django_filters.DateFromToRangeFilter(
        label=_("Situation between"), widget=DateRangeWidget()
    )
    published_at = django_filters.DateFromToRangeFilter(
        label=_("Published between"), widget=DateRangeWidget()
    )
    embargo_until = django_filters.DateFromToRangeFilter(
        label=_("Embargoed until, between"), widget=DateRangeWidget()
    )
    author = django_filters.NumberFilter(field_name="author_id", label=_("Author (user id)"))
    uid = django_filters.UUIDFilter(label=_("Identifier"))
    origin_hub = django_filters.CharFilter(label=_("Received from hub"))
    incident = django_filters.NumberFilter(field_name="incident_id", label=_("Incident (id)"))
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), method="in_network", label=_("Network")
    )

    class Meta:
        model = Sitrep
        fields = ["tlp", "status", "owner_organisation"]

    def in_network(self, queryset, name, value):
        through = Sitrep.networks.through
        return queryset.filter(Exists(through.objects.filter(sitrep_id=OuterRef("pk"), network=value)))
