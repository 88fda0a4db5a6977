"""The five action plan models keep the generic CRUD, permission and audit contract (their writes go
through the services, from the web UI and the API alike)."""

import datetime

import pytest

from cbrnet.actionplans import forms, models
from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.tests.helpers import action_of, indicator_of, objective_of, report_of
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import CrudContract, client_for

pytestmark = pytest.mark.django_db


def plan_named(w, country, title, status=PlanStatus.DRAFT, network=None):
    found = models.ActionPlan.objects.filter(title=title).first()
    if found is not None:
        return found
    with audit_actor(None, source="command"):
        plan = models.ActionPlan(
            country=country,
            network=network or w.coe,
            title=title,
            start_year=2025,
            end_year=2028,
            status=status,
        )
        plan.full_clean()
        plan.save()
    return plan


class PlanRecords:
    """In scope: Kazakhstan's plans (nfp_kz manages them). Out of scope: Uzbekistan's approved plan
    (shared with the CoE network, so nfp_kz reads it). Hidden: Uzbekistan's plan in preparation, and
    the Philippines' approved plan of the ASEAN network (nfp_kz's office is not in that network)."""

    def manager(self, w):
        return w.nfp_kz

    def kz_draft(self, w):
        return plan_named(w, w.kz, "KZ plan in preparation")

    def kz_approved(self, w):
        return plan_named(w, w.kz, "KZ approved plan", PlanStatus.APPROVED)

    def uz_approved(self, w):
        return plan_named(w, w.uz, "UZ approved plan", PlanStatus.APPROVED)

    def uz_draft(self, w):
        return plan_named(w, w.uz, "UZ plan in preparation")

    def ph_asean(self, w):
        return plan_named(w, w.ph, "PH plan of the ASEAN network", PlanStatus.APPROVED, network=w.asean)

    @staticmethod
    def first_objective(plan):
        return plan.objectives.first() or objective_of(plan)

    def first_action(self, plan):
        objective = self.first_objective(plan)
        return objective.actions.first() or action_of(objective)


class TestActionPlan(PlanRecords, CrudContract):
    model, form_class, route, api = (
        models.ActionPlan,
        forms.ActionPlanForm,
        "actionplans:actionplan",
        "/api/actionplans/plans/",
    )

    def in_scope(self, w):
        return self.kz_draft(w)

    def out_of_scope(self, w):
        return self.uz_approved(w)

    def hidden(self, w):
        return self.uz_draft(w)

    def create_data(self, w):
        return {
            "country": w.kz.pk,
            "network": w.coe.pk,
            "title": "Second KZ plan",
            "start_year": 2026,
            "end_year": 2030,
            "summary": "Drafted by the national team.",
        }

    def change_data(self, w, obj):
        return {
            "country": obj.country_id,
            "network": obj.network_id,
            "title": "Renamed plan",
            "start_year": obj.start_year,
            "end_year": obj.end_year,
        }

    def invalid_data(self, w):
        return {"start_year": 2030, "end_year": 2026}

    def test_a_plan_is_created_in_preparation_whatever_status_is_sent(self, world):
        response = client_for(world.nfp_kz).post(
            self.api, {**self.create_data(world), "status": "adopted"}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        assert models.ActionPlan.objects.get(pk=response.json()["id"]).status == PlanStatus.DRAFT

    def test_a_focal_point_cannot_create_a_plan_of_another_country(self, world):
        client = client_for(world.nfp_kz)
        response = client.post(
            self.api, {**self.create_data(world), "country": world.uz.pk}, content_type="application/json"
        )
        assert response.status_code == 403
        response = client.post(
            self.url("add"), self.form_data({**self.create_data(world), "country": world.uz.pk})
        )
        assert response.status_code == 400
        assert not models.ActionPlan.objects.filter(country=world.uz).exists()

    def test_the_country_must_belong_to_the_network(self, world):
        response = client_for(world.admin).post(
            self.api, {**self.create_data(world), "network": world.asean.pk}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"network"}

    def test_an_approved_plan_is_not_edited_and_nothing_changes(self, world):
        plan = self.kz_approved(world)
        response = client_for(world.nfp_kz).patch(
            f"{self.api}{plan.pk}", {"title": "Changed"}, content_type="application/json"
        )
        assert response.status_code == 422
        plan.refresh_from_db()
        assert plan.title == "KZ approved plan"

    def test_the_country_of_a_plan_does_not_change(self, world):
        plan = self.kz_draft(world)
        response = client_for(world.sec_ca).patch(
            f"{self.api}{plan.pk}", {"country": world.uz.pk}, content_type="application/json"
        )
        assert response.status_code == 200
        plan.refresh_from_db()
        assert plan.country_id == world.kz.pk


class TestObjective(PlanRecords, CrudContract):
    model, form_class, route, api = (
        models.Objective,
        forms.ObjectiveForm,
        "actionplans:objective",
        "/api/actionplans/objectives/",
    )

    def in_scope(self, w):
        return self.first_objective(self.kz_draft(w))

    def out_of_scope(self, w):
        return self.first_objective(self.uz_approved(w))

    def hidden(self, w):
        return self.first_objective(self.uz_draft(w))

    def create_data(self, w):
        return {
            "plan": self.kz_draft(w).pk,
            "order": 2,
            "title": "Improve laboratory biosafety",
            "domains": "B",
            "thematic_area": w.area.pk,
        }

    def change_data(self, w, obj):
        return {"plan": obj.plan_id, "order": obj.order, "title": "Renamed objective", "domains": "CB"}

    def invalid_data(self, w):
        return {"domains": "Q"}

    def deletable(self, w):
        return objective_of(self.kz_draft(w), title="To be deleted", order=9)

    def test_the_team_adds_objectives_to_its_countrys_plan(self, world):
        response = client_for(world.team_kz).post(
            self.api, self.create_data(world), content_type="application/json"
        )
        assert response.status_code == 201, response.content

    def test_objectives_of_an_approved_plan_are_not_added(self, world):
        data = {**self.create_data(world), "plan": self.kz_approved(world).pk}
        response = client_for(world.nfp_kz).post(self.api, data, content_type="application/json")
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"plan"}
        assert not models.Objective.objects.filter(title=data["title"]).exists()


class TestAction(PlanRecords, CrudContract):
    model, form_class, route, api = (
        models.Action,
        forms.ActionForm,
        "actionplans:action",
        "/api/actionplans/actions/",
    )

    def in_scope(self, w):
        return self.first_action(self.kz_draft(w))

    def out_of_scope(self, w):
        return self.first_action(self.uz_approved(w))

    def hidden(self, w):
        return self.first_action(self.uz_draft(w))

    def create_data(self, w):
        return {
            "objective": self.first_objective(self.kz_draft(w)).pk,
            "order": 2,
            "title": "Equip border posts",
            "lead_agency": w.kz_ministry.pk,
            "partners": [w.jrc.pk],
            "start_date": "2025-01-01",
            "end_date": "2025-12-31",
            "budget": "50000.00",
            "currency": "EUR",
            "status": "planned",
        }

    def change_data(self, w, obj):
        return {
            "objective": obj.objective_id,
            "order": obj.order,
            "title": "Renamed action",
            "status": "planned",
            "lead_agency": w.kz_fp.pk,
        }

    def invalid_data(self, w):
        return {"start_date": "2025-06-01", "end_date": "2025-01-01"}

    def deletable(self, w):
        return action_of(self.first_objective(self.kz_draft(w)), title="To be deleted", order=9)

    def test_the_plan_is_the_objectives_and_partners_and_budget_are_stored(self, world):
        response = client_for(world.nfp_kz).post(
            self.api, self.create_data(world), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["plan"] == self.kz_draft(world).pk
        assert (
            body["partners"] == [world.jrc.pk] and body["budget"] == "50000.00" and body["currency"] == "EUR"
        )

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"lead_agency": "uz_fp"}, "lead_agency"),  # an organisation of another country
            ({"lead_agency": "jrc"}, "lead_agency"),  # not an organisation of the country at all
            ({"currency": "EURO"}, "currency"),
            ({"budget": "100", "currency": ""}, "currency"),
            ({"budget": "-5"}, "budget"),
            ({"status": "done"}, "status"),
            ({"objective": None}, "objective"),
        ],
    )
    def test_bad_actions_are_refused_by_field(self, world, data, field):
        data = {
            key: (getattr(world, value).pk if key == "lead_agency" else value) for key, value in data.items()
        }
        count = models.Action.objects.count()
        response = client_for(world.nfp_kz).post(
            self.api, {**self.create_data(world), **data}, content_type="application/json"
        )
        assert response.status_code == 422, response.content
        assert field in {error["field"] for error in response.json()["errors"]}
        assert models.Action.objects.count() == count

    def test_an_objective_of_another_plan_is_refused(self, world):
        action = self.in_scope(world)
        other = objective_of(plan_named(world, world.kz, "Another KZ plan"), title="Other objective")
        response = client_for(world.nfp_kz).patch(
            f"{self.api}{action.pk}", {"objective": other.pk}, content_type="application/json"
        )
        assert response.status_code == 422
        action.refresh_from_db()
        assert action.objective.plan_id == self.kz_draft(world).pk

    def test_only_the_status_of_an_approved_plans_action_changes(self, world):
        action = self.first_action(self.kz_approved(world))
        client = client_for(world.nfp_kz)
        response = client.patch(
            f"{self.api}{action.pk}", {"title": "Changed"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"title"}
        response = client.patch(
            f"{self.api}{action.pk}", {"status": "delayed"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        action.refresh_from_db()
        assert (action.title, action.status) == ("Train border guards", "delayed")

    def test_the_edit_page_of_an_approved_plans_action_offers_the_status_only(self, world):
        action = self.first_action(self.kz_approved(world))
        response = client_for(world.nfp_kz).post(
            self.url("edit", action), {"title": "Ignored", "status": "delayed"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        action.refresh_from_db()
        assert (action.title, action.status) == ("Train border guards", "delayed")


class TestIndicator(PlanRecords, CrudContract):
    model, form_class, route, api = (
        models.Indicator,
        forms.IndicatorForm,
        "actionplans:indicator",
        "/api/actionplans/indicators/",
    )

    def in_scope(self, w):
        action = self.first_action(self.kz_draft(w))
        return action.indicators.first() or indicator_of(action)

    def out_of_scope(self, w):
        action = self.first_action(self.uz_approved(w))
        return action.indicators.first() or indicator_of(action)

    def hidden(self, w):
        action = self.first_action(self.uz_draft(w))
        return action.indicators.first() or indicator_of(action)

    def create_data(self, w):
        return {
            "action": self.first_action(self.kz_draft(w)).pk,
            "name": "Laboratories accredited",
            "unit": "labs",
            "baseline": "1",
            "target": "5",
        }

    def change_data(self, w, obj):
        return {"action": obj.action_id, "name": "Renamed indicator", "baseline": "0", "target": "150"}

    def invalid_data(self, w):
        return {"target": "not a number"}

    def deletable(self, w):
        return indicator_of(self.first_action(self.kz_draft(w)), name="To be deleted")

    def test_only_the_current_value_of_an_approved_plans_indicator_changes(self, world):
        action = self.first_action(self.kz_approved(world))
        indicator = indicator_of(action)
        client = client_for(world.team_kz)
        response = client.patch(
            f"{self.api}{indicator.pk}", {"target": "10"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"target"}
        response = client.patch(
            f"{self.api}{indicator.pk}", {"current": "120"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        indicator.refresh_from_db()
        assert (indicator.target, indicator.current) == (200, 120)


class TestProgressReport(PlanRecords, CrudContract):
    model, form_class, route, api = (
        models.ProgressReport,
        forms.ProgressReportForm,
        "actionplans:progressreport",
        "/api/actionplans/progress-reports/",
    )

    def in_scope(self, w):
        action = self.first_action(self.kz_approved(w))
        return action.progress_reports.first() or report_of(action)

    def out_of_scope(self, w):
        action = self.first_action(self.uz_approved(w))
        return action.progress_reports.first() or report_of(action)

    def hidden(self, w):
        action = self.first_action(self.ph_asean(w))
        return action.progress_reports.first() or report_of(action)

    def create_data(self, w):
        return {
            "action": self.first_action(self.kz_approved(w)).pk,
            "date": "2025-06-01",
            "status": "in_progress",
            "percent_complete": 30,
            "narrative": "The first course was held in Almaty.",
        }

    def change_data(self, w, obj):
        return {
            "action": obj.action_id,
            "date": obj.date.isoformat(),
            "status": "in_progress",
            "percent_complete": 45,
            "narrative": "Corrected figures.",
        }

    def invalid_data(self, w):
        return {"percent_complete": 150}

    def deletable(self, w):
        return report_of(self.first_action(self.kz_approved(w)), percent=10, date=datetime.date(2025, 2, 1))

    def test_the_author_is_the_user_and_the_action_takes_the_reports_status(self, world):
        response = client_for(world.team_kz).post(
            self.api, {**self.create_data(world), "status": "delayed"}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        report = models.ProgressReport.objects.get(pk=response.json()["id"])
        assert report.author == world.team_kz
        assert report.action.status == "delayed"

    def test_progress_is_not_reported_on_a_plan_in_preparation(self, world):
        data = {**self.create_data(world), "action": self.first_action(self.kz_draft(world)).pk}
        response = client_for(world.nfp_kz).post(self.api, data, content_type="application/json")
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"action"}
        assert not models.ProgressReport.objects.filter(action_id=data["action"]).exists()

    def test_a_completed_action_is_reported_at_100_percent(self, world):
        response = client_for(world.nfp_kz).post(
            self.api, {**self.create_data(world), "status": "completed"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"percent_complete"}

    def test_evidence_is_uploaded_through_the_ui_and_downloaded_by_readers_only(
        self, world, settings, tmp_path
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        client = client_for(world.nfp_kz)
        data = self.form_data(self.create_data(world))
        data["evidence"] = SimpleUploadedFile(
            "attendance.pdf", b"%PDF-1.4 list of participants", "application/pdf"
        )
        response = client.post(self.url("add"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        report = models.ProgressReport.objects.order_by("-pk").first()
        assert report.evidence.name.endswith("attendance.pdf")
        download = client.get(f"/actionplans/progress-reports/{report.pk}/evidence/")
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
        assert client.get(f"{self.api}{report.pk}").json()["evidence"].endswith("/evidence")
        # The approved plan is shared with the CoE network: the Philippines' focal point reads it; an
        # account without an organisation does not.
        assert (
            client_for(world.nfp_ph).get(f"/actionplans/progress-reports/{report.pk}/evidence/").status_code
            == 200
        )
        assert (
            client_for(world.outsider).get(f"/actionplans/progress-reports/{report.pk}/evidence/").status_code
            == 404
        )
        assert client_for(world.outsider).get(f"{self.api}{report.pk}/evidence").status_code == 404
        replaced = SimpleUploadedFile("minutes.txt", b"Minutes of the course", "text/plain")
        response = client.post(f"{self.api}{report.pk}/evidence", {"file": replaced})
        assert response.status_code == 200, response.content
        report.refresh_from_db()
        assert report.evidence.name.endswith("minutes.txt")
        assert (
            b"".join(client.get(f"{self.api}{report.pk}/evidence").streaming_content)
            == b"Minutes of the course"
        )
        bad = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
        response = client.post(f"{self.api}{report.pk}/evidence", {"file": bad})
        assert response.status_code == 422
        assert {error["field"] for error in response.json()["errors"]} == {"evidence"}


def test_a_part_of_a_hidden_plan_cannot_be_added_through_its_form(world):
    plan = plan_named(world, world.uz, "UZ plan in preparation")
    response = client_for(world.nfp_kz).post(
        "/api/actionplans/objectives/", {"plan": plan.pk, "title": "Sneaky"}, content_type="application/json"
    )
    assert response.status_code == 422  # not among the plans the user may see
    assert not models.Objective.objects.filter(title="Sneaky").exists()
