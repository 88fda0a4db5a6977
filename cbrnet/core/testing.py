"""The test kit: one small world of named personas, and the generic CRUD/permission/audit contract.

Personas (as in ACCESS.md): two National Focal Points of one region (Kazakhstan, Uzbekistan in
Central Asia), the secretariat officer of that region, an NFP of a country in another network's
region (the Philippines, South-East Asia + ASEAN), a team member, an org administrator, a platform
administrator, an expert and an outsider with no role at all.
"""

import datetime
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.test import Client

from cbrnet.accounts.models import User
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.registry import models as r
from cbrnet.registry.choices import MembershipStatus, OrganisationKind, Role

PASSWORD = "persona-password-1"  # noqa: S105 - test-only


def _user(username, person=None):
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org")
    if person is not None:
        person.user_account = user
        person.save()
    return user


def build_world() -> SimpleNamespace:
    """Create the personas' world; every write goes through the models (so it is audited)."""
    w = SimpleNamespace()
    with audit_actor(None, source="command"):
        w.coe = r.Network.objects.create(code="eu-cbrn-coe", name="EU CBRN Centres of Excellence", short_name="EU CBRN CoE")
        w.asean = r.Network.objects.create(code="asean-cbr", name="ASEAN CBR Network", short_name="ASEAN CBR DEN")
        w.ca = r.Region.objects.create(network=w.coe, code="CA", name="Central Asia")
        w.sea = r.Region.objects.create(network=w.coe, code="SEA", name="South East Asia")
        w.asean_region = r.Region.objects.create(network=w.asean, code="ASEAN", name="ASEAN")
        countries = {
            "KZ": ("KAZ", "Kazakhstan"), "UZ": ("UZB", "Uzbekistan"), "PH": ("PHL", "Philippines"),
            "TH": ("THA", "Thailand"), "MY": ("MYS", "Malaysia"), "BE": ("BEL", "Belgium"), "FR": ("FRA", "France"),
        }
        for iso2, (iso3, name) in countries.items():
            setattr(w, iso2.lower(), r.Country.objects.create(iso2=iso2, iso3=iso3, name=name))
        for country in (w.kz, w.uz):
            r.Membership.objects.create(network=w.coe, region=w.ca, country=country, status=MembershipStatus.PARTNER,
                                        since=datetime.date(2015, 1, 1))
        for country in (w.ph, w.th, w.my):
            r.Membership.objects.create(network=w.coe, region=w.sea, country=country, status=MembershipStatus.PARTNER)
            r.Membership.objects.create(network=w.asean, region=w.asean_region, country=country, status=MembershipStatus.MEMBER)

        def org(name, kind, country, networks=()):
            organisation = r.Organisation.objects.create(name=name, kind=kind, country=country)
            organisation.networks.set(networks)
            return organisation

        w.kz_fp = org("KZ focal point office", OrganisationKind.FOCAL_POINT, w.kz, [w.coe])
        w.kz_ministry = org("KZ Ministry of Health", OrganisationKind.MINISTRY, w.kz, [w.coe])
        w.uz_fp = org("UZ focal point office", OrganisationKind.FOCAL_POINT, w.uz, [w.coe])
        w.ph_fp = org("PH focal point office", OrganisationKind.FOCAL_POINT, w.ph, [w.coe, w.asean])
        w.th_fp = org("TH focal point office", OrganisationKind.FOCAL_POINT, w.th, [w.coe, w.asean])
        w.my_fp = org("MY focal point office", OrganisationKind.FOCAL_POINT, w.my, [w.coe, w.asean])
        w.my_moh = org("MY Ministry of Health", OrganisationKind.MINISTRY, w.my, [w.asean])
        w.my_moh.client_of.set([w.my_fp])
        w.ca_sec = org("CA secretariat", OrganisationKind.SECRETARIAT, w.uz, [w.coe])
        w.sea_sec = org("SEA secretariat", OrganisationKind.SECRETARIAT, w.ph, [w.coe, w.asean])
        w.jrc = org("Joint Research Centre", OrganisationKind.EU_BODY, w.be, [])
        w.secretariat = r.Secretariat.objects.create(region=w.ca, organisation=w.ca_sec, host_country=w.uz, city="Tashkent",
                                                     established=datetime.date(2015, 7, 17))
        w.area = r.ThematicArea.objects.create(code="border-control", name="Border control", order=1)

        def person(given, family, organisation, *, listed=False, visibility="private", email=None):
            return r.Person.objects.create(
                given_name=given, family_name=family, organisation=organisation, country=organisation.country,
                directory_listed=listed, contact_visibility=visibility, email=email or f"{given.lower()}@example.org",
                phone="+000 1234",
            )

        def role(person_, role_, **scope):
            return r.RoleAssignment.objects.create(person=person_, role=role_, start_date=datetime.date(2020, 1, 1), **scope)

        w.p_nfp_kz = person("Aru", "Kazfocal", w.kz_fp, listed=True, visibility="network")
        w.p_nfp_uz = person("Bek", "Uzfocal", w.uz_fp, listed=True)
        w.p_team_kz = person("Dana", "Kazteam", w.kz_ministry)
        w.p_sec_ca = person("Farrukh", "Casec", w.ca_sec, listed=True, visibility="all_users")
        w.p_nfp_ph = person("Maria", "Phfocal", w.ph_fp, listed=True)
        w.p_nfp_th = person("Somchai", "Thfocal", w.th_fp)
        w.p_viewer_my = person("Aisha", "Mymoh", w.my_moh)
        w.p_admin = person("Ada", "Platform", w.jrc)
        w.p_jrc = person("Jan", "Jrcstaff", w.jrc)
        w.p_hidden_kz = person("Hidden", "Kazperson", w.kz_ministry)  # not listed: only KZ scope sees them
        role(w.p_nfp_kz, Role.FOCAL_POINT, country=w.kz)
        role(w.p_nfp_uz, Role.FOCAL_POINT, country=w.uz)
        role(w.p_team_kz, Role.NATIONAL_TEAM, country=w.kz, organisation=w.kz_ministry)
        role(w.p_sec_ca, Role.SECRETARIAT, region=w.ca)
        role(w.p_nfp_ph, Role.FOCAL_POINT, country=w.ph)
        role(w.p_nfp_th, Role.FOCAL_POINT, country=w.th)
        role(w.p_viewer_my, Role.VIEWER, organisation=w.my_moh)
        role(w.p_admin, Role.PLATFORM_ADMIN)
        role(w.p_jrc, Role.PARTNER_STAFF, organisation=w.jrc)
        w.nfp_kz = _user("nfp-kz", w.p_nfp_kz)
        w.nfp_uz = _user("nfp-uz", w.p_nfp_uz)
        w.team_kz = _user("team-kz", w.p_team_kz)
        w.sec_ca = _user("sec-ca", w.p_sec_ca)
        w.nfp_ph = _user("nfp-ph", w.p_nfp_ph)
        w.nfp_th = _user("nfp-th", w.p_nfp_th)
        w.viewer_my = _user("viewer-my", w.p_viewer_my)
        w.admin = _user("admin", w.p_admin)
        w.jrc_user = _user("partner-jrc", w.p_jrc)
        w.outsider = _user("outsider")
    return w


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def audit_entries_for(instance, action: str | None = None):
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
    return entries.filter(action=action) if action else entries


class CrudContract:
    """The generic contract every model's UI and API must keep. A model's suite subclasses this and
    declares the data; each action is checked anonymous, without permission, permitted, permitted
    but out of scope, and for its audit record.

    Subclasses set: `model`, `route` (URL name prefix, e.g. "registry:organisation"), `api` (path),
    and implement `manager(w)`, `in_scope(w)`, `out_of_scope(w)` (visible to the manager but not
    changeable, or None), `hidden(w)` (invisible to the manager, or None), `create_data(w)` and
    `change_data(w, obj)` (form/API fields), and `stranger(w)` (a user who may not add).
    """

    model = None
    route = ""
    api = ""
    list_query_limit = 20

    # --- data hooks -------------------------------------------------------------------------------
    def manager(self, w):
        raise NotImplementedError

    def stranger(self, w):
        return w.outsider

    def in_scope(self, w):
        raise NotImplementedError

    def out_of_scope(self, w):
        return None

    def hidden(self, w):
        return None

    def create_data(self, w) -> dict:
        raise NotImplementedError

    def change_data(self, w, obj) -> dict:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------------
    def url(self, action, obj=None):
        from django.urls import reverse

        return reverse(f"{self.route}_{action}", args=[obj.pk] if obj is not None else None)

    @staticmethod
    def form_data(data: dict) -> dict:
        return {key: ("" if value is None else value) for key, value in data.items()}

    # --- the contract -----------------------------------------------------------------------------
    def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(self, world):
        obj = self.in_scope(world)
        client = Client()
        for url in (self.url("list"), self.url("detail", obj), self.url("edit", obj), self.url("add")):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        response = client.get(f"{self.api}{obj.pk}")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"

    def test_list_shows_what_the_manager_may_see(self, world):
        obj = self.in_scope(world)
        response = client_for(self.manager(world)).get(self.url("list"), {"per_page": 200})
        assert response.status_code == 200
        assert obj.get_absolute_url() in response.content.decode()
        hidden = self.hidden(world)
        if hidden is not None:
            assert hidden.get_absolute_url() not in response.content.decode()

    def test_list_page_query_count_does_not_grow_with_rows(self, world, django_assert_max_num_queries):
        client = client_for(self.manager(world))
        client.get(self.url("list"))  # warm the session and content-type caches
        with django_assert_max_num_queries(self.list_query_limit):
            response = client.get(self.url("list"), {"per_page": 200})
        assert response.status_code == 200

    def test_detail_is_404_when_hidden_and_403_to_edit_when_out_of_scope(self, world):
        client = client_for(self.manager(world))
        assert client.get(self.url("detail", self.in_scope(world))).status_code == 200
        hidden = self.hidden(world)
        if hidden is not None:
            assert client.get(self.url("detail", hidden)).status_code == 404
            assert client.get(self.url("edit", hidden)).status_code == 404
            assert client.get(f"{self.api}{hidden.pk}").status_code == 404
        other = self.out_of_scope(world)
        if other is not None:
            assert client.get(self.url("detail", other)).status_code == 200
            before = self.model.objects.get(pk=other.pk)
            assert client.post(self.url("edit", other), self.form_data(self.change_data(world, other))).status_code == 403
            assert client.delete(f"{self.api}{other.pk}").status_code == 403
            assert self.model.objects.filter(pk=other.pk).exists()
            from cbrnet.core.audit import serialize

            assert serialize(self.model.objects.get(pk=other.pk)) == serialize(before)

    def test_stranger_may_not_add(self, world):
        client = client_for(self.stranger(world))
        count = self.model.objects.count()
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("add"), self.form_data(self.create_data(world))).status_code == 403
        response = client.post(self.api, self.create_data(world), content_type="application/json")
        assert response.status_code == 403
        assert self.model.objects.count() == count

    def test_manager_creates_through_the_ui_and_it_is_audited(self, world):
        user = self.manager(world)
        count = self.model.objects.count()
        response = client_for(user).post(self.url("add"), self.form_data(self.create_data(world)))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.model.objects.count() == count + 1
        created = self.model.objects.order_by("-pk").first()
        entry = audit_entries_for(created, AuditEntry.Action.CREATE).get()
        assert entry.actor_id == user.pk and entry.source == "ui"

    def test_manager_changes_through_the_ui_and_it_is_audited(self, world):
        user = self.manager(world)
        obj = self.in_scope(world)
        response = client_for(user).post(self.url("edit", obj), self.form_data(self.change_data(world, obj)))
        assert response.status_code == 302, response.content.decode()[:3000]
        entry = audit_entries_for(obj, AuditEntry.Action.UPDATE).order_by("-pk").first()
        assert entry is not None and entry.actor_id == user.pk

    def test_manager_deletes_through_the_ui_and_it_is_audited(self, world):
        user = self.manager(world)
        obj = self.deletable(world)
        response = client_for(user).post(self.url("delete", obj))
        assert response.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert audit_entries_for(obj, AuditEntry.Action.DELETE).get().actor_id == user.pk

    def deletable(self, w):
        """A record the manager may delete and that nothing references (default: a fresh one)."""
        from cbrnet.core.services import record_save
        from cbrnet.registry.forms import RegistryForm  # noqa: F401 - forms live in each app

        form = self.form_class(data=self.form_data(self.create_data(w)))
        assert form.is_valid(), form.errors
        instance = form.save(commit=False)
        m2m = {f.name: form.cleaned_data[f.name] for f in self.model._meta.many_to_many if f.name in form.cleaned_data}
        return record_save(user=self.manager(w), instance=instance, m2m=m2m)

    def test_api_round_trip_is_audited_as_api(self, world):
        user = self.manager(world)
        client = client_for(user)
        response = client.post(self.api, self.create_data(world), content_type="application/json")
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        assert client.get(f"{self.api}{pk}").status_code == 200
        listing = client.get(self.api, {"limit": 500}).json()
        assert pk in [row["id"] for row in listing["results"]]
        created = self.model.objects.get(pk=pk)
        assert audit_entries_for(created, AuditEntry.Action.CREATE).get().source == "api"
        response = client.patch(f"{self.api}{pk}", self.change_data(world, created), content_type="application/json")
        assert response.status_code == 200, response.content
        assert client.delete(f"{self.api}{pk}").status_code == 204
        assert not self.model.objects.filter(pk=pk).exists()

    def test_api_rejects_bad_input_by_field_and_writes_nothing(self, world):
        client = client_for(self.manager(world))
        count = self.model.objects.count()
        data = {**self.create_data(world), **self.invalid_data(world)}
        response = client.post(self.api, data, content_type="application/json")
        assert response.status_code == 422, response.content
        body = response.json()
        assert response["Content-Type"] == "application/problem+json"
        named = {error["field"] for error in body["errors"]}
        assert named & set(self.invalid_data(world)), body
        assert self.model.objects.count() == count

    def invalid_data(self, w) -> dict:
        raise NotImplementedError
