from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """The One Health sectors that report surveillance data and receive alerts."""

    HUMAN = "human", _("Human health")
    ANIMAL = "animal", _("Animal health")
    PLANT = "plant", _("Plant health")
    FOOD = "food", _("Food safety")
    ENVIRONMENT = "environment", _("Environment")


# The Disease flag that says a disease concerns each sector.
SECTOR_FLAGS = {
    Sector.HUMAN: "human",
    Sector.ANIMAL: "animal",
    Sector.PLANT: "plant",
    Sector.FOOD: "food",
    Sector.ENVIRONMENT: "environment",
}


class Method(models.TextChoices):
    """Detection methods of cbrnet.surveillance.detection (docs/surveillance.md)."""

    EARS_C1 = "ears_c1", _("EARS C1")
    EARS_C2 = "ears_c2", _("EARS C2")
    EARS_C3 = "ears_c3", _("EARS C3")
    FARRINGTON = "farrington", _("Farrington (1996)")
    FARRINGTON_FLEXIBLE = "farrington_flexible", _("Improved Farrington (Noufaily 2013)")
    CUSUM = "cusum", _("CUSUM")


class SignalStatus(models.TextChoices):
    NEW = "new", _("To triage")
    VERIFIED = "verified", _("Verified")
    DISCARDED = "discarded", _("Discarded")


class CapUrgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class CapSeverity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class CapCertainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")
