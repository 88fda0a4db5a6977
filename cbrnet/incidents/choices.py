"""Enumerations of incidents and mutual assistance."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CbrnType(models.TextChoices):
    CHEMICAL = "chemical", _("Chemical")
    BIOLOGICAL = "biological", _("Biological")
    RADIOLOGICAL = "radiological", _("Radiological")
    NUCLEAR = "nuclear", _("Nuclear")
    COMBINED = "combined", _("Several CBRN hazards")
    UNKNOWN = "unknown", _("Not yet known")


class Severity(models.TextChoices):
    """The four CAP 1.2 severities (what the CAP export writes), mildest first."""

    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    EXTREME = "extreme", _("Extreme")


class Phase(models.TextChoices):
    """Where the response to an incident stands (its label's draft/published status is separate)."""

    REPORTED = "reported", _("Reported")
    RESPONSE = "response", _("Response under way")
    RECOVERY = "recovery", _("Recovery")
    CLOSED = "closed", _("Closed")


OPEN_PHASES = (Phase.REPORTED, Phase.RESPONSE, Phase.RECOVERY)


class CapabilityKind(models.TextChoices):
    TEAM = "team", _("Team")
    MODULE = "module", _("Module")
    LABORATORY = "laboratory", _("Laboratory")
    MOBILE_LABORATORY = "mobile_laboratory", _("Mobile laboratory")
    EQUIPMENT = "equipment", _("Equipment")
    EXPERT = "expert", _("Expert")


class CapabilityStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    DEPLOYED = "deployed", _("Deployed")
    MAINTENANCE = "maintenance", _("Under maintenance")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_MET = "partly_met", _("Partly met")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


ACTIVE_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.PARTLY_MET)


class CostArrangement(models.TextChoices):
    """Who bears the costs of assistance (IAEA Assistance Convention art. 7; UCPM co-financing)."""

    REQUESTING = "requesting", _("The requesting country reimburses")
    ASSISTING = "assisting", _("The assisting party bears them")
    SHARED = "shared", _("Shared")
    TO_BE_AGREED = "to_be_agreed", _("To be agreed")


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OfferDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")


class DeploymentStage(models.TextChoices):
    """The timeline of a deployment, in order: a stage is recorded once, never before the previous."""

    PLANNED = "planned", _("Planned")
    MOBILISED = "mobilised", _("Mobilised")
    ARRIVED = "arrived", _("Arrived")
    OPERATING = "operating", _("Operating")
    DEMOBILISED = "demobilised", _("Demobilised")


DEPLOYMENT_ORDER = tuple(DeploymentStage.values)


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    OFFERED = "offered", _("Offer received")


class AnnouncementEvent(models.TextChoices):
    """What the people concerned are notified of."""

    INCIDENT_PUBLISHED = "incident_published", _("Incident reported")
    REQUEST_CREATED = "request_created", _("Assistance requested")
    REQUEST_AMENDED = "request_amended", _("Request amended")
    OFFER_MADE = "offer_made", _("Assistance offered")
    OFFER_DECIDED = "offer_decided", _("Offer decided")
    SITREP_PUBLISHED = "sitrep_published", _("Situation report published")
    OFFER_INVITED = "offer_invited", _("Invitation to offer")
