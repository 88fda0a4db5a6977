"""Edit forms of projects, activities and participations (the API validates its input with the same forms)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cbrnet.projects import models
from cbrnet.projects.choices import ParticipantRole, ProjectStatus, TotalsDimension
from cbrnet.registry.choices import Domain
from cbrnet.registry.forms import RegistryForm
from cbrnet.registry.models import Country, Region, RegionalPriority, ThematicArea


class DomainsField(forms.MultipleChoiceField):
    """CBRN areas as check boxes; accepts a list of codes or the stored text ("CB"); cleans to the text."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Domain.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("CBRN areas"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = [part for part in value.replace(",", "").replace(";", "").replace(" ", "")]
        return super().to_python(value)

    def prepare_value(self, value):
        return models.decode_domains(value) if isinstance(value, str) else value

    def clean(self, value):
        return models.encode_domains(super().clean(value))


class ProjectForm(RegistryForm):
    """A project's facts. Its status is set when it is recorded; after that it moves only through the
    pipeline (`project_advance`), so a change here that differs from the stored status is refused."""

    cbrn_areas = DomainsField()

    class Meta:
        model = models.Project
        fields = [
            "network", "code", "title", "objectives", "cbrn_areas", "regions", "countries", "thematic_areas",
            "priorities", "funding_instrument", "lead_implementer", "implementers", "start_date", "end_date",
            "start_year", "end_year", "budget", "currency", "status", "origin", "origin_detail", "source",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["status"].required = False
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Move the project through the pipeline on its page.")
        self.fields["currency"].widget.attrs.update({"maxlength": 3, "size": 4, "autocapitalize": "characters"})

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean_status(self):
        status = self.cleaned_data.get("status")
        if self.instance.pk:
            sent = self.data.get("status") if hasattr(self.data, "get") else None
            if sent and sent != self.instance.status:
                raise ValidationError(
                    _("The status changes through the pipeline (advance the project), not by editing it.")
                )
            return self.instance.status
        return status or ProjectStatus.IDEA

    def clean(self):
        data = super().clean()
        regions = data.get("regions")
        priorities = data.get("priorities")
        if regions is not None and priorities:
            region_ids = {region.pk for region in regions}
            outside = [priority for priority in priorities if priority.region_id not in region_ids]
            if outside:
                self.add_error(
                    "priorities",
                    _("These priorities belong to a region the project does not cover: %(titles)s.")
                    % {"titles": "; ".join(str(priority) for priority in outside)},
                )
        return data


class ProjectIdeaForm(forms.Form):
    """A project idea, as a focal point or a secretariat raises it (e.g. after a round-table meeting)."""

    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Region"))
    title = forms.CharField(label=_("Title"), max_length=400)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea, required=False)
    cbrn_areas = DomainsField()
    countries = forms.ModelMultipleChoiceField(queryset=Country.objects.all(), required=False, label=_("Countries"))
    thematic_areas = forms.ModelMultipleChoiceField(
        queryset=ThematicArea.objects.all(), required=False, label=_("Thematic areas"),
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.ModelMultipleChoiceField(
        queryset=RegionalPriority.objects.select_related("region"), required=False,
        label=_("Regional priorities served"), widget=forms.CheckboxSelectMultiple,
    )
    origin = forms.ChoiceField(choices=[("", "—"), *models.ProjectOrigin.choices], required=False, label=_("Origin of the idea"))
    origin_detail = forms.CharField(max_length=300, required=False, label=_("Origin details"))
    # The actions the view offers: those of plans the user may change (project_idea_view sets them).
    nap_actions = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("National Action Plan actions it would carry out"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cbrnet.actionplans.models import Action  # action plans build on projects

        self.fields["nap_actions"].queryset = Action.objects.none()


class ProjectAdvanceForm(forms.Form):
    to_status = forms.ChoiceField(choices=ProjectStatus.choices, label=_("Move to"))
    note = forms.CharField(max_length=500, required=False, label=_("Note"))


class ActivityForm(RegistryForm):
    class Meta:
        model = models.Activity
        fields = [
            "project", "kind", "title", "status", "start_date", "end_date", "country", "city", "latitude", "longitude",
            "organisers", "thematic_areas", "agenda", "outcomes", "source",
        ]


class ParticipationForm(RegistryForm):
    """Register a person for an activity (the person is given by id: the registry is large); once
    registered, the activity and the person stay: only role, attendance and note change."""

    class Meta:
        model = models.Participation
        fields = ["activity", "person", "role", "attended", "note"]
        widgets = {"person": forms.NumberInput(attrs={"min": 1})}
        help_texts = {"person": _("The id of the person (shown in the address of their page).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Another activity or person would be another record: delete this one and register anew.
            del self.fields["activity"]
            del self.fields["person"]


class TotalsForm(forms.Form):
    """The choices of the training-totals report: grouping and filters (UI, API and export alike)."""

    group_by = forms.MultipleChoiceField(
        choices=TotalsDimension.choices, required=False, label=_("Group by"), widget=forms.CheckboxSelectMultiple
    )
    year_from = forms.IntegerField(min_value=1990, max_value=2100, required=False, label=_("From year"))
    year_to = forms.IntegerField(min_value=1990, max_value=2100, required=False, label=_("To year"))
    country = forms.ModelChoiceField(queryset=Country.objects.all(), required=False, label=_("Country"))
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False, label=_("Region"))
    project = forms.ModelChoiceField(queryset=models.Project.objects.all(), required=False, label=_("Project"))
    kind = forms.ChoiceField(choices=[("", "—"), *models.ActivityKind.choices], required=False, label=_("Kind of activity"))
    thematic_area = forms.ModelChoiceField(queryset=ThematicArea.objects.all(), required=False, label=_("Thematic area"))
    role = forms.MultipleChoiceField(
        choices=ParticipantRole.choices, required=False, label=_("Roles counted"),
        help_text=_("Empty: trainees."), widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_to"] < data["year_from"]:
            self.add_error("year_to", _("The last year is before the first."))
        return data


DEFAULT_GROUP_BY = (TotalsDimension.COUNTRY, TotalsDimension.YEAR)


def totals_filters(form: TotalsForm) -> dict:
    """The cleaned report choices as the selector's filters (empty values left out)."""
    keys = ("year_from", "year_to", "country", "region", "project", "kind", "thematic_area", "role")
    return {key: form.cleaned_data[key] for key in keys if form.cleaned_data.get(key) not in (None, "", [])}
