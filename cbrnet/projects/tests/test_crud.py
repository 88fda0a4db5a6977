"""Projects, activities and participations keep the generic CRUD, permission and audit contract."""

import datetime

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract, client_for
from cbrnet.projects import forms, models

pytestmark = pytest.mark.django_db


def project_in(w, code, regions, **values):
    with audit_actor(None, source="command"):
        project = models.Project.objects.get_or_create(
            network=w.coe, code=code, defaults={"title": f"Project {code}", **values}
        )[0]
        project.regions.set(regions)
    return project


def activity_of(project, title="Biosafety training", **values):
    with audit_actor(None, source="command"):
        return models.Activity.objects.get_or_create(
            project=project, title=title,
            defaults={"kind": "training", "start_date": datetime.date(2024, 5, 6), **values},
        )[0]


def participation_of(activity, person, **values):
    with audit_actor(None, source="command"):
        participation = models.Participation(activity=activity, person=person, **values)
        participation.full_clean()
        participation.save()
        return participation


class TestProject(CrudContract):
    model, form_class, route, api = models.Project, forms.ProjectForm, "projects:project", "/api/projects/"

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        return project_in(w, "P53", [w.ca], title="Biosafety legislation")

    def out_of_scope(self, w):
        return project_in(w, "P81", [w.sea], title="BIOSEC")

    def create_data(self, w):
        return {"network": w.coe.pk, "code": "P87", "title": "PRECA", "regions": [w.ca.pk], "start_year": 2021,
                "end_year": 2024, "status": "ongoing", "cbrn_areas": ["C", "B"], "budget": "1500000.00",
                "currency": "EUR", "funding_instrument": "icsp"}

    def change_data(self, w, obj):
        return {"network": obj.network_id, "code": obj.code, "title": obj.title, "objectives": "Changed",
                "regions": list(obj.regions.values_list("pk", flat=True))}

    def invalid_data(self, w):
        return {"start_year": 2024, "end_year": 2020}

    def test_a_secretariat_cannot_tag_projects_as_another_network_code_twice(self, world):
        self.in_scope(world)
        response = client_for(world.sec_ca).post(self.api, {"network": world.coe.pk, "code": "P53", "title": "again"},
                                                 content_type="application/json")
        assert response.status_code == 422
        assert models.Project.objects.filter(code="P53").count() == 1

    def test_cbrn_areas_budget_and_currency_are_stored_and_given_back(self, world):
        client = client_for(world.sec_ca)
        response = client.post(self.api, self.create_data(world), content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["cbrn_areas"] == ["C", "B"]
        stored = models.Project.objects.get(pk=body["id"])
        assert stored.cbrn_areas == "CB" and str(stored.budget) == "1500000.00" and stored.currency == "EUR"
        assert client.get(self.api, {"cbrn_areas": "B"}).json()["count"] == 1
        assert client.get(self.api, {"cbrn_areas": "N"}).json()["count"] == 0

    @pytest.mark.parametrize(("data", "field"), [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"budget": "100", "currency": ""}, "currency"),
        ({"cbrn_areas": ["Q"]}, "cbrn_areas"),
        ({"start_date": "2024-05-01", "end_date": "2024-01-01"}, "end_date"),
        ({"code": ""}, "code"),  # an ongoing project has its code
    ])
    def test_bad_facts_are_refused_by_field(self, world, data, field):
        response = client_for(world.sec_ca).post(
            self.api, {**self.create_data(world), **data}, content_type="application/json"
        )
        assert response.status_code == 422
        assert field in {error["field"] for error in response.json()["errors"]}
        assert not models.Project.objects.exists()

    def test_dates_set_the_years(self, world):
        data = {**self.create_data(world), "start_date": "2021-01-15", "end_date": "2024-07-14", "start_year": 2000}
        response = client_for(world.sec_ca).post(self.api, data, content_type="application/json")
        assert response.status_code == 201, response.content
        project = models.Project.objects.get()
        assert (project.start_year, project.end_year) == (2021, 2024)

    def test_priorities_must_belong_to_the_projects_regions(self, world):
        from cbrnet.registry.models import RegionalPriority

        with audit_actor(None, source="command"):
            sea_priority = RegionalPriority.objects.create(region=world.sea, title="Biosafety")
        data = {**self.create_data(world), "priorities": [sea_priority.pk]}
        response = client_for(world.sec_ca).post(self.api, data, content_type="application/json")
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"priorities"}

    def test_editing_cannot_change_the_status(self, world):
        project = self.in_scope(world)
        before = project.status
        response = client_for(world.sec_ca).patch(f"{self.api}{project.pk}", {"status": "closed"},
                                                  content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "status"
        project.refresh_from_db()
        assert project.status == before


class TestActivity(CrudContract):
    model, form_class, route, api = models.Activity, forms.ActivityForm, "projects:activity", "/api/projects/activities/"

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        return activity_of(project_in(w, "P53", [w.ca]), "Mobile laboratory field exercise", kind="field_exercise")

    def out_of_scope(self, w):
        return activity_of(project_in(w, "P81", [w.sea]), "BIOSEC workshop", kind="workshop")

    def create_data(self, w):
        project = project_in(w, "P87", [w.ca])
        return {"project": project.pk, "kind": "table_top_exercise", "title": "Mass-gathering table-top exercise",
                "status": "planned", "start_date": "2026-06-20", "end_date": "2026-06-21", "country": w.kz.pk,
                "city": "Astana", "latitude": "51.16940", "longitude": "71.44910", "organisers": [w.ca_sec.pk],
                "thematic_areas": [w.area.pk], "agenda": "Day 1: scenario"}

    def change_data(self, w, obj):
        return {"project": obj.project_id, "kind": obj.kind, "title": obj.title, "status": "held",
                "start_date": obj.start_date.isoformat(), "outcomes": "Lessons identified"}

    def invalid_data(self, w):
        return {"start_date": "2026-06-20", "end_date": "2026-06-01"}

    @pytest.mark.parametrize(("data", "field"), [
        ({"latitude": "95"}, "latitude"),
        ({"latitude": "", "longitude": "71.4"}, "latitude"),
        ({"kind": "party"}, "kind"),
    ])
    def test_bad_places_and_kinds_are_refused_by_field(self, world, data, field):
        response = client_for(world.sec_ca).post(self.api, {**self.create_data(world), **data},
                                                 content_type="application/json")
        assert response.status_code == 422
        assert field in {error["field"] for error in response.json()["errors"]}

    def test_a_secretariat_cannot_plan_an_activity_of_another_regions_project(self, world):
        other = project_in(world, "P81", [world.sea])
        data = {**self.create_data(world), "project": other.pk}
        client = client_for(world.sec_ca)
        assert client.post(self.api, data, content_type="application/json").status_code == 403
        response = client.post(self.url("add"), self.form_data(data))
        assert response.status_code == 400  # the project is not among the choices offered
        assert not models.Activity.objects.filter(project=other).exists()

    def test_the_administrator_of_the_lead_implementer_plans_activities(self, world):
        from cbrnet.registry.choices import Role
        from cbrnet.registry.models import RoleAssignment

        with audit_actor(None, source="command"):
            RoleAssignment.objects.create(person=world.p_jrc, role=Role.ORG_ADMIN, organisation=world.jrc,
                                          start_date=datetime.date(2020, 1, 1))
        project = project_in(world, "P99", [world.sea], lead_implementer=world.jrc)
        data = {**self.create_data(world), "project": project.pk}
        response = client_for(world.jrc_user).post(self.api, data, content_type="application/json")
        assert response.status_code == 201, response.content
        not_theirs = project_in(world, "P53", [world.ca])
        response = client_for(world.jrc_user).post(self.api, {**data, "project": not_theirs.pk},
                                                   content_type="application/json")
        assert response.status_code == 403


class TestParticipation(CrudContract):
    model, form_class, route, api = (
        models.Participation, forms.ParticipationForm, "projects:participation", "/api/projects/participations/"
    )

    def manager(self, w):
        return w.sec_ca

    def ca_activity(self, w):
        return activity_of(project_in(w, "P53", [w.ca]))

    def sea_activity(self, w):
        return activity_of(project_in(w, "P81", [w.sea]), "BIOSEC workshop")

    def in_scope(self, w):
        return models.Participation.objects.filter(activity=self.ca_activity(w), person=w.p_hidden_kz).first() or (
            participation_of(self.ca_activity(w), w.p_hidden_kz, attended="yes")
        )

    def out_of_scope(self, w):
        # A Uzbek participant of a South-East Asian activity: the CA secretariat sees Uzbekistan's people's
        # records but does not manage that activity.
        return participation_of(self.sea_activity(w), w.p_nfp_uz)

    def hidden(self, w):
        return participation_of(self.sea_activity(w), w.p_nfp_th)

    def create_data(self, w):
        return {"activity": self.ca_activity(w).pk, "person": w.p_team_kz.pk, "role": "trainee", "attended": ""}

    def change_data(self, w, obj):
        return {"role": "trainer", "attended": "yes", "note": "Led the practical session"}

    def invalid_data(self, w):
        return {"role": "chief"}

    def test_country_organisation_and_gender_are_copied_and_stay_when_the_person_moves(self, world):
        person = world.p_team_kz
        with audit_actor(None, source="command"):
            person.gender = "female"
            person.save()
        response = client_for(world.sec_ca).post(self.api, self.create_data(world), content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["country"], body["organisation"], body["gender"]) == (world.kz.pk, world.kz_ministry.pk, "female")
        with audit_actor(None, source="command"):
            person.organisation, person.country = world.uz_fp, world.uz
            person.save()
        response = client_for(world.sec_ca).patch(f"{self.api}{body['id']}", {"attended": "yes"},
                                                  content_type="application/json")
        assert response.status_code == 200, response.content
        stored = models.Participation.objects.get(pk=body["id"])
        assert (stored.country_id, stored.organisation_id) == (world.kz.pk, world.kz_ministry.pk)

    def test_a_person_is_registered_once_per_activity(self, world):
        self.in_scope(world)
        data = {**self.create_data(world), "person": world.p_hidden_kz.pk}
        response = client_for(world.sec_ca).post(self.api, data, content_type="application/json")
        assert response.status_code == 422
        assert models.Participation.objects.filter(person=world.p_hidden_kz).count() == 1

    def test_the_activity_and_person_of_a_registration_do_not_change(self, world):
        obj = self.in_scope(world)
        other = activity_of(obj.activity.project, "Another training")
        response = client_for(world.sec_ca).patch(f"{self.api}{obj.pk}", {"activity": other.pk, "person": world.p_team_kz.pk},
                                                  content_type="application/json")
        assert response.status_code == 200
        obj.refresh_from_db()
        assert (obj.activity_id, obj.person_id) == (self.ca_activity(world).pk, world.p_hidden_kz.pk)


def test_the_demo_loads_the_coe_projects_with_regions_implementers_and_activities():
    from cbrnet.registry.demo import load_demo

    load_demo(include_population=False)
    assert models.Project.objects.count() == 20
    p53 = models.Project.objects.get(code="P53")
    assert p53.lead_implementer.acronym == "ISTC"
    assert {org.acronym for org in p53.implementers.all()} >= {"ISTC", "VERTIC", "RIVM"}
    assert set(models.Project.objects.get(code="P87").regions.values_list("code", flat=True)) == {"CA"}
    assert p53.status == "closed"  # "completed" in the CSV: the end of the pipeline
    assert list(models.Project.objects.get(code="P87").priorities.values_list("title", flat=True)) == [
        "CBRN safety and security during mass gatherings"
    ]
    p106 = models.Project.objects.get(code="P106")
    assert "Team leader John Jones OBE" in p106.source
    conference = models.Activity.objects.get(title="COVID-19 Lessons Learnt")
    assert (conference.start_date, conference.end_date, conference.city) == (
        datetime.date(2022, 10, 3), datetime.date(2022, 10, 7), "Tbilisi"
    )
    assert models.Activity.objects.filter(project__code="P87", kind="training_of_trainers").count() == 4
    assert not models.Participation.objects.exists()  # synthetic participants come with the population
    before = (models.Project.objects.count(), models.Activity.objects.count())
    load_demo(include_population=False)
    assert (models.Project.objects.count(), models.Activity.objects.count()) == before
