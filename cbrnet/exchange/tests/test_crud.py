"""Bulletins keep the generic CRUD, permission and audit contract (cbrnet.core.testing), plus a
query budget for the list that does not grow with the number of bulletins."""

import pytest

from cbrnet.core.testing import CrudContract, client_for
from cbrnet.exchange import forms
from cbrnet.exchange.models import Bulletin
from cbrnet.exchange.services import bulletin_save
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.tests.helpers import ORGANISATION, REGION, USER, make_bulletin

pytestmark = pytest.mark.django_db


class TestBulletin(CrudContract):
    model, form_class, route, api = (
        Bulletin,
        forms.BulletinForm,
        "exchange:bulletin",
        "/api/exchange/bulletins/",
    )

    def manager(self, w):
        return w.nfp_ph  # focal point: an editor of PH-FP

    def stranger(self, w):
        return w.viewer_my  # viewers may not share (R15)

    def in_scope(self, w):
        return make_bulletin(author=w.nfp_ph, tlp=TLP.GREEN, networks=[w.asean], title="PH situation report")

    def out_of_scope(self, w):
        # Shared with PH-FP through ASEAN, but Thailand's to change.
        return make_bulletin(author=w.nfp_th, tlp=TLP.GREEN, networks=[w.asean], title="TH situation report")

    def hidden(self, w):
        return make_bulletin(author=w.nfp_kz, tlp=TLP.AMBER, title="KZ internal note")

    def create_data(self, w):
        return {
            "title": "Flood at the port",
            "body": "Containers of chlorine damaged.",
            "tlp": TLP.AMBER,
            "networks": [w.asean.pk],
        }

    def change_data(self, w, obj):
        return {
            "title": obj.title + " (revised)",
            "body": obj.body,
            "tlp": obj.tlp,
            "networks": [network.pk for network in obj.networks.all()],
        }

    def invalid_data(self, w):
        return {"tlp": "TLP:PURPLE"}

    def deletable(self, w):
        return bulletin_save(user=self.manager(w), bulletin=Bulletin(title="Draft", body="x", tlp=TLP.AMBER))

    def test_the_owner_and_author_are_set_by_the_service_not_the_client(self, world):
        client = client_for(world.nfp_ph)
        response = client.post(
            self.api,
            {
                **self.create_data(world),
                "owner_organisation": world.th_fp.pk,
                "author": world.nfp_th.pk,
                "status": "published",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        created = Bulletin.objects.get(pk=response.json()["id"])
        assert (created.owner_organisation_id, created.author_id, created.status) == (
            world.ph_fp.pk,
            world.nfp_ph.pk,
            Status.DRAFT,
        )


def test_the_list_query_count_does_not_grow_with_bulletins(world, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        client = client_for(world.nfp_th)
        client.get("/exchange/bulletins/")  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as context:
            response = client.get("/exchange/bulletins/", {"per_page": 200})
        assert response.status_code == 200
        return len(context.captured_queries), response.content.decode().count('href="/exchange/bulletins/')

    make_bulletin(author=world.nfp_ph, tlp=TLP.GREEN, networks=[world.asean])
    few, rows_before = queries()
    for index in range(12):
        tlp = [TLP.CLEAR, TLP.GREEN, TLP.AMBER][index % 3]
        grants = [(REGION, world.sea), (ORGANISATION, world.th_fp)] if tlp == TLP.AMBER else []
        make_bulletin(
            author=world.nfp_ph, tlp=tlp, networks=[world.asean], grants=grants, title=f"Bulletin {index}"
        )
    make_bulletin(author=people.ph_author, tlp=TLP.RED, grants=[(USER, world.nfp_th)])
    many, rows_after = queries()
    assert rows_after > rows_before + 10
    assert many == few, f"{few} queries for one bulletin, {many} for fourteen"
    assert many <= 15
