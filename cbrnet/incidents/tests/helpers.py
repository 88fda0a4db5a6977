"""Test helpers of incidents: capabilities, incidents, requests and offers built through the services,
on top of the personas of cbrnet.core.testing.build_world().

The standard scene (`scene`): Kazakhstan's focal point reports a chlorine release in Almaty to the EU
CBRN CoE network (TLP:GREEN) and asks for detection and decontamination; Uzbekistan, the Philippines
and the EU-JRC have registered capabilities.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.incidents import services
from cbrnet.incidents.models import AssistanceRequest, Capability, Incident, Offer, encode_list
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, Status

ALMATY = (43.238, 76.945)
TASHKENT = (41.311, 69.279)
MANILA = (14.599, 120.984)
ISPRA = (45.812, 8.611)


def make_capability(
    organisation,
    codes,
    *,
    name="Team",
    readiness=12,
    base=None,
    languages=("en",),
    status="available",
    size=10,
    days=4,
    kind="team",
) -> Capability:
    with audit_actor(None, source="command"):
        capability = Capability(
            name=name,
            kind=kind,
            codes=encode_list(codes),
            organisation=organisation,
            size=size,
            readiness_hours=readiness,
            self_sufficiency_days=days,
            base_name=f"{name} base",
            base_latitude=base[0] if base else None,
            base_longitude=base[1] if base else None,
            languages=encode_list(languages),
            status=status,
        )
        capability.full_clean()
        capability.save()
    return capability


def make_incident(
    author,
    country,
    *,
    tlp=TLP.GREEN,
    networks=(),
    status=Status.PUBLISHED,
    title="Chlorine release",
    exercise=False,
    point=ALMATY,
    grants=(),
    **fields,
) -> Incident:
    with audit_actor(author, source="ui"):
        incident = services.incident_save(
            user=author,
            incident=Incident(
                title=title,
                cbrn_type="chemical",
                agent="chlorine",
                country=country,
                place="Almaty",
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                started_at=timezone.now() - datetime.timedelta(hours=3),
                severity="severe",
                deaths=2,
                injured=40,
                description="Tank car derailed near the rail yard.",
                is_exercise=exercise,
                tlp=tlp,
                **fields,
            ),
            networks=list(networks),
        )
        for scope, target in grants:
            sharing.shared_item_grant_add(user=author, item=incident, scope=scope, target=target)
        if status == Status.PUBLISHED:
            services.incident_publish(user=author, incident=incident)
    incident.refresh_from_db()
    return incident


def make_request(
    user,
    incident,
    items=(("UCPM-CBRNDET", 1), ("GRP-DECON", 2)),
    *,
    title="Detection and decontamination",
    languages=("ru", "en"),
) -> AssistanceRequest:
    with audit_actor(user, source="ui"):
        return services.request_create(
            user=user,
            request=AssistanceRequest(
                incident=incident,
                title=title,
                location="Almaty rail yard",
                needed_from=timezone.now() + datetime.timedelta(hours=12),
                duration_days=10,
                languages=encode_list(languages),
                entry_conditions="Visa on arrival at ALA.",
                customs_conditions="Temporary admission of equipment.",
                liability_conditions="Art. 10 applies.",
                contact_name="Duty officer",
                contact_email="duty@example.kz",
                contact_phone="+7 700 000",
            ),
            items=[{"code": code, "quantity": quantity} for code, quantity in items],
        )


def make_offer(user, request, capability=None, *, code="UCPM-CBRNDET", quantity=1) -> Offer:
    with audit_actor(user, source="ui"):
        return services.offer_create(
            user=user,
            offer=Offer(
                request=request,
                capability=capability,
                code=code,
                quantity=quantity,
                description="Detection team with a mobile laboratory.",
                available_from=timezone.now() + datetime.timedelta(hours=6),
                duration_days=10,
            ),
        )


def scene(w) -> SimpleNamespace:
    """A published GREEN incident in Kazakhstan with one request, and capabilities elsewhere."""
    s = SimpleNamespace()
    s.incident = make_incident(w.nfp_kz, w.kz, networks=[w.coe])
    s.request = make_request(w.nfp_kz, s.incident)
    s.uz_team = make_capability(
        w.uz_fp, ["UCPM-CBRNDET"], name="UZ detection team", base=TASHKENT, languages=("uz", "ru")
    )
    s.ph_team = make_capability(
        w.ph_fp, ["RANET-DECON"], name="PH decontamination unit", base=MANILA, languages=("en", "tl")
    )
    s.jrc_lab = make_capability(
        w.jrc,
        ["RESCEU-MOBLAB"],
        name="JRC mobile laboratory",
        base=ISPRA,
        languages=("en",),
        kind="mobile_laboratory",
    )
    s.kz_team = make_capability(
        w.kz_ministry, ["UCPM-CBRNDET"], name="KZ own team", base=ALMATY, languages=("kk", "ru")
    )
    return s


def scene_of(w) -> SimpleNamespace:
    """The standard scene of this world, built once (the CRUD contract's hooks ask for it often)."""
    if not hasattr(w, "incident_scene"):
        w.incident_scene = scene(w)
    return w.incident_scene


def make_languages(*codes) -> None:
    from cbrnet.registry.models import Language

    names = {"en": "English", "ru": "Russian", "kk": "Kazakh", "uz": "Uzbek", "tl": "Tagalog", "fr": "French"}
    with audit_actor(None, source="command"):
        for code in codes or names:
            Language.objects.get_or_create(code=code, defaults={"name": names.get(code, code)})


def make_sitrep(user, incident, *, title="Sitrep 1", tlp=None, publish=True):
    from cbrnet.incidents.models import Sitrep

    with audit_actor(user, source="ui"):
        sitrep = services.sitrep_save(
            user=user,
            sitrep=Sitrep(
                incident=incident,
                title=title,
                situation_at=timezone.now(),
                body="Plume moving east.",
                tlp=tlp or incident.tlp,
            ),
        )
        if publish:
            services.sitrep_publish(user=user, sitrep=sitrep)
    sitrep.refresh_from_db()
    return sitrep
