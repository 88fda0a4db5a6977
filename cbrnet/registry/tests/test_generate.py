"""The synthetic-data generator (cbrnet.registry.generate) and the `cbrnet generate` command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from cbrnet.core.models import AuditEntry
from cbrnet.registry import demo
from cbrnet.registry.generate import GENERATED_EMAIL_PREFIX, GENERATED_SOURCE, generate
from cbrnet.registry.models import Expertise, ExpertProfile, Network, Organisation, Person, RoleAssignment


@pytest.fixture(scope="class")
def reference_data(django_db_setup, django_db_blocker):
    """The demo's reference data, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.load_demo(include_population=False)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestWithReferenceData:
    """Runs that find the reference data already loaded (shared by the class, rolled back after it)."""

    def test_a_small_run_creates_the_requested_counts_and_one_audit_entry(self, reference_data):
        entries = AuditEntry.objects.count()

        report = generate(people=300, experts=60, organisations=12, seed=3)

        generated = Person.objects.filter(email__startswith=GENERATED_EMAIL_PREFIX)
        assert generated.count() == report.people == 300
        assert ExpertProfile.objects.filter(person__in=generated).count() == report.experts == 60
        assert Organisation.objects.filter(source=GENERATED_SOURCE).count() == report.organisations == 12
        assert Expertise.objects.count() == report.expertise
        assert 60 <= report.expertise <= 240
        assert RoleAssignment.objects.filter(role="expert").count() == 60
        assert all(email.endswith("@example.org") for email in generated.values_list("email", flat=True))
        assert AuditEntry.objects.count() == entries + 1
        summary = AuditEntry.objects.order_by("-pk").first()
        assert summary.object_id == str(Network.objects.get(code=demo.EU_COE).pk)
        assert summary.after["synthetic_data"]["created"]["people"] == 300

    def test_a_second_run_continues_the_numbering(self, reference_data):
        generate(people=50, experts=10, organisations=3, seed=1)
        generate(people=50, experts=10, organisations=3, seed=1)

        emails = list(
            Person.objects.filter(email__startswith=GENERATED_EMAIL_PREFIX).values_list("email", flat=True)
        )
        assert len(emails) == len(set(emails)) == 100
        assert Organisation.objects.filter(source=GENERATED_SOURCE).count() == 6

    def test_the_command_says_it_bypasses_the_per_row_audit(self, reference_data):
        out = StringIO()

        call_command(
            "generate", "--people", "40", "--experts", "8", "--organisations", "4", "--seed", "2", stdout=out
        )

        assert "bypass the per-row audit" in out.getvalue()
        assert Person.objects.filter(email__startswith=GENERATED_EMAIL_PREFIX).count() == 40


@pytest.mark.django_db
def test_it_loads_the_reference_data_when_the_networks_are_missing():
    assert not Network.objects.exists()

    report = generate(people=20, experts=5, seed=1)

    assert Network.objects.filter(code__in=(demo.EU_COE, demo.ASEAN_CBR)).count() == 2
    assert report.organisations == 10  # the minimum when --organisations is not given


def test_it_refuses_more_experts_than_people():
    with pytest.raises(ValueError):
        generate(people=5, experts=6)
