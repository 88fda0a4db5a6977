"""Filters of registry lists: the same ones serve the web UI, the API and exports."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.registry import models
from cbrnet.registry.choices import Domain, ExpertiseLevel, Role


class NetworkFilterSet(BaseFilterSet):
    search_fields = ("name", "short_name", "code")
    unfiltered = {"website": "a link, not a criterion"}

    class Meta:
        model = models.Network
        fields = ["code", "established"]


class RegionFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = models.Region
        fields = ["network", "code"]


class CountryFilterSet(BaseFilterSet):
    search_fields = ("name", "iso2", "iso3", "official_name")
    network = django_filters.ModelChoiceFilter(
        queryset=models.Network.objects.all(), method="in_network", label=_("Network")
    )
    region = django_filters.ModelChoiceFilter(queryset=models.Region.objects.all(), method="in_region", label=_("Region"))

    class Meta:
        model = models.Country
        fields = ["iso2", "iso3", "numeric"]

    def in_network(self, queryset, name, value):
        return queryset.filter(Exists(models.Membership.objects.current().filter(country=OuterRef("pk"), network=value)))

    def in_region(self, queryset, name, value):
        return queryset.filter(Exists(models.Membership.objects.current().filter(country=OuterRef("pk"), region=value)))


class MembershipFilterSet(BaseFilterSet):
    search_fields = ("country__name", "region__name")

    class Meta:
        model = models.Membership
        fields = ["network", "region", "country", "status", "confidence", "since", "until"]


class SecretariatFilterSet(BaseFilterSet):
    search_fields = ("city", "host_institution", "region__name", "framework", "overall_goal")
    unfiltered = {"email": "contact detail", "phone": "contact detail", "website": "a link, not a criterion"}

    class Meta:
        model = models.Secretariat
        fields = ["region", "organisation", "host_country", "city", "established", "head_name"]


class ThematicAreaFilterSet(BaseFilterSet):
    search_fields = ("name", "code", "description")

    class Meta:
        model = models.ThematicArea
        fields = ["code", "order"]


class RegionalPriorityFilterSet(BaseFilterSet):
    search_fields = ("title", "description")

    class Meta:
        model = models.RegionalPriority
        fields = ["region", "thematic_area", "order"]


class LanguageFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = models.Language
        fields = ["code"]


class OrganisationFilterSet(BaseFilterSet):
    search_fields = ("name", "acronym")
    unfiltered = {"website": "a link", "email": "contact detail", "phone": "contact detail"}
    region = django_filters.ModelChoiceFilter(queryset=models.Region.objects.all(), method="in_region", label=_("Region"))

    class Meta:
        model = models.Organisation
        fields = ["kind", "country", "parent", "networks", "is_active"]

    def in_region(self, queryset, name, value):
        countries = models.Membership.objects.current().filter(region=value).values("country_id")
        return queryset.filter(country_id__in=countries)


class PersonFilterSet(BaseFilterSet):
    # Never e-mail, phone or address: searching them would leak contact details.
    search_fields = ("given_name", "family_name", "position", "organisation__name", "organisation__acronym")
    unfiltered = {
        "email": "contact details are never a search or filter key: that would reveal them",
        "phone": "contact details are never a search or filter key: that would reveal them",
        "user_account": "whether a person has a login is not a directory criterion",
    }
    region = django_filters.ModelChoiceFilter(queryset=models.Region.objects.all(), method="in_region", label=_("Region"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="with_role", label=_("Active role"))

    class Meta:
        model = models.Person
        fields = ["honorific", "country", "organisation", "gender", "languages", "directory_listed", "contact_visibility",
                  "consent_date"]

    def in_region(self, queryset, name, value):
        return queryset.filter(country_id__in=models.Membership.objects.current().filter(region=value).values("country_id"))

    def with_role(self, queryset, name, value):
        return queryset.filter(Exists(models.RoleAssignment.objects.active().filter(person=OuterRef("pk"), role=value)))


class RoleAssignmentFilterSet(BaseFilterSet):
    search_fields = ("person__given_name", "person__family_name", "note")
    active = django_filters.BooleanFilter(method="only_active", label=_("Active now"))

    class Meta:
        model = models.RoleAssignment
        fields = ["person", "role", "country", "region", "organisation", "start_date", "end_date"]

    def only_active(self, queryset, name, value):
        active = models.RoleAssignment.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class ExpertFilterSet(BaseFilterSet):
    """The expert directory: domain, thematic area, level, country, region, language, deployable now."""

    search_fields = ("search_text",)  # names, position, organisation, summary and areas (ExpertProfile.search_text)
    unfiltered = {
        copy: "a copy of the person's column for the access rule; filter by the person's country or organisation"
        for copy in models.PERSON_COPIES.values()
    }
    domain = django_filters.ChoiceFilter(choices=Domain.choices, method="with_expertise", label=_("CBRN domain"))
    thematic_area = django_filters.ModelChoiceFilter(
        queryset=models.ThematicArea.objects.all(), method="with_expertise", label=_("Thematic area")
    )
    min_level = django_filters.ChoiceFilter(choices=ExpertiseLevel.choices, method="with_expertise", label=_("Minimum level"))
    country = django_filters.ModelChoiceFilter(
        queryset=models.Country.objects.all(), field_name="person__country", label=_("Country")
    )
    region = django_filters.ModelChoiceFilter(queryset=models.Region.objects.all(), method="in_region", label=_("Region"))
    language = django_filters.ModelChoiceFilter(
        queryset=models.Language.objects.all(), field_name="person__languages", label=_("Language")
    )
    deployable_now = django_filters.BooleanFilter(method="deployable_today", label=_("Deployable now"))

    class Meta:
        model = models.ExpertProfile
        fields = ["person", "deployable", "years_of_experience", "notice_days"]

    def search(self, queryset, name, value):
        """Every word must match the expert's name or position, organisation, summary or an area.

        All of them are in one column, `search_text` (in capitals, trigram-indexed on PostgreSQL): a
        word is one index lookup instead of a subquery on each of five tables for every expert.
        """
        for word in value.split()[:8]:
            queryset = queryset.filter(search_text__contains=word.upper())
        return queryset

    def with_expertise(self, queryset, name, value):
        # The three expertise filters must hold on the same expertise line; they are combined here.
        data = self.form.cleaned_data
        first = next(key for key in ("domain", "thematic_area", "min_level") if data.get(key))
        if name != first:
            return queryset  # already applied for the first of the three
        lines = models.Expertise.objects.filter(profile=OuterRef("pk"))
        if data.get("domain"):
            lines = lines.filter(domain=data["domain"])
        if data.get("thematic_area"):
            lines = lines.filter(thematic_area=data["thematic_area"])
        if data.get("min_level"):
            lines = lines.filter(level__gte=int(data["min_level"]))
        return queryset.filter(Exists(lines))

    def in_region(self, queryset, name, value):
        countries = models.Membership.objects.current().filter(region=value).values("country_id")
        return queryset.filter(person__country_id__in=countries)

    def deployable_today(self, queryset, name, value):
        today = timezone.localdate()
        window = models.Availability.objects.filter(profile=OuterRef("pk"), start_date__lte=today, end_date__gte=today)
        now = Q(deployable=True) & Exists(window)
        return queryset.filter(now) if value else queryset.exclude(now)


class ExpertiseFilterSet(BaseFilterSet):
    search_fields = ("thematic_area__name",)

    class Meta:
        model = models.Expertise
        fields = ["profile", "domain", "thematic_area", "level"]


class CertificationFilterSet(BaseFilterSet):
    search_fields = ("name", "issuer")

    class Meta:
        model = models.Certification
        fields = ["profile", "name", "issuer", "issued_on", "expires_on"]


class AvailabilityFilterSet(BaseFilterSet):
    search_fields = ("note",)

    class Meta:
        model = models.Availability
        fields = ["profile", "start_date", "end_date"]
