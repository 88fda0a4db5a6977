"""Filters of the bulletin list: the same ones serve the web UI, the API, exports and search."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.registry.models import Network, Organisation


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class BulletinFilterSet(BaseFilterSet):
    search_fields = ("title", "body")
    unfiltered = {"attachment": "a file, downloaded from the bulletin page"}
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), method="in_network", label=_("Network")
    )
    owner_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Owner organisation")
    )
    # A number, not a list of users: the user list is not something to offer to every reader.
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
        model = Bulletin
        fields = ["tlp", "status", "owner_organisation"]

    def in_network(self, queryset, name, value):
        # EXISTS, not a join: one row per bulletin however many networks it has.
        through = Bulletin.networks.through
        return queryset.filter(Exists(through.objects.filter(bulletin_id=OuterRef("pk"), network=value)))


class BulletinUpdateFilterSet(BaseFilterSet):
    search_fields = ("body",)

    class Meta:
        model = BulletinUpdate
        fields = ["bulletin", "tlp", "status"]
