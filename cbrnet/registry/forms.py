"""Edit forms of registry records (the API validates its input with the same forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.core.widgets import speed_up_selects
from cbrnet.registry import models


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistryForm(forms.ModelForm):
    """Base: dates as date pickers, many-to-many as checkbox lists for short lists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
        speed_up_selects(self)


class NetworkForm(RegistryForm):
    class Meta:
        model = models.Network
        fields = ["code", "name", "short_name", "description", "established", "website", "source"]


class RegionForm(RegistryForm):
    class Meta:
        model = models.Region
        fields = ["network", "code", "name", "description"]


class CountryForm(RegistryForm):
    class Meta:
        model = models.Country
        fields = ["iso2", "iso3", "numeric", "name", "official_name"]


class MembershipForm(RegistryForm):
    class Meta:
        model = models.Membership
        fields = ["network", "region", "country", "status", "since", "until", "confidence", "source"]


class SecretariatForm(RegistryForm):
    class Meta:
        model = models.Secretariat
        fields = [
            "region", "organisation", "host_country", "city", "host_institution", "established", "head_name",
            "framework", "overall_goal", "email", "phone", "website", "source",
        ]


class ThematicAreaForm(RegistryForm):
    class Meta:
        model = models.ThematicArea
        fields = ["code", "name", "description", "order"]


class RegionalPriorityForm(RegistryForm):
    class Meta:
        model = models.RegionalPriority
        fields = ["region", "title", "thematic_area", "description", "order", "source"]


class LanguageForm(RegistryForm):
    class Meta:
        model = models.Language
        fields = ["code", "name"]


class OrganisationForm(RegistryForm):
    class Meta:
        model = models.Organisation
        fields = [
            "name", "acronym", "kind", "country", "parent", "networks", "client_of", "website", "email", "phone",
            "address", "is_active", "source",
        ]


class PersonForm(RegistryForm):
    class Meta:
        model = models.Person
        fields = [
            "honorific", "given_name", "family_name", "gender", "organisation", "country", "position", "languages",
            "email", "phone", "address", "directory_listed", "contact_visibility", "consent_date",
        ]


class RoleAssignmentForm(RegistryForm):
    class Meta:
        model = models.RoleAssignment
        fields = ["person", "role", "country", "region", "organisation", "start_date", "end_date", "note"]


class ExpertProfileForm(RegistryForm):
    class Meta:
        model = models.ExpertProfile
        fields = ["person", "summary", "years_of_experience", "deployable", "notice_days"]


class ExpertiseForm(RegistryForm):
    class Meta:
        model = models.Expertise
        fields = ["profile", "domain", "thematic_area", "level"]


class CertificationForm(RegistryForm):
    class Meta:
        model = models.Certification
        fields = ["profile", "name", "issuer", "issued_on", "expires_on"]


class AvailabilityForm(RegistryForm):
    class Meta:
        model = models.Availability
        fields = ["profile", "start_date", "end_date", "note"]


class FocalPointAppointForm(forms.Form):
    person = forms.ModelChoiceField(queryset=models.Person.objects.all(), label=_("Person"),
                                    widget=forms.NumberInput(attrs={"min": 1}),
                                    help_text=_("The id of the person (shown in the address of their page)."))
    start_date = forms.DateField(label=_("Appointed on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=250, required=False)
