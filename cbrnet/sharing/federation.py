"""Federation with peer hubs (R14): what may replicate where, and a JSON export/import.

CLEAR and GREEN replicate to peer hubs serving one of the item's networks; AMBER (and AMBER+STRICT)
only to hubs hosting an organisation of its frozen audience R, and it carries R; RED never. Only
items written here are exported (one hop: what a hub received, it never passes on). A receiver never
widens: an update that would loosen the label, add networks, recipients or audience is refused, and
an entry naming an organisation, network, region or country this hub does not know fails closed.
Items that may no longer replicate to a hub are retracted on the next export.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.registry.models import Country, Network, Organisation, Region
from cbrnet.sharing.choices import AMBER_LABELS, TLP, GrantScope, Status, is_looser
from cbrnet.sharing.models import (
    AudienceMember,
    Grant,
    HubDelivery,
    PeerHub,
    SharedModel,
    content_type_id,
    decode_roles,
    encode_roles,
    shared_models,
)

FORMAT = "cbrnet-sharing/1"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    carry_audience: bool = False


def replication_decision(
    *,
    tlp: str,
    live: bool,
    item_network_ids,
    audience_organisation_ids,
    hub_network_ids,
    hub_organisation_ids,
    names_people: bool = False,
) -> Decision:
    """Whether one item may replicate to one hub (pure: ids in, decision out)."""
    if not live:
        return Decision(False, "not published, or under embargo")
    if tlp == TLP.RED:
        return Decision(False, "TLP:RED is never replicated (R7)")
    if tlp in (TLP.CLEAR, TLP.GREEN):
        if tlp == TLP.GREEN and names_people:
            return Decision(False, "its grants name people, who exist only on this hub")
        if set(item_network_ids) & set(hub_network_ids):
            return Decision(True, "the hub serves one of its networks")
        return Decision(False, "the hub serves none of its networks")
    if tlp in AMBER_LABELS:
        if set(audience_organisation_ids) & set(hub_organisation_ids):
            return Decision(True, "the hub hosts an organisation of its audience", carry_audience=True)
        return Decision(False, "the hub hosts no organisation of its audience")
    return Decision(False, "unknown label")


# --- keys that mean the same record on every hub ---------------------------------------------------------
def organisation_key(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "country": organisation.country.iso2 if organisation.country_id else "",
    }


def _grant_key(grant: Grant) -> dict:
    key: dict = {"scope": grant.scope, "roles": grant.role_list}
    if grant.scope == GrantScope.NETWORK:
        key["network"] = grant.network.code
    elif grant.scope == GrantScope.REGION:
        key["network"], key["region"] = grant.region.network.code, grant.region.code
    elif grant.scope == GrantScope.COUNTRY:
        key["country"] = grant.country.iso2
    elif grant.scope == GrantScope.ORGANISATION:
        key["organisation"] = organisation_key(grant.organisation)
    return key


# --- export --------------------------------------------------------------------------------------------
def _federated_models() -> list[type[SharedModel]]:
    return [model for model in shared_models() if model.federation_fields and not model.shared_parent_field]


def export_for_hub(hub: PeerHub) -> dict:
    """Everything written here that may replicate to `hub` (with its carried audience), plus the
    retraction of items delivered before that may not any more. Records the deliveries."""
    hub_networks = set(hub.networks.values_list("pk", flat=True))
    hub_organisations = set(hub.organisations.values_list("pk", flat=True))
    now = timezone.now()
    entries, exported = [], set()
    for model in _federated_models():
        items = (
            model.objects.filter(origin_hub="", status=Status.PUBLISHED)
            .select_related("owner_organisation__country")
            .prefetch_related("networks")
            .order_by("pk")
        )
        for item in items:
            grants = list(
                item.grants.select_related("network", "region__network", "country", "organisation__country")
            )
            members = list(item.audience_members.select_related("organisation__country"))
            decision = replication_decision(
                tlp=item.tlp,
                live=not (item.embargo_until and item.embargo_until > now),
                item_network_ids={network.pk for network in item.networks.all()},
                audience_organisation_ids={
                    member.organisation_id for member in members if member.organisation_id
                },
                hub_network_ids=hub_networks,
                hub_organisation_ids=hub_organisations,
                names_people=any(grant.scope == GrantScope.USER for grant in grants),
            )
            if not decision.allowed:
                continue
            entry = {
                "model": model._meta.label_lower,
                "uid": str(item.uid),
                "tlp": item.tlp,
                "published_at": item.published_at.isoformat() if item.published_at else None,
                "owner_organisation": organisation_key(item.owner_organisation),
                "networks": sorted(network.code for network in item.networks.all()),
                "grants": [] if decision.carry_audience else [_grant_key(grant) for grant in grants],
                # People exist only on this hub: the carried audience holds organisations only.
                "audience": [
                    {
                        "organisation": organisation_key(member.organisation),
                        "roles": decode_roles(member.roles),
                    }
                    for member in members
                    if member.organisation_id
                ]
                if decision.carry_audience
                else [],
                "fields": {name: getattr(item, name) for name in model.federation_fields},
            }
            entries.append(entry)
            exported.add(entry["uid"])
    delivered = {str(uid): label for uid, label in hub.deliveries.values_list("uid", "model_label")}
    retract = [
        {"model": label, "uid": uid} for uid, label in sorted(delivered.items()) if uid not in exported
    ]
    with transaction.atomic():
        hub.deliveries.exclude(uid__in=[uuid.UUID(uid) for uid in exported]).delete()
        known = set(delivered)
        HubDelivery.objects.bulk_create(
            [
                HubDelivery(hub=hub, uid=uuid.UUID(entry["uid"]), model_label=entry["model"])
                for entry in entries
                if entry["uid"] not in known
            ]
        )
    return {
        "format": FORMAT,
        "hub": hub.name,
        "exported_at": now.isoformat(),
        "items": entries,
        "retract": retract,
    }


# --- import --------------------------------------------------------------------------------------------
class Refused(Exception):
    """An entry that would widen, or names something unknown here: it is not imported."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def _organisation(key) -> Organisation:
    try:
        name, iso2 = key["name"], key.get("country", "")
    except (KeyError, TypeError):
        raise Refused("an organisation is given without a name") from None
    found = (
        Organisation.objects.filter(name=name, country__iso2=iso2)
        if iso2
        else Organisation.objects.filter(name=name, country__isnull=True)
    )
    organisation = found.first()
    if organisation is None:
        raise Refused(f"unknown organisation {name!r} ({iso2 or 'international'})")
    return organisation


def _network(code) -> Network:
    network = Network.objects.filter(code=code).first()
    if network is None:
        raise Refused(f"unknown network {code!r}")
    return network


def _grant_fields(key) -> tuple:
    """A carried grant as (scope, field, target id, encoded roles); unknown targets fail closed."""
    scope = key.get("scope") if isinstance(key, dict) else None
    roles = encode_roles(key.get("roles") or []) if isinstance(key, dict) else ""
    if scope == GrantScope.NETWORK:
        return scope, "network", _network(key.get("network")).pk, roles
    if scope == GrantScope.REGION:
        region = Region.objects.filter(network__code=key.get("network"), code=key.get("region")).first()
        if region is None:
            raise Refused(f"unknown region {key.get('network')}/{key.get('region')}")
        return scope, "region", region.pk, roles
    if scope == GrantScope.COUNTRY:
        country = Country.objects.filter(iso2=key.get("country")).first()
        if country is None:
            raise Refused(f"unknown country {key.get('country')!r}")
        return scope, "country", country.pk, roles
    if scope == GrantScope.ORGANISATION:
        return scope, "organisation", _organisation(key.get("organisation")).pk, roles
    raise Refused(f"grants of scope {scope!r} are not accepted from a peer hub")


def _model(label) -> type[SharedModel]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError, TypeError):
        raise Refused(f"unknown kind of item {label!r}") from None
    if model not in _federated_models():
        raise Refused(f"{label} items are not exchanged between hubs")
    return model


def import_from_hub(hub: PeerHub, data: dict) -> ImportReport:
    """Apply an export of `hub`. Each entry is imported whole or refused with its reason."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    report = ImportReport()
    with audit_actor(None, source="import"):
        for entry in data.get("items") or []:
            uid = str(entry.get("uid", "?")) if isinstance(entry, dict) else "?"
            try:
                with transaction.atomic():
                    created = _import_one(hub, entry)
            except (Refused, ValidationError, KeyError, TypeError, ValueError) as error:
                report.refused.append((uid, str(error)))
            else:
                (report.created if created else report.updated).append(uid)
        for entry in data.get("retract") or []:
            try:
                model = _model(entry.get("model"))
                item = model._base_manager.filter(
                    uid=uuid.UUID(str(entry.get("uid"))), origin_hub=hub.name
                ).first()
            except (Refused, ValueError, TypeError, AttributeError) as error:
                report.refused.append((str(entry), str(error)))
                continue
            if item is not None:
                with transaction.atomic():
                    item.delete()  # no further disclosure here; the delete is audited
                report.retracted.append(str(item.uid))
    return report


def _import_one(hub: PeerHub, entry: dict) -> bool:
    model = _model(entry["model"])
    tlp = entry["tlp"]
    if tlp not in TLP.values:
        raise Refused(f"unknown label {tlp!r}")
    if tlp == TLP.RED:
        raise Refused("TLP:RED is never accepted from a peer hub (R7)")
    uid = uuid.UUID(str(entry["uid"]))
    owner = _organisation(entry["owner_organisation"])
    networks = {_network(code).pk for code in entry.get("networks") or []}
    fields = {name: entry["fields"][name] for name in model.federation_fields}
    if tlp in (TLP.CLEAR, TLP.GREEN):
        if not networks & set(hub.networks.values_list("pk", flat=True)):
            raise Refused(f"{hub.name} does not serve the item's networks")
        grants = {_grant_fields(key) for key in entry.get("grants") or []}
        audience = {}
    else:
        grants = set()
        audience = {}
        for member in entry.get("audience") or []:
            roles = encode_roles(member.get("roles") or [])
            organisation = _organisation(member.get("organisation")).pk
            audience[organisation] = (
                ""
                if audience.get(organisation, roles) == "" or not roles
                else encode_roles(
                    set(decode_roles(audience.get(organisation, ""))) | set(decode_roles(roles))
                )
            )
        if not audience:
            raise Refused("a TLP:AMBER item arrives with its audience, and this one has none")
    published_at = (
        datetime.datetime.fromisoformat(entry["published_at"])
        if entry.get("published_at")
        else timezone.now()
    )
    item = model._base_manager.filter(uid=uid).first()
    created = item is None
    if created:
        item = model(
            uid=uid, owner_organisation=owner, author=None, status=Status.PUBLISHED, origin_hub=hub.name
        )
    else:
        _refuse_widening(hub, item, tlp, networks, grants, audience, owner)
    item.tlp = tlp
    item.status = Status.PUBLISHED
    item.published_at = published_at
    for name, value in fields.items():
        setattr(item, name, value)
    if not created and tlp == TLP.RED:
        raise Refused("TLP:RED is never accepted from a peer hub (R7)")
    item.full_clean()
    item.save()
    item.networks.set(sorted(networks))
    common = {"content_type_id": content_type_id(item), "object_id": item.pk}
    current = {
        (grant.scope, Grant.SCOPE_FIELDS[grant.scope], grant.target_id, grant.roles): grant
        for grant in item.grants.all()
    }
    for key, grant in current.items():
        if key not in grants:
            grant.delete()
    for scope, field_name, target, roles in sorted(grants - set(current)):
        Grant(scope=scope, roles=roles, **{field_name + "_id": target}, **common).save()
    members = {member.organisation_id: member for member in item.audience_members.all()}
    for organisation, member in members.items():
        if organisation not in audience:
            member.delete()
    for organisation, roles in audience.items():
        member = members.get(organisation)
        if member is None:
            AudienceMember(organisation_id=organisation, roles=roles, **common).save()
        elif member.roles != roles:
            member.roles = roles
            member.save()
    return created


def _refuse_widening(hub, item, tlp, networks, grants, audience, owner) -> None:
    """An update from a hub may keep or narrow what is shared, never widen it."""
    if item.origin_hub != hub.name:
        raise Refused(f"this item was not received from {hub.name}; a peer hub cannot change it")
    if owner.pk != item.owner_organisation_id:
        raise Refused("the owner organisation of an item cannot change")
    if is_looser(tlp, item.tlp):
        raise Refused(f"would loosen {item.get_tlp_display()} to {TLP(tlp).label}")
    if networks - set(item.networks.values_list("pk", flat=True)):
        raise Refused("would add networks")
    if tlp == TLP.GREEN and item.tlp == TLP.GREEN:
        old = {
            (grant.scope, Grant.SCOPE_FIELDS[grant.scope], grant.target_id, grant.roles)
            for grant in item.grants.all()
        }
        if old and (not grants or grants - old):
            raise Refused("would widen the recipients")
    if tlp in AMBER_LABELS and item.tlp in AMBER_LABELS:
        old = {member.organisation_id: member.roles for member in item.audience_members.all()}
        for organisation, roles in audience.items():
            if organisation not in old:
                raise Refused("would add an organisation to the audience")
            if old[organisation] and (
                not roles or set(decode_roles(roles)) - set(decode_roles(old[organisation]))
            ):
                raise Refused("would widen the roles of the audience")
