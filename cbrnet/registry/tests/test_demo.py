"""The demo loader (cbrnet.registry.demo) and the `cbrnet demo` command."""

import datetime
from io import StringIO

import pycountry
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from cbrnet.access.context import user_context
from cbrnet.accounts.models import User
from cbrnet.core.models import AuditEntry
from cbrnet.registry import demo
from cbrnet.registry.choices import MembershipStatus, Role
from cbrnet.registry.models import (
    Country,
    ExpertProfile,
    Membership,
    Network,
    Organisation,
    Person,
    Region,
    RoleAssignment,
    Secretariat,
)

COE_REGIONS = {"AAF", "CA", "ECA", "GCC", "MIE", "NAS", "SEA", "SEEE"}
ASEAN_MEMBERS = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}
CA_PRIORITIES = [
    "Implementation of UNSCR 1540",
    "Legislation for CBRN Risk Mitigation",
    "Border control for CBRN safety and security",
    "Dual use goods trade control",
    "Zoonotic diseases risk mitigation",
    "Protection of Critical Infrastructure",
    "Strengthening forensics capabilities in CBRN",
    "CBRN safety and security during mass gatherings",
    "Public Awareness raising concerning CBRN hazards and threats",
    "Collaboration in training",
]


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and rolled back after it; each test rolls back its own changes.

    Loading takes seconds (every row writes an audit entry), so the tests share one load.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield demo.load_demo()
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """Rows of every registry and accounts model, many-to-many tables included, and audit entries."""
    counts = {"audit entries": AuditEntry.objects.count()}
    for app_label in ("registry", "accounts"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            counts[model._meta.label] = model._default_manager.count()
    return counts


@pytest.mark.django_db
def test_the_reference_data_has_every_region_partner_country_and_asean_member(demo_report):
    coe = Network.objects.get(code=demo.EU_COE)
    asean = Network.objects.get(code=demo.ASEAN_CBR)
    assert set(Region.objects.filter(network=coe).values_list("code", flat=True)) == COE_REGIONS
    partners = Membership.objects.current().filter(network=coe, status=MembershipStatus.PARTNER)
    assert partners.count() == 64
    assert partners.filter(country__iso2="KZ", region__code="CA").exists()
    assert partners.get(country__iso2="CM").confidence == "likely"
    members = Membership.objects.current().filter(
        network=asean, region__code="ASEAN", status=MembershipStatus.MEMBER
    )
    assert set(members.values_list("country__iso2", flat=True)) == ASEAN_MEMBERS
    assert asean.established == datetime.date(2018, 10, 1)
    assert Country.objects.count() == len(pycountry.countries)


@pytest.mark.django_db
def test_every_region_has_its_secretariat_and_central_asia_its_ten_priorities(demo_report):
    secretariats = Secretariat.objects.select_related("region", "organisation", "host_country")
    assert {secretariat.region.code for secretariat in secretariats} == COE_REGIONS
    for secretariat in secretariats:
        assert secretariat.organisation.kind == "secretariat"
        assert secretariat.organisation.country == secretariat.host_country
    ca = Secretariat.objects.get(region__code="CA")
    assert ca.established == datetime.date(2015, 7, 17)
    assert ca.city == "Tashkent" and ca.host_country.iso2 == "UZ"
    assert ca.head_name == "Bakhtiyor Gulyamov"
    assert ca.host_institution.startswith(
        "Inspectorate on Control of Mining, Geological and Industrial Safety"
    )
    assert ca.overall_goal == "Strengthen capabilities of partner countries in mitigating CBRN risks."
    priorities = ca.region.priorities.order_by("order")
    assert [priority.title for priority in priorities] == CA_PRIORITIES
    assert all(priority.thematic_area_id for priority in priorities)
    assert all(organisation.source for organisation in Organisation.objects.all())


@pytest.mark.django_db
def test_every_role_has_a_demo_login_and_the_personas_match_the_access_test_organisations(demo_report):
    login_roles = set(
        RoleAssignment.objects.filter(person__user_account__isnull=False).values_list("role", flat=True)
    )
    wanted = {role for role in Role if role not in (Role.VIEWER, Role.AUTHOR, Role.EDITOR)} | {Role.VIEWER}
    assert wanted <= login_roles
    for row in demo.demo_logins():
        user = User.objects.get(username=row["username"])
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.is_superuser
    assert not Person.objects.filter(user_account__username="outsider").exists()

    def context(username):
        return user_context(User.objects.get(username=username))

    coe, asean = (Network.objects.get(code=code).pk for code in (demo.EU_COE, demo.ASEAN_CBR))
    my_fp = Organisation.objects.get(acronym="MY-FP")
    assert context("viewer-my").client_of_ids == {my_fp.pk}
    assert context("nfp-ph").network_ids == {coe, asean}
    assert asean not in context("partner-jrc").network_ids
    assert context("nfp-kz").focal_point_country_ids == {Country.objects.get(iso2="KZ").pk}
    assert context("sec-ca").secretariat_region_ids == {Region.objects.get(code="CA").pk}
    assert context("admin").platform_admin


@pytest.mark.django_db
def test_the_fictional_people_use_example_org_addresses_and_reserved_phone_numbers(demo_report):
    from cbrnet.projects.demo import SYNTHETIC_DOMAIN, SYNTHETIC_POSITION

    people = Person.objects.all()
    participants = people.filter(position=SYNTHETIC_POSITION)  # the projects demo's trainees
    assert participants.exists()
    assert all(person.email.endswith("@" + SYNTHETIC_DOMAIN) for person in participants)
    people = people.exclude(pk__in=participants.values("pk"))
    assert people.count() == demo.DEMO_PEOPLE + len([p for p in demo.personas() if p.has_person])
    assert all(person.email.endswith("@example.org") for person in people)
    assert all(person.phone.startswith("+000 ") for person in people)
    assert all(user.email.endswith("@example.org") for user in User.objects.all())
    experts = ExpertProfile.objects.exclude(person__user_account__isnull=False)
    assert experts.count() == demo.DEMO_EXPERTS
    assert all(1 <= profile.expertise.count() <= 4 for profile in experts)
    assert people.filter(directory_listed=True).exists() and people.filter(directory_listed=False).exists()
    assert RoleAssignment.objects.filter(role=Role.NATIONAL_TEAM).values("country").distinct().count() >= 5


@pytest.mark.django_db
def test_running_it_twice_creates_no_rows_and_no_audit_entries(demo_report):
    before = row_counts()

    second = demo.load_demo()

    assert demo_report.wrote_anything
    assert not second.wrote_anything
    assert sum(second.unchanged.values()) > 0
    assert row_counts() == before


@pytest.mark.django_db
def test_a_second_run_restores_a_changed_value_with_one_audit_entry(demo_report):
    Secretariat.objects.filter(region__code="CA").update(head_name="Someone else")
    entries = AuditEntry.objects.count()

    report = demo.load_demo(include_population=False)

    assert Secretariat.objects.get(region__code="CA").head_name == "Bakhtiyor Gulyamov"
    assert AuditEntry.objects.count() == entries + 1
    assert report.changed["secretariats"] == 1


def test_the_population_plan_is_deterministic():
    first, second = demo.plan_population(), demo.plan_population()

    assert first == second
    assert len({plan.email for plan in first}) == len(first)


def test_the_logins_command_prints_every_login_without_touching_the_database():
    out = StringIO()

    call_command("demo", "--logins", stdout=out)

    text = out.getvalue()
    for persona in demo.personas():
        assert persona.username in text
    assert demo.DEMO_PASSWORD in text
