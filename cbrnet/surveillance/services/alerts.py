"""Alerts: raised by an analyst (usually from a signal), shared with the competent authorities of every
sector the disease concerns in the country — the One Health link — and announced to their people.

An alert is a shared item (cbrnet.sharing): it is created, shared and published through
cbrnet.sharing.services, so the TLP rules, four-eyes publication and the frozen AMBER audience apply
as for bulletins. The authorities receive it through one organisation grant each.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.access.context import user_context
from cbrnet.registry.models import Country
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, GrantScope, Status
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id
from cbrnet.surveillance.choices import Sector, SignalStatus
from cbrnet.surveillance.models import Alert, Disease, SectorAuthority, Signal, decode_sectors, encode_sectors
from cbrnet.surveillance.services.triage import signal_verify

# GREEN reaches organisations through the networks they share with the owner, which a country's
# authorities need not belong to; RED is for named people, not whole authorities (R7).
ALERT_LABELS = (TLP.CLEAR, TLP.AMBER, TLP.AMBER_STRICT)
CONTENT_FIELDS = ("headline", "description", "instruction", "urgency", "severity", "certainty", "exercise",
                  "admin_area")


def check_alert_label(tlp: str) -> None:
    if tlp not in ALERT_LABELS:
        raise ValidationError(
            {
                "tlp": _(
                    "An alert goes to whole authorities: label it TLP:CLEAR, TLP:AMBER or TLP:AMBER+STRICT "
                    "(GREEN would depend on shared networks, RED is for named people only)."
                )
            }
        )


def alert_sectors(disease: Disease, signal: Signal | None = None) -> list[str]:
    """Every sector the disease concerns (a zoonosis: human and animal health), and the sector of the
    dataset the signal came from."""
    sectors = set(disease.sectors)
    if signal is not None:
        sectors.add(signal.series.dataset.sector)
    return sorted(str(sector) for sector in sectors)


def alert_authorities(*, country: Country, sectors) -> list[SectorAuthority]:
    """The competent authorities of those sectors in the country (active organisations only)."""
    return list(
        SectorAuthority.objects.filter(country=country, sector__in=list(sectors), organisation__is_active=True)
        .select_related("organisation")
        .order_by("sector", "organisation__name")
    )


def alert_raise(
    *,
    user,
    signal: Signal | None = None,
    disease: Disease,
    country: Country,
    headline: str,
    description: str,
    instruction: str = "",
    urgency: str,
    severity: str,
    certainty: str,
    exercise: bool = False,
    tlp: str = TLP.AMBER,
    admin_area: str = "",
) -> Alert:
    """Raise an alert to the authorities of every sector the disease concerns in the country.

    Creates the alert (owned by the user's organisation), shares it with each authority's
    organisation, publishes it (the AMBER audience is frozen now; with four-eyes on it waits for a
    second editor and the alert stays a draft), marks the signal verified and notifies the people of
    those organisations. A signal needs change on its dataset; without one, the user raises alerts for
    their own country or a country they serve as focal point or secretariat.
    """
    if not access.may_add(user, Alert):
        raise PermissionDenied(_("Your role may not raise alerts."))
    check_alert_label(tlp)
    if signal is not None:
        signal = Signal.objects.select_related("series__dataset", "series__disease").get(pk=signal.pk)
        if not access.can(user, "change", signal):
            raise PermissionDenied(
                _("Only the author and the editors of the dataset's owner organisation may raise an alert from its signals.")
            )
        errors = {}
        if disease.pk != signal.series.disease_id:
            errors["disease"] = _("The signal is about %(disease)s.") % {"disease": signal.series.disease}
        if country.pk != signal.series.dataset.country_id:
            errors["country"] = _("The signal comes from %(country)s.") % {"country": signal.series.dataset.country}
        if errors:
            raise ValidationError(errors)
        admin_area = admin_area or signal.series.admin_area
    else:
        context = user_context(user)
        if country.pk not in context.manage_country_ids | {context.country_id}:
            raise ValidationError(
                {"country": _("Raise alerts for your own country, or from a signal of a dataset you may change.")}
            )
    sectors = alert_sectors(disease, signal)
    authorities = alert_authorities(country=country, sectors=sectors)
    if not authorities:
        raise ValidationError(
            {
                "country": _(
                    "No competent authority of %(country)s is registered for %(sectors)s: add them under "
                    "Sector authorities first."
                )
                % {"country": country, "sectors": ", ".join(str(Sector(sector).label) for sector in sectors)}
            }
        )
    with transaction.atomic():
        alert = sharing.shared_item_save(
            user=user,
            instance=Alert(
                signal=signal,
                disease=disease,
                country=country,
                admin_area=admin_area,
                headline=headline,
                description=description,
                instruction=instruction,
                urgency=urgency,
                severity=severity,
                certainty=certainty,
                exercise=exercise,
                tlp=tlp,
                sectors=encode_sectors(sectors),
            ),
        )
        for organisation in sorted({authority.organisation for authority in authorities}, key=lambda o: o.pk):
            sharing.shared_item_grant_add(
                user=user, item=alert, scope=GrantScope.ORGANISATION, target=organisation
            )
        result = sharing.shared_item_publish(user=user, item=alert)
        if signal is not None and signal.status != SignalStatus.VERIFIED:
            signal_verify(user=user, signal=signal, reason=_("Alert raised: %(headline)s") % {"headline": headline})
        if not isinstance(result, ShareApproval):
            alert_notify(alert=alert)
    alert.refresh_from_db()
    return alert


def alert_save(*, user, alert: Alert) -> Alert:
    """Change a draft alert's text and label (a published alert is withdrawn and raised again, so
    that what its recipients were told stays what they were told)."""
    if alert.pk is None:
        raise ValidationError({"signal": _("Alerts are created with “Raise an alert”.")})
    stored = Alert.objects.get(pk=alert.pk)
    if stored.status != Status.DRAFT:
        raise ValidationError(
            {"status": _("Only a draft alert can be changed: withdraw this one and raise a new alert.")}
        )
    for name in ("signal_id", "disease_id", "country_id", "sectors"):
        setattr(alert, name, getattr(stored, name))  # they decide the recipients: fixed at raising
    check_alert_label(alert.tlp)
    return sharing.shared_item_save(user=user, instance=alert)


def alert_publish(*, user, alert: Alert) -> Alert | ShareApproval:
    """Publish a draft (or withdrawn) alert and notify its recipients once it is out."""
    check_alert_label(alert.tlp)
    with transaction.atomic():
        result = sharing.shared_item_publish(user=user, item=alert)
        if not isinstance(result, ShareApproval):
            alert_notify(alert=alert)
    return result


def alert_withdraw(*, user, alert: Alert) -> Alert:
    """Take a published alert back from its recipients."""
    return sharing.shared_item_withdraw(user=user, item=alert)


def alert_recipient_organisations(alert: Alert) -> list[int]:
    """The organisations the alert was shared with (its authorities)."""
    return sorted(
        Grant.objects.filter(
            content_type_id=content_type_id(Alert), object_id=alert.pk, scope=GrantScope.ORGANISATION
        ).values_list("organisation_id", flat=True)
    )


def alert_recipients(alert: Alert):
    """The active users of the authorities' organisations who can read the alert, its author excluded."""
    users = get_user_model().objects.filter(
        is_active=True,
        person__organisation_id__in=alert_recipient_organisations(alert),
        person__organisation__is_active=True,
    )
    if alert.author_id:
        users = users.exclude(pk=alert.author_id)
    return [user for user in users.order_by("pk").distinct() if access.can(user, "view", alert)]


def alert_notify(*, alert: Alert) -> int:
    """Notify the recipients of a published alert (inbox and e-mail); returns how many were notified
    now. Idempotent: each person gets one notification per alert however often this runs (after a
    four-eyes approval, say).

    The e-mail carries the text only for TLP:CLEAR; otherwise it says where to read it.
    """
    from cbrnet.notifications.choices import NotificationKind
    from cbrnet.notifications.services import notify

    if alert.status != Status.PUBLISHED:
        raise ValidationError({"status": _("Only a published alert is announced to its recipients.")})
    recipients = alert_recipients(alert)
    if not recipients:
        return 0
    prefix = _("EXERCISE") + " — " if alert.exercise else ""
    title = f"{prefix}[{alert.get_tlp_display()}] {alert.headline}"
    if alert.tlp == TLP.CLEAR:
        body = "\n\n".join(part for part in (alert.description, alert.instruction) if part)
    else:
        body = _(
            "An alert about %(disease)s in %(country)s was shared with your organisation under %(label)s. "
            "Sign in to read it."
        ) % {"disease": alert.disease, "country": alert.country, "label": alert.get_tlp_display()}
    written = notify(
        recipients,
        kind=NotificationKind.SURVEILLANCE_ALERT,
        title=title[:200],
        body=body,
        url=alert.get_absolute_url(),
        obj=alert,
        key=f"surveillance-alert:{alert.uid}",
    )
    return len(written)


def alert_cap(*, alert: Alert) -> bytes:
    """The alert as an OASIS CAP 1.2 message (built with cbrnet.notifications.cap).

    status Exercise for an exercise, Draft for a draft, otherwise Actual; category Health; event the
    disease; area the country (and administrative area) with its ISO 3166-1 code; scope Public for
    TLP:CLEAR and Restricted (the TLP label as restriction) otherwise. A withdrawn alert is a Cancel
    message that refers to the original.
    """
    from cbrnet.notifications import cap
    from cbrnet.notifications.services import absolute_url

    sender = urlsplit(settings.SITE_URL).hostname or "localhost"
    identifier = f"urn:uuid:{alert.uid}"
    sent = alert.published_at or alert.created
    status = "Exercise" if alert.exercise else ("Draft" if alert.status == Status.DRAFT else "Actual")
    scope, restriction = "Public", ""
    if alert.tlp != TLP.CLEAR:
        scope = "Restricted"
        restriction = _(
            "%(label)s: for the organisations it was shared with on %(site)s, not to be passed on (FIRST TLP 2.0)."
        ) % {"label": alert.get_tlp_display(), "site": settings.SITE_NAME}
    msg_type, references = "Alert", []
    if alert.status == Status.WITHDRAWN:
        references = [f"{sender},{identifier},{cap.format_datetime(sent)}"]
        identifier, sent, msg_type = f"{identifier}-cancel", alert.updated, "Cancel"
    place = f"{alert.admin_area}, {alert.country.name}" if alert.admin_area else alert.country.name
    sector_labels = [str(Sector(sector).label) for sector in decode_sectors(alert.sectors) if sector in Sector.values]
    info = cap.Info(
        language=settings.LANGUAGE_CODE,
        categories=["Health"],
        event=alert.disease.name,
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        audience=_("Competent authorities: %(sectors)s") % {"sectors": ", ".join(sector_labels)} if sector_labels else "",
        event_codes=[("ICD-10", alert.disease.icd_code)] if alert.disease.icd_code else [],
        sender_name=alert.owner_organisation.name,
        headline=alert.headline,
        description=alert.description,
        instruction=alert.instruction,
        web=absolute_url(alert.get_absolute_url()),
        parameters=[("TLP", alert.get_tlp_display())],
        areas=[cap.Area(description=place, geocodes=[("ISO 3166-1 alpha-2", alert.country.iso2)])],
    )
    return cap.build_cap(
        cap.Alert(
            identifier=identifier,
            sender=sender,
            sent=sent,
            status=status,
            msg_type=msg_type,
            scope=scope,
            restriction=restriction,
            references=references,
            note=_("Exercise: no action on real events.") if alert.exercise else "",
            infos=[info],
        )
    )
