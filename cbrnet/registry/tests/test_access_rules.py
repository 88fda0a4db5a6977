"""The registry rows of the access table (docs/access-control.md), persona by persona."""

import datetime

import pytest

from cbrnet import access
from cbrnet.registry import models


def visible(model, user):
    return set(access.restrict(model.objects.all(), user, "view").values_list("pk", flat=True))


def changeable(model, user):
    return set(access.restrict(model.objects.all(), user, "change").values_list("pk", flat=True))


@pytest.mark.django_db
class TestPeople:
    def test_anonymous_sees_nobody(self, world):
        assert visible(models.Person, None) == set()

    def test_outsider_sees_only_directory_listed_people(self, world):
        listed = set(models.Person.objects.filter(directory_listed=True).values_list("pk", flat=True))
        assert visible(models.Person, world.outsider) == listed
        assert world.p_hidden_kz.pk not in listed

    def test_focal_point_sees_unlisted_people_of_own_country_only(self, world):
        assert world.p_hidden_kz.pk in visible(models.Person, world.nfp_kz)
        assert world.p_hidden_kz.pk not in visible(models.Person, world.nfp_uz)
        assert world.p_hidden_kz.pk not in visible(models.Person, world.nfp_ph)

    def test_secretariat_sees_people_of_its_region(self, world):
        seen = visible(models.Person, world.sec_ca)
        assert world.p_hidden_kz.pk in seen
        assert world.p_nfp_th.pk not in seen  # Thailand is in another region and not listed

    def test_focal_point_changes_people_of_own_country_not_another(self, world):
        assert world.p_hidden_kz.pk in changeable(models.Person, world.nfp_kz)
        assert world.p_nfp_uz.pk not in changeable(models.Person, world.nfp_kz)

    def test_a_person_may_change_themselves_but_not_delete_themselves(self, world):
        assert world.p_team_kz.pk in changeable(models.Person, world.team_kz)
        deletable = set(access.restrict(models.Person.objects.all(), world.team_kz, "delete").values_list("pk", flat=True))
        assert world.p_team_kz.pk not in deletable

    def test_platform_admin_sees_and_changes_everyone(self, world):
        everyone = set(models.Person.objects.values_list("pk", flat=True))
        assert visible(models.Person, world.admin) == everyone
        assert changeable(models.Person, world.admin) == everyone


@pytest.mark.django_db
class TestContactDetails:
    def visible_contacts(self, user):
        queryset = access.with_contact_visibility(models.Person.objects.all(), user)
        return {row.pk for row in queryset if row.contact_visible}

    def test_private_contacts_are_hidden_from_peers(self, world):
        assert world.p_nfp_uz.pk not in self.visible_contacts(world.nfp_ph)

    def test_network_consent_shows_contacts_to_network_members_only(self, world):
        assert world.p_nfp_kz.pk in self.visible_contacts(world.nfp_uz)  # same network
        assert world.p_nfp_kz.pk not in self.visible_contacts(world.jrc_user)  # JRC is in no network

    def test_all_users_consent_shows_contacts_to_every_signed_in_user(self, world):
        assert world.p_sec_ca.pk in self.visible_contacts(world.outsider)
        assert world.p_sec_ca.pk not in self.visible_contacts(None)

    def test_managers_see_contacts_of_their_scope(self, world):
        assert world.p_hidden_kz.pk in self.visible_contacts(world.nfp_kz)
        assert world.p_hidden_kz.pk in self.visible_contacts(world.sec_ca)


@pytest.mark.django_db
class TestReferenceData:
    def test_every_signed_in_user_reads_reference_data(self, world):
        for model in (models.Network, models.Region, models.Country, models.Membership, models.Organisation):
            assert visible(model, world.outsider) == set(model.objects.values_list("pk", flat=True))
            assert visible(model, None) == set()

    def test_secretariat_manages_its_region_but_not_others(self, world):
        assert changeable(models.Region, world.sec_ca) == {world.ca.pk}
        assert changeable(models.Secretariat, world.sec_ca) == {world.secretariat.pk}
        memberships = changeable(models.Membership, world.sec_ca)
        assert memberships == set(models.Membership.objects.filter(region=world.ca).values_list("pk", flat=True))

    def test_focal_point_manages_organisations_of_own_country(self, world):
        orgs = changeable(models.Organisation, world.nfp_kz)
        assert orgs == set(models.Organisation.objects.filter(country=world.kz).values_list("pk", flat=True))

    def test_nobody_but_platform_admin_changes_networks(self, world):
        for user in (world.nfp_kz, world.sec_ca, world.outsider):
            assert changeable(models.Network, user) == set()
        assert changeable(models.Network, world.admin) == {world.coe.pk, world.asean.pk}


@pytest.mark.django_db
class TestRoleAssignments:
    def test_focal_point_appoints_team_but_not_another_focal_point(self, world):
        from cbrnet.registry.choices import Role

        team = models.RoleAssignment(person=world.p_hidden_kz, role=Role.NATIONAL_TEAM, country=world.kz)
        team.save()
        other_nfp = models.RoleAssignment.objects.get(person=world.p_nfp_kz)
        allowed = changeable(models.RoleAssignment, world.nfp_kz)
        assert team.pk in allowed
        assert other_nfp.pk not in allowed

    def test_secretariat_appoints_focal_points_in_its_region(self, world):
        allowed = changeable(models.RoleAssignment, world.sec_ca)
        assert models.RoleAssignment.objects.get(person=world.p_nfp_uz).pk in allowed
        assert models.RoleAssignment.objects.get(person=world.p_nfp_ph).pk not in allowed


@pytest.mark.django_db
def test_the_appoint_button_is_offered_only_to_who_may_appoint_a_focal_point(world, client_as):
    url = world.kz.get_absolute_url()
    assert "appoint-focal-point" in client_as(world.sec_ca).get(url).content.decode()
    assert "appoint-focal-point" not in client_as(world.nfp_kz).get(url).content.decode()
    assert "appoint-focal-point" not in client_as(world.nfp_ph).get(url).content.decode()


@pytest.mark.django_db
def test_a_long_list_is_not_exported_inline(world, client_as, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    client = client_as(world.admin)
    response = client.get("/registry/people/", {"export": "xlsx"})
    assert response.status_code == 302 and "export=" not in response["Location"]
    assert "export=csv" not in client.get("/registry/people/").content.decode()
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    assert client.get("/registry/people/", {"export": "csv"}).status_code == 200


@pytest.mark.django_db
def test_a_revoked_role_takes_effect_at_the_next_request(world, client_as):
    client = client_as(world.nfp_kz)
    url = world.p_hidden_kz.get_absolute_url()
    assert client.get(url).status_code == 200  # the context is now cached
    role = models.RoleAssignment.objects.get(person=world.p_nfp_kz, role="focal_point")
    role.end_date = datetime.date(2021, 1, 1)
    role.save()
    assert client.get(url).status_code == 404
