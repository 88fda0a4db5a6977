import pytest

from cbrnet.core.testing import CrudContract
from cbrnet.projects import forms, models

pytestmark = pytest.mark.django_db


class TestProject(CrudContract):
    model, form_class, route, api = models.Project, forms.ProjectForm, "projects:project", "/api/projects/"

    def manager(self, w):
        return w.sec_ca

    def in_scope(self, w):
        project = models.Project.objects.get_or_create(network=w.coe, code="P53", defaults={"title": "Biosafety legislation"})[0]
        project.regions.set([w.ca])
        return project

    def create_data(self, w):
        return {"network": w.coe.pk, "code": "P87", "title": "PRECA", "regions": [w.ca.pk], "start_year": 2021,
                "end_year": 2024, "status": "ongoing"}

    def change_data(self, w, obj):
        return {"network": obj.network_id, "code": obj.code, "title": obj.title, "status": "completed",
                "regions": list(obj.regions.values_list("pk", flat=True))}

    def invalid_data(self, w):
        return {"start_year": 2024, "end_year": 2020}

    def test_a_secretariat_cannot_tag_projects_as_another_network_code_twice(self, world):
        from cbrnet.core.testing import client_for

        self.in_scope(world)
        response = client_for(world.sec_ca).post(self.api, {"network": world.coe.pk, "code": "P53", "title": "again"},
                                                 content_type="application/json")
        assert response.status_code == 422
        assert models.Project.objects.filter(code="P53").count() == 1


def test_the_demo_loads_the_coe_projects_with_regions_and_implementers():
    from cbrnet.registry.demo import load_demo

    load_demo(include_population=False)
    assert models.Project.objects.count() == 20
    p53 = models.Project.objects.get(code="P53")
    assert p53.lead_implementer.acronym == "ISTC"
    assert {org.acronym for org in p53.implementers.all()} >= {"ISTC", "VERTIC", "RIVM"}
    assert set(models.Project.objects.get(code="P87").regions.values_list("code", flat=True)) == {"CA"}
    p106 = models.Project.objects.get(code="P106")
    assert "Team leader John Jones OBE" in p106.source
    before = models.Project.objects.count()
    load_demo(include_population=False)
    assert models.Project.objects.count() == before
