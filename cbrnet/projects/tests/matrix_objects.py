"""The projects objects of the permission matrix (cbrnet/tests/matrix.py, rows "activity:…" and
"participation:…"), added to the personas' world by cbrnet/tests/test_permission_matrix._populate after
its projects MX-CA and MX-SEA."""

import datetime

from cbrnet.core.audit import audit_actor
from cbrnet.projects import models
from cbrnet.registry.models import Person


def project_matrix_objects(w) -> dict:
    ca_project = models.Project.objects.get(network=w.coe, code="MX-CA")
    sea_project = models.Project.objects.get(network=w.coe, code="MX-SEA")
    unlisted_th = Person.objects.get(family_name="Thunlisted")
    listed_uz = Person.objects.get(family_name="Uzlisted")

    def participation(activity, person, **values):
        record = models.Participation(activity=activity, person=person, **values)
        record.full_clean()
        record.save()
        return record

    with audit_actor(None, source="command"):
        ca = models.Activity.objects.create(
            project=ca_project, kind="training", title="Matrix CA training", start_date=datetime.date(2025, 4, 7)
        )
        sea = models.Activity.objects.create(
            project=sea_project, kind="workshop", title="Matrix SEA workshop", start_date=datetime.date(2025, 5, 5)
        )
        objects = {
            "activity:ca": ca,
            "activity:sea": sea,
            "participation:kz_at_ca": participation(ca, w.p_hidden_kz, attended="yes"),
            "participation:th_at_ca": participation(ca, unlisted_th, attended="yes"),
            "participation:uz_at_sea": participation(sea, listed_uz, role="trainer"),
            "participation:self_my": participation(sea, w.p_viewer_my),
        }
    return objects
