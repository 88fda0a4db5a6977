"""The surveillance data objects of the permission matrix (cbrnet/tests/matrix.py, rows "disease:…" to
"series:…"), added to the personas' world by cbrnet/tests/test_permission_matrix._populate."""

from cbrnet.core.audit import audit_actor
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, GrantScope
from cbrnet.surveillance.choices import Sector
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series
from cbrnet.surveillance.services.datasets import dataset_save


def data_matrix_objects(w) -> dict:
    with audit_actor(None, source="command"):
        disease = Disease.objects.create(code="matrix-data-anthrax", name="Matrix data anthrax", zoonotic=True,
                                         human=True, animal=True)
        authority_kz = SectorAuthority.objects.create(country=w.kz, sector=Sector.ANIMAL, organisation=w.kz_fp)
        authority_th = SectorAuthority.objects.create(country=w.th, sector=Sector.HUMAN, organisation=w.th_fp)
    with audit_actor(w.nfp_uz, source="ui"):
        clear_uz = dataset_save(user=w.nfp_uz, dataset=Dataset(title="Matrix UZ open data", country=w.uz,
                                                               sector=Sector.HUMAN, tlp=TLP.CLEAR))
        sharing.shared_item_publish(user=w.nfp_uz, item=clear_uz)
    with audit_actor(w.nfp_kz, source="ui"):
        draft_kz = dataset_save(user=w.nfp_kz, dataset=Dataset(title="Matrix KZ draft data", country=w.kz,
                                                               sector=Sector.ANIMAL, tlp=TLP.AMBER))
        amber_kz = dataset_save(user=w.nfp_kz, dataset=Dataset(title="Matrix KZ shared data", country=w.kz,
                                                               sector=Sector.HUMAN, tlp=TLP.AMBER))
        sharing.shared_item_grant_add(user=w.nfp_kz, item=amber_kz, scope=GrantScope.ORGANISATION, target=w.ca_sec)
        sharing.shared_item_publish(user=w.nfp_kz, item=amber_kz)
    with audit_actor(None, source="command"):
        series_uz = Series.objects.create(dataset=clear_uz, disease=disease, admin_area="Matrix Tashkent")
        series_kz = Series.objects.create(dataset=amber_kz, disease=disease, admin_area="Matrix Almaty")
    # Per model, the first object is one a platform administrator reads (the read-token test uses it).
    return {
        "disease:anthrax": disease,
        "sectorauthority:kz": authority_kz,
        "sectorauthority:th": authority_th,
        "dataset:clear_uz": clear_uz,
        "dataset:draft_kz": draft_kz,
        "dataset:amber_kz": amber_kz,
        "series:clear_uz": series_uz,
        "series:amber_kz": series_kz,
    }
