"""Forms of the exchange: the bulletin edit form (the API validates with the same fields) and the
small POST forms of the sharing actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.access.context import user_context
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Country, Network, Organisation, Person, Region
from cbrnet.sharing.choices import TLP, GrantScope, Status


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class BulletinApiForm(forms.ModelForm):
    """The fields a client may set; owner, author and status are set by the services."""

    class Meta:
        model = Bulletin
        fields = ["title", "body", "tlp", "networks", "embargo_until"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "embargo_until" in self.fields:
            self.fields["embargo_until"].widget = DateTimeInput()
        if user is not None:
            # Only networks of the owner organisation (the user's, for a new bulletin) can be chosen.
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


class BulletinForm(BulletinApiForm):
    class Meta(BulletinApiForm.Meta):
        fields = ["title", "body", "tlp", "networks", "embargo_until", "attachment"]
        widgets = {"networks": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk and self.instance.status != Status.DRAFT:
            self.fields["tlp"].disabled = True
            self.fields["tlp"].help_text = _(
                "Published: change the label with “Change TLP” on the bulletin page."
            )


class ChangeTlpForm(forms.Form):
    tlp = forms.ChoiceField(label=_("New label"), choices=TLP.choices)


class GrantForm(forms.Form):
    """Share with one network, region, country, organisation or person, optionally only some roles."""

    scope = forms.ChoiceField(label=_("Share with"), choices=GrantScope.choices)
    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.all(), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all(), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.filter(user_account__isnull=False),
        required=False,
        help_text=_("Only people with a login can be named."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Only these roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for everyone in the scope (need-to-know otherwise)."),
    )

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope:
            field = "person" if scope == GrantScope.USER else scope
            if not data.get(field):
                if field not in self.errors:
                    self.add_error(
                        field,
                        _("Choose the %(field)s to share with.") % {"field": GrantScope(scope).label.lower()},
                    )
            elif scope == GrantScope.USER:
                data["target"] = data["person"].user_account
            else:
                data["target"] = data[field]
        return data


class BulletinUpdateForm(forms.ModelForm):
    class Meta:
        model = BulletinUpdate
        fields = ["body", "tlp"]
        labels = {"body": _("Update or comment")}

    def __init__(self, *args, bulletin=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bulletin is not None:
            self.instance.bulletin = (
                bulletin  # so that validation compares the label with the bulletin's (R10)
            )
            if not self.is_bound:
                self.initial.setdefault("tlp", bulletin.tlp)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea,
        min_length=10,
        max_length=2000,
        help_text=_("Recorded in the audit trail and shown to the owner organisation."),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
