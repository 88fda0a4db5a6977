"""Diseases, sector authorities, series and datasets keep the generic CRUD, permission and audit
contract (cbrnet.core.testing.CrudContract); datasets also keep the sharing actions of bulletins."""

import datetime

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract, client_for
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.models import Grant
from cbrnet.surveillance import forms
from cbrnet.surveillance.choices import Sector
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series
from cbrnet.surveillance.services import ingest
from cbrnet.surveillance.services.datasets import dataset_save
from cbrnet.surveillance.tests.data_world import add_surveillance

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    return add_surveillance(world)


class TestDisease(CrudContract):
    model, form_class, route, api = Disease, forms.DiseaseForm, "surveillance:disease", "/api/surveillance/diseases/"

    def manager(self, w):
        return w.admin  # reference data of the whole platform

    def stranger(self, w):
        return w.nfp_kz

    def in_scope(self, w):
        return w.anthrax

    def create_data(self, w):
        return {"code": "cchf", "name": "Crimean-Congo haemorrhagic fever", "zoonotic": True, "human": True,
                "animal": True, "plant": False, "food": False, "environment": False, "icd_code": "A98.0",
                "source": ""}

    def change_data(self, w, obj):
        return {**self.create_data(w), "code": obj.code, "name": obj.name + " (revised)"}

    def invalid_data(self, w):
        return {"code": "Not a code!"}

    def test_a_zoonosis_concerns_people_and_animals(self, world):
        response = client_for(world.admin).post(self.api, {**self.create_data(world), "animal": False},
                                                content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "zoonotic"


class TestSectorAuthority(CrudContract):
    model, form_class, route, api = (SectorAuthority, forms.SectorAuthorityForm, "surveillance:sectorauthority",
                                     "/api/surveillance/authorities/")

    def manager(self, w):
        return w.nfp_kz  # the focal point keeps the list of its country

    def in_scope(self, w):
        with audit_actor(None, source="command"):
            return SectorAuthority.objects.create(country=w.kz, sector=Sector.HUMAN, organisation=w.kz_ministry)

    def out_of_scope(self, w):
        with audit_actor(None, source="command"):
            return SectorAuthority.objects.create(country=w.uz, sector=Sector.HUMAN, organisation=w.uz_fp)

    def create_data(self, w):
        return {"country": w.kz.pk, "sector": Sector.ANIMAL, "organisation": w.kz_fp.pk}

    def change_data(self, w, obj):
        return {"country": obj.country_id, "sector": Sector.FOOD, "organisation": obj.organisation_id}

    def invalid_data(self, w):
        return {"organisation": w.uz_fp.pk}  # an organisation of another country

    def test_the_secretariat_of_the_region_may_add_one(self, world):
        response = client_for(world.sec_ca).post(self.api, {"country": world.uz.pk, "sector": Sector.ANIMAL,
                                                            "organisation": world.uz_fp.pk},
                                                 content_type="application/json")
        assert response.status_code == 201


class TestSeries(CrudContract):
    model, form_class, route, api = Series, forms.SeriesForm, "surveillance:series", "/api/surveillance/series/"

    def manager(self, w):
        return w.officer

    def in_scope(self, w):
        with audit_actor(None, source="command"):
            return Series.objects.create(dataset=w.kz_human, disease=w.anthrax)

    def out_of_scope(self, w):
        with audit_actor(None, source="command"):
            return Series.objects.create(dataset=w.uz_clear, disease=w.anthrax)  # read by all, UZ's to change

    def hidden(self, w):
        with audit_actor(None, source="command"):
            return Series.objects.create(dataset=w.uz_draft, disease=w.anthrax)

    def create_data(self, w):
        return {"dataset": w.kz_human.pk, "disease": w.brucellosis.pk, "admin_area": "Almaty"}

    def change_data(self, w, obj):
        return {"dataset": obj.dataset_id, "disease": obj.disease_id, "admin_area": "Zhambyl Region"}

    def invalid_data(self, w):
        return {"disease": w.avian.pk}  # animal health only: not in a human-health dataset

    def test_a_series_may_not_move_to_another_dataset_or_into_one_the_user_may_not_change(self, world):
        client = client_for(world.officer)
        series = self.in_scope(world)
        with audit_actor(None, source="command"):
            other = dataset_save(user=world.officer, dataset=Dataset(title="Other", country=world.kz,
                                                                     sector=Sector.HUMAN))
        response = client.patch(f"{self.api}{series.pk}", {"dataset": other.pk}, content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "dataset"
        response = client.post(self.api, {**self.create_data(world), "dataset": world.uz_clear.pk},
                               content_type="application/json")
        assert response.status_code == 403
        assert not Series.objects.filter(dataset=world.uz_clear, disease=world.brucellosis).exists()

    def test_the_list_query_count_does_not_grow_with_series(self, world, django_assert_max_num_queries):
        client = client_for(world.officer)
        rows = [{"disease": "brucellosis", "admin_area": f"Area {number}", "week": ingest.current_week(), "count": 1}
                for number in range(60)]
        ingest.counts_ingest(user=world.officer, dataset=world.kz_human, rows=rows)
        client.get(self.url("list"))
        with django_assert_max_num_queries(self.list_query_limit):
            response = client.get(self.url("list"), {"per_page": 200})
        assert response.content.decode().count('href="/surveillance/series/') >= 60


class TestDataset(CrudContract):
    model, form_class, route, api = Dataset, forms.DatasetForm, "surveillance:dataset", "/api/surveillance/datasets/"

    def manager(self, w):
        return w.officer  # an editor of the KZ Ministry of Health

    def stranger(self, w):
        return w.viewer_my  # viewers may not share (R15)

    def in_scope(self, w):
        return w.kz_human

    def out_of_scope(self, w):
        return w.uz_clear

    def hidden(self, w):
        return w.uz_draft

    def create_data(self, w):
        return {"title": "KZ animal health", "country": w.kz.pk, "sector": Sector.ANIMAL, "method": "ears_c1",
                "description": "Weekly outbreaks", "tlp": TLP.AMBER, "networks": []}

    def change_data(self, w, obj):
        return {"title": obj.title + " (revised)", "country": obj.country_id, "sector": obj.sector,
                "method": obj.method, "description": obj.description, "tlp": obj.tlp,
                "networks": [network.pk for network in obj.networks.all()]}

    def invalid_data(self, w):
        return {"tlp": "TLP:PURPLE"}

    def deletable(self, w):
        return dataset_save(user=self.manager(w), dataset=Dataset(title="Draft", country=w.kz, sector=Sector.HUMAN))

    def test_the_owner_and_author_come_from_the_user_and_the_country_from_the_owner(self, world):
        client = client_for(world.officer)
        response = client.post(self.api, {**self.create_data(world), "owner_organisation": world.uz_fp.pk,
                                          "author": world.nfp_uz.pk, "status": "published"},
                               content_type="application/json")
        assert response.status_code == 201
        created = Dataset.objects.get(pk=response.json()["id"])
        assert (created.owner_organisation_id, created.author_id, created.status) == (
            world.kz_ministry.pk, world.officer.pk, Status.DRAFT)
        response = client.post(self.api, {**self.create_data(world), "country": world.uz.pk},
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "country"

    def test_the_owner_side_shares_publishes_and_withdraws_and_recipients_may_not(self, world):
        client = client_for(world.officer)
        draft = self.deletable(world)
        response = client.post(f"/surveillance/datasets/{draft.pk}/grants/",
                               {"scope": "organisation", "organisation": world.ca_sec.pk})
        assert response.status_code == 302
        assert Grant.objects.filter(object_id=draft.pk, organisation=world.ca_sec).exists()
        assert client_for(world.sec_ca).get(draft.get_absolute_url()).status_code == 404  # a draft stays its own
        client.post(f"/surveillance/datasets/{draft.pk}/publish/")
        draft.refresh_from_db()
        assert draft.status == Status.PUBLISHED
        recipient = client_for(world.sec_ca)
        assert recipient.get(draft.get_absolute_url()).status_code == 200
        assert recipient.post(f"/surveillance/datasets/{draft.pk}/withdraw/").status_code == 403
        assert recipient.post(f"{self.api}{draft.pk}/tlp", {"tlp": "clear"},
                              content_type="application/json").status_code == 403
        assert client.get(f"{self.api}{draft.pk}/audience").json()["grants"][0]["target"] == world.ca_sec.pk
        response = client.post(f"{self.api}{draft.pk}/withdraw")
        assert response.status_code == 200 and response.json()["status"] == Status.WITHDRAWN
        assert recipient.get(draft.get_absolute_url()).status_code == 404
        client.post(f"{self.api}{draft.pk}/publish")
        assert recipient.get(f"{self.api}{draft.pk}").status_code == 200
        response = client.post(f"{self.api}{draft.pk}/tlp", {"tlp": "red"}, content_type="application/json")
        assert response.status_code == 200  # tightening is at once: the organisation grant goes (R7, R9)
        assert recipient.get(f"{self.api}{draft.pk}").status_code == 404

    def test_the_dataset_page_lists_its_series_and_offers_uploads_to_its_editors(self, world):
        ingest.counts_ingest(user=world.officer, dataset=world.kz_human,
                             rows=[{"disease": "anthrax", "week": ingest.current_week(), "count": 1}])
        page = client_for(world.officer).get(world.kz_human.get_absolute_url()).content.decode()
        assert "/imports/surveillance-counts/" in page and "/imports/surveillance-cases/" in page
        assert Series.objects.get().get_absolute_url() in page
        page = client_for(world.sec_ca).get(world.kz_human.get_absolute_url()).content.decode()
        assert "/imports/surveillance-counts/" not in page and Series.objects.get().get_absolute_url() in page


def test_a_week_is_a_monday():
    assert ingest.parse_week("2026-W01") == datetime.date(2025, 12, 29)
    assert ingest.parse_week("2026w3") == datetime.date(2026, 1, 12)
