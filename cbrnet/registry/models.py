"""The network registry: networks, regions, secretariats, countries, organisations, people, roles
and expertise: the data model every other module builds on."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import PersonPolicy, RoleAssignmentPolicy, ScopedPolicy
from cbrnet.core.models import BaseModel, RestrictedQuerySet
from cbrnet.registry.choices import (
    ROLE_SCOPE,
    Confidence,
    ContactVisibility,
    Domain,
    ExpertiseLevel,
    Gender,
    MembershipStatus,
    OrganisationKind,
    Role,
)

_URL_PARTS: dict[tuple, tuple[str, str]] = {}
_PLACEHOLDER = 987654321


def detail_url(name: str, pk) -> str:
    """reverse(name, args=[pk]) for a detail page, with the pattern resolved once per URL name: list
    and country pages link hundreds of records, and reverse() matches the URL patterns each time."""
    if type(pk) is not int:
        return reverse(name, args=[pk])
    key = (name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    parts = _URL_PARTS.get(key)
    if parts is None:
        head, _, tail = reverse(name, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
        parts = _URL_PARTS[key] = (head, tail)
    return f"{parts[0]}{pk}{parts[1]}"


code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Use letters, digits, '-' and '_' only."))


class Network(BaseModel):
    """A CBRN risk-mitigation network, such as the EU CBRN Centres of Excellence or the ASEAN CBR Network."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    established = models.DateField(_("established"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the facts about this record come from."))

    access_policy = ScopedPolicy(managers=())

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return detail_url("registry:network_detail", self.pk)


class Region(BaseModel):
    """A region of a network, served by a regional secretariat (e.g. Central Asia of the EU CBRN CoE)."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="regions", verbose_name=_("network"))
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    # A secretariat edits its region's description; only platform administrators delete a region.
    access_policy = ScopedPolicy(region="pk", managers=("secretariat",), managers_delete=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["network__name", "name"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="region_code_unique_in_network")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("registry:region_detail", self.pk)


class Country(BaseModel):
    """A country (ISO 3166-1); its membership of networks is recorded in Membership."""

    iso2 = models.CharField(_("ISO code"), max_length=2, unique=True, validators=[RegexValidator(r"^[A-Z]{2}$")])
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True, validators=[RegexValidator(r"^[A-Z]{3}$")])
    numeric = models.CharField(_("ISO numeric code"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)

    access_policy = ScopedPolicy(country="pk", managers=("secretariat",))

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("registry:country_detail", self.pk)


class MembershipQuerySet(RestrictedQuerySet):
    def current(self):
        today = timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=today))


class Membership(BaseModel):
    """A country's place in a network region: partner, potential partner, observer or member, since when."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("network"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("region"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("country"))
    status = models.CharField(_("status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.PARTNER)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.CONFIRMED)
    source = models.TextField(_("source"), blank=True)

    objects = MembershipQuerySet.as_manager()
    access_policy = ScopedPolicy(country="country_id", region="region_id", managers=("secretariat",))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["region__name", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "country"], condition=Q(until__isnull=True), name="one_current_membership_per_network"
            )
        ]

    def __str__(self):
        return f"{self.country} — {self.region} ({self.get_status_display()})"

    def clean(self):
        if self.region_id and self.network_id and self.region.network_id != self.network_id:
            raise ValidationError({"region": _("This region belongs to another network.")})
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("The end date is before the start date.")})

    def get_absolute_url(self):
        return detail_url("registry:membership_detail", self.pk)


class Organisation(BaseModel):
    """An organisation: international body, EU body, ministry, agency, laboratory, university, NGO, company."""

    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations", verbose_name=_("country"),
        help_text=_("Empty for international organisations."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    networks = models.ManyToManyField(Network, blank=True, related_name="organisations", verbose_name=_("networks"))
    client_of = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="clients", verbose_name=_("client of"),
        help_text=_("Organisations this one works for (TLP:AMBER may be passed on to clients)."),
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)

    access_policy = ScopedPolicy(country="country_id", organisation="pk")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="organisation_name_unique_in_country")]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self):
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})

    def get_absolute_url(self):
        return detail_url("registry:organisation_detail", self.pk)


class Secretariat(BaseModel):
    """The regional secretariat of a region: where it is hosted, since when, who heads it."""

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="secretariat", verbose_name=_("region"))
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="secretariat_of",
        verbose_name=_("organisation"),
    )
    host_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("host country"))
    city = models.CharField(_("city"), max_length=100)
    host_institution = models.CharField(_("host institution"), max_length=300, blank=True)
    established = models.DateField(_("established"), null=True, blank=True)
    head_name = models.CharField(_("head of secretariat"), max_length=150, blank=True)
    framework = models.CharField(_("framework"), max_length=300, blank=True)
    overall_goal = models.TextField(_("overall goal"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.TextField(_("source"), blank=True)

    access_policy = ScopedPolicy(region="region_id", managers=("secretariat",))

    class Meta:
        verbose_name = _("secretariat")
        verbose_name_plural = _("secretariats")
        ordering = ["region__name"]

    def __str__(self):
        return _("Secretariat for %(region)s") % {"region": self.region}

    def get_absolute_url(self):
        return detail_url("registry:secretariat_detail", self.pk)


class ThematicArea(BaseModel):
    """An area of CBRN work in the controlled expertise taxonomy (border control, biosafety, forensics…)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    access_policy = ScopedPolicy(managers=())

    class Meta:
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("registry:thematicarea_detail", self.pk)


class RegionalPriority(BaseModel):
    """A priority a region's partner countries agreed on (e.g. 'Dual use goods trade control')."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=250)
    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.PROTECT, null=True, blank=True, related_name="priorities", verbose_name=_("thematic area")
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.TextField(_("source"), blank=True)

    access_policy = ScopedPolicy(region="region_id", managers=("secretariat",))

    class Meta:
        verbose_name = _("regional priority")
        verbose_name_plural = _("regional priorities")
        ordering = ["region__name", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["region", "title"], name="priority_title_unique_in_region")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("registry:regionalpriority_detail", self.pk)


class Language(BaseModel):
    """A language a person works in (ISO 639-1)."""

    code = models.CharField(_("code"), max_length=3, unique=True, validators=[RegexValidator(r"^[a-z]{2,3}$")])
    name = models.CharField(_("name"), max_length=100)

    access_policy = ScopedPolicy(managers=())

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("registry:language_detail", self.pk)


class PersonQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        """A bulk change of consent, country, organisation or name refreshes the copies on expert profiles
        (their access rule reads the copies: a stale copy could show a profile to the wrong users),
        and a change of what the directory searches refreshes their search text. `bulk_update` goes
        through here too; a save refreshes both through signals (cbrnet.registry.signals)."""
        from cbrnet.registry.search import expert_search_text_refresh

        copied = {"directory_listed", "country", "country_id", "organisation", "organisation_id", "family_name", "given_name"}
        searched = {"given_name", "family_name", "position", "organisation", "organisation_id"}
        if not (copied | searched) & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            rows = super().update(**kwargs)
            if copied & kwargs.keys():
                ExpertProfile.copy_person_columns(ids)
            if searched & kwargs.keys():
                for start in range(0, len(ids), 1000):
                    expert_search_text_refresh(person_ids=ids[start : start + 1000])
        return rows


class Person(BaseModel):
    """A person of the network: NFP, team member, secretariat officer, expert, partner staff."""

    honorific = models.CharField(_("title"), max_length=20, blank=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("organisation")
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("country")
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="people", verbose_name=_("languages"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    directory_listed = models.BooleanField(
        _("listed in the directory"), default=False,
        help_text=_("The person consented to appear in the directory that every signed-in user can search."),
    )
    contact_visibility = models.CharField(
        _("contact details visible to"), max_length=20, choices=ContactVisibility.choices, default=ContactVisibility.PRIVATE
    )
    consent_date = models.DateField(_("consent recorded on"), null=True, blank=True)
    user_account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person",
        verbose_name=_("user account"),
    )

    objects = PersonQuerySet.as_manager()

    access_policy = PersonPolicy()
    contact_fields = ("email", "phone", "address")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        base_manager_name = "objects"  # its update() keeps the expert profiles' copies current
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            # A country's people and experts in name order (the country page): without it PostgreSQL
            # walks the name index over every country's people.
            models.Index(fields=["country", "family_name"], name="person_country_name_idx"),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self):
        return " ".join(part for part in (self.honorific, self.given_name, self.family_name) if part)

    def clean(self):
        if self.organisation_id and self.organisation.country_id and not self.country_id:
            self.country_id = self.organisation.country_id

    def get_absolute_url(self):
        return detail_url("registry:person_detail", self.pk)


class RoleAssignmentQuerySet(RestrictedQuerySet):
    def active(self, on: datetime.date | None = None):
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class RoleAssignment(BaseModel):
    """A role a person holds, with its scope and dates: an NFP appointment, a team seat, a secretariat post.

    Access rights derive from the active assignments of a user's person; ended ones are the history.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments", verbose_name=_("country")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments", verbose_name=_("region")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments",
        verbose_name=_("organisation"), help_text=_("For team members: the ministry or agency they represent."),
    )
    start_date = models.DateField(_("appointed on"), default=datetime.date.today)
    end_date = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    access_policy = RoleAssignmentPolicy()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-start_date"]
        constraints = [
            # One active National Focal Point per country; ended appointments remain as history.
            models.UniqueConstraint(
                fields=["country"], condition=Q(role="focal_point", end_date__isnull=True), name="one_active_focal_point_per_country"
            )
        ]

    def __str__(self):
        scope = self.country or self.region or self.organisation
        return f"{self.person} — {self.get_role_display()}" + (f" ({scope})" if scope else "")

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    def clean(self):
        scope = ROLE_SCOPE.get(self.role)
        errors = {}
        if scope == "country" and not self.country_id:
            errors["country"] = _("A %(role)s is appointed for a country.") % {"role": self.get_role_display()}
        if scope == "region" and not self.region_id:
            errors["region"] = _("A %(role)s works for a region.") % {"role": self.get_role_display()}
        if scope == "organisation" and not self.organisation_id:
            if self.person_id and self.person.organisation_id:
                self.organisation_id = self.person.organisation_id
            else:
                errors["organisation"] = _("A %(role)s belongs to an organisation.") % {"role": self.get_role_display()}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the appointment date.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return detail_url("registry:roleassignment_detail", self.pk)


# The person's columns the expert directory's access rule and order read, and the profile's copies.
PERSON_COPIES = {
    "directory_listed": "person_directory_listed",
    "country_id": "person_country_id",
    "organisation_id": "person_organisation_id",
    "family_name": "person_family_name",
    "given_name": "person_given_name",
}


class ExpertProfile(BaseModel):
    """What an expert can bring: expertise, certifications, deployability and availability."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("person"))
    summary = models.TextField(_("summary"), blank=True)
    years_of_experience = models.PositiveSmallIntegerField(_("years of experience"), null=True, blank=True)
    deployable = models.BooleanField(_("deployable"), default=False, help_text=_("Willing and cleared to deploy abroad."))
    notice_days = models.PositiveSmallIntegerField(_("notice needed (days)"), null=True, blank=True)
    # What the directory's free-text search reads: the person's names and position, the organisation's
    # name and acronym, the summary and the thematic areas, one per line, in capitals. Derived data kept
    # current by cbrnet.registry.signals (cbrnet.registry.search.expert_search_text_refresh); one
    # trigram-indexed column instead of a join across five tables for every word searched.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # Copies of the person's directory consent, country, organisation and name: the directory's access
    # rule (PersonPolicy `copies`) and order read them instead of joining every person. Set on every
    # save of the profile and whenever those columns of the person change, by a save or by a
    # queryset update (PersonQuerySet.update, which bulk_update goes through too).
    person_directory_listed = models.BooleanField(default=False, editable=False)
    person_country_id = models.BigIntegerField(null=True, blank=True, editable=False)
    person_organisation_id = models.BigIntegerField(null=True, blank=True, editable=False)
    person_family_name = models.CharField(max_length=100, blank=True, default="", editable=False)
    person_given_name = models.CharField(max_length=100, blank=True, default="", editable=False)

    access_policy = PersonPolicy(path="person__", copies=PERSON_COPIES)
    audit_exclude = ("search_text", *PERSON_COPIES.values())  # derived from audited records

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        ordering = ["person_family_name", "person_given_name"]  # the person's name (copies: no join)
        indexes = [models.Index(fields=["person_family_name", "person_given_name"], name="expert_name_idx")]

    def __str__(self):
        return _("Expert profile of %(person)s") % {"person": self.person}

    def get_absolute_url(self):
        return detail_url("registry:expertprofile_detail", self.pk)

    def save(self, *args, **kwargs):
        person = Person._base_manager.filter(pk=self.person_id).values(*PERSON_COPIES).first() or {}
        for column, copy in PERSON_COPIES.items():
            setattr(self, copy, person[column] if column in person else self._meta.get_field(copy).get_default())
        super().save(*args, **kwargs)

    @classmethod
    def copy_person_columns(cls, person_ids) -> None:
        """Refresh the copies of the person's columns on the profiles of these people."""
        person = Person._base_manager.filter(pk=OuterRef("person_id"))
        copies = {copy: Subquery(person.values(column)[:1]) for column, copy in PERSON_COPIES.items()}
        person_ids = list(person_ids)
        for start in range(0, len(person_ids), 1000):  # SQLite limits the parameters of one statement
            cls._base_manager.filter(person_id__in=person_ids[start : start + 1000]).update(**copies)


class Expertise(BaseModel):
    """One line of an expert's expertise: CBRN domain × thematic area × level."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="expertise", verbose_name=_("expert profile"))
    domain = models.CharField(_("CBRN domain"), max_length=1, choices=Domain.choices)
    thematic_area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="expertise", verbose_name=_("thematic area"))
    level = models.PositiveSmallIntegerField(_("level"), choices=ExpertiseLevel.choices)

    access_policy = PersonPolicy(path="profile__person__")

    class Meta:
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")
        ordering = ["domain", "thematic_area__order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "domain", "thematic_area"], name="expertise_unique_per_profile")
        ]
        # The directory's "minimum level" filter probes each matching expert's lines by level.
        indexes = [models.Index(fields=["profile", "level"], name="expertise_profile_level_idx")]

    def __str__(self):
        # Enum lookups, not get_*_display(): that rebuilds a hashable choices dict on every call,
        # which showed in profiles of pages listing hundreds of expertise lines.
        return f"{Domain(self.domain).label} · {self.thematic_area} · {ExpertiseLevel(self.level).label}"

    def get_absolute_url(self):
        return self.profile.get_absolute_url()


class Certification(BaseModel):
    """A certificate an expert holds (e.g. OPCW inspector training, IATA dangerous goods)."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("expert profile"))
    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    access_policy = PersonPolicy(path="profile__person__")

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-issued_on"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("The certificate expires before it was issued.")})

    def get_absolute_url(self):
        return self.profile.get_absolute_url()


class Availability(BaseModel):
    """A window in which an expert is available for deployment."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="availability", verbose_name=_("expert profile"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    access_policy = PersonPolicy(path="profile__person__")

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["start_date"]

    def __str__(self):
        return f"{self.start_date} – {self.end_date}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The window ends before it starts.")})

    def get_absolute_url(self):
        return self.profile.get_absolute_url()
