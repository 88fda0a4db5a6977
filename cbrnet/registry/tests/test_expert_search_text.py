"""The expert directory's derived columns: the search text and the copies of the person's consent,
country and organisation follow every change of what they are derived from, whatever the path."""

from types import SimpleNamespace

import pytest

from cbrnet import access
from cbrnet.core.audit import audit_actor
from cbrnet.registry import filters, models
from cbrnet.registry.search import expert_search_text_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(world):
    with audit_actor(None, source="command"):
        profile = models.ExpertProfile.objects.create(person=world.p_hidden_kz, summary="Mobile laboratories")
        models.Expertise.objects.create(profile=profile, domain="C", thematic_area=world.area, level=3)
    return profile


def found(world, text):
    request = SimpleNamespace(user=world.admin)
    filterset = filters.ExpertFilterSet({"q": text}, queryset=models.ExpertProfile.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def directory(user):
    return set(access.restrict(models.ExpertProfile.objects.all(), user, "view").values_list("pk", flat=True))


def test_the_search_text_holds_names_position_organisation_summary_and_areas(world, expert):
    expert.refresh_from_db()
    assert expert.search_text.split("\n") == [
        "HIDDEN", "KAZPERSON", "KZ MINISTRY OF HEALTH", "MOBILE LABORATORIES", "BORDER CONTROL",
    ]
    assert found(world, "kazperson ministry border") == {expert.pk}


def test_a_word_never_matches_across_two_fields(world, expert):
    assert found(world, "HiddenKazperson") == set()
    assert found(world, "laboratoriesBorder") == set()


def test_the_search_text_follows_the_person_the_organisation_and_the_summary(world, expert):
    with audit_actor(None, source="command"):
        person = world.p_hidden_kz
        person.family_name, person.position = "Renamed", "Chief chemist"
        person.save()
        assert found(world, "Renamed chemist") == {expert.pk} and found(world, "Kazperson") == set()
        world.kz_ministry.name = "KZ Ministry of Emergencies"
        world.kz_ministry.save()
        assert found(world, "Emergencies") == {expert.pk} and found(world, "Health") == set()
        expert.summary = "Field decontamination"
        expert.save()
        assert found(world, "decontamination") == {expert.pk} and found(world, "Mobile") == set()
        person.organisation = world.kz_fp
        person.save()
        assert found(world, "office") == {expert.pk}


def test_the_search_text_follows_expertise_lines_and_thematic_areas(world, expert):
    with audit_actor(None, source="command"):
        forensics = models.ThematicArea.objects.create(code="forensics", name="Forensics", order=2)
        line = models.Expertise.objects.create(profile=expert, domain="B", thematic_area=forensics, level=2)
        assert found(world, "forensics") == {expert.pk}
        forensics.name = "CBRN forensics"
        forensics.save()
        assert found(world, "CBRN") == {expert.pk}
        line.delete()
        assert found(world, "forensics") == set()
        assert found(world, "border") == {expert.pk}


def test_bulk_updates_of_people_refresh_the_search_text(world, expert):
    models.Person.objects.filter(pk=world.p_hidden_kz.pk).update(given_name="Bulkrenamed")
    assert found(world, "Bulkrenamed") == {expert.pk}
    person = models.Person.objects.get(pk=world.p_hidden_kz.pk)
    person.position = "Analyst"
    models.Person.objects.bulk_update([person], ["position"])
    assert found(world, "Analyst") == {expert.pk}


def test_a_refresh_of_everything_repairs_the_search_text(world, expert):
    models.ExpertProfile.objects.filter(pk=expert.pk).update(search_text="")
    assert found(world, "Kazperson") == set()
    texts = expert_search_text_refresh(everything=True)
    assert "KAZPERSON" in texts[expert.pk]
    assert found(world, "Kazperson") == {expert.pk}


def test_the_directory_follows_the_persons_consent_saved_or_updated_in_bulk(world, expert):
    # Not listed, in Kazakhstan: the KZ focal point sees the expert, the UZ one does not.
    assert expert.pk in directory(world.nfp_kz)
    assert expert.pk not in directory(world.nfp_uz)
    person = world.p_hidden_kz
    with audit_actor(None, source="command"):
        person.directory_listed = True
        person.save()
    assert expert.pk in directory(world.nfp_uz) and expert.pk in directory(world.outsider)
    models.Person.objects.filter(pk=person.pk).update(directory_listed=False)
    assert expert.pk not in directory(world.nfp_uz) and expert.pk not in directory(world.outsider)
    person.directory_listed = True
    models.Person.objects.bulk_update([person], ["directory_listed"])
    assert expert.pk in directory(world.outsider)


def test_the_directory_follows_the_persons_country_and_organisation(world, expert):
    person = world.p_hidden_kz
    with audit_actor(None, source="command"):
        person.country, person.organisation = world.uz, world.uz_fp
        person.save()
    # Now an Uzbek person of the UZ focal point office: the UZ focal point sees them, KZ no longer.
    assert expert.pk in directory(world.nfp_uz)
    assert expert.pk not in directory(world.nfp_kz)
    models.Person.objects.filter(pk=person.pk).update(country=world.kz, organisation=world.kz_ministry)
    assert expert.pk in directory(world.nfp_kz) and expert.pk in directory(world.team_kz)
    assert expert.pk not in directory(world.nfp_uz)


def test_a_profile_moved_to_another_person_takes_that_persons_consent(world, expert):
    with audit_actor(None, source="command"):
        expert.person = world.p_nfp_uz  # listed in the directory
        expert.save()
    assert expert.pk in directory(world.outsider)
    expert.refresh_from_db()
    assert (expert.person_directory_listed, expert.person_country_id) == (True, world.uz.pk)
    assert (expert.person_family_name, expert.person_given_name) == ("Uzfocal", "Bek")


def test_the_directory_is_in_the_order_of_the_persons_names_after_any_rename(world, expert):
    with audit_actor(None, source="command"):
        other = models.ExpertProfile.objects.create(person=world.p_nfp_uz)
    names = lambda: list(models.ExpertProfile.objects.values_list("pk", flat=True))  # noqa: E731
    assert names() == [expert.pk, other.pk]  # Kazperson, Uzfocal
    models.Person.objects.filter(pk=world.p_hidden_kz.pk).update(family_name="Zed")
    assert names() == [other.pk, expert.pk]
    with audit_actor(None, source="command"):
        world.p_nfp_uz.family_name = "Zz"
        world.p_nfp_uz.save()
    assert names() == [expert.pk, other.pk]


def test_the_copies_answer_exactly_as_the_person_would(world, expert):
    """The directory's rule on the copies equals the rule through the person, for every persona."""
    from cbrnet.access.policies import PersonPolicy

    joined = PersonPolicy(path="person__")
    for user in (world.nfp_kz, world.nfp_uz, world.team_kz, world.sec_ca, world.outsider, world.viewer_my, world.admin):
        context = access.user_context(user)
        through_person = set(
            models.ExpertProfile.objects.filter(joined.q(context, "view")).values_list("pk", flat=True)
        )
        assert directory(user) == through_person, user.username


def test_the_derived_columns_are_not_audited(world, expert):
    from cbrnet.core.testing import audit_entries_for

    with audit_actor(None, source="command"):
        world.p_hidden_kz.family_name = "Renamed"
        world.p_hidden_kz.save()
    assert not audit_entries_for(expert, "update").exists()
    created = audit_entries_for(expert, "create").get()
    assert "search_text" not in created.after and "person_directory_listed" not in created.after
