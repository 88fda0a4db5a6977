"""Forms of incidents and mutual assistance (the API validates its input with the same ones)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.access.context import user_context
from cbrnet.exchange.forms import ChangeTlpForm, GrantForm  # noqa: F401 - the sharing actions' forms, as for bulletins
from cbrnet.incidents import selectors, taxonomy
from cbrnet.incidents.choices import (
    ACTIVE_REQUEST_STATUSES,
    DeploymentStage,
    OfferDecision,
    Phase,
    RequestStatus,
)
from cbrnet.incidents.models import (
    AssistanceRequest,
    Capability,
    Incident,
    Offer,
    Sitrep,
    decode_list,
    encode_list,
)
from cbrnet.registry.forms import RegistryForm
from cbrnet.registry.models import Country, Language, Network, Organisation
from cbrnet.sharing.choices import Status


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EncodedListField(forms.MultipleChoiceField):
    """A list of codes stored as ",a,b," (capability codes, languages): takes a list, or the stored
    text (a partial API update starts from the stored value)."""

    def to_python(self, value):
        if isinstance(value, str):
            return decode_list(value) if "," in value or not value else [value]
        return super().to_python(value)

    def clean(self, value):
        return encode_list(super().clean(value))


def language_choices(kept=()):
    """The registry's languages, and the codes a record already holds (demo data and imports may use
    ISO codes the registry does not list yet: editing the record must not fail on them)."""
    choices = [
        (language.code, f"{language.name} ({language.code})")
        for language in Language.objects.order_by("name")
    ]
    known = {code for code, _label in choices}
    return choices + [(code, code) for code in kept if code not in known]


class IncidentsForm(RegistryForm):
    """Base of the forms here: date-times as pickers, stored code lists shown as lists."""

    encoded = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField):
                field.widget = DateTimeInput()
        for name in self.encoded:
            if name in self.fields and self.instance.pk:
                self.initial[name] = decode_list(getattr(self.instance, name))
        if "languages" in self.fields:
            kept = decode_list(self.instance.languages) if self.instance.pk else []
            self.fields["languages"].choices = language_choices(kept)


class CapabilityForm(IncidentsForm):
    codes = EncodedListField(
        label=_("Capability codes"),
        choices=taxonomy.choices,
        help_text=_("What it can do, in the taxonomy's codes (several allowed)."),
    )
    languages = EncodedListField(label=_("Languages"), required=False, choices=())
    encoded = ("codes", "languages")

    class Meta:
        model = Capability
        fields = [
            "name",
            "kind",
            "codes",
            "organisation",
            "size",
            "readiness_hours",
            "self_sufficiency_days",
            "base_name",
            "base_latitude",
            "base_longitude",
            "languages",
            "status",
            "description",
        ]


class IncidentApiForm(IncidentsForm):
    """The fields a client sets; owner, author, label status and phase are set by the services."""

    class Meta:
        model = Incident
        fields = [
            "title",
            "cbrn_type",
            "agent",
            "country",
            "place",
            "latitude",
            "longitude",
            "started_at",
            "severity",
            "deaths",
            "injured",
            "description",
            "is_exercise",
            "tlp",
            "networks",
            "embargo_until",
            "detail_organisations",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            context = user_context(user)
            owner = self.instance.owner_organisation_id if self.instance.pk else context.organisation_id
            self.fields["networks"].queryset = Network.objects.filter(
                pk__in=Organisation.networks.through.objects.filter(organisation_id=owner).values(
                    "network_id"
                )
            )
            if not self.instance.pk:
                served = context.view_country_ids | ({context.country_id} if context.country_id else set())
                self.fields["country"].queryset = Country.objects.filter(pk__in=served)


class IncidentForm(IncidentApiForm):
    class Meta(IncidentApiForm.Meta):
        widgets = {"networks": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk and self.instance.status != Status.DRAFT:
            self.fields["tlp"].disabled = True
            self.fields["tlp"].help_text = _(
                "Published: change the label with “Change TLP” on the incident page."
            )


class RequestItemForm(forms.Form):
    code = forms.ChoiceField(label=_("Capability"), choices=[("", "—"), *taxonomy.choices()], required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1, required=False)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)


RequestItemFormSet = forms.formset_factory(RequestItemForm, extra=3, max_num=30, absolute_max=30)


class AssistanceRequestForm(IncidentsForm):
    languages = EncodedListField(label=_("Working languages"), required=False, choices=())
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=500, required=False)
    encoded = ("languages",)

    class Meta:
        model = AssistanceRequest
        fields = [
            "incident",
            "title",
            "location",
            "needed_from",
            "duration_days",
            "languages",
            "entry_conditions",
            "customs_conditions",
            "liability_conditions",
            "cost_arrangement",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["incident"].queryset = selectors.incidents_for(user, "responder_q").exclude(
                phase=Phase.CLOSED
            )
        if not self.instance.pk:
            del self.fields["status"]
            del self.fields["reason"]
        else:
            self.fields["incident"].disabled = True
            self.fields["status"].choices = [
                (value, label)
                for value, label in RequestStatus.choices
                if value != RequestStatus.CLOSED or self.instance.status == RequestStatus.CLOSED
            ]


class OfferForm(IncidentsForm):
    code = forms.ChoiceField(label=_("For the requested capability"), choices=taxonomy.choices)

    class Meta:
        model = Offer
        fields = [
            "request",
            "code",
            "capability",
            "description",
            "quantity",
            "available_from",
            "duration_days",
            "conditions",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from cbrnet import access

            self.fields["request"].queryset = access.restrict(
                AssistanceRequest.objects.filter(
                    status__in=ACTIVE_REQUEST_STATUSES, incident__status=Status.PUBLISHED
                ).exclude(incident__phase=Phase.CLOSED),
                user,
            ).select_related("incident")
            self.fields["capability"].queryset = access.restrict(Capability.objects.all(), user, "change")
        if self.instance.pk:
            self.fields["request"].disabled = True


class SitrepForm(IncidentsForm):
    class Meta:
        model = Sitrep
        fields = ["incident", "title", "situation_at", "body", "tlp"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not self.instance.pk:
            self.fields["incident"].queryset = selectors.incidents_for(user, "details_q")
        if self.instance.pk:
            self.fields["incident"].disabled = True
            if self.instance.status != Status.DRAFT:
                self.fields["tlp"].disabled = True


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=OfferDecision.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DeploymentEventForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[c for c in DeploymentStage.choices if c[0] != DeploymentStage.PLANNED]
    )
    at = forms.DateTimeField(
        label=_("When"), required=False, widget=DateTimeInput(), help_text=_("Empty: now (UTC).")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=[c for c in Phase.choices if c[0] != Phase.CLOSED])


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), max_length=500, required=False)


class InviteForm(forms.Form):
    capabilities = forms.TypedMultipleChoiceField(label=_("Capabilities"), coerce=int, choices=())

    def __init__(self, *args, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = [
            (match.capability.pk, str(match.capability)) for match in matches
        ]


class DetailShareForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), queryset=Organisation.objects.all()
    )
