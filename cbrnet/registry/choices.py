from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipStatus(models.TextChoices):
    PARTNER = "partner", _("Partner country")
    POTENTIAL = "potential", _("Potential partner country")
    OBSERVER = "observer", _("Observer")
    MEMBER = "member", _("Member state")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    LIKELY = "likely", _("Likely")


class OrganisationKind(models.TextChoices):
    INTERNATIONAL = "international", _("International organisation")
    EU_BODY = "eu_body", _("EU body")
    SECRETARIAT = "secretariat", _("Regional secretariat")
    MINISTRY = "ministry", _("National ministry")
    AGENCY = "agency", _("National agency")
    FOCAL_POINT = "focal_point", _("National focal point office")
    LABORATORY = "laboratory", _("Laboratory")
    UNIVERSITY = "university", _("University or research institute")
    NGO = "ngo", _("Non-governmental organisation")
    COMPANY = "company", _("Company")


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    FOCAL_POINT = "focal_point", _("National Focal Point")
    NATIONAL_TEAM = "national_team", _("National team member")
    SECRETARIAT = "secretariat", _("Secretariat officer")
    PARTNER_STAFF = "partner_staff", _("Partner organisation staff")
    EXPERT = "expert", _("Expert")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# What each role is scoped to (checked by RoleAssignment.clean and documented in docs/access-control.md).
ROLE_SCOPE = {
    Role.FOCAL_POINT: "country",
    Role.NATIONAL_TEAM: "country",
    Role.SECRETARIAT: "region",
    Role.PARTNER_STAFF: "organisation",
    Role.ORG_ADMIN: "organisation",
    Role.VIEWER: "organisation",
    Role.AUTHOR: "organisation",
    Role.EDITOR: "organisation",
    Role.EXPERT: None,
    Role.PLATFORM_ADMIN: None,
}


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "", _("Not recorded")


class ContactVisibility(models.TextChoices):
    PRIVATE = "private", _("Only me and the officers who manage my record")
    NETWORK = "network", _("Users of organisations in my networks")
    ALL_USERS = "all_users", _("Every signed-in user")


class Domain(models.TextChoices):
    CHEMICAL = "C", _("Chemical")
    BIOLOGICAL = "B", _("Biological")
    RADIOLOGICAL = "R", _("Radiological")
    NUCLEAR = "N", _("Nuclear")
    EXPLOSIVES = "E", _("Explosives")


class ExpertiseLevel(models.IntegerChoices):
    AWARE = 1, _("Awareness")
    PRACTITIONER = 2, _("Practitioner")
    ADVANCED = 3, _("Advanced")
    EXPERT = 4, _("Expert")
    LEADING = 5, _("Leading expert / trainer")
