"""Edit form of achievements (the API validates its input with the same form), and the small forms
of the fact sheet and dashboard pages."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.factsheets import models
from cbrnet.registry.forms import DateInput, RegistryForm
from cbrnet.registry.models import Network


class AchievementForm(RegistryForm):
    class Meta:
        model = models.Achievement
        fields = ["region", "date", "title", "text", "project", "source"]


class FactSheetForm(forms.Form):
    """The date a fact sheet is computed for (default: today)."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def as_of_date(self) -> datetime.date | None:
        return self.cleaned_data.get("as_of") if self.is_valid() else None


class DashboardForm(forms.Form):
    """Which network (and questionnaire) the dashboard shows."""

    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.all(), required=False)
    family = forms.CharField(
        label=_("Questionnaire"),
        max_length=30,
        required=False,
        help_text=_("The code of the questionnaire whose scores are compared, e.g. NAQ."),
    )
