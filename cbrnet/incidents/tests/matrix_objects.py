"""The incidents objects of the permission matrix (cbrnet/tests/matrix.py, rows "capability:…" to
"sitrep:…"), added to the personas' world by cbrnet/tests/test_permission_matrix._populate."""

from cbrnet.incidents.tests.helpers import (
    ISPRA,
    TASHKENT,
    make_capability,
    make_incident,
    make_offer,
    make_request,
    make_sitrep,
)
from cbrnet.sharing.choices import TLP, Status


def incident_matrix_objects(w) -> dict:
    green = make_incident(w.nfp_kz, w.kz, networks=[w.coe], title="Matrix chlorine release")
    draft = make_incident(w.nfp_kz, w.kz, tlp=TLP.AMBER, status=Status.DRAFT, title="Matrix draft incident")
    request = make_request(w.nfp_kz, green, title="Matrix detection request")
    uz_team = make_capability(w.uz_fp, ["UCPM-CBRNDET"], name="Matrix UZ detection team", base=TASHKENT)
    jrc_lab = make_capability(
        w.jrc, ["RESCEU-MOBLAB"], name="Matrix JRC laboratory", base=ISPRA, kind="mobile_laboratory"
    )
    offer = make_offer(w.nfp_uz, request, uz_team)
    sitrep = make_sitrep(w.nfp_kz, green, title="Matrix sitrep")
    return {
        "capability:uz": uz_team,
        "capability:jrc": jrc_lab,
        "incident:green_kz": green,
        "incident:draft_kz": draft,
        "assistancerequest:kz": request,
        "offer:uz": offer,
        "sitrep:kz": sitrep,
    }
