"""Incidents and mutual assistance: the capabilities countries and partners can send, CBRN incidents,
requests for assistance (every version kept), invitations and offers, deployments with their
timeline, and situation reports. Modelled on the IAEA Response and Assistance Network (RANET) and
the EU Civil Protection Mechanism (docs/incidents.md)."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy
from cbrnet.core.models import BaseModel
from cbrnet.incidents import taxonomy
from cbrnet.incidents.choices import (
    DEPLOYMENT_ORDER,
    AnnouncementEvent,
    CapabilityKind,
    CapabilityStatus,
    CbrnType,
    CostArrangement,
    DeploymentStage,
    InvitationStatus,
    OfferStatus,
    Phase,
    RequestStatus,
    Severity,
)
from cbrnet.incidents.policies import (
    DeploymentPolicy,
    IncidentPolicy,
    IncidentRecordPolicy,
    InvitationPolicy,
    OfferPolicy,
)
from cbrnet.sharing.models import SharedChildMixin, SharedModel

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")

latitude_validators = [MinValueValidator(-90), MaxValueValidator(90)]
longitude_validators = [MinValueValidator(-180), MaxValueValidator(180)]


def encode_list(values) -> str:
    """[b, a] -> ",a,b," so that `contains` filters find one value on SQLite and PostgreSQL."""
    values = sorted({str(value).strip() for value in values or () if str(value).strip()})
    return f",{','.join(values)}," if values else ""


def decode_list(value: str) -> list[str]:
    return [item for item in (value or "").split(",") if item]


def check_codes(value: str) -> None:
    unknown = [code for code in decode_list(value) if taxonomy.get(code) is None]
    if unknown:
        raise ValidationError(
            _("Unknown capability codes: %(codes)s (see the taxonomy in docs/incidents.md).")
            % {"codes": ", ".join(unknown)}
        )


def check_languages(value: str) -> None:
    bad = [code for code in decode_list(value) if not LANGUAGE_CODE.match(code)]
    if bad:
        raise ValidationError(
            _("Use ISO 639 language codes (two or three lower-case letters): %(codes)s.")
            % {"codes": ", ".join(bad)}
        )


def exercise_badge(flag: bool) -> str:
    """The mark every exercise carries wherever it is listed."""
    return (
        format_html('<span class="badge badge-warning exercise">{}</span>', gettext("Exercise"))
        if flag
        else ""
    )


def check_pair(instance, latitude: str, longitude: str, errors: dict) -> None:
    """Coordinates come in pairs: one without the other is a mistake worth naming."""
    if (getattr(instance, latitude) is None) != (getattr(instance, longitude) is None):
        missing = longitude if getattr(instance, longitude) is None else latitude
        errors[missing] = _("Give both the latitude and the longitude, or neither.")


class Capability(BaseModel):
    """What a country or partner organisation can send when another asks for help: a team, a module,
    a (mobile) laboratory, equipment or an expert, with its capability codes, size, readiness, home
    base and current status. The matching ranks these against requests for assistance."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CapabilityKind.choices)
    codes = models.CharField(
        _("capability codes"),
        max_length=500,
        validators=[check_codes],
        help_text=_("Codes of the taxonomy (stored as ,CODE,CODE,)."),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="capabilities",
        verbose_name=_("provided by"),
    )
    country = models.ForeignKey(
        "registry.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capabilities",
        verbose_name=_("country"),
        help_text=_("The providing organisation's country; empty for an international organisation."),
    )
    size = models.PositiveIntegerField(
        _("size"), default=0, help_text=_("People in the team or module; units of equipment.")
    )
    readiness_hours = models.PositiveIntegerField(
        _("readiness (hours)"), default=24, help_text=_("Hours from a request to departure.")
    )
    self_sufficiency_days = models.PositiveSmallIntegerField(
        _("self-sufficiency (days)"),
        default=0,
        help_text=_("Days it can work without support from the affected country (UCPM modules: at least 4)."),
    )
    base_name = models.CharField(_("home base"), max_length=200, blank=True)
    base_latitude = models.FloatField(
        _("home base latitude"), null=True, blank=True, validators=latitude_validators
    )
    base_longitude = models.FloatField(
        _("home base longitude"), null=True, blank=True, validators=longitude_validators
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        validators=[check_languages],
        help_text=_("Working languages, ISO 639 codes (stored as ,en,ru,)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CapabilityStatus.choices, default=CapabilityStatus.AVAILABLE
    )
    description = models.TextField(_("description"), blank=True)

    access_policy = ScopedPolicy(country="country_id", organisation="organisation_id")

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status"], name="capability_status_idx")]

    def __str__(self):
        return self.name

    @property
    def code_list(self) -> list[str]:
        return decode_list(self.codes)

    @property
    def language_list(self) -> list[str]:
        return decode_list(self.languages)

    def clean(self):
        errors = {}
        if not self.code_list:
            errors["codes"] = _("Give at least one capability code.")
        if self.organisation_id:
            organisation_country = self.organisation.country_id
            if self.country_id is None:
                self.country_id = organisation_country
            elif organisation_country is not None and self.country_id != organisation_country:
                errors["country"] = _("The organisation is in another country.")
        check_pair(self, "base_latitude", "base_longitude", errors)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("incidents:capability_detail", args=[self.pk])


class Incident(SharedModel):
    """A CBRN incident reported to the network (or an exercise of one): what happened, where, when,
    how bad, and how the response stands. Shared under a TLP label; its restricted details are
    seen only by the affected country's side and those it chose (IncidentPolicy)."""

    title = models.CharField(_("title"), max_length=250)
    cbrn_type = models.CharField(_("CBRN type"), max_length=20, choices=CbrnType.choices)
    agent = models.CharField(
        _("agent or substance"), max_length=200, blank=True, help_text=_("If known (e.g. chlorine, Cs-137).")
    )
    country = models.ForeignKey(
        "registry.Country",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("affected country"),
    )
    place = models.CharField(_("place"), max_length=200, help_text=_("Town, district or site."))
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    started_at = models.DateTimeField(_("started"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE
    )
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injured = models.PositiveIntegerField(_("injured or ill"), default=0)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.REPORTED)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    is_exercise = models.BooleanField(
        _("exercise"),
        default=False,
        help_text=_("Marked as an exercise everywhere, and left out of figures on request."),
    )
    detail_organisations = models.ManyToManyField(
        "registry.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("restricted details also shown to"),
        help_text=_("Organisations the affected country chose; invited and accepted partners are added."),
    )

    access_policy = IncidentPolicy()
    # Core blanks `contact_fields` (detail page, history, exports) for users whose policy.contact_q
    # fails; for incidents that is the restricted-details rule, not contact consent.
    restricted_fields = ("agent", "latitude", "longitude", "deaths", "injured", "description")
    contact_fields = restricted_fields
    federation_fields = ("title", "cbrn_type", "place", "severity", "phase", "is_exercise")

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "tlp"], name="incident_status_tlp_idx"),
            models.Index(fields=["country", "phase"], name="incident_country_phase_idx"),
        ]

    def __str__(self):
        return f"{gettext('EXERCISE')} — {self.title}" if self.is_exercise else self.title

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    @property
    def exercise_badge(self) -> str:
        return exercise_badge(self.is_exercise)

    def clean(self):
        super().clean()
        errors = {}
        check_pair(self, "latitude", "longitude", errors)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("incidents:incident_detail", args=[self.pk])


class AssistanceRequest(BaseModel):
    """A request for assistance from the affected country: the capabilities needed (RequestItem),
    where, from when and for how long, on which conditions, and whom to contact. Amending it keeps
    every earlier version (RequestVersion)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="requests", verbose_name=_("incident")
    )
    title = models.CharField(_("title"), max_length=250, help_text=_("What is needed, in a line."))
    location = models.CharField(_("where"), max_length=200, help_text=_("Where the assistance is needed."))
    needed_from = models.DateTimeField(_("needed from"))
    duration_days = models.PositiveSmallIntegerField(
        _("for (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    languages = models.CharField(
        _("working languages"),
        max_length=200,
        blank=True,
        validators=[check_languages],
        help_text=_("ISO 639 codes; empty: the languages of the country's people in the registry."),
    )
    entry_conditions = models.TextField(_("entry"), blank=True, help_text=_("Visas, entry points, escorts."))
    customs_conditions = models.TextField(
        _("customs"), blank=True, help_text=_("Clearance of equipment and medicines.")
    )
    liability_conditions = models.TextField(
        _("liability"),
        blank=True,
        help_text=_("Claims and compensation (e.g. IAEA Assistance Convention art. 10)."),
    )
    cost_arrangement = models.CharField(
        _("costs"), max_length=20, choices=CostArrangement.choices, default=CostArrangement.TO_BE_AGREED
    )
    contact_name = models.CharField(_("contact point"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("requested by"),
    )

    access_policy = IncidentRecordPolicy(path="incident")
    contact_fields = (
        "entry_conditions",
        "customs_conditions",
        "liability_conditions",
        "contact_name",
        "contact_email",
        "contact_phone",
    )
    # What a version snapshot records (RequestVersion), besides the lines.
    versioned_fields = (
        "title",
        "location",
        "needed_from",
        "duration_days",
        "languages",
        "entry_conditions",
        "customs_conditions",
        "liability_conditions",
        "cost_arrangement",
        "contact_name",
        "contact_email",
        "contact_phone",
        "status",
    )

    class Meta:
        verbose_name = _("request for assistance")
        verbose_name_plural = _("requests for assistance")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.title

    @property
    def language_list(self) -> list[str]:
        return decode_list(self.languages)

    @property
    def is_active(self) -> bool:
        return self.status in (RequestStatus.OPEN, RequestStatus.PARTLY_MET)

    @property
    def exercise_badge(self) -> str:
        return exercise_badge(self.incident.is_exercise)

    def get_absolute_url(self):
        return reverse("incidents:assistancerequest_detail", args=[self.pk])


class RequestItem(BaseModel):
    """One capability a request asks for, and how many."""

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="items", verbose_name=_("request")
    )
    code = models.CharField(_("capability"), max_length=40, validators=[check_codes])
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    note = models.CharField(_("note"), max_length=250, blank=True)

    access_policy = IncidentRecordPolicy(path="request__incident")
    ui_elsewhere = "the request page and form, and the items of the request API"

    class Meta:
        verbose_name = _("requested capability")
        verbose_name_plural = _("requested capabilities")
        ordering = ["request", "pk"]

    def __str__(self):
        return f"{self.quantity} × {taxonomy.name(self.code)}"

    @property
    def name(self) -> str:
        return taxonomy.name(self.code)

    def get_absolute_url(self):
        return reverse("incidents:assistancerequest_detail", args=[self.request_id])


class RequestVersion(BaseModel):
    """A request as it stood at one version: its fields and lines, who amended it and why. Written by
    the services only, never changed."""

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="versions", verbose_name=_("request")
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    reason = models.CharField(_("reason for the amendment"), max_length=500, blank=True)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    access_policy = IncidentRecordPolicy(path="request__incident")
    ui_elsewhere = "the versions page of each request and the versions endpoint of the request API"

    class Meta:
        verbose_name = _("request version")
        verbose_name_plural = _("request versions")
        ordering = ["request", "-number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="request_version_unique")]

    def __str__(self):
        return _("Version %(number)s of %(request)s") % {"number": self.number, "request": self.request_id}

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists():
            raise PermissionDenied("Request versions are never changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return (
            reverse("incidents:assistancerequest_versions", args=[self.request_id])
            + f"#version-{self.number}"
        )


class OfferInvitation(BaseModel):
    """An invitation to offer a registered capability against a request, sent from the ranked
    matching list; keeps the score and reasons it was chosen with."""

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("request")
    )
    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("capability")
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )

    access_policy = InvitationPolicy()
    ui_elsewhere = "the matching page of each request and the invitations endpoint of the request API"

    class Meta:
        verbose_name = _("invitation to offer")
        verbose_name_plural = _("invitations to offer")
        ordering = ["request", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "capability"], name="invitation_unique")]

    def __str__(self):
        return f"{self.capability} → {self.request}"

    def get_absolute_url(self):
        return reverse("incidents:assistancerequest_match", args=[self.request_id])


class Offer(BaseModel):
    """An offer of assistance against a request, from another country or a partner organisation:
    what, how many, from when, for how long, on which conditions. The requesting side accepts or
    declines it; an accepted offer becomes a Deployment."""

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.PROTECT, related_name="offers", verbose_name=_("request")
    )
    capability = models.ForeignKey(
        Capability,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("registered capability"),
    )
    code = models.CharField(
        _("for the requested capability"),
        max_length=40,
        validators=[check_codes],
        help_text=_("Which line of the request this offer answers."),
    )
    offering_organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("offered by"),
        editable=False,
    )
    offering_country = models.ForeignKey(
        "registry.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offering country"),
        editable=False,
    )
    description = models.TextField(_("what is offered"))
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    available_from = models.DateTimeField(_("available from"))
    duration_days = models.PositiveSmallIntegerField(
        _("for (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    conditions = models.TextField(
        _("conditions"), blank=True, help_text=_("Costs, liability, support needed.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED, editable=False
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by (person)"),
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_note = models.CharField(_("note on the decision"), max_length=500, blank=True, editable=False)

    access_policy = OfferPolicy()

    class Meta:
        verbose_name = _("offer of assistance")
        verbose_name_plural = _("offers of assistance")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["request", "status"], name="offer_request_status_idx")]

    def __str__(self):
        return _("%(organisation)s: %(what)s") % {
            "organisation": self.offering_organisation if self.offering_organisation_id else "—",
            "what": self.capability or self.description[:60],
        }

    @property
    def exercise_badge(self) -> str:
        return exercise_badge(self.request.incident.is_exercise)

    def get_absolute_url(self):
        return reverse("incidents:offer_detail", args=[self.pk])


class Deployment(BaseModel):
    """An accepted offer on its way to, at, or back from the affected country; its timeline is the
    DeploymentEvent rows (mobilised, arrived, operating, demobilised)."""

    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, related_name="deployment", verbose_name=_("offer")
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=DeploymentStage.choices, default=DeploymentStage.PLANNED
    )
    team_lead = models.CharField(_("team leader"), max_length=150, blank=True)
    personnel = models.PositiveIntegerField(_("personnel"), default=0)
    note = models.TextField(_("note"), blank=True)

    access_policy = DeploymentPolicy()
    ui_elsewhere = (
        "the deployment pages (made by accepting an offer) and the deployments endpoints of the API"
    )

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return _("Deployment of %(offer)s") % {"offer": self.offer}

    @property
    def exercise_badge(self) -> str:
        return exercise_badge(self.offer.request.incident.is_exercise)

    @property
    def next_stages(self) -> list[str]:
        position = DEPLOYMENT_ORDER.index(self.stage)
        return list(DEPLOYMENT_ORDER[position + 1 :])

    def get_absolute_url(self):
        return reverse("incidents:deployment_detail", args=[self.pk])


class DeploymentEvent(BaseModel):
    """One step of a deployment's timeline, when it happened, and a note."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="events", verbose_name=_("deployment")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=DeploymentStage.choices)
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    access_policy = DeploymentPolicy(path="deployment")
    ui_elsewhere = "the deployment page (timeline) and the events endpoint of the deployment API"

    class Meta:
        verbose_name = _("deployment event")
        verbose_name_plural = _("deployment events")
        ordering = ["deployment", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["deployment", "stage"], name="deployment_event_once")]

    def __str__(self):
        return f"{self.get_stage_display()} {self.at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("incidents:deployment_detail", args=[self.deployment_id]) + f"#event-{self.pk}"


class Sitrep(SharedChildMixin):
    """A situation report on an incident, at any time: the situation as of a moment, what is being
    done, what is needed. Carries its own label, never looser than the incident's (R10)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="sitreps", verbose_name=_("incident")
    )
    title = models.CharField(_("title"), max_length=250)
    situation_at = models.DateTimeField(_("situation as of"))
    body = models.TextField(_("situation"))

    shared_parent_field = "incident"
    federation_fields = ("title", "body")

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-situation_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def exercise_badge(self) -> str:
        return exercise_badge(self.incident.is_exercise)

    def get_absolute_url(self):
        return reverse("incidents:sitrep_detail", args=[self.pk])


class Announcement(models.Model):
    """That something others must hear about happened (an incident published, a request made or
    amended, an offer made or decided, a sitrep published, offers invited): written in the same
    transaction as the event, and done once its notifications are written. A task announces it right
    after the commit; the periodic sweep (cbrnet.incidents.tasks.announce_pending) announces any
    whose task was lost or whose worker died. Bookkeeping, not audited."""

    event = models.CharField(max_length=30, choices=AnnouncementEvent.choices)
    object_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it: not notified of their own action.",
    )
    created = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    notified = models.PositiveIntegerField(default=0)

    access_policy = ScopedPolicy(public_read=False, managers=())  # platform administrators only

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["pk"]
        indexes = [models.Index(fields=["done_at", "created"], name="announcement_pending_idx")]

    def __str__(self):
        return f"{self.event} {self.object_id}"
