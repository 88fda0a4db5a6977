"""Import specifications of the registry: organisations, people (with their consent) and experts.

Column names are the field names of the forms, the API and the exports (given_name, organisation…),
so an exported list can be imported again. Related records are named by natural keys, always among
the records the importing user may see:

- a country by its ISO 3166 code, two or three letters (KZ or KAZ);
- an organisation by its name, in the country of `organisation_country` (default: the row's country);
- languages by ISO 639 codes and networks by code, separated by ";" (en;ru);
- expertise as DOMAIN:thematic-area-code:LEVEL items separated by ";" (C:border-control:3;B:biosafety:2),
  DOMAIN being C, B, R, N or E and LEVEL 1 (awareness) to 5 (leading expert).

The engine (cbrnet.core.imports) does the rest: header check, duplicates, dry run, all-or-nothing.
"""

from dataclasses import dataclass, field

from django.forms import modelform_factory

from cbrnet import access
from cbrnet.core import services
from cbrnet.core.imports import (
    CellError,
    ImportColumn,
    ImportSpec,
    Row,
    parse_boolean,
    parse_choice,
    parse_date,
    parse_integer,
    split_list,
)
from cbrnet.registry import forms, models
from cbrnet.registry.choices import ContactVisibility, Domain, ExpertiseLevel, Gender, OrganisationKind


class RegistryLookups:
    """Natural keys to the records the user may see, cached for one import run."""

    def __init__(self, user):
        self.user = user
        self._countries: dict[str, models.Country] | None = None
        self._organisations: dict[tuple, list[models.Organisation]] = {}
        self._languages: dict[str, models.Language] | None = None
        self._networks: dict[str, models.Network] | None = None
        self._areas: dict[str, models.ThematicArea] | None = None

    def _visible(self, model):
        return access.restrict(model.objects.all(), self.user, "view")

    def country(self, code: str) -> models.Country:
        if self._countries is None:
            self._countries = {}
            for country in self._visible(models.Country):
                self._countries[country.iso2] = self._countries[country.iso3] = country
        country = self._countries.get(code.strip().upper())
        if country is None:
            raise CellError(
                f'unknown country code "{code[:40]}" (use the ISO 3166 code, for example KZ or KAZ)'
            )
        return country

    def organisation(self, name: str, country: models.Country | None) -> models.Organisation:
        key = (name.casefold(), country.pk if country else None)
        if key not in self._organisations:
            queryset = self._visible(models.Organisation).filter(name__iexact=name)
            if country is not None:
                queryset = queryset.filter(country=country)
            self._organisations[key] = list(queryset.order_by("pk")[:2])
        found = self._organisations[key]
        where = f" in {country.iso2}" if country else ""
        if not found:
            raise CellError(
                f'no organisation called "{name[:80]}"{where} is registered (or you may not see it)'
            )
        if len(found) > 1:
            raise CellError(
                f'several organisations are called "{name[:80]}"{where}; fill organisation_country'
            )
        return found[0]

    def languages(self, text: str) -> list[models.Language]:
        if self._languages is None:
            self._languages = {language.code: language for language in self._visible(models.Language)}
        return self._many(text, self._languages, "language code", "ISO 639-1, for example en;ru")

    def networks(self, text: str) -> list[models.Network]:
        if self._networks is None:
            self._networks = {network.code.lower(): network for network in self._visible(models.Network)}
        return self._many(text.lower(), self._networks, "network code", ", ".join(sorted(self._networks)))

    def thematic_area(self, code: str) -> models.ThematicArea:
        if self._areas is None:
            self._areas = {area.code: area for area in self._visible(models.ThematicArea)}
        area = self._areas.get(code.strip().lower())
        if area is None:
            raise CellError(
                f'unknown thematic area "{code[:40]}" (codes: {", ".join(sorted(self._areas)) or "none yet"})'
            )
        return area

    @staticmethod
    def _many(text, known: dict, what: str, hint: str) -> list:
        codes = split_list(text)
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise CellError(f"unknown {what}(s) {', '.join(unknown)[:80]} ({hint})")
        return list({known[code].pk: known[code] for code in codes}.values())

    def expertise(self, text: str) -> list[tuple[str, models.ThematicArea, int]]:
        """DOMAIN:area-code:LEVEL items separated by ";"."""
        lines, problems, seen = [], [], set()
        for number, item in enumerate(split_list(text), start=1):
            parts = [part.strip() for part in item.split(":")]
            if len(parts) != 3:
                problems.append(
                    f'item {number} "{item[:40]}" is not DOMAIN:area:LEVEL (for example C:border-control:3)'
                )
                continue
            domain, code, level_text = parts
            domain = domain.upper()
            if domain not in Domain.values:
                problems.append(f'item {number}: unknown CBRN domain "{domain[:5]}" (use C, B, R, N or E)')
                continue
            try:
                area = self.thematic_area(code)
                level = parse_integer(level_text)
            except CellError as error:
                problems.append(f"item {number}: {error}")
                continue
            if level not in ExpertiseLevel.values:
                problems.append(f"item {number}: level {level} is not between 1 and 5")
                continue
            if (domain, area.pk) in seen:
                problems.append(f"item {number}: {domain}:{area.code} is listed twice")
                continue
            seen.add((domain, area.pk))
            lines.append((domain, area, level))
        if problems:
            raise CellError("; ".join(problems))
        return lines


# --- organisations -------------------------------------------------------------------------------


class OrganisationImportForm(forms.OrganisationForm):
    # The import reports a registered namesake itself, naming the row it repeats or the record it
    # duplicates (OrganisationImport.existing); record_save's full_clean still enforces uniqueness.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


@dataclass
class PreparedOrganisation:
    form: OrganisationImportForm
    country: models.Country | None
    networks: list


class OrganisationImport(ImportSpec):
    """Organisations, one per row; the parent must already be registered."""

    name = "organisations"
    title = "Organisations"
    model = models.Organisation
    writes = (models.Organisation,)
    key_column = "name"
    list_url_name = "registry:organisation_list"
    description = (
        "One organisation per row. A country's focal point may import the organisations of that country."
    )
    columns = (
        ImportColumn(
            "name", "Full name of the organisation.", "Committee for Customs Control", required=True
        ),
        ImportColumn("acronym", "Short name or acronym.", "CCC"),
        ImportColumn("kind", "One of: " + ", ".join(OrganisationKind.values) + ".", "agency", required=True),
        ImportColumn(
            "country", "ISO 3166 code of its country; empty for an international organisation.", "KZ"
        ),
        ImportColumn(
            "parent",
            "Name of the parent organisation, already registered in the same country.",
            "Ministry of Finance",
        ),
        ImportColumn("networks", "Codes of the networks it belongs to, separated by ';'.", "eu-cbrn-coe"),
        ImportColumn("website", "Web address, starting with https://.", "https://example.org"),
        ImportColumn("email", "Public e-mail address.", "info@example.org"),
        ImportColumn("phone", "Public telephone number.", "+7 7172 00 00 00"),
        ImportColumn("address", "Postal address.", ""),
        ImportColumn("is_active", "yes or no (empty: yes).", "yes"),
        ImportColumn("source", "Where the facts about it come from.", "Annual report 2024"),
    )

    def lookups(self, user):
        return RegistryLookups(user)

    def prepare(self, row: Row):
        lookups = row.lookups
        country = row.parse("country", lookups.country)
        parent = row.parse("parent", lambda name: lookups.organisation(name, country))
        networks = row.parse("networks", lookups.networks, default=[])
        kind = row.parse("kind", parse_choice(OrganisationKind), default="")
        active = row.parse("is_active", parse_boolean, default=True)
        if row.problems:
            return None
        data = {
            "name": row.text("name"),
            "acronym": row.text("acronym"),
            "kind": kind,
            "country": country.pk if country else "",
            "parent": parent.pk if parent else "",
            "networks": [network.pk for network in networks],
            "website": row.text("website"),
            "email": row.text("email"),
            "phone": row.text("phone"),
            "address": row.text("address"),
            "is_active": active,
            "source": row.text("source"),
        }
        form = row.validate_form(OrganisationImportForm, data)
        return PreparedOrganisation(form, country, networks) if form else None

    def key(self, prepared):
        return (
            prepared.form.cleaned_data["name"].casefold(),
            prepared.country.pk if prepared.country else None,
        )

    def existing(self, prepared, user):
        name = prepared.form.cleaned_data["name"]
        match = access.restrict(
            models.Organisation.objects.filter(name__iexact=name, country=prepared.country), user
        ).first()
        if match is not None:
            return f'"{match.name}" is already registered (organisation {match.pk})'
        return None

    def save(self, prepared, user):
        organisation = prepared.form.save(commit=False)
        return [services.record_save(user=user, instance=organisation, m2m={"networks": prepared.networks})]

    def scope_column(self, prepared):
        return "country"


# --- people --------------------------------------------------------------------------------------

PERSON_COLUMNS = (
    ImportColumn("honorific", "Title (Dr, Prof, Col…).", "Dr"),
    ImportColumn("given_name", "Given name.", "Aigerim", required=True),
    ImportColumn("family_name", "Family name.", "Nurlanova", required=True),
    ImportColumn("gender", "female, male, other or empty (not recorded).", ""),
    ImportColumn("organisation", "Name of their organisation, already registered.", "Ministry of Health"),
    ImportColumn(
        "organisation_country", "ISO code of the organisation's country (empty: the person's country).", ""
    ),
    ImportColumn("country", "ISO 3166 code of their country (empty: the organisation's country).", "KZ"),
    ImportColumn("position", "Job title.", "Chief epidemiologist"),
    ImportColumn("languages", "ISO 639-1 codes of the languages they work in, separated by ';'.", "kk;ru;en"),
    ImportColumn("email", "E-mail address.", "a.nurlanova@example.org"),
    ImportColumn("phone", "Telephone number.", "+7 700 000 00 00"),
    ImportColumn("address", "Postal address.", ""),
    ImportColumn(
        "directory_listed",
        "Consent to appear in the directory every signed-in user can search: yes or no (empty: no).",
        "no",
    ),
    ImportColumn(
        "contact_visibility",
        "Who may see their e-mail, phone and address, as they consented: private, "
        "network or all_users (empty: private).",
        "private",
    ),
    ImportColumn("consent_date", "Date the consent was given, YYYY-MM-DD.", "2025-01-31"),
)


@dataclass
class PreparedPerson:
    form: forms.PersonForm | None  # None: the row names a person already registered (experts only)
    organisation: models.Organisation | None
    country: models.Country | None
    languages: list
    existing: models.Person | None = None
    extra: dict = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, str]:
        data = self.form.cleaned_data if self.form else {}
        return data.get("given_name", ""), data.get("family_name", "")


def _person_lookup(row: Row):
    """The organisation and country of a row, with problems recorded on the row."""
    lookups = row.lookups
    country = row.parse("country", lookups.country)
    organisation_country = row.parse("organisation_country", lookups.country, default=country)
    organisation = row.parse("organisation", lambda name: lookups.organisation(name, organisation_country))
    if country is None and organisation is not None:
        country = organisation.country
    return organisation, country


def _person_form(row: Row, organisation, country):
    lookups = row.lookups
    languages = row.parse("languages", lookups.languages, default=[])
    gender = row.parse("gender", parse_choice(Gender), default="")
    visibility = row.parse(
        "contact_visibility", parse_choice(ContactVisibility), default=ContactVisibility.PRIVATE
    )
    listed = row.parse("directory_listed", parse_boolean, default=False)
    consent_date = row.parse("consent_date", parse_date, default="")
    if row.problems:
        return None, []
    data = {
        "honorific": row.text("honorific"),
        "given_name": row.text("given_name"),
        "family_name": row.text("family_name"),
        "gender": gender,
        "organisation": organisation.pk if organisation else "",
        "country": country.pk if country else "",
        "position": row.text("position"),
        "languages": [language.pk for language in languages],
        "email": row.text("email"),
        "phone": row.text("phone"),
        "address": row.text("address"),
        "directory_listed": listed,
        "contact_visibility": visibility,
        "consent_date": consent_date,
    }
    return row.validate_form(forms.PersonForm, data), languages


def _same_person(user, given: str, family: str, organisation, country):
    """A registered person the user can see with the same names and organisation (without one: country)."""
    queryset = models.Person.objects.filter(given_name__iexact=given, family_name__iexact=family)
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    else:
        queryset = queryset.filter(organisation__isnull=True, country=country)
    return access.restrict(queryset, user).order_by("pk").first()


def _person_key(given: str, family: str, organisation, country) -> tuple:
    return (
        given.casefold(),
        family.casefold(),
        organisation.pk if organisation else None,
        None if organisation else (country.pk if country else None),
    )


class PersonImport(ImportSpec):
    """People, one per row, with their consent to the directory and to sharing contact details."""

    name = "people"
    title = "People"
    model = models.Person
    writes = (models.Person,)
    key_column = "family_name"
    list_url_name = "registry:person_list"
    description = (
        "One person per row. A person with the same given name, family name and organisation as someone "
        "already registered is reported as a likely duplicate and not imported."
    )
    columns = PERSON_COLUMNS

    def lookups(self, user):
        return RegistryLookups(user)

    def prepare(self, row: Row):
        organisation, country = _person_lookup(row)
        if row.problems:
            return None
        form, languages = _person_form(row, organisation, country)
        return PreparedPerson(form, organisation, country, languages) if form else None

    def key(self, prepared):
        return _person_key(*prepared.names, prepared.organisation, prepared.country)

    def existing(self, prepared, user):
        match = _same_person(user, *prepared.names, prepared.organisation, prepared.country)
        if match is None:
            return None
        where = (
            f"at {prepared.organisation}"
            if prepared.organisation
            else f"in {prepared.country or 'no country'}"
        )
        return (
            f"likely duplicate of {match} (person {match.pk}) {where}: same given name, family name and "
            "organisation; not imported"
        )

    def save(self, prepared, user):
        person = prepared.form.save(commit=False)
        return [services.record_save(user=user, instance=person, m2m={"languages": prepared.languages})]

    def scope_column(self, prepared):
        return "country" if prepared.country else "organisation"


# --- experts -------------------------------------------------------------------------------------

ExpertProfileImportForm = modelform_factory(
    models.ExpertProfile,
    form=forms.ExpertProfileForm,
    fields=["summary", "years_of_experience", "deployable", "notice_days"],
)


class ExpertImport(PersonImport):
    """Experts: a person (new, or already registered with the same names and organisation), their
    expert profile and their expertise lines, one expert per row."""

    name = "experts"
    title = "Experts"
    model = models.ExpertProfile
    writes = (models.Person, models.ExpertProfile, models.Expertise)
    list_url_name = "registry:expertprofile_list"
    description = (
        "One expert per row. When the person is already registered (same given name, family name and "
        "organisation), the profile is added to them and the row's other person columns are not used."
    )
    columns = PERSON_COLUMNS + (
        ImportColumn("summary", "What the expert can bring.", "Chemical detection and sampling"),
        ImportColumn("years_of_experience", "Whole number of years.", "12"),
        ImportColumn("deployable", "Willing and cleared to deploy abroad: yes or no (empty: no).", "yes"),
        ImportColumn("notice_days", "Days of notice needed before a deployment.", "7"),
        ImportColumn(
            "expertise",
            "DOMAIN:thematic-area-code:LEVEL items separated by ';' (domains C, B, R, N, E; "
            "levels 1 awareness to 5 leading expert).",
            "C:border-control:3;B:biosafety:2",
        ),
    )

    def prepare(self, row: Row):
        organisation, country = _person_lookup(row)
        years = row.parse("years_of_experience", parse_integer)
        notice = row.parse("notice_days", parse_integer)
        deployable = row.parse("deployable", parse_boolean, default=False)
        expertise = row.parse("expertise", row.lookups.expertise, default=[])
        if row.problems:
            return None
        existing = _same_person(
            row.user, row.text("given_name"), row.text("family_name"), organisation, country
        )
        if existing is not None:
            if models.ExpertProfile.objects.filter(person=existing).exists():
                row.problem(
                    self.key_column,
                    f"{existing} (person {existing.pk}) already has an expert profile; "
                    "change it on their page",
                )
                return None
            form, languages = None, []
            row.notes.append(
                f"the expert profile is added to {existing} (person {existing.pk}), already registered"
            )
        else:
            form, languages = _person_form(row, organisation, country)
        profile = row.validate_form(
            ExpertProfileImportForm,
            {
                "summary": row.text("summary"),
                "years_of_experience": "" if years is None else years,
                "deployable": deployable,
                "notice_days": "" if notice is None else notice,
            },
        )
        if row.problems:
            return None
        prepared = PreparedPerson(form, organisation, country, languages, existing=existing)
        prepared.extra = {
            "profile": profile,
            "expertise": expertise,
            "names": (row.text("given_name"), row.text("family_name")),
        }
        return prepared

    def key(self, prepared):
        return _person_key(*prepared.extra["names"], prepared.organisation, prepared.country)

    def existing(self, prepared, user):
        return None  # an existing person is reused in prepare(); one with a profile is refused there

    def save(self, prepared, user):
        saved = []
        person = prepared.existing
        if person is None:
            person = services.record_save(
                user=user, instance=prepared.form.save(commit=False), m2m={"languages": prepared.languages}
            )
            saved.append(person)
        profile = prepared.extra["profile"].save(commit=False)
        profile.person = person
        saved.append(services.record_save(user=user, instance=profile))
        for domain, area, level in prepared.extra["expertise"]:
            line = models.Expertise(profile=profile, domain=domain, thematic_area=area, level=level)
            saved.append(services.record_save(user=user, instance=line))
        return saved


ORGANISATIONS = OrganisationImport()
PEOPLE = PersonImport()
EXPERTS = ExpertImport()
