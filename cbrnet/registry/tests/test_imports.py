"""Import specifications of the registry: organisations, people with consent, experts with expertise.

Every refused file leaves the registry and the audit trail exactly as they were.
"""

import datetime

import pytest

from cbrnet.core.models import AuditEntry
from cbrnet.core.tests.test_imports import check, commit, csv_bytes, kz_people, problems, written, xlsx_bytes
from cbrnet.registry import models as r
from cbrnet.registry.imports import EXPERTS, ORGANISATIONS, PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(world):
    """Languages and a second thematic area the files refer to."""
    r.Language.objects.create(code="kk", name="Kazakh")
    r.Language.objects.create(code="ru", name="Russian")
    r.Language.objects.create(code="en", name="English")
    r.ThematicArea.objects.create(code="biosafety", name="Biosafety", order=2)
    return world


def entries_for(queryset):
    model = queryset.model
    return AuditEntry.objects.filter(
        model_label=model._meta.label_lower,
        object_id__in=[str(pk) for pk in queryset.values_list("pk", flat=True)],
    )


# --- organisations -------------------------------------------------------------------------------


ORG_HEADER = ["name", "acronym", "kind", "country", "parent", "networks", "website", "is_active"]


def test_a_focal_point_imports_organisations_of_its_country_audited_as_import(world):
    rows = [
        ORG_HEADER,
        [
            "KZ Customs Committee",
            "KCC",
            "agency",
            "KZ",
            "KZ Ministry of Health",
            "eu-cbrn-coe",
            "https://kcc.example",
            "",
        ],
        ["KZ Central Reference Laboratory", "", "Laboratory", "KAZ", "", "", "", "no"],
    ]
    report = check(ORGANISATIONS, world.nfp_kz, csv_bytes(rows))
    assert report.ok, problems(report)
    assert report.created == {"organisation": 2}
    report = commit(ORGANISATIONS, world.nfp_kz, csv_bytes(rows))
    assert report.ok and report.committed
    customs = r.Organisation.objects.get(name="KZ Customs Committee")
    assert customs.country == world.kz and customs.parent == world.kz_ministry and customs.kind == "agency"
    assert list(customs.networks.all()) == [world.coe]
    laboratory = r.Organisation.objects.get(name="KZ Central Reference Laboratory")
    assert laboratory.kind == "laboratory" and not laboratory.is_active
    created = entries_for(r.Organisation.objects.filter(name__startswith="KZ C")).filter(action="create")
    assert created.count() == 2
    assert {(entry.actor_id, entry.source) for entry in created} == {(world.nfp_kz.pk, "import")}


def test_unknown_codes_and_kinds_are_named_and_nothing_is_written(world):
    before = written()
    rows = [
        ORG_HEADER,
        ["A", "", "spaceship", "KZ", "", "", "", ""],
        ["B", "", "agency", "ZZ", "", "", "", ""],
        ["C", "", "agency", "KZ", "No such parent", "no-such-net;eu-cbrn-coe", "", "maybe"],
    ]
    report = commit(ORGANISATIONS, world.nfp_kz, csv_bytes(rows))
    found = problems(report)
    assert [(row, column) for row, column, _ in found] == [
        (2, "kind"),
        (3, "country"),
        (4, "parent"),
        (4, "networks"),
        (4, "is_active"),
    ]
    assert "is not one of: international, eu_body" in found[0][2]
    assert 'unknown country code "ZZ"' in found[1][2]
    assert 'no organisation called "No such parent" in KZ' in found[2][2]
    assert "unknown network code(s) no-such-net" in found[3][2]
    assert '"maybe" is not yes or no' in found[4][2]
    assert written() == before


def test_duplicate_organisations_in_the_file_and_in_the_registry_are_reported(world):
    before = written()
    rows = [
        ORG_HEADER,
        ["KZ Customs Committee", "", "agency", "KZ", "", "", "", ""],
        ["kz customs committee", "", "agency", "KZ", "", "", "", ""],
        ["KZ Ministry of Health", "", "ministry", "KZ", "", "", "", ""],
    ]
    report = commit(ORGANISATIONS, world.nfp_kz, csv_bytes(rows))
    assert problems(report) == [
        (3, "name", "the same record as row 2 (duplicate in the file)"),
        (4, "name", f'"KZ Ministry of Health" is already registered (organisation {world.kz_ministry.pk})'),
    ]
    assert written() == before


def test_a_focal_point_cannot_import_organisations_of_another_country(world):
    before = written()
    rows = [
        ORG_HEADER,
        ["KZ Customs Committee", "", "agency", "KZ", "", "", "", ""],
        ["UZ Customs Committee", "", "agency", "UZ", "", "", "", ""],
    ]
    report = commit(ORGANISATIONS, world.nfp_kz, csv_bytes(rows))
    ((row, column, message),) = problems(report)
    assert (row, column) == (3, "country") and "outside what you may add" in message
    assert written() == before


# --- people --------------------------------------------------------------------------------------


PERSON_HEADER = [
    "honorific",
    "given_name",
    "family_name",
    "gender",
    "organisation",
    "country",
    "languages",
    "email",
    "directory_listed",
    "contact_visibility",
    "consent_date",
]


def test_people_are_imported_with_their_consent_and_languages(reference):
    w = reference
    rows = [
        PERSON_HEADER,
        [
            "Dr",
            "Aliya",
            "Sarsen",
            "female",
            "KZ Ministry of Health",
            "",
            "kk;ru;en",
            "aliya@example.org",
            "yes",
            "network",
            "2025-01-31",
        ],
        ["", "Dana", "Bek", "", "KZ Ministry of Health", "KZ", "", "", "", "", ""],
    ]
    report = commit(PEOPLE, w.nfp_kz, xlsx_bytes(rows), "xlsx")
    assert report.ok and report.committed, problems(report)
    aliya = r.Person.objects.get(family_name="Sarsen")
    assert aliya.country == w.kz  # taken from the organisation
    assert aliya.directory_listed and aliya.contact_visibility == "network"
    assert aliya.consent_date == datetime.date(2025, 1, 31)
    assert sorted(aliya.languages.values_list("code", flat=True)) == ["en", "kk", "ru"]
    dana = r.Person.objects.get(family_name="Bek")
    assert not dana.directory_listed and dana.contact_visibility == "private" and dana.consent_date is None
    assert (
        entries_for(r.Person.objects.filter(pk__in=[aliya.pk, dana.pk])).filter(source="import").count() >= 2
    )


def test_bad_dates_choices_and_languages_are_named_and_nothing_is_written(reference):
    w = reference
    before = written()
    rows = [
        PERSON_HEADER,
        ["", "Aliya", "Sarsen", "", "KZ Ministry of Health", "", "kk;xx", "", "", "", "31/01/2025"],
        ["", "Dana", "Bek", "", "KZ Ministry of Health", "", "", "", "", "everyone", "2025-02-30"],
    ]
    report = commit(PEOPLE, w.nfp_kz, csv_bytes(rows))
    found = problems(report)
    assert [(row, column) for row, column, _ in found] == [
        (2, "languages"),
        (2, "consent_date"),
        (3, "contact_visibility"),
        (3, "consent_date"),
    ]
    assert "unknown language code(s) xx" in found[0][2]
    assert '"31/01/2025" is not a date written YYYY-MM-DD' in found[1][2]
    assert "private, network, all_users" in found[2][2]
    assert '"2025-02-30" is not a date that exists' in found[3][2]
    assert written() == before


def test_an_unknown_organisation_is_named_with_its_country(world):
    before = written()
    rows = kz_people(("Aliya", "Sarsen"))
    rows[1][2] = "Ministry of Magic"
    report = commit(PEOPLE, world.nfp_kz, csv_bytes(rows))
    assert problems(report) == [
        (
            2,
            "organisation",
            'no organisation called "Ministry of Magic" in KZ is registered (or you may not see it)',
        )
    ]
    assert written() == before


def test_likely_duplicates_in_the_file_and_in_the_registry_are_reported_not_created(world):
    before = written()
    rows = kz_people(("Aliya", "Sarsen"), ("ALIYA", "sarsen"), ("Hidden", "Kazperson"))
    report = commit(PEOPLE, world.nfp_kz, csv_bytes(rows))
    found = problems(report)
    assert found[0] == (3, "family_name", "the same record as row 2 (duplicate in the file)")
    assert found[1][:2] == (4, "family_name")
    assert f"likely duplicate of Hidden Kazperson (person {world.p_hidden_kz.pk})" in found[1][2]
    assert written() == before


def test_a_focal_point_importing_another_countrys_people_gets_row_errors_and_nothing_is_written(world):
    before = written()
    rows = kz_people(("Aliya", "Sarsen"))
    rows.append(["Ulugbek", "Karimov", "UZ focal point office", "UZ", "Officer", "u@example.org", ""])
    rows.append(["Nodira", "Yusupova", "UZ focal point office", "", "Officer", "n@example.org", ""])
    for run in (check, commit):
        report = run(PEOPLE, world.nfp_kz, csv_bytes(rows))
        found = problems(report)
        assert [(row, column) for row, column, _ in found] == [(3, "country"), (4, "country")]
        assert all("outside what you may add; nothing was saved" in message for _, _, message in found)
    assert written() == before
    assert not r.Person.objects.filter(family_name__in=["Sarsen", "Karimov", "Yusupova"]).exists()


def test_the_commit_is_all_or_nothing_when_the_registry_changed_since_the_check(world):
    rows = kz_people(("Aliya", "Sarsen"), ("Dana", "Bek"))
    assert check(PEOPLE, world.nfp_kz, csv_bytes(rows)).ok
    r.Person.objects.create(
        given_name="Dana", family_name="Bek", organisation=world.kz_ministry, country=world.kz
    )
    before = written()
    report = commit(PEOPLE, world.nfp_kz, csv_bytes(rows))
    assert not report.committed and report.created == {}
    assert [(row, column) for row, column, _ in problems(report)] == [(3, "family_name")]
    assert written() == before
    assert not r.Person.objects.filter(family_name="Sarsen").exists()


def test_progress_reaches_the_total(world):
    calls = []
    rows = kz_people(*[(f"Given{index}", f"Family{index}") for index in range(30)])
    report = commit(
        PEOPLE, world.nfp_kz, csv_bytes(rows), progress=lambda done, total: calls.append((done, total))
    )
    assert report.ok
    assert calls[-1] == (30, 30)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert all(done <= total for done, total in calls)


# --- experts -------------------------------------------------------------------------------------


EXPERT_HEADER = [
    "given_name",
    "family_name",
    "organisation",
    "country",
    "summary",
    "years_of_experience",
    "deployable",
    "notice_days",
    "expertise",
]


def test_experts_are_imported_with_their_expertise_lines(reference):
    w = reference
    rows = [
        EXPERT_HEADER,
        [
            "Aliya",
            "Sarsen",
            "KZ Ministry of Health",
            "KZ",
            "Detection",
            "12",
            "yes",
            "7",
            "C:border-control:3;b:biosafety:2",
        ],
    ]
    report = commit(EXPERTS, w.nfp_kz, csv_bytes(rows))
    assert report.ok, problems(report)
    assert report.created == {"person": 1, "expert profile": 1, "expertise": 2}
    profile = r.ExpertProfile.objects.get(person__family_name="Sarsen")
    assert profile.years_of_experience == 12 and profile.deployable and profile.notice_days == 7
    assert sorted(profile.expertise.values_list("domain", "thematic_area__code", "level")) == [
        ("B", "biosafety", 2),
        ("C", "border-control", 3),
    ]
    assert {entry.source for entry in entries_for(profile.expertise.all())} == {"import"}


def test_an_expert_already_registered_as_a_person_gets_the_profile(reference):
    w = reference
    rows = [
        EXPERT_HEADER,
        ["Hidden", "Kazperson", "KZ Ministry of Health", "KZ", "", "", "", "", "C:border-control:4"],
    ]
    report = commit(EXPERTS, w.nfp_kz, csv_bytes(rows))
    assert report.ok, problems(report)
    assert report.created == {"expert profile": 1, "expertise": 1}
    assert "already registered" in report.notes[0]
    assert r.ExpertProfile.objects.get(person=w.p_hidden_kz).expertise.get().level == 4
    before = written()
    report = commit(EXPERTS, w.nfp_kz, csv_bytes(rows))
    assert "already has an expert profile" in problems(report)[0][2]
    assert written() == before


def test_malformed_expertise_items_are_each_named(reference):
    before = written()
    rows = [
        EXPERT_HEADER,
        [
            "Aliya",
            "Sarsen",
            "KZ Ministry of Health",
            "KZ",
            "",
            "ten",
            "",
            "",
            "X:border-control:3;C:nowhere:2;C:border-control:9;C-border-control-3;C:border-control:1;"
            "C:border-control:2",
        ],
    ]
    report = commit(EXPERTS, reference.nfp_kz, csv_bytes(rows))
    found = problems(report)
    assert [(row, column) for row, column, _ in found] == [(2, "years_of_experience"), (2, "expertise")]
    message = found[1][2]
    for part in (
        'item 1: unknown CBRN domain "X"',
        'item 2: unknown thematic area "nowhere"',
        "item 3: level 9 is not between 1 and 5",
        'item 4 "C-border-control-3" is not DOMAIN:area:LEVEL',
        "item 6: C:border-control is listed twice",
    ):
        assert part in message
    assert written() == before


def test_people_of_another_country_cannot_be_imported_as_experts(reference):
    before = written()
    rows = [
        EXPERT_HEADER,
        ["Ulugbek", "Karimov", "UZ focal point office", "UZ", "", "", "", "", "C:border-control:2"],
    ]
    report = commit(EXPERTS, reference.nfp_kz, csv_bytes(rows))
    ((row, column, message),) = problems(report)
    assert (row, column) == (2, "country") and "outside what you may add" in message
    assert written() == before
