"""Bulk registration of an activity's participants from CSV or XLSX (cbrnet.core.imports engine:
a dry run lists every bad row, then every row is saved or none).

Each row names the activity (its id, shown on its page) and the person. The person is matched
against the registry, never duplicated:

1. `person_id` given: that person (one the user may see, or the likely duplicate the dry run named);
2. the e-mail address of a registered person: that person;
3. otherwise, someone registered with the same names (compared without case and accents) in the same
   country is a *likely duplicate*: the row is refused, naming that person's id, so that the user
   sets `person_id` to it (the same person) or `create_new` to yes (another person);
4. otherwise a new person is created, not listed in the directory.
"""

import unicodedata
from dataclasses import dataclass

from cbrnet import access
from cbrnet.core.imports import (
    CellError,
    ImportColumn,
    ImportSpec,
    Row,
    parse_boolean,
    parse_choice,
    parse_integer,
)
from cbrnet.projects import services
from cbrnet.projects.choices import Attendance, ParticipantRole
from cbrnet.projects.models import Activity, Participation
from cbrnet.registry.choices import Gender
from cbrnet.registry.imports import RegistryLookups
from cbrnet.registry.models import Country, Organisation, Person


def normalised(name: str) -> str:
    """A name compared without case, accents or extra spaces: "Ólafsdóttir " → "olafsdottir"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


class ParticipantLookups(RegistryLookups):
    """Registry look-ups, plus activities and the people registered in a country, for one run."""

    def __init__(self, user):
        super().__init__(user)
        self._activities: dict[int, Activity | None] = {}
        self._names: dict[int | None, dict[tuple[str, str], list[int]]] = {}

    def activity(self, text: str) -> Activity:
        number = parse_integer(text)
        if number not in self._activities:
            self._activities[number] = (
                access.restrict(Activity.objects.select_related("project"), self.user).filter(pk=number).first()
                if 0 < number < 2**63 else None
            )
        activity = self._activities[number]
        if activity is None:
            raise CellError(f"there is no activity {number} (use the id shown on the activity's page)")
        if not access.can(self.user, "change", activity):
            raise CellError(f"you may not register participants for activity {number} ({activity.title[:80]})")
        return activity

    def people_named(self, given: str, family: str, country: Country | None) -> list[int]:
        """Ids of registered people with these names in `country`: every person, not only those the user
        may see, since a duplicate is a duplicate whoever manages it (only the id is reported)."""
        key = country.pk if country else None
        if key not in self._names:
            index: dict[tuple[str, str], list[int]] = {}
            rows = Person.objects.filter(country_id=key).values_list("pk", "given_name", "family_name")
            for pk, given_name, family_name in rows.iterator(chunk_size=5000):
                index.setdefault((normalised(given_name), normalised(family_name)), []).append(pk)
            self._names[key] = index
        return sorted(self._names[key].get((normalised(given), normalised(family)), []))


@dataclass
class PreparedParticipant:
    activity: Activity
    role: str
    attended: str
    note: str
    person: Person | None = None  # an existing person
    new_person: dict | None = None  # or the fields of a new one
    match: str = ""  # how the person was found, for the report

    @property
    def person_key(self):
        if self.person is not None:
            return ("person", self.person.pk)
        fields = self.new_person
        return ("new", normalised(fields["given_name"]), normalised(fields["family_name"]),
                fields["country"].pk if fields["country"] else None)


class ParticipantImport(ImportSpec):
    """Participants of activities, one per row, matched against the registry (see the module docstring)."""

    name = "participants"
    title = "Participants"
    model = Participation
    writes = (Participation,)
    key_column = "family_name"
    list_url_name = "projects:participation_list"
    description = (
        "One participant per row. `activity` is the id shown on the activity's page. A person with the "
        "same e-mail address is registered as is; someone with the same names in the same country is "
        "reported as a likely duplicate, with their id: put it in `person_id` to register them, or "
        "write yes in `create_new` to create another person."
    )
    columns = (
        ImportColumn("activity", "Id of the activity (on its page).", "42", required=True),
        ImportColumn("given_name", "Given name (not needed with person_id).", "Aigerim"),
        ImportColumn("family_name", "Family name (not needed with person_id).", "Nurlanova"),
        ImportColumn("email", "E-mail address: a registered person with it is that person.", "a.nurlanova@example.org"),
        ImportColumn("country", "ISO 3166 code of their country (empty: the organisation's).", "KZ"),
        ImportColumn("organisation", "Name of their organisation, already registered in that country.", "Ministry of Health"),
        ImportColumn("gender", "female, male, other or empty (not recorded); for new people.", ""),
        ImportColumn("role", "trainee (default), trainer, facilitator, speaker, organiser or observer.", "trainee"),
        ImportColumn("attended", "yes, partly, no or empty (not recorded yet).", "yes"),
        ImportColumn("note", "A short note.", ""),
        ImportColumn("person_id", "Id of the registered person to register (e.g. a likely duplicate the check named).", ""),
        ImportColumn("create_new", "yes: create a new person even if someone with the same names exists.", ""),
    )

    def lookups(self, user):
        return ParticipantLookups(user)

    def prepare(self, row: Row):
        lookups: ParticipantLookups = row.lookups
        activity = row.parse("activity", lookups.activity)
        country = row.parse("country", lookups.country)
        organisation = row.parse(
            "organisation", lambda name: lookups.organisation(name, country) if country else _international(name, row)
        )
        role = row.parse("role", parse_choice(ParticipantRole), default=ParticipantRole.TRAINEE)
        attended = row.parse("attended", parse_choice(_ATTENDANCE), default=Attendance.NOT_RECORDED)
        gender = row.parse("gender", parse_choice(Gender), default="")
        create_new = row.parse("create_new", parse_boolean, default=False)
        person_id = row.parse("person_id", parse_integer)
        if row.problems:
            return None
        if country is None and organisation is not None:
            country = organisation.country
        prepared = PreparedParticipant(activity=activity, role=role, attended=attended, note=row.text("note")[:250])
        given, family, email = row.text("given_name"), row.text("family_name"), row.text("email")
        if person_id is not None:
            prepared.person = self._person_by_id(row, person_id, given, family, country)
            if prepared.person is None:
                return None
            prepared.match = f"person {person_id}, as given in person_id"
        elif email and (found := Person.objects.filter(email__iexact=email).order_by("pk").first()) is not None:
            prepared.person = found
            prepared.match = f"person {found.pk}, registered with this e-mail address"
        else:
            if not given or not family:
                for column in ("given_name", "family_name"):
                    if not row.text(column):
                        row.problem(column, "needed for a new person (or give person_id)")
                return None
            same = lookups.people_named(given, family, country)
            if same and not create_new:
                where = f"in {country.iso2}" if country else "with no country"
                ids = ", ".join(f"person {pk}" for pk in same[:5])
                row.problem(
                    "family_name",
                    f"likely duplicate of {ids} (same names {where}, and no matching e-mail): set person_id "
                    f"to {same[0]} to register that person, or create_new to yes to create another person",
                )
                return None
            prepared.new_person = services.person_fields(
                given_name=given, family_name=family, email=email, gender=gender, country=country,
                organisation=organisation,
            )
            prepared.match = "a new person" + (" (create_new: despite people with the same names)" if same else "")
        if prepared.person is not None:
            registered = Participation.objects.filter(activity=activity, person=prepared.person).first()
            if registered is not None:
                row.problem(
                    "person_id" if person_id is not None else "email",
                    f"{prepared.person} (person {prepared.person.pk}) is already registered for this activity",
                )
                return None
        row.notes.append(f"{f'{given} {family}'.strip() or prepared.person}: {prepared.match}")
        return prepared

    def _person_by_id(self, row: Row, person_id: int, given: str, family: str, country):
        """The person `person_id` names: one the user may see, or the likely duplicate of this row's
        names and country (the check named it, so the user already knows that person exists)."""
        person = Person.objects.filter(pk=person_id).first() if 0 < person_id < 2**63 else None
        if person is not None and access.can(row.user, "view", person):
            return person
        if person is not None and given and family and person_id in row.lookups.people_named(given, family, country):
            return person
        row.problem("person_id", f"there is no person {person_id} you may register (or the names and country differ)")
        return None

    def key(self, prepared):
        return (prepared.activity.pk, prepared.person_key)

    def save(self, prepared, user):
        participation = services.participation_register(
            user=user, activity=prepared.activity, person=prepared.person, new_person=prepared.new_person,
            role=prepared.role, attended=prepared.attended, note=prepared.note,
        )
        return [participation] + ([participation.person] if prepared.new_person else [])

    def scope_column(self, prepared):
        return "activity"

    def field_column(self, field_name: str) -> str:
        return {"person": "person_id", "activity": "activity"}.get(field_name, super().field_column(field_name))


_ATTENDANCE = type("AttendanceWords", (), {"choices": [(value, label) for value, label in Attendance.choices if value]})


def _international(name: str, row: Row) -> Organisation:
    """An organisation named without a country: an international one (no country)."""
    found = list(access.restrict(Organisation.objects.filter(name__iexact=name, country__isnull=True), row.user)[:2])
    if len(found) != 1:
        raise CellError(f'no international organisation called "{name[:80]}"; give the country of the organisation')
    return found[0]


PARTICIPANTS = ParticipantImport()
