"""The surveillance triage objects of the permission matrix (cbrnet/tests/matrix.py, "Surveillance
triage"): a signal in a shared dataset, a draft alert and a published TLP:AMBER alert."""

import datetime


def triage_matrix_objects(w) -> dict:
    """The surveillance triage objects of the table: a signal in a shared dataset, and two alerts."""
    from cbrnet.core.audit import audit_actor
    from cbrnet.sharing import services as sharing
    from cbrnet.sharing.choices import TLP, GrantScope
    from cbrnet.surveillance.choices import Method, Sector
    from cbrnet.surveillance.models import Alert, Dataset, Disease, SectorAuthority, Series, Signal
    from cbrnet.surveillance.services.alerts import alert_raise

    day = datetime.date(2025, 3, 3)
    with audit_actor(None, source="command"):
        disease = Disease.objects.create(code="matrix-triage-cholera", name="Matrix triage cholera", human=True)
        SectorAuthority.objects.get_or_create(country=w.kz, sector=Sector.HUMAN, organisation=w.kz_ministry)
    with audit_actor(w.nfp_kz, source="ui"):
        dataset = sharing.shared_item_save(
            user=w.nfp_kz,
            instance=Dataset(title="Matrix triage dataset", country=w.kz, sector=Sector.HUMAN, tlp=TLP.AMBER),
        )
        sharing.shared_item_grant_add(user=w.nfp_kz, item=dataset, scope=GrantScope.ORGANISATION, target=w.uz_fp)
        sharing.shared_item_publish(user=w.nfp_kz, item=dataset)
        series = Series.objects.create(dataset=dataset, disease=disease, admin_area="Matrix area")
        signal = Signal.objects.create(series=series, week=day, method=Method.EARS_C1, count=12, threshold=4.5)
        draft = sharing.shared_item_save(
            user=w.nfp_kz,
            instance=Alert(disease=disease, country=w.kz, headline="Matrix draft alert", description="Draft.",
                           tlp=TLP.AMBER),
        )
        amber = alert_raise(
            user=w.nfp_kz, disease=disease, country=w.kz, headline="Matrix amber alert", description="Raised.",
            urgency="Expected", severity="Moderate", certainty="Likely", tlp=TLP.AMBER,
        )
    return {"signal:kz": signal, "alert:draft_kz": draft, "alert:amber_kz": amber}
