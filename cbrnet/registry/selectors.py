"""Reads that span relations: the country page, the region page, the network map. Always take the user."""

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet import access
from cbrnet.registry import models
from cbrnet.registry.choices import Role


def _active_roles(user, **filters):
    queryset = models.RoleAssignment.objects.active().filter(**filters).select_related("person__organisation", "organisation")
    return access.restrict(queryset, user).order_by("person__family_name")


def country_page(*, user, country: models.Country) -> dict:
    """Membership, National Focal Point (and history), national team, organisations and experts of a country."""
    memberships = access.restrict(
        models.Membership.objects.filter(country=country).select_related("network", "region"), user
    ).order_by("network__name")
    focal_points = access.restrict(
        models.RoleAssignment.objects.filter(country=country, role=Role.FOCAL_POINT).select_related("person"), user
    ).order_by("-start_date")
    organisations = access.restrict(models.Organisation.objects.filter(country=country), user).order_by("name")
    experts = access.restrict(
        models.ExpertProfile.objects.filter(person__country=country)
        .select_related("person__organisation")
        .prefetch_related(Prefetch("expertise", queryset=models.Expertise.objects.select_related("thematic_area"))),
        user,
    ).order_by("person__family_name")
    return {
        "memberships": memberships,
        "focal_point": next((role for role in focal_points if role.is_active), None),
        "focal_point_history": [role for role in focal_points if not role.is_active],
        "team": _active_roles(user, country=country, role=Role.NATIONAL_TEAM),
        "organisations": organisations[:100],
        "organisation_count": organisations.count(),
        "experts": experts[:50],
        "expert_count": experts.count(),
        "map_classes": {country.iso2: "highlight"},
        "map_links": {},
        "map_crop": True,
        "can_appoint": models.RoleAssignment.access_policy.may_appoint(
            access.user_context(user), role=Role.FOCAL_POINT, country_id=country.pk
        ),
    }


def region_page(*, user, region: models.Region) -> dict:
    """Secretariat, partner countries with their focal points, and priorities of a region."""
    memberships = list(
        access.restrict(models.Membership.objects.current().filter(region=region).select_related("country"), user).order_by(
            "country__name"
        )
    )
    country_ids = [membership.country_id for membership in memberships]
    focal_points = {
        role.country_id: role
        for role in _active_roles(user, country_id__in=country_ids, role=Role.FOCAL_POINT).select_related("country")
    }
    team_counts = dict(
        access.restrict(models.RoleAssignment.objects.active().filter(country_id__in=country_ids, role=Role.NATIONAL_TEAM), user)
        .values("country_id")
        .annotate(total=Count("pk"))
        .values_list("country_id", "total")
    )
    rows = [
        {"membership": m, "focal_point": focal_points.get(m.country_id), "team_size": team_counts.get(m.country_id, 0)}
        for m in memberships
    ]
    secretariat = access.restrict(models.Secretariat.objects.filter(region=region).select_related("host_country"), user).first()
    return {
        "secretariat": secretariat,
        "rows": rows,
        "priorities": access.restrict(region.priorities.select_related("thematic_area"), user),
        "focal_point_count": len(focal_points),
        "team_count": sum(1 for value in team_counts.values() if value),
        "map_classes": {m.country.iso2: m.status for m in memberships},
        "map_links": {m.country.iso2: m.country.get_absolute_url() for m in memberships},
        "map_crop": True,
        "map_legend": MAP_LEGEND,
    }


MAP_LEGEND = {
    "partner": _("Partner country"),
    "member": _("Member state"),
    "potential": _("Potential partner country"),
    "observer": _("Observer"),
}


def network_map(*, user) -> dict:
    """Template context for the map of every current member country of the networks the user can see."""
    memberships = access.restrict(models.Membership.objects.current(), user)
    classes: dict[str, str] = {}
    links: dict[str, str] = {}
    for iso2, status, country_id in memberships.values_list("country__iso2", "status", "country_id"):
        classes.setdefault(iso2, status)
        links[iso2] = reverse("registry:country_detail", args=[country_id])
    return {"map_classes": classes, "map_links": links, "map_crop": False, "map_legend": MAP_LEGEND}
