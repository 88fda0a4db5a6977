"""The demo action plans load from the demo population, follow the rules, and load only once."""

import pytest

from cbrnet.actionplans import models, selectors
from cbrnet.actionplans.choices import MethodologyStage, PlanStatus

pytestmark = pytest.mark.django_db


def test_the_demo_plans_load_once_and_follow_the_lead_agency_rule():
    from cbrnet.actionplans.demo import load_action_plans
    from cbrnet.core.audit import audit_actor
    from cbrnet.core.models import AuditEntry
    from cbrnet.registry.demo import LoadReport, Reference, load_demo

    load_demo()
    reference = Reference.from_database()
    with audit_actor(None, source="command"):
        loaded = load_action_plans(reference, LoadReport())
    uzbekistan = loaded["National CBRN Action Plan of Uzbekistan 2024–2027"]
    kazakhstan = loaded["National CBRN Action Plan of Kazakhstan 2026–2029"]
    assert (uzbekistan.status, kazakhstan.status) == (PlanStatus.APPROVED, PlanStatus.DRAFT)
    assert uzbekistan.approved_by.username == "sec-ca"
    assert uzbekistan.actions.count() == 4 and kazakhstan.actions.count() == 2
    for action in models.Action.objects.filter(plan__in=[uzbekistan, kazakhstan]):
        assert action.lead_agency in set(selectors.eligible_lead_agencies(action.plan.country_id)), action
        action.full_clean()
    carried = models.Action.objects.get(plan=uzbekistan, projects__code="P53")
    assert carried.progress_reports.get().percent_complete == 55
    assert models.Indicator.objects.filter(action__plan=uzbekistan).count() == 3
    stages = selectors.methodology_stages(countries=[uzbekistan.country, kazakhstan.country])
    assert stages[uzbekistan.country_id] == MethodologyStage.NAP_DEVELOPED
    assert stages[kazakhstan.country_id] >= MethodologyStage.NAP_IN_PREPARATION
    entries = AuditEntry.objects.count()
    with audit_actor(None, source="command"):
        again = LoadReport()
        load_action_plans(reference, again)
    assert not again.wrote_anything and AuditEntry.objects.count() == entries
