"""The demo assessments: every stage of the cycle on the default questionnaire, plausible answers,
loaded idempotently."""

import pytest

from cbrnet.assessments import models
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.selectors.assessments import completion

pytestmark = pytest.mark.django_db


def test_the_demo_assessments_cover_the_cycle_and_load_idempotently():
    from cbrnet.assessments.demo import load_assessments
    from cbrnet.core.audit import audit_actor
    from cbrnet.core.models import AuditEntry
    from cbrnet.registry.demo import LoadReport, Reference, load_demo

    load_demo()
    reference = Reference.from_database()
    with audit_actor(None, source="command"):
        loaded = load_assessments(reference, LoadReport())
    statuses = {(iso2, year): assessment.status for (iso2, year), assessment in loaded.items()}
    assert statuses[("KZ", 2024)] == AssessmentStatus.PUBLISHED
    assert statuses[("KZ", 2022)] == AssessmentStatus.PUBLISHED
    assert statuses[("UZ", 2024)] == AssessmentStatus.VALIDATED
    assert {status for status in statuses.values()} == set(AssessmentStatus)
    kz = loaded[("KZ", 2024)]
    assert kz.published_by.username == "sec-ca" and kz.submitted_by.username == "nfp-kz"
    assert completion(kz) > 90 and completion(loaded[("TJ", 2025)]) < 60
    levels = list(
        models.Answer.objects.filter(assessment=kz, level__isnull=False).values_list("level", flat=True)
    )
    assert levels and set(levels) <= {1, 2, 3, 4, 5} and len(set(levels)) >= 3
    draft = loaded[("KZ", 2026)]
    assert (
        models.SectionAssignment.objects.filter(
            assessment=draft, person__user_account__username="team-kz"
        ).count()
        == 2
    )
    entries = AuditEntry.objects.count()
    counts = [model.objects.count() for model in (models.Assessment, models.Answer, models.AssessmentComment)]
    with audit_actor(None, source="command"):
        report = LoadReport()
        load_assessments(Reference.from_database(), report)
    assert not report.wrote_anything
    assert AuditEntry.objects.count() == entries
    assert [
        model.objects.count() for model in (models.Assessment, models.Answer, models.AssessmentComment)
    ] == counts
