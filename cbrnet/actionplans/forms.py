"""Edit forms of National Action Plans and their parts, and the forms of the workflow steps. The API
validates its input with the same forms; the services check the rules."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from cbrnet.actionplans import models
from cbrnet.assessments.models import Assessment
from cbrnet.projects.forms import DomainsField as ProjectDomainsField
from cbrnet.projects.models import Project
from cbrnet.registry.forms import DateInput, RegistryForm


class ActionPlanForm(RegistryForm):
    """A plan's facts. Its country and network are fixed once it exists (its actions' lead agencies
    are organisations of that country); its status moves only through the workflow steps."""

    class Meta:
        model = models.ActionPlan
        fields = ["country", "network", "assessment", "title", "summary", "start_year", "end_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["country"].disabled = True
            self.fields["network"].disabled = True


class DomainsField(ProjectDomainsField):
    """CBRN domains as check boxes, or as the stored text ("CB") from the API or a text box."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = "".join(str(item) for item in value)
        return super().to_python(value)


class ObjectiveForm(RegistryForm):
    domains = DomainsField(label=_("CBRN domains"))

    class Meta:
        model = models.Objective
        fields = ["plan", "order", "title", "description", "thematic_area", "domains"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["plan"].disabled = True  # another plan would be another objective


class ActionForm(RegistryForm):
    """An action of a plan; the plan is the objective's. Linked projects are added and removed on the
    action's page (link / unlink), never replaced wholesale by a form."""

    class Meta:
        model = models.Action
        fields = [
            "objective",
            "order",
            "title",
            "description",
            "lead_agency",
            "partners",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "status",
            "gap_question",
        ]
        widgets = {"gap_question": forms.NumberInput(attrs={"min": 1})}
        help_texts = {
            "gap_question": _(
                "The id of the assessment question whose gap the action closes (set when drafted from gaps)."
            ),
            "lead_agency": _("A ministry or agency of the plan's country represented in its national team."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs.update(
            {"maxlength": 3, "size": 4, "autocapitalize": "characters"}
        )
        self.fields["partners"].widget = forms.SelectMultiple(attrs={"size": 8})

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()


class IndicatorForm(RegistryForm):
    class Meta:
        model = models.Indicator
        fields = ["action", "name", "unit", "baseline", "target", "current"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["action"].disabled = True


class ProgressReportForm(RegistryForm):
    class Meta:
        model = models.ProgressReport
        fields = ["action", "date", "status", "percent_complete", "narrative", "evidence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["action"].disabled = True


def form_values(form) -> dict:
    """The form's cleaned values for a service: disabled fields (fixed once the record exists) left
    out; an evidence file left as it was is left out, a cleared one is empty."""
    values = {}
    for name, field in form.fields.items():
        if field.disabled or name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "evidence":
            if value is None or (value and not hasattr(value, "content_type")):
                continue  # no upload: the stored file stays
            value = value or ""
        values[name] = value
    return values


# --- workflow steps ------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Why it goes back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what the national team should change."),
    )


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("Adopted on"), help_text=_("The date of the act that adopted the plan.")
    )
    adoption_reference = forms.CharField(
        label=_("Adoption reference"),
        max_length=250,
        help_text=_("The act that adopted the plan, e.g. a government decree and its number."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adopted_on"].widget = DateInput()


class DraftFromGapsForm(forms.Form):
    """Which assessment's gaps to draft the plan from, and which gaps count."""

    assessment = forms.ModelChoiceField(queryset=Assessment.objects.none(), label=_("Assessment"))
    cut_off = forms.FloatField(
        label=_("Cut-off"),
        initial=0,
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(1_000_000)],
        help_text=_(
            "Gaps whose ranking score (gap × weight × regional priority, see the scoring method) is at or "
            "below this number are left out."
        ),
    )
    limit = forms.IntegerField(
        label=_("At most this many actions"),
        initial=50,
        required=False,
        min_value=1,
        max_value=500,
    )

    def __init__(self, *args, assessments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assessments is not None:
            self.fields["assessment"].queryset = assessments


class LinkProjectForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
