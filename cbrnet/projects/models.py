"""Projects of a network (e.g. CoE Project 53, P81 BIOSEC, P87 PRECA), their activities (trainings,
exercises, workshops…) and who took part in them."""

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ParticipantPolicy, ScopedPolicy
from cbrnet.core.models import BaseModel
from cbrnet.projects.choices import (
    NEEDS_CODE,
    ActivityKind,
    ActivityStatus,
    Attendance,
    FundingInstrument,
    ParticipantRole,
    ProjectOrigin,
    ProjectStatus,
)
from cbrnet.registry.choices import Domain, Gender
from cbrnet.registry.models import (
    Country,
    Network,
    Organisation,
    Person,
    Region,
    RegionalPriority,
    ThematicArea,
)

year_validators = [MinValueValidator(1990), MaxValueValidator(2100)]
DOMAIN_ORDER = "".join(Domain.values)  # "CBRNE"


def encode_domains(values) -> str:
    """CBRN areas as stored: their one-letter codes in the order C, B, R, N, E ("CB", "RN")."""
    wanted = {str(value).strip().upper() for value in values if str(value).strip()}
    unknown = wanted - set(DOMAIN_ORDER)
    if unknown:
        raise ValidationError(
            _("Unknown CBRN area(s) %(codes)s: use C, B, R, N or E.") % {"codes": ", ".join(sorted(unknown))}
        )
    return "".join(code for code in DOMAIN_ORDER if code in wanted)


def decode_domains(text: str) -> list[str]:
    return [code for code in DOMAIN_ORDER if code in (text or "")]


def validate_domains(text: str) -> None:
    if text and encode_domains(text) != text:
        raise ValidationError(_("Use the letters C, B, R, N, E once each, in that order."))


def validate_currency(code: str) -> None:
    if code and pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(_("%(code)s is not an ISO 4217 currency code (e.g. EUR).") % {"code": code})


class Project(BaseModel):
    """A risk-mitigation project: what it wants to achieve, where, who implements it with what money,
    and where it stands in the pipeline from idea to closure."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="projects", verbose_name=_("network"))
    code = models.CharField(
        _("code"), max_length=20, blank=True, validators=[RegexValidator(r"^[A-Za-z0-9-]+$")],
        help_text=_("The code the network knows it by (e.g. P53); needed from approval on."),
    )
    title = models.CharField(_("title"), max_length=400)
    objectives = models.TextField(_("objectives"), blank=True)
    cbrn_areas = models.CharField(
        _("CBRN areas"), max_length=5, blank=True, validators=[validate_domains],
        help_text=_("One-letter codes: C, B, R, N, E."),
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="projects", verbose_name=_("regions"))
    countries = models.ManyToManyField(Country, blank=True, related_name="projects", verbose_name=_("countries"))
    thematic_areas = models.ManyToManyField(ThematicArea, blank=True, related_name="projects", verbose_name=_("thematic areas"))
    priorities = models.ManyToManyField(
        RegionalPriority, blank=True, related_name="projects", verbose_name=_("regional priorities served"),
    )
    funding_instrument = models.CharField(
        _("funding instrument"), max_length=10, choices=FundingInstrument.choices, blank=True
    )
    lead_implementer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="led_projects",
        verbose_name=_("lead implementer"),
    )
    implementers = models.ManyToManyField(
        Organisation, blank=True, related_name="projects", verbose_name=_("implementers and partners")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Kept beside the dates: the sources often give the years only. A date, when known, sets its year.
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=year_validators, help_text=_("Taken from the start date when there is one.")
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"), null=True, blank=True, validators=year_validators, help_text=_("Taken from the end date when there is one.")
    )
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency], help_text=_("ISO 4217 code, e.g. EUR.")
    )
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.IDEA)
    status_note = models.CharField(_("note on the last status change"), max_length=500, blank=True)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    origin = models.CharField(_("origin of the idea"), max_length=20, choices=ProjectOrigin.choices, blank=True)
    origin_detail = models.CharField(
        _("origin details"), max_length=300, blank=True, help_text=_("E.g. the round-table meeting that raised it.")
    )
    source = models.TextField(_("source"), blank=True)

    # Projects are the network's public record; the secretariats of their regions edit them.
    access_policy = ScopedPolicy(region="regions", managers=("secretariat",), many=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "code"], condition=~Q(code=""), name="project_code_unique_in_network"
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.title}" if self.code else self.title

    @property
    def cbrn_area_list(self) -> list[str]:
        return decode_domains(self.cbrn_areas)

    @property
    def cbrn_area_labels(self) -> str:
        return ", ".join(str(Domain(code).label) for code in self.cbrn_area_list)

    def get_cbrn_areas_display(self) -> str:
        return self.cbrn_area_labels

    def clean(self):
        errors = {}
        if self.start_date:
            self.start_year = self.start_date.year
        if self.end_date:
            self.end_year = self.end_date.year
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The project ends before it starts.")
        elif self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The project ends before it starts.")
        if self.budget is not None and not self.currency:
            errors["currency"] = _("Give the currency of the budget.")
        if self.status in NEEDS_CODE and not self.code:
            errors["code"] = _("A project has its code from approval on.")
        if self.code and self.network_id:
            same = Project._base_manager.filter(network_id=self.network_id, code__iexact=self.code).exclude(pk=self.pk)
            if same.exists():
                errors["code"] = _("Another project of this network has the code %(code)s.") % {"code": self.code}
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])


class Activity(BaseModel):
    """Something a project does with people: a workshop, training, exercise, conference or study visit,
    with its dates, place, organisers, agenda and outcomes."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="activities", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("country"),
        help_text=_("Empty for an online activity."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    organisers = models.ManyToManyField(Organisation, blank=True, related_name="organised_activities", verbose_name=_("organisers"))
    thematic_areas = models.ManyToManyField(ThematicArea, blank=True, related_name="activities", verbose_name=_("thematic areas"))
    agenda = models.TextField(_("agenda"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    # The network's public record, like its project; the secretariat of the project's regions and the
    # administrator of its lead implementer plan and edit activities.
    access_policy = ScopedPolicy(
        region="project__regions", organisation="project__lead_implementer", managers=("secretariat", "org_admin"),
        many=True,
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "title"]
        indexes = [models.Index(fields=["start_date"], name="activity_start_idx")]

    def __str__(self):
        return f"{self.title} ({self.start_date})" if self.start_date else self.title  # ISO date

    @property
    def place(self) -> str:
        return ", ".join(str(part) for part in (self.city, self.country) if part)

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The activity ends before it starts.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _("Give both coordinates, or neither.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("projects:activity_detail", args=[self.pk])


class Participation(BaseModel):
    """A person's part in an activity: their role, whether they attended, their certificate.

    The person's country, organisation and gender are copied when they are registered, so that the
    totals of an activity stay true when the person later moves or changes organisation.
    """

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="participations", verbose_name=_("activity"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.TRAINEE)
    attended = models.CharField(_("attended"), max_length=10, choices=Attendance.choices, blank=True, default="")
    certificate_issued = models.BooleanField(_("certificate issued"), default=False)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    certificate_code = models.CharField(_("certificate code"), max_length=32, blank=True, editable=False)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="participations",
        verbose_name=_("country"), help_text=_("The person's country when they were registered."),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="participations",
        verbose_name=_("organisation"), help_text=_("The person's organisation when they were registered."),
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=250, blank=True)

    access_policy = ParticipantPolicy(parent="activity", parent_model="projects.Activity")

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["activity", "person__family_name", "person__given_name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="participation_once_per_activity"),
            models.UniqueConstraint(
                fields=["certificate_code"], condition=~Q(certificate_code=""), name="participation_certificate_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["country", "role"], name="participation_country_role_idx")]

    def __str__(self):
        return f"{self.person} — {self.activity}"

    def take_snapshot(self) -> None:
        """Copy the person's country, organisation and gender onto the record."""
        person = self.person
        self.organisation_id = person.organisation_id
        self.country_id = person.country_id or (person.organisation.country_id if person.organisation_id else None)
        self.gender = person.gender

    def save(self, *args, **kwargs):
        # Also when a record is created without full_clean() (a script, a test): never without the copy.
        if self._state.adding and self.person_id and not (self.country_id or self.organisation_id or self.gender):
            self.take_snapshot()
        super().save(*args, **kwargs)

    def clean(self):
        if self.person_id and (self._state.adding or self.pk is None):
            self.take_snapshot()
        if self.certificate_issued and self.attended != Attendance.YES:
            raise ValidationError({"attended": _("A certificate is issued to people who attended.")})

    def get_absolute_url(self):
        return reverse("projects:participation_detail", args=[self.pk])
