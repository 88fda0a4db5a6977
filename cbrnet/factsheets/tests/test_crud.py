"""Achievements keep the generic CRUD, permission and audit contract: the region's secretariat writes
them; every signed-in user reads them (they are part of the network's public record)."""

import datetime

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract, client_for
from cbrnet.factsheets import forms, models
from cbrnet.projects.models import Project

pytestmark = pytest.mark.django_db


def achievement_of(region, title, **values):
    with audit_actor(None, source="command"):
        return models.Achievement.objects.get_or_create(
            region=region,
            title=title,
            defaults={"date": datetime.date(2022, 10, 7), "text": f"{title}: what was achieved.", **values},
        )[0]


def project_of(w, code, region):
    with audit_actor(None, source="command"):
        project = Project.objects.get_or_create(
            network=w.coe, code=code, defaults={"title": f"Project {code}"}
        )[0]
        project.regions.set([region])
    return project


class TestAchievement(CrudContract):
    model, form_class, route, api = (
        models.Achievement,
        forms.AchievementForm,
        "factsheets:achievement",
        "/api/factsheets/achievements/",
    )

    def manager(self, w):
        return w.sec_ca

    def stranger(self, w):
        return w.nfp_kz  # a focal point reads achievements but does not write them

    def in_scope(self, w):
        return achievement_of(w.ca, "Conference COVID-19 Lessons Learnt", project=project_of(w, "P53", w.ca))

    def out_of_scope(self, w):
        return achievement_of(w.sea, "Regional biosafety exercise")

    def create_data(self, w):
        return {
            "region": w.ca.pk,
            "date": "2022-12-31",
            "title": "Over 200 experts trained",
            "text": "Trainings of trainers on water safety, food safety, chemical poisoning and CCC.",
            "project": project_of(w, "P87", w.ca).pk,
            "source": "CA fact sheet, May 2023",
        }

    def change_data(self, w, obj):
        return {
            "region": obj.region_id,
            "date": obj.date.isoformat(),
            "title": obj.title,
            "text": "Changed text.",
            "project": obj.project_id,
            "source": obj.source,
        }

    def invalid_data(self, w):
        return {"title": ""}

    def test_the_project_must_work_in_the_region(self, world):
        data = {**self.create_data(world), "project": project_of(world, "P81", world.sea).pk}
        response = client_for(world.sec_ca).post(self.api, data, content_type="application/json")
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"project"}
        assert not models.Achievement.objects.exists()

    def test_a_secretariat_cannot_write_another_regions_achievement(self, world):
        data = {**self.create_data(world), "region": world.sea.pk, "project": None}
        client = client_for(world.sec_ca)
        assert client.post(self.api, data, content_type="application/json").status_code == 403
        response = client.post(self.url("add"), self.form_data(data))
        assert response.status_code == 400
        assert not models.Achievement.objects.exists()

    def test_every_signed_in_user_reads_them(self, world):
        obj = self.in_scope(world)
        for user in (world.nfp_ph, world.viewer_my, world.outsider):
            assert client_for(user).get(self.url("detail", obj)).status_code == 200
            assert client_for(user).get(f"{self.api}{obj.pk}").status_code == 200
