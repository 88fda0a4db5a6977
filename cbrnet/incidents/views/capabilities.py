"""The capability registry: what countries and partner organisations can send."""

from django.utils.translation import gettext_lazy

from cbrnet.core.generic import ModelViews, ObjectDetailView
from cbrnet.core.tables import Column
from cbrnet.incidents import filters, forms, taxonomy
from cbrnet.incidents.models import Capability


class CapabilityDetailView(ObjectDetailView):
    template_name = "incidents/capability_detail.html"

    def extra_context(self, request, instance):
        return {"code_types": [taxonomy.get(code) or code for code in instance.code_list]}


capability = ModelViews(
    Capability,
    form=forms.CapabilityForm,
    filterset=filters.CapabilityFilterSet,
    detail_class=CapabilityDetailView,
    queryset=Capability.objects.select_related("organisation", "country"),
    columns=[
        Column("name", link=True, order_by="name"),
        Column("kind", order_by="kind"),
        Column("code_list", label=gettext_lazy("Capability codes")),
        Column("organisation", order_by="organisation__name"),
        Column("country", order_by="country__name"),
        Column("readiness_hours", order_by="readiness_hours"),
        Column("status", order_by="status"),
    ],
    fields=[
        "name",
        "kind",
        "organisation",
        "country",
        "size",
        "readiness_hours",
        "self_sufficiency_days",
        "base_name",
        "base_latitude",
        "base_longitude",
        "status",
        "description",
    ],
    export_fields=[
        ("name", "name"),
        ("kind", "kind"),
        ("codes", "codes"),
        ("organisation", "organisation.name"),
        ("country", "country.iso2"),
        ("size", "size"),
        ("readiness_hours", "readiness_hours"),
        ("self_sufficiency_days", "self_sufficiency_days"),
        ("base", "base_name"),
        ("latitude", "base_latitude"),
        ("longitude", "base_longitude"),
        ("languages", "languages"),
        ("status", "status"),
    ],
    title=gettext_lazy("Capabilities"),
)
