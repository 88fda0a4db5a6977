"""Web UI of the registry: generic list/detail/edit/delete pages plus the country, region and expert pages."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cbrnet import access
from cbrnet.core.generic import (
    ModelViews,
    ObjectDetailView,
    ObjectListView,
    add_validation_errors,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.registry import filters, forms, models, selectors, services, signals

COUNTRY_PAGE_SECONDS = 600


def country_sections(request, country: models.Country) -> dict[str, str]:
    """The country page's own sections (membership, focal point, map; team, organisations, experts),
    rendered once and cached.

    Every key holds the country, the version of the registry's data (any registry write moves it on),
    the language and the day (roles start and end by date). The first cache is per user: the key holds
    the user's access context (their rights: a change of rights moves it on, and never does one user
    get another's entry). On a miss, the user's fingerprint of the page (selectors.
    country_page_fingerprint: the records they may see in each list) finds a rendering made for
    whoever saw exactly the same records: the page is a function of those and of the data.
    """
    user = request.user
    common = [str(country.pk), signals.data_version(), get_language(), timezone.localdate().isoformat()]
    user_key = ":".join(["registry-country-page", *common, access.user_context(user).cache_key])
    sections = cache.get(user_key)
    if sections is None:
        fingerprint = selectors.country_page_fingerprint(user=user, country=country)
        shared_key = ":".join(["registry-country-page-seen", *common, fingerprint])
        sections = cache.get(shared_key)
        if sections is None:
            context = {"object": country, **selectors.country_page(user=user, country=country)}
            sections = {
                name: render_to_string(f"registry/_country_{name}.html", context) for name in ("details", "related")
            }
            cache.set(shared_key, sections, COUNTRY_PAGE_SECONDS)
        cache.set(user_key, sections, COUNTRY_PAGE_SECONDS)
    return sections


class CountryDetailView(ObjectDetailView):
    template_name = "registry/country_detail.html"

    def extra_context(self, request, instance):
        return {"sections": country_sections(request, instance)}


class RegionDetailView(ObjectDetailView):
    template_name = "registry/region_detail.html"

    def extra_context(self, request, instance):
        return selectors.region_page(user=request.user, region=instance)



network = ModelViews(
    models.Network, form=forms.NetworkForm, filterset=filters.NetworkFilterSet,
    columns=[Column("name", link=True, order_by="name"), Column("short_name"), Column("code"),
             Column("established", order_by="established")],
    fields=["code", "name", "short_name", "description", "established", "website", "source"],
    export_fields=[("code", "code"), ("name", "name"), ("short_name", "short_name"), ("established", "established")],
)

region = ModelViews(
    models.Region, form=forms.RegionForm, filterset=filters.RegionFilterSet,
    queryset=models.Region.objects.select_related("network"), detail_class=RegionDetailView,
    columns=[Column("name", link=True, order_by="name"), Column("code", order_by="code"), Column("network")],
    fields=["network", "code", "name", "description"],
    export_fields=[("code", "code"), ("name", "name"), ("network", "network.code")],
)

country = ModelViews(
    models.Country, form=forms.CountryForm, filterset=filters.CountryFilterSet, detail_class=CountryDetailView,
    columns=[Column("name", link=True, order_by="name"), Column("iso2", order_by="iso2"), Column("iso3")],
    fields=["iso2", "iso3", "numeric", "name", "official_name"],
    export_fields=[("iso2", "iso2"), ("iso3", "iso3"), ("numeric", "numeric"), ("name", "name")],
)

membership = ModelViews(
    models.Membership, form=forms.MembershipForm, filterset=filters.MembershipFilterSet,
    queryset=models.Membership.objects.select_related("network", "region", "country"),
    columns=[Column("country", link=True, order_by="country__name"), Column("region", order_by="region__name"),
             Column("network"), Column("status"), Column("since"), Column("confidence")],
    fields=["network", "region", "country", "status", "since", "until", "confidence", "source"],
    export_fields=[("network", "network.code"), ("region", "region.code"), ("country", "country.iso2"),
                   ("status", "status"), ("since", "since"), ("until", "until"), ("confidence", "confidence")],
)

secretariat = ModelViews(
    models.Secretariat, form=forms.SecretariatForm, filterset=filters.SecretariatFilterSet,
    queryset=models.Secretariat.objects.select_related("region", "host_country"),
    columns=[Column("region", link=True, order_by="region__name"), Column("city", order_by="city"),
             Column("host_country"), Column("established", order_by="established")],
    fields=["region", "organisation", "host_country", "city", "host_institution", "established", "head_name",
            "framework", "overall_goal", "email", "phone", "website", "source"],
    export_fields=[("region", "region.code"), ("city", "city"), ("host_country", "host_country.iso2"),
                   ("established", "established"), ("head", "head_name")],
)

thematic_area = ModelViews(
    models.ThematicArea, form=forms.ThematicAreaForm, filterset=filters.ThematicAreaFilterSet,
    columns=[Column("name", link=True, order_by="name"), Column("code"), Column("order", order_by="order")],
    fields=["code", "name", "description", "order"],
    export_fields=[("code", "code"), ("name", "name"), ("description", "description"), ("order", "order")],
)

regional_priority = ModelViews(
    models.RegionalPriority, form=forms.RegionalPriorityForm, filterset=filters.RegionalPriorityFilterSet,
    queryset=models.RegionalPriority.objects.select_related("region", "thematic_area"),
    columns=[Column("title", link=True, order_by="title"), Column("region", order_by="region__name"),
             Column("thematic_area")],
    fields=["region", "title", "thematic_area", "description", "order", "source"],
    export_fields=[("region", "region.code"), ("title", "title"), ("thematic_area", "thematic_area.code")],
)

language = ModelViews(
    models.Language, form=forms.LanguageForm, filterset=filters.LanguageFilterSet,
    columns=[Column("name", link=True, order_by="name"), Column("code", order_by="code")],
    fields=["code", "name"],
    export_fields=[("code", "code"), ("name", "name")],
)

organisation = ModelViews(
    models.Organisation, form=forms.OrganisationForm, filterset=filters.OrganisationFilterSet,
    queryset=models.Organisation.objects.select_related("country", "parent"),
    columns=[Column("name", link=True, order_by="name"), Column("acronym", order_by="acronym"), Column("kind"),
             Column("country", order_by="country__name")],
    fields=["name", "acronym", "kind", "country", "parent", "networks", "client_of", "website", "email", "phone",
            "address", "is_active", "source"],
    export_fields=[("name", "name"), ("acronym", "acronym"), ("kind", "kind"), ("country", "country.iso2"),
                   ("parent", "parent.name"), ("website", "website"), ("email", "email"), ("phone", "phone")],
)


class PersonDetailView(ObjectDetailView):
    def extra_context(self, request, instance):
        roles = access.restrict(instance.roles.select_related("country", "region", "organisation"), request.user)
        profile = access.restrict(models.ExpertProfile.objects.filter(person=instance), request.user).first()
        return {"roles": roles, "profile": profile}


person = ModelViews(
    models.Person, form=forms.PersonForm, filterset=filters.PersonFilterSet,
    queryset=models.Person.objects.select_related("organisation", "country"),
    detail_class=PersonDetailView,
    columns=[Column("family_name", link=True, order_by="family_name"), Column("given_name", order_by="given_name"),
             Column("organisation"), Column("country", order_by="country__name"), Column("position")],
    fields=["honorific", "given_name", "family_name", "gender", "organisation", "country", "position", "languages",
            "email", "phone", "address", "directory_listed", "contact_visibility", "consent_date"],
    export_fields=[("given_name", "given_name"), ("family_name", "family_name"), ("organisation", "organisation.name"),
                   ("country", "country.iso2"), ("position", "position"), ("email", "email"), ("phone", "phone")],
)

role_assignment = ModelViews(
    models.RoleAssignment, form=forms.RoleAssignmentForm, filterset=filters.RoleAssignmentFilterSet,
    queryset=models.RoleAssignment.objects.select_related("person", "country", "region", "organisation"),
    columns=[Column("person", link=True, order_by="person__family_name"), Column("role", order_by="role"),
             Column("country"), Column("region"), Column("organisation"), Column("start_date", order_by="start_date"),
             Column("end_date", order_by="end_date")],
    fields=["person", "role", "country", "region", "organisation", "start_date", "end_date", "note"],
    export_fields=[("person", "person"), ("role", "role"), ("country", "country.iso2"), ("region", "region.code"),
                   ("organisation", "organisation.name"), ("start_date", "start_date"), ("end_date", "end_date")],
    title=_("Roles and appointments"),
)


class ExpertDetailView(ObjectDetailView):
    def extra_context(self, request, instance):
        return {
            "expertise": instance.expertise.select_related("thematic_area"),
            "certifications": instance.certifications.all(),
            "availability": instance.availability.all(),
        }


class ExpertDirectoryView(ObjectListView):
    template_name = "registry/expert_directory.html"

    def get_queryset(self):
        # Only what the rows and the exports show: the page query sorts every match it finds.
        return super().get_queryset().only(
            "deployable", "person__given_name", "person__family_name", "person__organisation__name",
            "person__organisation__acronym", "person__country__name", "person__country__iso2",
        )

    def extra_context(self, request):
        return {"directory": True}


expert = ModelViews(
    models.ExpertProfile, form=forms.ExpertProfileForm, filterset=filters.ExpertFilterSet,
    queryset=models.ExpertProfile.objects.select_related("person__organisation", "person__country").prefetch_related(
        # What an expertise line shows (Expertise.__str__): a directory page lists a hundred of them.
        Prefetch("expertise", queryset=models.Expertise.objects.select_related("thematic_area").only(
            "profile_id", "domain", "level", "thematic_area__name"
        ))
    ),
    detail_class=ExpertDetailView, list_class=ExpertDirectoryView,
    columns=[Column("person", link=True, order_by="person__family_name"), Column("person.organisation"),
             Column("person.country", label=_("Country")), Column("expertise", label=_("Expertise")),
             Column("deployable", order_by="deployable")],
    fields=["person", "summary", "years_of_experience", "deployable", "notice_days"],
    export_fields=[("given_name", "person.given_name"), ("family_name", "person.family_name"),
                   ("organisation", "person.organisation.name"), ("country", "person.country.iso2"),
                   ("expertise", "expertise"), ("deployable", "deployable")],
    title=_("Expert directory"),
)

expertise = ModelViews(
    models.Expertise, form=forms.ExpertiseForm, filterset=filters.ExpertiseFilterSet,
    queryset=models.Expertise.objects.select_related("profile__person", "thematic_area"),
    columns=[Column("profile.person", label=_("Expert"), link=True), Column("domain"), Column("thematic_area"),
             Column("level", order_by="level")],
    fields=["profile", "domain", "thematic_area", "level"],
    export_fields=[("expert", "profile.person"), ("domain", "domain"), ("thematic_area", "thematic_area.code"),
                   ("level", "level")],
)

certification = ModelViews(
    models.Certification, form=forms.CertificationForm, filterset=filters.CertificationFilterSet,
    queryset=models.Certification.objects.select_related("profile__person"),
    columns=[Column("name", link=True, order_by="name"), Column("profile.person", label=_("Expert")),
             Column("issuer"), Column("issued_on", order_by="issued_on"), Column("expires_on")],
    fields=["profile", "name", "issuer", "issued_on", "expires_on"],
    export_fields=[("expert", "profile.person"), ("name", "name"), ("issuer", "issuer"), ("issued_on", "issued_on")],
)

availability = ModelViews(
    models.Availability, form=forms.AvailabilityForm, filterset=filters.AvailabilityFilterSet,
    queryset=models.Availability.objects.select_related("profile__person"),
    columns=[Column("profile.person", label=_("Expert"), link=True), Column("start_date", order_by="start_date"),
             Column("end_date"), Column("note")],
    fields=["profile", "start_date", "end_date", "note"],
    export_fields=[("expert", "profile.person"), ("start_date", "start_date"), ("end_date", "end_date")],
)


def focal_point_appoint_view(request, pk):
    """Appoint a country's National Focal Point; the current one's appointment ends the day before."""
    country = access.get_object_for(request.user, models.Country.objects.all(), "view", pk=pk)
    if not models.RoleAssignment.access_policy.may_appoint(access.user_context(request.user), role="focal_point", country_id=country.pk):
        raise PermissionDenied
    form = forms.FocalPointAppointForm(request.POST or None)
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.focal_point_appoint(user=request.user, country=country, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("%(person)s is now the National Focal Point of %(country)s.")
                             % {"person": form.cleaned_data["person"], "country": country})
            return redirect(country.get_absolute_url())
    return render(request, "registry/focal_point_appoint.html", {"form": form, "country": country},
                  status=400 if form.errors else 200)
