"""The surveillance records the data tests add to the personas' world (cbrnet.core.testing).

- `officer`: a surveillance officer, editor of the KZ Ministry of Health (w.kz_ministry);
- diseases: anthrax and brucellosis (zoonoses), salmonellosis (human, food), avian influenza (animal);
- `kz_human`: the ministry's human-health dataset, TLP:AMBER, published, shared with the CA secretariat;
  the officer may change it, the secretariat reads it, others see nothing;
- `uz_clear`: Uzbekistan's published TLP:CLEAR dataset: every signed-in user reads it, only the UZ
  focal point changes it;
- `uz_draft`: a draft of the UZ focal point: nobody else sees it.
"""

import datetime
from types import SimpleNamespace

from cbrnet.accounts.models import User
from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import PASSWORD
from cbrnet.registry import models as r
from cbrnet.registry.choices import Role
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, GrantScope
from cbrnet.surveillance.choices import Sector
from cbrnet.surveillance.models import Dataset, Disease
from cbrnet.surveillance.services.datasets import dataset_save


def add_surveillance(w) -> SimpleNamespace:
    with audit_actor(None, source="command"):
        w.p_officer = r.Person.objects.create(given_name="Gulnara", family_name="Kazofficer", organisation=w.kz_ministry,
                                              country=w.kz)
        r.RoleAssignment.objects.create(person=w.p_officer, role=Role.EDITOR, organisation=w.kz_ministry,
                                        start_date=datetime.date(2020, 1, 1))
        w.officer = User.objects.create_user(username="officer-kz", password=PASSWORD, email="officer-kz@example.org")
        w.p_officer.user_account = w.officer
        w.p_officer.save()
        w.anthrax = Disease.objects.create(code="anthrax", name="Anthrax", zoonotic=True, human=True, animal=True)
        w.brucellosis = Disease.objects.create(code="brucellosis", name="Brucellosis", zoonotic=True, human=True,
                                               animal=True)
        w.salmonellosis = Disease.objects.create(code="salmonellosis", name="Salmonellosis", human=True, food=True)
        w.avian = Disease.objects.create(code="avian-influenza", name="Avian influenza (poultry)", animal=True)
    w.kz_human = dataset_save(user=w.officer, dataset=Dataset(
        title="KZ notifiable diseases (human)", country=w.kz, sector=Sector.HUMAN, tlp=TLP.AMBER))
    sharing.shared_item_grant_add(user=w.officer, item=w.kz_human, scope=GrantScope.ORGANISATION, target=w.ca_sec)
    sharing.shared_item_publish(user=w.officer, item=w.kz_human)
    w.uz_clear = dataset_save(user=w.nfp_uz, dataset=Dataset(
        title="UZ weekly bulletin data", country=w.uz, sector=Sector.HUMAN, tlp=TLP.CLEAR))
    sharing.shared_item_publish(user=w.nfp_uz, item=w.uz_clear)
    w.uz_draft = dataset_save(user=w.nfp_uz, dataset=Dataset(
        title="UZ animal health draft", country=w.uz, sector=Sector.ANIMAL, tlp=TLP.AMBER))
    return w
