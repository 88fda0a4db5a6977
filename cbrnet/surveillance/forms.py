"""Forms of One Health surveillance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.access.context import user_context
from cbrnet.incidents.models import Incident
from cbrnet.registry.forms import RegistryForm
from cbrnet.registry.models import Country, Network, Organisation
from cbrnet.sharing.choices import TLP
from cbrnet.surveillance.choices import SECTOR_FLAGS
from cbrnet.surveillance.models import Alert, Dataset, Disease, SectorAuthority, Series, Signal
from cbrnet.surveillance.services.triage import INCIDENT_NOT_FOUND


# --- data: diseases, sector authorities, datasets, series, uploads -----------------------------
class DiseaseForm(RegistryForm):
    class Meta:
        model = Disease
        fields = [
            "code",
            "name",
            "zoonotic",
            "human",
            "animal",
            "plant",
            "food",
            "environment",
            "icd_code",
            "source",
        ]


class SectorAuthorityForm(RegistryForm):
    class Meta:
        model = SectorAuthority
        fields = ["country", "sector", "organisation"]


class DatasetApiForm(RegistryForm):
    """The fields a client may set; owner, author and status are set by the sharing services."""

    class Meta:
        model = Dataset
        fields = ["title", "country", "sector", "method", "description", "tlp", "networks", "embargo_until"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Networks of the owner organisation only (the user's, for a new dataset), as for bulletins.
            owner = (
                self.instance.owner_organisation_id
                if self.instance.pk
                else user_context(user).organisation_id
            )
            self.fields["networks"].queryset = Network.objects.filter(
                pk__in=Organisation.networks.through.objects.filter(organisation_id=owner).values(
                    "network_id"
                )
            )
            country_id = Organisation.objects.filter(pk=owner).values_list("country_id", flat=True).first()
            if country_id:
                # A country's data: the dataset is of the owner organisation's country.
                self.fields["country"].queryset = Country.objects.filter(pk=country_id)
                self.fields["country"].initial = country_id


class DatasetForm(DatasetApiForm):
    class Meta(DatasetApiForm.Meta):
        widgets = {"networks": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if "embargo_until" in self.fields:
            self.fields["embargo_until"].widget = forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        if self.instance.pk and self.instance.status != "draft":
            self.fields["tlp"].disabled = True
            self.fields["tlp"].help_text = _(
                "Published: change the label with “Change TLP” on the dataset page."
            )


class SeriesForm(RegistryForm):
    """A series of a dataset. Its counts come from uploads, the API or the series page; a series
    stays in its dataset."""

    class Meta:
        model = Series
        fields = ["dataset", "disease", "admin_area"]

    def clean(self):
        data = super().clean()
        dataset, disease = data.get("dataset"), data.get("disease")
        if self.instance.pk and dataset is not None and dataset.pk != self.instance.dataset_id:
            self.add_error(
                "dataset", _("A series cannot move to another dataset; create a new series there.")
            )
        elif (
            dataset is not None and disease is not None and not getattr(disease, SECTOR_FLAGS[dataset.sector])
        ):
            self.add_error(
                "disease",
                _("%(disease)s does not concern %(sector)s, the sector of this dataset.")
                % {"disease": disease.name, "sector": dataset.get_sector_display().lower()},
            )
        return data


class WeeklyCountForm(forms.Form):
    """Set the count of one week on the series page (checked by the ingest service)."""

    week = forms.CharField(
        label=_("Week"),
        max_length=20,
        help_text=_("The date of its Monday (YYYY-MM-DD) or the ISO week (2026-W03)."),
    )
    count = forms.CharField(label=_("Count"), max_length=20, widget=forms.NumberInput(attrs={"min": 0}))


# --- triage: signals and alerts -----------------------------------------------------------------
class IncidentChoiceField(forms.ModelChoiceField):
    """An incident to link a signal to: callers narrow the choices to the incidents the user may see
    (restrict_form_fields or `user=`), so an invisible incident gets the message of one that does not
    exist."""

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", _("Incident"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("No incident"))
        super().__init__(queryset if queryset is not None else Incident.objects.all(), **kwargs)
        self.queryset = self.queryset.select_related("country").order_by("-started_at", "-pk")
        self.error_messages["invalid_choice"] = INCIDENT_NOT_FOUND

    def label_from_instance(self, obj):
        return f"{obj} ({obj.country}, {obj.started_at:%Y-%m-%d})"


def _shown_incident(form, user) -> None:
    """Narrow the incident choices to those `user` may see; an initial incident they may not see is
    left out (the signal looks unlinked to them, and "no incident" keeps that link: services/triage.py)."""
    field = form.fields["incident"]
    if user is not None:
        field.queryset = field.queryset.restrict(user, "view")
    initial = form.initial.get("incident")
    if initial is not None and not field.queryset.filter(pk=getattr(initial, "pk", initial)).exists():
        form.initial["incident"] = None


class SignalTriageForm(RegistryForm):
    """Verify, discard (with a reason) or reopen a signal, and link it to an incident: the edit page
    and the API's PUT and PATCH. The incident choices are restricted to those the user may see."""

    class Meta:
        model = Signal
        fields = ["status", "reason", "incident"]
        field_classes = {"incident": IncidentChoiceField}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _shown_incident(self, user)


class SignalLinkForm(forms.Form):
    """Link the signal to an incident (or, empty, unlink it) on the signal page."""

    incident = IncidentChoiceField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _shown_incident(self, user)


class SignalReasonForm(forms.Form):
    """The note of the verify action on the signal page (optional)."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignalDiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the signal is discarded.")},
    )


ALERT_CONTENT_FIELDS = [
    "headline",
    "description",
    "instruction",
    "urgency",
    "severity",
    "certainty",
    "exercise",
    "admin_area",
    "tlp",
]


class AlertForm(RegistryForm):
    """A draft alert's text and label (disease, country and signal are fixed when it is raised)."""

    class Meta:
        model = Alert
        fields = ALERT_CONTENT_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from cbrnet.surveillance.services.alerts import ALERT_LABELS

        self.fields["tlp"].choices = [(value, label) for value, label in TLP.choices if value in ALERT_LABELS]
        self.fields["tlp"].help_text = _(
            "TLP:AMBER shares the alert with the authorities alerted, and the "
            "people of their organisations; CLEAR with everyone."
        )


class AlertRaiseForm(AlertForm):
    """Raise an alert, from a signal (disease and country then come from its series) or directly."""

    class Meta(AlertForm.Meta):
        fields = ["signal", "disease", "country", *ALERT_CONTENT_FIELDS]
        widgets = {"signal": forms.HiddenInput}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["disease"].required = False
        self.fields["country"].required = False
        self.fields["signal"].error_messages["invalid_choice"] = _("No such signal, or you may not see it.")

    def clean(self):
        data = super().clean()
        signal = data.get("signal")
        if signal is not None:
            data["disease"] = data.get("disease") or signal.series.disease
            data["country"] = data.get("country") or signal.series.dataset.country
        for name in ("disease", "country"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return data
