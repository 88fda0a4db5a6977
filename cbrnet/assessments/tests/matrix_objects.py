"""The needs-assessment and action-plan objects of the permission matrix (cbrnet/tests/matrix.py,
rows "assessment:…" and "actionplan:…"), added to the personas' world by
cbrnet/tests/test_permission_matrix._populate. Checked for view and export: who may read another
country's assessment or plan is the rule that matters most here; the steps of each workflow are
checked by the services' tests."""

from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.tests.helpers import plan_of
from cbrnet.assessments.choices import AssessmentStatus


def assessment_matrix_objects(w) -> dict:
    from cbrnet.actionplans.tests.helpers import assessment_of

    return {
        "assessment:kz_draft": assessment_of(w, w.kz, year=2023, status=AssessmentStatus.DRAFT),
        "assessment:kz_published": assessment_of(w, w.kz, year=2024, status=AssessmentStatus.PUBLISHED),
        "assessment:ph_submitted": assessment_of(w, w.ph, year=2024, status=AssessmentStatus.SUBMITTED),
        "actionplan:kz_draft": plan_of(w, w.kz, status=PlanStatus.DRAFT, title="Matrix KZ plan in preparation"),
        "actionplan:uz_approved": plan_of(w, w.uz, status=PlanStatus.APPROVED, title="Matrix UZ plan approved"),
    }
