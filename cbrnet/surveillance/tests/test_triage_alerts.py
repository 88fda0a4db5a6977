"""Alerts: raised from a signal (or directly) to the authorities of every sector the disease concerns in
the country — the One Health link — shared with them under the sharing rules, announced to their
people, readable by them and nobody else, and exported as valid OASIS CAP 1.2."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.notifications import cap
from cbrnet.notifications.models import Notification, OutboxMessage
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.models import AudienceMember, ShareApproval
from cbrnet.surveillance.choices import CapCertainty, CapSeverity, CapUrgency, Method, SignalStatus
from cbrnet.surveillance.models import Alert, SectorAuthority, Signal
from cbrnet.surveillance.services.alerts import alert_cap, alert_raise
from cbrnet.surveillance.tests.triage_world import build_triage_world, make_series, monday

pytestmark = pytest.mark.django_db
API = "/api/surveillance/alerts/"


@pytest.fixture
def w():
    w = build_triage_world()
    with audit_actor(None, source="task"):
        w.animal_signal = Signal.objects.create(
            series=make_series(w.animal_dataset, w.anthrax, admin_area="Zhambyl"), week=monday(200),
            method=Method.EARS_C1, count=14, threshold=4.2)
        w.human_signal = Signal.objects.create(
            series=make_series(w.human_dataset, w.anthrax), week=monday(200), method=Method.EARS_C1, count=9,
            threshold=3.1)
        w.cholera_signal = Signal.objects.create(
            series=make_series(w.human_dataset, w.cholera), week=monday(201), method=Method.EARS_C1, count=7,
            threshold=2.0)
    return w


def raise_from(source, user, **overrides):
    """Raise an alert about `source` (a signal) as `user`; overrides may drop the signal (signal=None)."""
    values = {
        "signal": source,
        "disease": source.series.disease,
        "country": source.series.dataset.country,
        "headline": f"{source.series.disease} above the expected level",
        "description": "Synthetic test data: counts above the threshold.",
        "instruction": "Review recent cases and report.",
        "urgency": CapUrgency.EXPECTED,
        "severity": CapSeverity.MODERATE,
        "certainty": CapCertainty.LIKELY,
        "exercise": False,
        "tlp": TLP.AMBER,
        **overrides,
    }
    with audit_actor(user, source="ui"):
        return alert_raise(user=user, **values)


def notified(alert) -> set:
    return set(Notification.objects.filter(object_id=str(alert.pk)).values_list("recipient__username", flat=True))


# --- One Health routing --------------------------------------------------------------------------------
def test_a_zoonosis_in_animals_alerts_the_human_health_authority_too(w):
    alert = raise_from(w.animal_signal, w.vet_officer)
    assert alert.sector_list == ["animal", "human"]
    assert alert.status == Status.PUBLISHED and alert.owner_organisation == w.kz_vet
    assert set(AudienceMember.objects.filter(object_id=alert.pk).values_list("organisation", flat=True)) == {
        w.kz_vet.pk, w.kz_ministry.pk}
    # The human-health ministry's people (the officer, the national-team member) and the vet viewer;
    # not the author, not the food agency, not Uzbekistan.
    assert notified(alert) == {"kz-officer", "team-kz", "kz-vet-viewer"}
    assert OutboxMessage.objects.filter(notification__object_id=str(alert.pk)).count() == 3
    w.animal_signal.refresh_from_db()
    assert w.animal_signal.status == SignalStatus.VERIFIED and w.animal_signal.triaged_by == w.vet_officer


def test_a_zoonosis_in_people_alerts_the_veterinary_authority_too(w):
    alert = raise_from(w.human_signal, w.officer)
    assert alert.sector_list == ["animal", "human"]
    assert notified(alert) == {"team-kz", "kz-vet-officer", "kz-vet-viewer"}


def test_a_disease_of_one_sector_alerts_that_sector_only(w):
    alert = raise_from(w.cholera_signal, w.officer)
    assert alert.sector_list == ["human"]
    assert notified(alert) == {"team-kz"}
    assert not Notification.objects.filter(recipient__in=[w.vet_officer, w.vet_viewer, w.food_viewer]).exists()


def test_recipients_read_the_alert_and_nobody_else_does(w):
    alert = raise_from(w.animal_signal, w.vet_officer)
    for user in (w.vet_officer, w.vet_viewer, w.officer, w.team_kz):
        assert client_for(user).get(f"{API}{alert.pk}").status_code == 200, user
        assert client_for(user).get(alert.get_absolute_url()).status_code == 200, user
    for user in (w.food_viewer, w.uz_viewer, w.nfp_uz, w.nfp_kz, w.outsider):
        assert client_for(user).get(f"{API}{alert.pk}").status_code == 404, user
        assert client_for(user).get(alert.get_absolute_url()).status_code == 404, user
        assert alert.pk not in [row["id"] for row in client_for(user).get(API).json()["results"]]


def test_a_recipient_may_read_but_not_change_or_withdraw(w):
    alert = raise_from(w.animal_signal, w.vet_officer)
    client = client_for(w.officer)
    assert client.patch(f"{API}{alert.pk}", {"headline": "Mine"}, content_type="application/json").status_code == 403
    assert client.post(f"{API}{alert.pk}/withdraw").status_code == 403
    assert client.post(reverse("surveillance:alert_withdraw", args=[alert.pk])).status_code == 403
    alert.refresh_from_db()
    assert alert.status == Status.PUBLISHED and alert.headline != "Mine"


def test_an_amber_email_says_where_to_read_and_a_clear_one_carries_the_text(w):
    amber = raise_from(w.cholera_signal, w.officer)
    message = OutboxMessage.objects.get(notification__object_id=str(amber.pk))
    assert "TLP:AMBER" in message.subject and "Synthetic test data" not in message.body
    assert amber.get_absolute_url() in message.body
    with audit_actor(None, source="task"):
        Signal.objects.filter(pk=w.cholera_signal.pk).update(status=SignalStatus.NEW)
    clear = raise_from(w.human_signal, w.officer, tlp=TLP.CLEAR, exercise=True, headline="Drill")
    message = OutboxMessage.objects.filter(notification__object_id=str(clear.pk)).first()
    assert "EXERCISE" in message.subject and "Synthetic test data" in message.body


# --- refusals ------------------------------------------------------------------------------------------
def test_a_reader_of_the_signal_may_not_raise_an_alert_from_it(w):
    from cbrnet.sharing import services as sharing
    from cbrnet.sharing.choices import GrantScope

    with audit_actor(w.officer, source="ui"):
        sharing.shared_item_grant_add(user=w.officer, item=w.human_dataset, scope=GrantScope.ORGANISATION,
                                      target=w.kz_vet)
        sharing.shared_item_publish(user=w.officer, item=w.human_dataset)
    with pytest.raises(PermissionDenied):
        raise_from(w.human_signal, w.vet_officer)
    response = client_for(w.vet_officer).post(API, {"signal": w.human_signal.pk, "headline": "x", "description": "y"},
                                              content_type="application/json")
    assert response.status_code == 403
    assert not Alert.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tlp": TLP.GREEN}, "tlp"),
        ({"tlp": TLP.RED}, "tlp"),
        ({"disease": "cholera"}, "disease"),
        ({"country": "uz"}, "country"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(w, overrides, field):
    values = {key: getattr(w, value) if key in ("disease", "country") else value for key, value in overrides.items()}
    with pytest.raises(ValidationError) as error:
        raise_from(w.animal_signal, w.vet_officer, **values)
    assert field in error.value.message_dict
    assert not Alert.objects.exists() and not Notification.objects.exists()
    w.animal_signal.refresh_from_db()
    assert w.animal_signal.status == SignalStatus.NEW


def test_without_a_signal_alerts_go_to_the_users_own_country_only(w):
    values = {"headline": "Rumours of anthrax", "description": "Press reports.", "urgency": CapUrgency.FUTURE,
              "severity": CapSeverity.MINOR, "certainty": CapCertainty.POSSIBLE, "tlp": TLP.AMBER}
    with pytest.raises(ValidationError) as error:
        raise_from(w.animal_signal, w.vet_officer, signal=None, country=w.uz, **values)
    assert "country" in error.value.message_dict
    alert = raise_from(w.animal_signal, w.vet_officer, signal=None, **values)
    assert alert.signal is None and notified(alert) == {"kz-officer", "team-kz", "kz-vet-viewer"}
    w.animal_signal.refresh_from_db()
    assert w.animal_signal.status == SignalStatus.NEW


def test_an_alert_with_no_authority_to_receive_it_is_refused(w):
    with audit_actor(None, source="command"):
        SectorAuthority.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        raise_from(w.animal_signal, w.vet_officer)
    assert "No competent authority" in error.value.message_dict["country"][0]


# --- four eyes, drafts, notify ---------------------------------------------------------------------------
def test_with_four_eyes_the_alert_waits_and_its_recipients_are_notified_after_approval(w, settings):
    from cbrnet.sharing import services as sharing
    from cbrnet.sharing.tests.helpers import make_user

    settings.SHARING_FOUR_EYES = True
    second = make_user("kz-vet-second", w.kz_vet, "editor")
    alert = raise_from(w.animal_signal, w.vet_officer)
    assert alert.status == Status.DRAFT and not Notification.objects.exists()
    client = client_for(w.vet_officer)
    response = client.patch(f"{API}{alert.pk}", {"instruction": "Vaccinate livestock in the district."},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["instruction"].startswith("Vaccinate")
    approval = ShareApproval.objects.get(object_id=alert.pk)
    with audit_actor(second, source="ui"):
        sharing.shared_item_approve(user=second, approval=approval)
    alert.refresh_from_db()
    assert alert.status == Status.PUBLISHED
    response = client.post(f"{API}{alert.pk}/notify")
    assert response.status_code == 200 and response.json()["notified"] == 4  # the second editor too
    assert client.post(f"{API}{alert.pk}/notify").json()["notified"] == 0  # never twice
    assert client.patch(f"{API}{alert.pk}", {"headline": "Changed"}, content_type="application/json").status_code == 403
    assert client.get(reverse("surveillance:alert_edit", args=[alert.pk])).status_code == 403


# --- web pages and API ------------------------------------------------------------------------------------
def test_raising_from_the_signal_page_prefills_and_is_audited_as_ui(w):
    client = client_for(w.vet_officer)
    url = reverse("surveillance:alert_add")
    response = client.get(url, {"signal": w.animal_signal.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["disease"] == w.anthrax.pk and form.initial["admin_area"] == "Zhambyl"
    assert {value for value, _label in form.fields["tlp"].choices} == {"clear", "amber", "amber_strict"}
    data = {"signal": w.animal_signal.pk, "headline": "Anthrax in cattle, Zhambyl", "description": "Synthetic.",
            "instruction": "", "urgency": "Expected", "severity": "Severe", "certainty": "Likely", "tlp": "amber",
            "admin_area": "Zhambyl"}
    response = client.post(url, {**data, "tlp": "red"})
    assert response.status_code == 400 and not Alert.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    alert = Alert.objects.get()
    assert (alert.disease, alert.country, alert.severity) == (w.anthrax, w.kz, "Severe")
    entry = audit_entries_for(alert, AuditEntry.Action.CREATE).get()
    assert entry.source == "ui" and entry.actor_id == w.vet_officer.pk
    page = client.get(alert.get_absolute_url()).content.decode()
    assert reverse("surveillance:alert_cap", args=[alert.pk]) in page and "Human health" in page


def test_raising_through_the_api_is_audited_as_api_and_validated_by_field(w):
    client = client_for(w.officer)
    response = client.post(API, {"signal": w.cholera_signal.pk, "headline": "", "description": "x"},
                           content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"headline"}
    response = client.post(API, {"disease": w.cholera.pk, "headline": "Cholera", "description": "x"},
                           content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"country"}
    response = client.post(API, {"signal": w.cholera_signal.pk, "headline": "Cholera cases rising",
                                 "description": "Synthetic.", "tlp": "amber_strict"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sectors"] == ["human"] and body["tlp"] == "amber_strict" and body["status"] == "published"
    alert = Alert.objects.get(pk=body["id"])
    assert audit_entries_for(alert, AuditEntry.Action.CREATE).get().source == "api"
    assert client_for(None).post(API, {}, content_type="application/json").status_code == 401


def test_a_draft_is_deleted_and_a_published_alert_only_withdrawn(w, settings):
    settings.SHARING_FOUR_EYES = True
    draft = raise_from(w.cholera_signal, w.officer)
    assert draft.status == Status.DRAFT
    settings.SHARING_FOUR_EYES = False
    published = raise_from(w.human_signal, w.officer)
    client = client_for(w.officer)
    assert client.delete(f"{API}{published.pk}").status_code == 403
    response = client.post(f"{API}{published.pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client_for(w.team_kz).get(f"{API}{published.pk}").status_code == 404  # withdrawn from recipients
    assert client.delete(f"{API}{draft.pk}").status_code == 204
    assert not Alert.objects.filter(pk=draft.pk).exists()


def test_the_alert_list_query_count_does_not_grow_with_rows(w, django_assert_max_num_queries):
    raise_from(w.cholera_signal, w.officer)
    client = client_for(w.team_kz)
    url = reverse("surveillance:alert_list")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url, {"per_page": 200})
    with django_assert_max_num_queries(30) as few_api:
        client.get(API, {"limit": 200})
    for index in range(8):
        raise_from(w.cholera_signal, w.officer, headline=f"Cholera update {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"per_page": 200})
    assert len(response.context["rows"]) == 9
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        assert client.get(API, {"limit": 200}).json()["count"] == 9


# --- CAP 1.2 ---------------------------------------------------------------------------------------------
def test_the_cap_export_is_valid_cap_1_2_and_says_what_the_alert_says(w):
    alert = raise_from(w.animal_signal, w.vet_officer)
    response = client_for(w.vet_viewer).get(f"{API}{alert.pk}/cap")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
    assert cap.validate_cap(response.content) == []
    message = cap.parse_cap(response.content)
    assert message.status == "Actual" and message.msg_type == "Alert"
    assert message.scope == "Restricted" and "TLP:AMBER" in message.restriction
    assert message.identifier == f"urn:uuid:{alert.uid}"
    info = message.infos[0]
    assert info.categories == ["Health"] and info.event == "Anthrax"
    assert (info.urgency, info.severity, info.certainty) == ("Expected", "Moderate", "Likely")
    assert info.headline == alert.headline and info.event_codes == [("ICD-10", "A22")]
    assert info.areas[0].description == "Zhambyl, Kazakhstan"
    assert info.areas[0].geocodes == [("ISO 3166-1 alpha-2", "KZ")]
    assert info.web.endswith(alert.get_absolute_url())
    ui = client_for(w.vet_viewer).get(reverse("surveillance:alert_cap", args=[alert.pk]))
    assert ui.status_code == 200 and cap.validate_cap(ui.content) == []
    assert client_for(w.food_viewer).get(f"{API}{alert.pk}/cap").status_code == 404
    assert client_for(w.food_viewer).get(reverse("surveillance:alert_cap", args=[alert.pk])).status_code == 404


def test_an_exercise_is_exercise_a_clear_alert_public_and_a_withdrawn_one_a_cancel(w):
    alert = raise_from(w.cholera_signal, w.officer, tlp=TLP.CLEAR, exercise=True)
    message = cap.parse_cap(alert_cap(alert=alert))
    assert (message.status, message.scope, message.restriction) == ("Exercise", "Public", "")
    with audit_actor(w.officer, source="ui"):
        from cbrnet.surveillance.services.alerts import alert_withdraw

        alert_withdraw(user=w.officer, alert=alert)
    alert.refresh_from_db()
    xml = alert_cap(alert=alert)
    assert cap.validate_cap(xml) == []
    cancel = cap.parse_cap(xml)
    assert cancel.msg_type == "Cancel" and cancel.references[0].split(",")[1] == f"urn:uuid:{alert.uid}"
