"""Reads of incidents and mutual assistance that span relations. Always take the user (or, for the
announcements a task sends, decide per recipient with the access engine)."""

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce
from urllib.parse import urlsplit

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.formats import localize
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.access.context import EDITOR_ROLES, user_context
from cbrnet.incidents import matching, taxonomy
from cbrnet.incidents.choices import (
    ACTIVE_REQUEST_STATUSES,
    AnnouncementEvent,
    CapabilityStatus,
    DeploymentStage,
    OfferStatus,
    Phase,
    Severity,
)
from cbrnet.incidents.models import (
    Announcement,
    AssistanceRequest,
    Capability,
    Deployment,
    DeploymentEvent,
    Incident,
    Offer,
    OfferInvitation,
    RequestVersion,
    Sitrep,
    decode_list,
)
from cbrnet.sharing.choices import TLP, Status


# --- who may do what with an incident --------------------------------------------------------------
def _incident_rule(user, incident: Incident, rule: str) -> bool:
    context = user_context(user)
    q = getattr(Incident.access_policy, rule)(context)
    return Incident._base_manager.filter(q, pk=incident.pk).exists()


def incident_is_responder(user, incident: Incident) -> bool:
    """The owner side or the affected country's focal point and team (IncidentPolicy.responder_q)."""
    return _incident_rule(user, incident, "responder_q")


def incident_details_visible(user, incident: Incident) -> bool:
    """Whether the user sees the restricted details (IncidentPolicy.details_q)."""
    return _incident_rule(user, incident, "details_q")


def incident_is_coordinator(user, incident: Incident) -> bool:
    """Responders and the secretariat of the affected country's region (they invite offers)."""
    return _incident_rule(user, incident, "coordinator_q")


def incidents_for(user, rule: str):
    """Incidents for which `rule` ("responder_q", "details_q", "coordinator_q") holds: form choices."""
    return Incident.objects.filter(getattr(Incident.access_policy, rule)(user_context(user)))


# --- the incident page (dashboard) -----------------------------------------------------------------
def incident_page(*, user, incident: Incident) -> dict:
    """What the incident page and its self-refreshing fragment show besides the fields: requests,
    offers and deployments the user may see, the sitrep timeline, the map, and the actions to offer
    (the services check again)."""
    from cbrnet.incidents.maps import incident_map
    from cbrnet.sharing import selectors as sharing_selectors
    from cbrnet.sharing.services import is_owner_editor, visible_without_break_glass

    context = user_context(user)
    recipient = not context.platform_admin or visible_without_break_glass(user, incident)
    owner_editor = recipient and is_owner_editor(user, incident)
    can_change = recipient and (owner_editor or incident.author_id == user.pk)
    responder = recipient and incident_is_responder(user, incident)
    details = recipient and incident_details_visible(user, incident)
    requests = list(
        access.restrict(AssistanceRequest.objects.filter(incident=incident), user)
        .prefetch_related("items")
        .annotate(
            offer_count=Count("offers", distinct=True),
            accepted_count=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED), distinct=True),
        )
        .order_by("created", "pk")
    )
    offers = list(
        access.restrict(Offer.objects.filter(request__incident=incident), user)
        .select_related("request", "capability", "offering_organisation", "offering_country")
        .order_by("created", "pk")
    )
    deployments = list(
        access.restrict(Deployment.objects.filter(offer__request__incident=incident), user)
        .select_related("offer__capability", "offer__offering_organisation", "offer__offering_country")
        .prefetch_related("events")
        .order_by("created", "pk")
    )
    sitreps = list(
        access.restrict(Sitrep.objects.filter(incident=incident), user)
        .select_related("owner_organisation", "author")
        .order_by("-situation_at", "-pk")
    )
    bases = [
        (
            deployment.offer.capability.base_name or str(deployment.offer.capability),
            deployment.offer.capability.base_latitude,
            deployment.offer.capability.base_longitude,
        )
        for deployment in deployments
        if deployment.offer.capability is not None
        and deployment.offer.capability.base_latitude is not None
        and deployment.stage not in (DeploymentStage.DEMOBILISED,)
    ]
    crop = sorted(
        {
            deployment.offer.offering_country.iso2
            for deployment in deployments
            if deployment.offer.offering_country
        }
    )
    point = (incident.latitude, incident.longitude) if details and incident.latitude is not None else None
    return {
        "requests": requests,
        "offers": offers,
        "deployments": deployments,
        "sitreps": sitreps,
        "timeline": incident_timeline(
            incident=incident, sitreps=sitreps, deployments=deployments, offers=offers
        ),
        "incident_map": incident_map(
            country_code=incident.country.iso2,
            title=_("Where the incident is"),
            point=point,
            bases=bases,
            crop=crop,
        ),
        "details_visible": details,
        "responder": responder,
        "coordinator": recipient and incident_is_coordinator(user, incident),
        "can_publish": can_change and incident.status != Status.PUBLISHED,
        "can_withdraw": can_change and incident.status == Status.PUBLISHED,
        "can_change_tlp": can_change,
        "can_grant": can_change,
        "can_close": responder and incident.is_open,
        "can_request": responder and incident.is_open,
        "can_report": details and incident.is_open,
        "can_offer": access.may_add(user, Offer) and incident.is_open and incident.status == Status.PUBLISHED,
        "audience": sharing_selectors.shared_item_audience(user=user, item=incident),
        "phases": [(value, label) for value, label in Phase.choices if value != Phase.CLOSED],
        "break_glass": not recipient,
        "linked_signals": incident_signals(user=user, incident=incident),
    }


def incident_signals(*, user, incident: Incident) -> list:
    """The surveillance signals linked to the incident that the user may see, latest week first."""
    from cbrnet.surveillance.models import Signal  # surveillance links to incidents, not the other way

    return list(
        access.restrict(Signal.objects.filter(incident=incident), user)
        .select_related("series__disease", "series__dataset__country")
        .order_by("-week", "-pk")
    )


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # sitrep, offer, decision, deployment
    title: str
    url: str
    obj: object = None


def incident_timeline(*, incident: Incident, sitreps, deployments, offers) -> list[TimelineEntry]:
    """Everything that happened, newest first: sitreps, offers, decisions and deployment steps (each
    list already restricted to what the user may see)."""
    entries = [
        TimelineEntry(incident.started_at, "incident", _("Incident started"), incident.get_absolute_url())
    ]
    for sitrep in sitreps:
        entries.append(
            TimelineEntry(sitrep.situation_at, "sitrep", sitrep.title, sitrep.get_absolute_url(), sitrep)
        )
    for offer in offers:
        entries.append(
            TimelineEntry(
                offer.created,
                "offer",
                _("Offer: %(offer)s") % {"offer": offer},
                offer.get_absolute_url(),
                offer,
            )
        )
        if offer.decided_at:
            entries.append(
                TimelineEntry(
                    offer.decided_at,
                    "decision",
                    _("%(status)s: %(offer)s") % {"status": offer.get_status_display(), "offer": offer},
                    offer.get_absolute_url(),
                    offer,
                )
            )
    for deployment in deployments:
        for event in deployment.events.all():
            entries.append(
                TimelineEntry(
                    event.at,
                    "deployment",
                    _("%(stage)s: %(deployment)s")
                    % {"stage": event.get_stage_display(), "deployment": deployment.offer},
                    event.get_absolute_url(),
                    event,
                )
            )
    if incident.closed_at:
        entries.append(
            TimelineEntry(incident.closed_at, "closed", _("Incident closed"), incident.get_absolute_url())
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def incident_figures(*, user, exclude_exercises: bool = True) -> dict:
    """The counts at the top of the incident list: open incidents, active requests, offers waiting
    for a decision, teams deployed; exercises left out unless asked for."""
    incidents = access.restrict(Incident.objects.all(), user)
    requests = access.restrict(AssistanceRequest.objects.all(), user)
    offers = access.restrict(Offer.objects.all(), user)
    deployments = access.restrict(Deployment.objects.all(), user)
    if exclude_exercises:
        incidents = incidents.filter(is_exercise=False)
        requests = requests.filter(incident__is_exercise=False)
        offers = offers.filter(request__incident__is_exercise=False)
        deployments = deployments.filter(offer__request__incident__is_exercise=False)
    return {
        "open_incidents": incidents.exclude(phase=Phase.CLOSED).count(),
        "active_requests": requests.filter(status__in=ACTIVE_REQUEST_STATUSES).count(),
        "offers_waiting": offers.filter(status=OfferStatus.OFFERED).count(),
        "teams_deployed": deployments.filter(
            stage__in=[DeploymentStage.MOBILISED, DeploymentStage.ARRIVED, DeploymentStage.OPERATING]
        ).count(),
        "exclude_exercises": exclude_exercises,
    }


# --- request versions ------------------------------------------------------------------------------
@dataclass
class VersionDiff:
    version: RequestVersion
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


def _display(name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "items":
        return "; ".join(
            f"{item['quantity']} × {item['code']}" + (f" ({item['note']})" if item.get("note") else "")
            for item in value
        )
    field_ = AssistanceRequest._meta.get_field(name)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    return str(value)


def request_versions(*, user, request: AssistanceRequest) -> list[VersionDiff]:
    """Every version of a request, newest first, each with what changed since the one before;
    the conditions and contact point blanked for users who may not see the restricted details."""
    versions = list(
        access.restrict(RequestVersion.objects.filter(request=request), user)
        .select_related("amended_by")
        .order_by("number")
    )
    hidden = set() if access.contact_visible(user, request) else set(AssistanceRequest.contact_fields)
    names = [*AssistanceRequest.versioned_fields, "items"]
    labels = {
        name: str(AssistanceRequest._meta.get_field(name).verbose_name)
        for name in AssistanceRequest.versioned_fields
    }
    labels["items"] = _("capabilities needed")
    result, previous = [], {}
    for version in versions:
        diff = VersionDiff(version)
        for name in names:
            before, after = _display(name, previous.get(name)), _display(name, version.snapshot.get(name))
            if before == after:
                continue
            if name in hidden:
                # That it changed is not secret; what it says is.
                before, after = ("***" if before else ""), ("***" if after else "")
            diff.changes.append((labels[name], before, after))
        previous = version.snapshot
        result.append(diff)
    return list(reversed(result))


# --- matching --------------------------------------------------------------------------------------
@dataclass
class Reason:
    criterion: str
    score: float
    text: str


@dataclass
class Match:
    capability: Capability
    score: float
    need_code: str
    reasons: list[Reason]

    def reasons_json(self) -> dict:
        return {
            reason.criterion: {"score": round(reason.score, 3), "text": reason.text}
            for reason in self.reasons
        }


@dataclass
class MatchResult:
    matches: list[Match]
    candidates: int
    eligible: int


def request_languages(request: AssistanceRequest) -> list[str]:
    """The request's working languages; if it names none, those of the country's people in the registry."""
    from cbrnet.registry.models import Person

    if request.language_list:
        return request.language_list
    return sorted(
        set(
            Person.languages.through.objects.filter(person__country_id=request.incident.country_id)
            .values_list("language__code", flat=True)
            .distinct()
        )
    )


STATUS_CODES = {
    CapabilityStatus.AVAILABLE: matching.AVAILABLE,
    CapabilityStatus.DEPLOYED: matching.DEPLOYED,
    CapabilityStatus.MAINTENANCE: matching.MAINTENANCE,
}


def matching_candidates(queryset) -> tuple[matching.Candidates, dict[str, int]]:
    """The capabilities of `queryset` as matching arrays, loaded in one query; and the language
    numbering used (code -> index). A registry repeats the same few code and language lists many
    times, so each distinct stored text is parsed once."""
    codes, _parents = taxonomy.index()
    code_index = {code: number for number, code in enumerate(codes)}
    language_index: dict[str, int] = {}
    parsed_codes: dict[str, list[int]] = {}
    parsed_languages: dict[str, list[int]] = {}

    def code_list(text):
        found = parsed_codes.get(text)
        if found is None:
            found = parsed_codes[text] = [
                code_index[code] for code in decode_list(text) if code in code_index
            ]
        return found

    def language_list(text):
        found = parsed_languages.get(text)
        if found is None:
            found = parsed_languages[text] = [
                language_index.setdefault(code, len(language_index)) for code in decode_list(text)
            ]
        return found

    rows = list(
        queryset.order_by("pk").values_list(
            "pk",
            "codes",
            "readiness_hours",
            "base_latitude",
            "base_longitude",
            "languages",
            "status",
            "self_sufficiency_days",
        )
    )
    if not rows:
        return matching.Candidates.from_rows([]), language_index
    ids, code_texts, hours, latitude, longitude, language_texts, statuses, days = zip(*rows, strict=True)
    candidates = matching.Candidates.from_columns(
        ids,
        [code_list(text) for text in code_texts],
        hours,
        latitude,
        longitude,
        [language_list(text) for text in language_texts],
        [STATUS_CODES.get(status, matching.MAINTENANCE) for status in statuses],
        days,
    )
    return candidates, language_index


def request_matches(
    *, user, request: AssistanceRequest, limit: int = 50, available_only: bool = False
) -> MatchResult:
    """The registered capabilities that could meet the request, best first, with the reasons: the
    visible capabilities of every country but the affected one, scored by cbrnet.incidents.matching.
    `candidates` counts those loaded (sharing a code family with the request), `eligible` those that fit."""
    incident = request.incident
    needs = [item.code for item in request.items.all()]
    queryset = access.restrict(Capability.objects.all(), user).exclude(country_id=incident.country_id)
    # Only capabilities sharing a code family with the request can score above zero: leave the rest
    # in the database (the scoring would give them 0 anyway).
    family = sorted(taxonomy.related(needs))
    queryset = queryset.filter(
        reduce(operator.or_, (Q(codes__contains=f",{code},") for code in family), Q(pk__in=[]))
    )
    if available_only:
        queryset = queryset.filter(status=CapabilityStatus.AVAILABLE)
    candidates, language_index = matching_candidates(queryset)
    codes, parents = taxonomy.index()
    position = {code: number for number, code in enumerate(codes)}
    languages = request_languages(request)
    result = matching.score(
        candidates,
        needs=[position[code] for code in needs if code in position],
        parents=parents,
        latitude=incident.latitude,
        longitude=incident.longitude,
        languages=[language_index[code] for code in languages if code in language_index],
    )
    order = result.ranking(limit)
    chosen = {
        capability.pk: capability
        for capability in Capability.objects.filter(
            pk__in=[int(candidates.ids[i]) for i in order]
        ).select_related("organisation", "country")
    }
    matches = []
    for i in order:
        capability = chosen[int(candidates.ids[i])]
        need = needs[int(result.matched_need[i])] if result.matched_need[i] >= 0 else ""
        matched = codes[int(result.matched_code[i])] if result.matched_code[i] >= 0 else ""
        matches.append(
            Match(
                capability,
                float(result.score[i]),
                need,
                _reasons(result, i, capability, need, matched, languages),
            )
        )
    return MatchResult(matches, len(candidates), int(np.count_nonzero(result.score > 0)))


def _reasons(
    result: matching.Result, i: int, capability: Capability, need: str, matched: str, languages
) -> list[Reason]:
    fit = float(result.fit[i])
    if matched == need:
        fit_text = _("%(code)s, as requested") % {"code": need}
    elif taxonomy.get(matched) and taxonomy.get(matched).parent == need:
        fit_text = _("%(code)s, of the requested group %(group)s") % {"code": matched, "group": need}
    elif taxonomy.get(need) and taxonomy.get(need).parent == matched:
        fit_text = _("registered as %(group)s, the group of %(code)s") % {"group": matched, "code": need}
    else:
        fit_text = _("%(code)s, in the same group as %(need)s") % {"code": matched, "need": need}
    hours = capability.readiness_hours
    distance = float(result.distance_km[i])
    if np.isnan(distance):
        travel_text = _("home base or incident location not recorded")
    else:
        mode = _("by road") if distance < matching.ROAD_LIMIT_KM else _("by air")
        travel_text = _("%(km)s km from %(base)s: about %(hours)s h %(mode)s") % {
            "km": localize(round(distance)),
            "base": capability.base_name or _("its home base"),
            "hours": localize(round(float(result.travel_hours[i]), 1)),
            "mode": mode,
        }
    spoken = capability.language_list
    common = sorted(set(spoken) & set(languages))
    if not spoken or not languages:
        language_text = _("languages not recorded")
    elif common:
        language_text = _("works in %(languages)s") % {"languages": ", ".join(common)}
    else:
        language_text = _("no common language (works in %(languages)s)") % {"languages": ", ".join(spoken)}
    return [
        Reason("fit", fit, fit_text),
        Reason(
            "readiness", float(result.readiness[i]), _("ready to leave in %(hours)s h") % {"hours": hours}
        ),
        Reason("travel", float(result.travel[i]), travel_text),
        Reason("language", float(result.language[i]), language_text),
        Reason("availability", float(result.availability[i]), capability.get_status_display()),
        Reason(
            "self_sufficiency",
            float(result.self_sufficiency[i]),
            _("self-sufficient for %(days)s days") % {"days": capability.self_sufficiency_days},
        ),
    ]


CRITERIA = {
    "fit": _("capability fit"),
    "readiness": _("readiness"),
    "travel": _("distance and travel time"),
    "language": _("language"),
    "availability": _("availability"),
    "self_sufficiency": _("self-sufficiency"),
}


# --- announcements -----------------------------------------------------------------------------------
@dataclass
class Message:
    recipients: list
    title: str
    body: str
    url: str
    obj: object


def _active_users():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(person__organisation__isnull=True) | Q(person__organisation__is_active=True))
    )


def _role_holders(roles, *, country_ids=None, region_ids=None, organisation_ids=None):
    from cbrnet.registry.models import RoleAssignment

    assignments = RoleAssignment.objects.active().filter(role__in=list(roles))
    scope = Q(pk__in=[])
    if country_ids is not None:
        scope |= Q(country_id__in=list(country_ids))
    if region_ids is not None:
        scope |= Q(region_id__in=list(region_ids))
    if organisation_ids is not None:
        scope |= Q(organisation_id__in=list(organisation_ids)) | Q(
            person__organisation_id__in=list(organisation_ids)
        )
    if country_ids is None and region_ids is None and organisation_ids is None:
        scope = Q(pk__isnull=False)
    return _active_users().filter(person__roles__in=assignments.filter(scope).values("pk"))


def _concerned_by_incident(incident: Incident) -> list:
    """The affected country's focal point and team, the secretariat of its regions, and the focal
    points and secretariats of the incident's audience; then only those who can read it (R12)."""
    users = _role_holders(
        ("focal_point", "national_team"), country_ids=[incident.country_id]
    ) | _role_holders(("focal_point", "secretariat"))
    return list(users.distinct().order_by("pk"))


def _editors_of(organisation_ids) -> list:
    return list(
        _role_holders(tuple(EDITOR_ROLES) + ("org_admin",), organisation_ids=organisation_ids)
        .filter(person__organisation_id__in=list(organisation_ids))
        .distinct()
        .order_by("pk")
    )


def _who_can_view(users, obj, actor_id) -> list:
    seen, result = set(), []
    for user in users:
        if user.pk in seen or user.pk == actor_id:
            continue
        seen.add(user.pk)
        if access.can(user, "view", obj):
            result.append(user)
    return result


def _title(incident: Incident, text: str) -> str:
    prefix = _("EXERCISE") + " — " if incident.is_exercise else ""
    return f"{prefix}{text}"


def _body(label: str, summary: str) -> str:
    """TLP:CLEAR content travels by e-mail; for anything tighter the e-mail says where to read it."""
    if label == TLP.CLEAR:
        return summary
    return _("Shared under %(label)s: sign in to read it.") % {"label": dict(TLP.choices)[label]}


def announcement_message(announcement: Announcement) -> Message | None:
    """Who is told about an announcement and what (None when its record is gone)."""
    event, pk, actor = announcement.event, announcement.object_id, announcement.actor_id
    if event == AnnouncementEvent.INCIDENT_PUBLISHED:
        incident = Incident.objects.select_related("country").filter(pk=pk).first()
        if incident is None:
            return None
        summary = _("%(type)s incident in %(place)s, %(country)s; severity %(severity)s.") % {
            "type": incident.get_cbrn_type_display(),
            "place": incident.place,
            "country": incident.country,
            "severity": incident.get_severity_display().lower(),
        }
        return Message(
            _who_can_view(_concerned_by_incident(incident), incident, actor),
            _title(
                incident,
                _("New incident: %(title)s (%(country)s)")
                % {"title": incident.title, "country": incident.country},
            ),
            _body(incident.tlp, summary),
            incident.get_absolute_url(),
            incident,
        )
    if event in (AnnouncementEvent.REQUEST_CREATED, AnnouncementEvent.REQUEST_AMENDED):
        request = AssistanceRequest.objects.select_related("incident__country").filter(pk=pk).first()
        if request is None:
            return None
        incident = request.incident
        what = (
            _("Assistance requested") if event == AnnouncementEvent.REQUEST_CREATED else _("Request amended")
        )
        needs = ", ".join(str(item) for item in request.items.all())
        return Message(
            _who_can_view(_concerned_by_incident(incident), request, actor),
            _title(incident, f"{what}: {request.title} ({incident.country})"),
            _body(
                incident.tlp,
                _("Needed: %(needs)s, from %(when)s for %(days)s days.")
                % {
                    "needs": needs,
                    "when": f"{request.needed_from:%Y-%m-%d %H:%M} UTC",
                    "days": request.duration_days,
                },
            ),
            request.get_absolute_url(),
            request,
        )
    if event in (AnnouncementEvent.OFFER_MADE, AnnouncementEvent.OFFER_DECIDED):
        offer = (
            Offer.objects.select_related("request__incident__country", "offering_organisation")
            .filter(pk=pk)
            .first()
        )
        if offer is None:
            return None
        incident = offer.request.incident
        if event == AnnouncementEvent.OFFER_MADE:
            users = _role_holders(
                ("focal_point", "national_team", "secretariat"), country_ids=[incident.country_id]
            ) | _role_holders(("secretariat",), region_ids=_regions_of(incident.country_id))
            users = list(users.distinct().order_by("pk")) + _editors_of([incident.owner_organisation_id])
            if incident.author_id:
                users += list(_active_users().filter(pk=incident.author_id))
            title = _("Offer of assistance from %(organisation)s: %(request)s") % {
                "organisation": offer.offering_organisation,
                "request": offer.request.title,
            }
        else:
            users = list(
                _role_holders(
                    ("focal_point",),
                    country_ids=[offer.offering_country_id] if offer.offering_country_id else [],
                )
            )
            users += _editors_of([offer.offering_organisation_id])
            if offer.offered_by_id:
                users += list(_active_users().filter(pk=offer.offered_by_id))
            title = _("Your offer was %(status)s: %(request)s") % {
                "status": offer.get_status_display().lower(),
                "request": offer.request.title,
            }
        return Message(
            _who_can_view(users, offer, actor),
            _title(incident, title),
            _body(incident.tlp, offer.description),
            offer.get_absolute_url(),
            offer,
        )
    if event == AnnouncementEvent.SITREP_PUBLISHED:
        sitrep = Sitrep.objects.select_related("incident__country").filter(pk=pk).first()
        if sitrep is None:
            return None
        incident = sitrep.incident
        users = _concerned_by_incident(incident) + _editors_of(
            list(incident.detail_organisations.values_list("pk", flat=True))
        )
        return Message(
            _who_can_view(users, sitrep, actor),
            _title(
                incident,
                _("Situation report: %(title)s (%(incident)s)")
                % {"title": sitrep.title, "incident": incident.title},
            ),
            _body(sitrep.tlp, sitrep.body),
            sitrep.get_absolute_url(),
            sitrep,
        )
    if event == AnnouncementEvent.OFFER_INVITED:
        invitation = (
            OfferInvitation.objects.select_related("request__incident", "capability").filter(pk=pk).first()
        )
        if invitation is None:
            return None
        capability, request = invitation.capability, invitation.request
        users = _editors_of([capability.organisation_id])
        if capability.country_id:
            users += list(_role_holders(("focal_point",), country_ids=[capability.country_id]))
        return Message(
            _who_can_view(users, request, actor),
            _title(
                request.incident,
                _("You are invited to offer %(capability)s: %(request)s")
                % {"capability": capability, "request": request.title},
            ),
            _body(
                request.incident.tlp,
                _("Your %(capability)s matches a request for assistance.") % {"capability": capability},
            ),
            request.get_absolute_url(),
            request,
        )
    return None


def _regions_of(country_id) -> list[int]:
    from cbrnet.registry.models import Membership

    return list(
        Membership.objects.current().filter(country_id=country_id).values_list("region_id", flat=True)
    )


# --- CAP ----------------------------------------------------------------------------------------------
CAP_SEVERITY = {
    Severity.MINOR: "Minor",
    Severity.MODERATE: "Moderate",
    Severity.SEVERE: "Severe",
    Severity.EXTREME: "Extreme",
}


def incident_cap(*, user, incident: Incident) -> bytes:
    """The incident as an OASIS CAP 1.2 alert (built with cbrnet.notifications.cap).

    status Exercise for an exercise, Draft for a draft, otherwise Actual; msgType Cancel (referring
    to the original) when withdrawn, Update once closed; category CBRNE; scope Public for TLP:CLEAR,
    otherwise Restricted with the label as restriction. The restricted details (agent, exact
    location as a 1 km circle, casualties, description) are included only for users who may see them.
    """
    from cbrnet.notifications import cap
    from cbrnet.notifications.services import absolute_url

    details = incident_details_visible(user, incident)
    sender = urlsplit(settings.SITE_URL).hostname or "localhost"
    identifier = f"urn:uuid:{incident.uid}"
    sent = incident.published_at or incident.created
    status = (
        "Exercise" if incident.is_exercise else ("Draft" if incident.status == Status.DRAFT else "Actual")
    )
    scope, restriction = "Public", ""
    if incident.tlp != TLP.CLEAR:
        scope, restriction = (
            "Restricted",
            _("%(label)s: share only as the label allows.") % {"label": incident.get_tlp_display()},
        )
    msg_type, references = "Alert", []
    original = f"{sender},{identifier},{cap.format_datetime(sent.astimezone(datetime.UTC))}"
    if incident.status == Status.WITHDRAWN:
        msg_type, references = "Cancel", [original]
        identifier = f"{identifier}.cancel"
        sent = incident.updated
    elif incident.phase == Phase.CLOSED:
        msg_type, references = "Update", [original]
        identifier = f"{identifier}.closed"
        sent = incident.closed_at or incident.updated
    event = incident.get_cbrn_type_display() + " " + _("incident")
    if details and incident.agent:
        event += f" ({incident.agent})"
    area = cap.Area(
        description=f"{incident.place}, {incident.country}", geocodes=[("ISO 3166-1", incident.country.iso2)]
    )
    if details and incident.latitude is not None:
        area.circles.append(f"{incident.latitude:.4f},{incident.longitude:.4f} 1.0")
    parameters = [("cbrnet:phase", incident.phase), ("cbrnet:tlp", incident.get_tlp_display())]
    if details:
        parameters += [("cbrnet:deaths", str(incident.deaths)), ("cbrnet:injured", str(incident.injured))]
    alert = cap.Alert(
        identifier=identifier,
        sender=sender,
        sent=sent.astimezone(datetime.UTC),
        status=status,
        msg_type=msg_type,
        scope=scope,
        restriction=restriction,
        references=references,
        incidents=[str(incident.uid)],
        note=_("EXERCISE") if incident.is_exercise else "",
        infos=[
            cap.Info(
                language=settings.LANGUAGE_CODE,
                categories=["CBRNE"],
                event=event,
                urgency="Past" if incident.phase == Phase.CLOSED else "Immediate",
                severity=CAP_SEVERITY.get(incident.severity, "Unknown"),
                certainty="Observed",
                onset=incident.started_at.astimezone(datetime.UTC),
                sender_name=str(incident.owner_organisation),
                headline=str(incident)[:160],
                description=incident.description if details else "",
                web=absolute_url(incident.get_absolute_url()),
                parameters=parameters,
                areas=[area],
            )
        ],
    )
    return cap.build_cap(alert)


# --- deployment page -----------------------------------------------------------------------------------
def deployment_page(*, user, deployment: Deployment) -> dict:
    return {
        "events": list(
            access.restrict(DeploymentEvent.objects.filter(deployment=deployment), user)
            .select_related("recorded_by")
            .order_by("at", "pk")
        ),
        "can_advance": access.can(user, "change", deployment) and bool(deployment.next_stages),
        "next_stages": [
            (stage, label) for stage, label in DeploymentStage.choices if stage in deployment.next_stages
        ],
    }
