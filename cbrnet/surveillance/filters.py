"""List filters of One Health surveillance (shared by UI, API and export)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.forms import NumberInput
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.incidents.models import Incident
from cbrnet.registry.models import Country, Network, Organisation
from cbrnet.surveillance.choices import Method, Sector, SignalStatus
from cbrnet.surveillance.models import Alert, Dataset, Disease, SectorAuthority, Series, Signal
from cbrnet.surveillance.services.triage import INCIDENT_NOT_FOUND


# --- data: diseases, sector authorities, datasets, series ---------------------------------------
class _DateRange(django_filters.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class DiseaseFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "icd_code")

    class Meta:
        model = Disease
        fields = ["code", "zoonotic", "human", "animal", "plant", "food", "environment", "icd_code"]


class SectorAuthorityFilterSet(BaseFilterSet):
    search_fields = ("organisation__name", "organisation__acronym", "country__name")

    class Meta:
        model = SectorAuthority
        fields = ["country", "sector", "organisation"]


class DatasetFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), method="in_network", label=_("Network")
    )
    owner_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Owner organisation")
    )
    # A number, not a list of users: the user list is not something to offer to every reader.
    author = django_filters.NumberFilter(field_name="author_id", label=_("Author (user id)"))
    published_at = django_filters.DateFromToRangeFilter(label=_("Published between"), widget=_DateRange())
    embargo_until = django_filters.DateFromToRangeFilter(
        label=_("Embargoed until, between"), widget=_DateRange()
    )
    uid = django_filters.UUIDFilter(label=_("Identifier"))
    origin_hub = django_filters.CharFilter(label=_("Received from hub"))

    class Meta:
        model = Dataset
        fields = ["country", "sector", "method", "tlp", "status", "owner_organisation"]

    def in_network(self, queryset, name, value):
        # EXISTS, not a join: one row per dataset however many networks it has.
        through = Dataset.networks.through
        return queryset.filter(Exists(through.objects.filter(dataset_id=OuterRef("pk"), network=value)))


class SeriesFilterSet(BaseFilterSet):
    search_fields = ("disease__name", "disease__code", "admin_area", "dataset__title")
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), field_name="dataset__country", label=_("Country")
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, field_name="dataset__sector", label=_("Sector")
    )
    # A number: the list of datasets is long and differs by reader.
    dataset = django_filters.NumberFilter(field_name="dataset_id", label=_("Dataset (number)"))
    admin_area = django_filters.CharFilter(lookup_expr="icontains", label=_("Administrative area"))
    first_week = django_filters.DateFromToRangeFilter(label=_("First week between"), widget=_DateRange())
    last_week = django_filters.DateFromToRangeFilter(label=_("Last week between"), widget=_DateRange())
    detected_at = django_filters.DateFromToRangeFilter(
        label=_("Last detection run between"), widget=_DateRange()
    )

    class Meta:
        model = Series
        fields = ["disease"]


# --- triage: signals and alerts -----------------------------------------------------------------
class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class SignalFilterSet(BaseFilterSet):
    """The triage inbox: signals to triage unless another status (or "all") is asked for."""

    search_fields = ("series__disease__name", "series__admin_area", "reason")
    unfiltered = {"threshold": "a bound computed by the method; filter by count or week instead"}
    status = django_filters.ChoiceFilter(
        choices=SignalStatus.choices, empty_label=_("All statuses"), label=_("Status")
    )
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), field_name="series__dataset__country", label=_("Country")
    )
    disease = django_filters.ModelChoiceFilter(
        queryset=Disease.objects.all(), field_name="series__disease", label=_("Disease")
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, field_name="series__dataset__sector", label=_("Sector")
    )
    method = django_filters.ChoiceFilter(choices=Method.choices, label=_("Detection method"))
    week = django_filters.DateFromToRangeFilter(label=_("Weeks between"), widget=DateRangeWidget())
    # Numbers, not lists: a series or user list is not something to offer to every reader.
    series = django_filters.NumberFilter(field_name="series_id", label=_("Series (id)"))
    dataset = django_filters.NumberFilter(field_name="series__dataset_id", label=_("Dataset (id)"))
    count = django_filters.RangeFilter(label=_("Count between"))
    triaged_by = django_filters.NumberFilter(field_name="triaged_by_id", label=_("Triaged by (user id)"))
    triaged_at = django_filters.DateFromToRangeFilter(label=_("Triaged between"), widget=DateRangeWidget())
    # BaseFilterSet narrows the choices to the incidents the user may see: another id (invisible or
    # not existing alike) is refused, so the filter never tells which signals an unseen incident has.
    # An id box, not a list: the incident page links here with it filled in.
    incident = django_filters.ModelChoiceFilter(
        queryset=Incident.objects.all(),
        widget=NumberInput(attrs={"min": 1}),
        label=_("Incident (id)"),
        error_messages={"invalid_choice": INCIDENT_NOT_FOUND},
    )

    class Meta:
        model = Signal
        fields = ["status", "method"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["status"] = SignalStatus.NEW
        super().__init__(data, *args, **kwargs)


class AlertFilterSet(BaseFilterSet):
    search_fields = ("headline", "description", "instruction")
    signal = django_filters.NumberFilter(field_name="signal_id", label=_("Signal (id)"))
    disease = django_filters.ModelChoiceFilter(queryset=Disease.objects.all(), label=_("Disease"))
    country = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), label=_("Country"))
    admin_area = django_filters.CharFilter(lookup_expr="icontains", label=_("Administrative area"))
    sectors = django_filters.ChoiceFilter(
        choices=Sector.choices, method="alerting", label=_("Sector alerted")
    )
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), method="in_network", label=_("Network")
    )
    owner_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Owner organisation")
    )
    author = django_filters.NumberFilter(field_name="author_id", label=_("Author (user id)"))
    published_at = django_filters.DateFromToRangeFilter(
        label=_("Published between"), widget=DateRangeWidget()
    )
    embargo_until = django_filters.DateFromToRangeFilter(
        label=_("Embargoed until, between"), widget=DateRangeWidget()
    )
    uid = django_filters.UUIDFilter(label=_("Identifier"))
    origin_hub = django_filters.CharFilter(label=_("Received from hub"))

    class Meta:
        model = Alert
        fields = ["status", "tlp", "exercise", "urgency", "severity", "certainty"]

    def alerting(self, queryset, name, value):
        return queryset.filter(sectors__contains=f",{value},")

    def in_network(self, queryset, name, value):
        # EXISTS, not a join: one row per alert however many networks it has.
        through = Alert.networks.through
        return queryset.filter(Exists(through.objects.filter(alert_id=OuterRef("pk"), network=value)))
