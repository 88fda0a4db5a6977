"""One Health surveillance: diseases, the competent authority of each sector, datasets of weekly
counts shared under TLP labels, the series in them, the signals detection finds and the alerts
analysts raise from them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy, SharedParentPolicy
from cbrnet.core.models import BaseModel
from cbrnet.registry.models import Country, Organisation
from cbrnet.sharing.models import SharedModel
from cbrnet.surveillance.choices import (
    SECTOR_FLAGS,
    CapCertainty,
    CapSeverity,
    CapUrgency,
    Method,
    Sector,
    SignalStatus,
)


def encode_sectors(sectors) -> str:
    """[animal, human] -> ",animal,human," (so that `contains` filters work on SQLite and PostgreSQL)."""
    sectors = sorted({str(sector) for sector in sectors or () if sector})
    return f",{','.join(sectors)}," if sectors else ""


def decode_sectors(value: str) -> list[str]:
    return [sector for sector in (value or "").split(",") if sector]


def check_monday(value: datetime.date):
    if value.weekday() != 0:
        raise ValidationError(
            _("%(date)s is not a Monday: weeks are identified by their Monday (ISO 8601)."),
            params={"date": value.isoformat()},
        )


class Disease(BaseModel):
    """A disease or syndrome under surveillance, and the One Health sectors it concerns (a zoonosis
    concerns human and animal health: an alarm in one sector alerts the other)."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9_-]*$", _("Lower-case letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=200)
    zoonotic = models.BooleanField(_("zoonotic"), default=False)
    human = models.BooleanField(_("concerns human health"), default=False)
    animal = models.BooleanField(_("concerns animal health"), default=False)
    plant = models.BooleanField(_("concerns plant health"), default=False)
    food = models.BooleanField(_("concerns food safety"), default=False)
    environment = models.BooleanField(_("concerns the environment"), default=False)
    icd_code = models.CharField(_("ICD-10 code"), max_length=20, blank=True)
    source = models.TextField(_("source"), blank=True)

    # Reference data of the whole platform: every signed-in user reads it, platform administrators edit it.
    access_policy = ScopedPolicy(public_read=True, managers=())

    class Meta:
        verbose_name = _("disease")
        verbose_name_plural = _("diseases")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def sectors(self) -> list[str]:
        return [sector for sector, flag in SECTOR_FLAGS.items() if getattr(self, flag)]

    def clean(self):
        if not self.sectors:
            raise ValidationError({"human": _("Tick at least one sector the disease concerns.")})
        if self.zoonotic and not (self.human and self.animal):
            raise ValidationError({"zoonotic": _("A zoonosis concerns both human and animal health.")})

    def get_absolute_url(self):
        return reverse("surveillance:disease_detail", args=[self.pk])


class SectorAuthority(BaseModel):
    """The competent authority of one sector in one country (ministry of health, veterinary services,
    food safety agency…): the organisation alerts of that sector go to."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="sector_authorities", verbose_name=_("country")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sector_authorities",
        verbose_name=_("organisation"),
    )

    # Who the authorities are is no secret; the country's focal point and its secretariat keep the list.
    access_policy = ScopedPolicy(country="country_id", managers=("secretariat", "focal_point"))

    class Meta:
        verbose_name = _("sector authority")
        verbose_name_plural = _("sector authorities")
        ordering = ["country__name", "sector", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "sector", "organisation"], name="sector_authority_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.get_sector_display()} ({self.country})"

    def clean(self):
        if (
            self.organisation_id
            and self.country_id
            and self.organisation.country_id not in (None, self.country_id)
        ):
            raise ValidationError({"organisation": _("The organisation belongs to another country.")})

    def get_absolute_url(self):
        return reverse("surveillance:sectorauthority_detail", args=[self.pk])


class Dataset(SharedModel):
    """A country's surveillance data from one sector (e.g. Kazakhstan's notifiable animal diseases):
    its series of weekly counts stay the owner's own until the dataset is shared."""

    title = models.CharField(_("title"), max_length=250)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="surveillance_datasets", verbose_name=_("country")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    method = models.CharField(
        _("detection method"),
        max_length=30,
        choices=Method.choices,
        default=Method.FARRINGTON_FLEXIBLE,
        help_text=_("Applied to every series of the dataset (docs/surveillance.md)."),
    )
    description = models.TextField(_("description"), blank=True)

    federation_fields = ("title", "description")

    class Meta:
        verbose_name = _("surveillance dataset")
        verbose_name_plural = _("surveillance datasets")
        ordering = ["country__name", "sector", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveillance:dataset_detail", args=[self.pk])


class Series(BaseModel):
    """The weekly counts of one disease in one place (the whole country, or an administrative area)
    within a dataset."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="series", verbose_name=_("dataset")
    )
    disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, related_name="series", verbose_name=_("disease")
    )
    admin_area = models.CharField(
        _("administrative area"), max_length=120, blank=True, help_text=_("Empty for the whole country.")
    )
    first_week = models.DateField(_("first week"), null=True, blank=True, editable=False)
    last_week = models.DateField(_("last week"), null=True, blank=True, editable=False)
    detected_at = models.DateTimeField(_("last detection run"), null=True, blank=True, editable=False)

    access_policy = SharedParentPolicy(path="dataset", parent="surveillance.Dataset")

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["dataset", "disease__name", "admin_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "disease", "admin_area"], name="series_unique_in_dataset"
            ),
        ]

    def __str__(self):
        where = self.admin_area or self.dataset.country.name
        return f"{self.disease} — {where} ({self.dataset.get_sector_display()})"

    def get_absolute_url(self):
        return reverse("surveillance:series_detail", args=[self.pk])


class WeeklyCount(BaseModel):
    """The count of one series in one ISO week (identified by its Monday). A late report or a
    correction replaces the count and raises the revision; the audit trail keeps every value."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="counts", verbose_name=_("series")
    )
    week = models.DateField(_("week"), validators=[check_monday])
    count = models.PositiveIntegerField(_("count"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1, editable=False)

    access_policy = SharedParentPolicy(path="series__dataset", parent="surveillance.Dataset")
    ui_elsewhere = "the series page (chart and table) and the counts endpoints of the surveillance API"

    class Meta:
        verbose_name = _("weekly count")
        verbose_name_plural = _("weekly counts")
        ordering = ["series", "week"]
        constraints = [models.UniqueConstraint(fields=["series", "week"], name="weekly_count_unique")]

    def __str__(self):
        return f"{self.series_id} {self.week.isoformat()}: {self.count}"

    def get_absolute_url(self):
        return reverse("surveillance:series_detail", args=[self.series_id])


class Signal(BaseModel):
    """An alarm of the detection method in one week of one series, waiting for an analyst to verify
    or discard it (with a reason), and possibly linked to the incident it is part of."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="signals", verbose_name=_("series")
    )
    week = models.DateField(_("week"), validators=[check_monday])
    method = models.CharField(_("detection method"), max_length=30, choices=Method.choices)
    count = models.PositiveIntegerField(_("count"))
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(
        _("status"), max_length=12, choices=SignalStatus.choices, default=SignalStatus.NEW
    )
    reason = models.TextField(_("reason"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    # Shown only to those who may see the incident (docs/surveillance.md, "Linking a signal to an incident").
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("incident"),
        help_text=_("The incident this signal is part of, if any."),
    )

    access_policy = SharedParentPolicy(path="series__dataset", parent="surveillance.Dataset")

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-week", "-pk"]
        constraints = [models.UniqueConstraint(fields=["series", "week", "method"], name="signal_unique")]
        indexes = [models.Index(fields=["status", "week"], name="signal_status_week_idx")]

    def __str__(self):
        return _("Signal: %(series)s, week of %(week)s") % {
            "series": self.series,
            "week": self.week.isoformat(),
        }

    def clean(self):
        if self.status == SignalStatus.DISCARDED and not self.reason.strip():
            raise ValidationError({"reason": _("Say why the signal is discarded.")})

    def get_absolute_url(self):
        return reverse("surveillance:signal_detail", args=[self.pk])


class Alert(SharedModel):
    """An alert raised by an analyst (usually from a verified signal) to the authorities of every
    sector the disease concerns in the country — the One Health link — exported as OASIS CAP 1.2."""

    signal = models.ForeignKey(
        Signal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("signal"),
    )
    disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("disease")
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="surveillance_alerts", verbose_name=_("country")
    )
    admin_area = models.CharField(_("administrative area"), max_length=120, blank=True)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instruction"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=CapUrgency.choices, default=CapUrgency.EXPECTED
    )
    severity = models.CharField(
        _("severity"), max_length=12, choices=CapSeverity.choices, default=CapSeverity.MODERATE
    )
    certainty = models.CharField(
        _("certainty"), max_length=12, choices=CapCertainty.choices, default=CapCertainty.LIKELY
    )
    sectors = models.CharField(
        _("sectors alerted"),
        max_length=80,
        blank=True,
        editable=False,
        help_text=_("Every sector the disease concerns, computed when the alert is raised."),
    )
    exercise = models.BooleanField(
        _("exercise"),
        default=False,
        help_text=_("An exercise alert is marked as such everywhere (CAP status Exercise)."),
    )

    federation_fields = ("headline", "description", "instruction")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.headline

    @property
    def sector_list(self) -> list[str]:
        return decode_sectors(self.sectors)

    def get_absolute_url(self):
        return reverse("surveillance:alert_detail", args=[self.pk])
