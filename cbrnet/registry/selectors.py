"""Reads that span relations: the country page, the region page, the network map. Always take the user."""

import hashlib

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet import access
from cbrnet.registry import models
from cbrnet.registry.choices import Role

PERSON_NAME = ("person__given_name", "person__family_name")  # what a link to a person shows


def _active_roles(user, **filters):
    queryset = models.RoleAssignment.objects.active().filter(**filters).select_related("person__organisation", "organisation")
    return access.restrict(queryset, user).order_by("person__family_name")


def _country_lists(*, user, country: models.Country) -> dict:
    """The lists of the country page as the user may see them, in page order (not yet evaluated)."""
    return {
        "memberships": access.restrict(models.Membership.objects.filter(country=country), user).order_by("network__name"),
        "focal_points": access.restrict(
            models.RoleAssignment.objects.filter(country=country, role=Role.FOCAL_POINT), user
        ).order_by("-start_date"),
        "team": access.restrict(
            models.RoleAssignment.objects.active().filter(country=country, role=Role.NATIONAL_TEAM), user
        ).order_by("person__family_name"),
        "organisations": access.restrict(models.Organisation.objects.filter(country=country), user).order_by("name"),
        "experts": access.restrict(models.ExpertProfile.objects.filter(person__country=country), user).order_by(
            "person__family_name"
        ),
    }


COUNTRY_PAGE_SIZES = {"organisations": 100, "experts": 50}  # the longer lists show a first page and a count


def _may_appoint_focal_point(user, country) -> bool:
    return models.RoleAssignment.access_policy.may_appoint(
        access.user_context(user), role=Role.FOCAL_POINT, country_id=country.pk
    )


def country_page(*, user, country: models.Country) -> dict:
    """Membership, National Focal Point (and history), national team, organisations and experts of a country.

    Each list loads only the columns the page shows: a country has hundreds of people and experts.
    """
    lists = _country_lists(user=user, country=country)
    memberships = lists["memberships"].select_related("network", "region")
    focal_points = lists["focal_points"].select_related("person").only("start_date", "end_date", *PERSON_NAME)
    team = lists["team"].select_related("person", "organisation").only(
        "start_date", *PERSON_NAME, "organisation__name", "organisation__acronym"
    )
    organisations = lists["organisations"]
    expertise = models.Expertise.objects.select_related("thematic_area").only(
        "profile_id", "domain", "level", "thematic_area__name"
    )
    experts = (
        lists["experts"].select_related("person").only(*PERSON_NAME).prefetch_related(Prefetch("expertise", queryset=expertise))
    )
    organisation_page = list(organisations.only("name", "acronym")[: COUNTRY_PAGE_SIZES["organisations"]])
    expert_page = list(experts[: COUNTRY_PAGE_SIZES["experts"]])
    return {
        "memberships": memberships,
        "focal_point": next((role for role in focal_points if role.is_active), None),
        "focal_point_history": [role for role in focal_points if not role.is_active],
        "team": team,
        "organisations": organisation_page,
        # A full page only: otherwise the page holds them all, and counting them again is a query saved.
        "organisation_count": _count(organisations, organisation_page, COUNTRY_PAGE_SIZES["organisations"]),
        "experts": expert_page,
        "expert_count": _count(lists["experts"], expert_page, COUNTRY_PAGE_SIZES["experts"]),
        "map_classes": {country.iso2: "highlight"},
        "map_links": {},
        "map_crop": True,
        "can_appoint": _may_appoint_focal_point(user, country),
    }


def _count(queryset, page: list, size: int) -> int:
    return queryset.count() if len(page) == size else len(page)


def country_page_fingerprint(*, user, country: models.Country) -> str:
    """A digest of what the user may see of the country page: the records of every list (ids), how
    many records the long lists hold, and whether the user may appoint a focal point.

    The country page is a function of these and of the data alone, so users whose fingerprints are
    equal may be shown one and the same rendering (registry.views.country_sections).
    """
    parts = []
    for name, queryset in _country_lists(user=user, country=country).items():
        size = COUNTRY_PAGE_SIZES.get(name)
        ids = queryset.values_list("pk", flat=True)
        page = list(ids[:size] if size else ids)
        count = _count(queryset, page, size) if size else len(page)
        parts.append(f"{name}={sorted(page)}/{count}")
    parts.append(f"appoint={_may_appoint_focal_point(user, country)}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


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
