"""Linking a signal to an incident: an analyst who may change the signal links it to an incident they
may see, or unlinks it (service, signal page, edit form, API), audited; an incident they may not see
is refused exactly like an id that does not exist, with nothing written. The link is shown only to
those who may see the incident (signal page, history, API, list filter); the incident page lists the
linked signals its reader may see; the signal list keeps its query count."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.incidents.models import Incident
from cbrnet.incidents.tests.helpers import make_incident
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP, GrantScope
from cbrnet.sharing.tests.helpers import make_user
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.models import Signal
from cbrnet.surveillance.services.triage import signal_link, signal_triage, signal_verify
from cbrnet.surveillance.tests.test_triage_signals import make_signal
from cbrnet.surveillance.tests.triage_world import build_triage_world, make_series

pytestmark = pytest.mark.django_db
API = "/api/surveillance/signals/"
NO_SUCH_ID = 987654


@pytest.fixture
def w():
    """The officer (an editor of the dataset's owner) sees the GREEN incident of the network; the
    analyst, a colleague, also sees an AMBER incident granted to them alone; nobody of the ministry
    sees Uzbekistan's AMBER incident. The veterinary officer reads the dataset (shared) but sees no
    incident."""
    w = build_triage_world()
    w.analyst = make_user("kz-analyst", w.kz_ministry, "editor")
    w.series = make_series(w.human_dataset, w.anthrax, admin_area="Almaty")
    w.signal = make_signal(w.series, 100)
    w.other_signal = make_signal(w.series, 101)
    with audit_actor(w.officer, source="ui"):
        sharing.shared_item_grant_add(
            user=w.officer, item=w.human_dataset, scope=GrantScope.ORGANISATION, target=w.kz_vet
        )
        sharing.shared_item_publish(user=w.officer, item=w.human_dataset)
    w.green = make_incident(w.nfp_kz, w.kz, networks=[w.coe], title="Anthrax cluster in Almaty")
    w.granted = make_incident(
        w.nfp_kz,
        w.kz,
        tlp=TLP.AMBER,
        title="Suspected release at a laboratory",
        grants=[(GrantScope.USER, w.analyst)],
    )
    w.foreign = make_incident(w.nfp_uz, w.uz, tlp=TLP.AMBER, title="Tashkent poisoning")
    return w


def stored(signal) -> Signal:
    return Signal.objects.get(pk=signal.pk)


def updates(signal):
    return audit_entries_for(signal, AuditEntry.Action.UPDATE)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_personas_see_the_incidents_the_fixture_says(w):
    def seen(user):
        return set(Incident.objects.restrict(user, "view").values_list("pk", flat=True))

    assert seen(w.officer) == {w.green.pk}
    assert seen(w.analyst) == {w.green.pk, w.granted.pk}
    assert seen(w.vet_officer) == set()


# --- service -----------------------------------------------------------------------------------------
def test_an_editor_of_the_dataset_links_and_unlinks_and_each_change_is_audited(w):
    with audit_actor(w.officer, source="ui"):
        signal = signal_link(user=w.officer, signal=w.signal, incident=w.green)
        assert stored(signal).incident_id == w.green.pk
        signal_link(user=w.officer, signal=signal, incident=w.green)  # the same link: nothing to record
        signal_link(user=w.officer, signal=signal, incident=None)
    assert stored(signal).incident_id is None
    entries = list(updates(signal).order_by("pk"))
    assert [(entry.before, entry.after) for entry in entries] == [
        ({"incident_id": None}, {"incident_id": w.green.pk}),
        ({"incident_id": w.green.pk}, {"incident_id": None}),
    ]
    assert {(entry.actor_id, entry.source) for entry in entries} == {(w.officer.pk, "ui")}
    assert (
        stored(signal).status == SignalStatus.NEW and stored(signal).triaged_by is None
    )  # linking is not triage


def test_an_incident_the_analyst_may_not_see_is_refused_like_one_that_does_not_exist(w):
    messages = []
    for incident in (w.foreign, w.granted, Incident(pk=NO_SUCH_ID)):
        with pytest.raises(ValidationError) as error:
            signal_link(user=w.officer, signal=w.signal, incident=incident)
        assert list(error.value.message_dict) == ["incident"]
        messages.append(error.value.message_dict["incident"])
    assert messages[0] == messages[1] == messages[2]
    assert stored(w.signal).incident_id is None and not updates(w.signal).exists()


def test_a_reader_of_the_shared_dataset_may_not_link(w):
    with pytest.raises(PermissionDenied):
        signal_link(user=w.vet_officer, signal=w.signal, incident=w.green)
    with pytest.raises(PermissionDenied):
        signal_link(user=w.vet_officer, signal=w.signal, incident=None)
    assert stored(w.signal).incident_id is None and not updates(w.signal).exists()


def test_triage_and_link_in_one_call_write_both_or_nothing(w):
    with audit_actor(w.officer, source="api"):
        signal = signal_triage(
            user=w.officer, signal=w.signal, status="verified", reason="Lab", incident=w.green
        )
    assert (signal.status, signal.reason, stored(signal).incident_id) == ("verified", "Lab", w.green.pk)
    with pytest.raises(ValidationError) as error:  # discarding needs a reason: the unlink is rolled back
        signal_triage(user=w.officer, signal=stored(w.signal), status="discarded", reason="", incident=None)
    assert "reason" in error.value.message_dict
    assert (stored(w.signal).status, stored(w.signal).incident_id) == ("verified", w.green.pk)
    triaged_at = stored(w.signal).triaged_at
    signal_triage(user=w.officer, signal=stored(w.signal), status="verified", reason="Lab", incident=None)
    assert stored(w.signal).incident_id is None and stored(w.signal).triaged_at == triaged_at  # only the link


def test_an_incident_the_analyst_may_not_see_stays_linked_unless_they_link_another(w):
    signal_link(user=w.analyst, signal=w.signal, incident=w.granted)
    # To the officer the signal looks unlinked: "no incident" (the page, a PUT without it) changes nothing.
    signal_link(user=w.officer, signal=stored(w.signal), incident=None)
    signal_verify(user=w.officer, signal=stored(w.signal))
    signal_triage(user=w.officer, signal=stored(w.signal), status="verified", reason="", incident=None)
    assert stored(w.signal).incident_id == w.granted.pk
    # Linking to an incident they see replaces it (they cannot know of the other).
    signal_link(user=w.officer, signal=stored(w.signal), incident=w.green)
    assert stored(w.signal).incident_id == w.green.pk


def test_deleting_the_incident_unlinks_its_signals(w):
    signal_link(user=w.officer, signal=w.signal, incident=w.green)
    with audit_actor(None, source="command"):
        w.green.delete()
    assert Signal.objects.filter(pk=w.signal.pk, incident__isnull=True).exists()


# --- web pages ---------------------------------------------------------------------------------------
def test_the_signal_page_links_unlinks_and_shows_the_incident(w):
    client = client_for(w.officer)
    page = client.get(w.signal.get_absolute_url()).content.decode()
    assert reverse("surveillance:signal_link", args=[w.signal.pk]) in page
    assert "Linking a signal to an incident comes with" not in page
    assert w.green.title in page and w.foreign.title not in page  # the choices: incidents they may see

    url = reverse("surveillance:signal_link", args=[w.signal.pk])
    response = client.post(url, {"incident": w.green.pk})
    assert response.status_code == 302 and stored(w.signal).incident_id == w.green.pk
    page = client.get(w.signal.get_absolute_url()).content.decode()
    assert f'href="{w.green.get_absolute_url()}"' in page and "Unlink from the incident" in page

    client.post(url, {"incident": ""})
    assert stored(w.signal).incident_id is None
    entries = updates(w.signal)
    assert entries.count() == 2 and set(entries.values_list("source", flat=True)) == {"ui"}


def test_the_signal_page_refuses_an_incident_it_may_not_see_as_if_it_did_not_exist(w):
    url = reverse("surveillance:signal_link", args=[w.signal.pk])
    said = []
    for incident_id in (w.foreign.pk, NO_SUCH_ID):
        response = client_for(w.officer).post(url, {"incident": incident_id})
        assert response.status_code == 302
        said.append([str(message) for message in response.wsgi_request._messages])
    assert said[0] == said[1] and "Incident" in said[0][0]
    assert stored(w.signal).incident_id is None and not updates(w.signal).exists()


def test_the_link_page_answers_404_to_another_country_and_403_to_a_reader(w):
    url = reverse("surveillance:signal_link", args=[w.signal.pk])
    assert client_for(w.nfp_uz).post(url, {"incident": w.green.pk}).status_code == 404
    assert client_for(w.vet_officer).post(url, {"incident": w.green.pk}).status_code == 403
    assert client_for(w.vet_officer).post(url, {"incident": ""}).status_code == 403
    assert stored(w.signal).incident_id is None and not updates(w.signal).exists()


def test_the_edit_form_links_with_the_triage(w):
    client = client_for(w.officer)
    url = reverse("surveillance:signal_edit", args=[w.signal.pk])
    assert w.green.title in client.get(url).content.decode()
    response = client.post(url, {"status": "verified", "reason": "Lab", "incident": w.foreign.pk})
    assert response.status_code == 400 and "incident" in response.context["form"].errors
    assert stored(w.signal).status == SignalStatus.NEW and stored(w.signal).incident_id is None
    response = client.post(url, {"status": "verified", "reason": "Lab", "incident": w.green.pk})
    assert response.status_code == 302
    assert (stored(w.signal).status, stored(w.signal).incident_id) == ("verified", w.green.pk)


def test_who_may_not_see_the_incident_sees_no_link_page_or_history(w):
    signal_link(user=w.analyst, signal=w.signal, incident=w.granted)
    assert w.granted.title in client_for(w.analyst).get(w.signal.get_absolute_url()).content.decode()

    for user in (w.officer, w.vet_officer):
        response = client_for(user).get(w.signal.get_absolute_url())
        page = response.content.decode()
        assert w.granted.title not in page and w.granted.get_absolute_url() not in page
        assert response.context["incident"] is None
        links = [
            (before, after)
            for entry in response.context["history"]
            for key, before, after in entry.rows
            if key == "incident_id"
        ]
        assert links == [("", None)]  # the creation (no incident yet); the analyst's link is left out
    # The officer's edit form shows no incident chosen; saving it keeps the link.
    client = client_for(w.officer)
    url = reverse("surveillance:signal_edit", args=[w.signal.pk])
    assert client.get(url).context["form"].initial["incident"] is None
    assert client.post(url, {"status": "verified", "reason": "", "incident": ""}).status_code == 302
    assert (stored(w.signal).status, stored(w.signal).incident_id) == ("verified", w.granted.pk)
    # Nor does the reader of the shared dataset see the link to an incident they may not see.
    signal_link(user=w.officer, signal=w.other_signal, incident=w.green)
    page = client_for(w.vet_officer).get(w.other_signal.get_absolute_url()).content.decode()
    assert w.green.title not in page and "None that you may see." in page
    assert reverse("surveillance:signal_link", args=[w.other_signal.pk]) not in page  # nor the link form


def test_the_list_filters_by_incident(w):
    signal_link(user=w.officer, signal=w.signal, incident=w.green)
    signal_link(user=w.analyst, signal=w.other_signal, incident=w.granted)
    url = reverse("surveillance:signal_list")

    def shown(user, incident_id):
        page = client_for(user).get(url, {"incident": incident_id, "status": ""}).content.decode()
        return {signal.pk for signal in (w.signal, w.other_signal) if signal.get_absolute_url() in page}

    assert shown(w.officer, w.green.pk) == {w.signal.pk}
    assert shown(w.analyst, w.granted.pk) == {w.other_signal.pk}
    assert shown(w.officer, w.granted.pk) == set() == shown(w.officer, NO_SUCH_ID)
    assert shown(w.vet_officer, w.green.pk) == set()

    client = client_for(w.officer)
    assert [
        row["id"] for row in client.get(API, {"incident": w.green.pk, "status": ""}).json()["results"]
    ] == [w.signal.pk]
    hidden, missing = (client.get(API, {"incident": pk, "status": ""}) for pk in (w.granted.pk, NO_SUCH_ID))
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json() == missing.json() and hidden.json()["errors"][0]["field"] == "incident"


# --- API ---------------------------------------------------------------------------------------------
def test_the_api_gives_the_incident_to_those_who_may_see_it(w):
    signal_link(user=w.officer, signal=w.signal, incident=w.green)
    assert client_for(w.officer).get(f"{API}{w.signal.pk}").json()["incident"] == w.green.pk
    assert client_for(w.vet_officer).get(f"{API}{w.signal.pk}").json()["incident"] is None
    rows = client_for(w.officer).get(API).json()["results"]
    assert {row["id"]: row["incident"] for row in rows} == {w.signal.pk: w.green.pk, w.other_signal.pk: None}
    assert {row["incident"] for row in client_for(w.vet_officer).get(API).json()["results"]} == {None}


def test_the_api_links_and_unlinks_on_triage_and_audits_it(w):
    client = client_for(w.officer)
    url = f"{API}{w.signal.pk}"
    response = client.patch(url, {"incident": w.green.pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["incident"] == w.green.pk
    assert response.json()["status"] == "new"
    response = client.patch(url, {"status": "verified"}, content_type="application/json")  # the link stays
    assert response.status_code == 200 and response.json()["incident"] == w.green.pk
    response = client.patch(url, {"incident": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["incident"] is None
    response = client.put(
        url, {"status": "verified", "incident": w.green.pk}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["incident"] == w.green.pk
    response = client.put(url, {"status": "verified"}, content_type="application/json")  # a replacement
    assert response.status_code == 200 and response.json()["incident"] is None
    links = [
        entry.after["incident_id"]
        for entry in updates(w.signal).order_by("pk")
        if "incident_id" in entry.after
    ]
    assert links == [w.green.pk, None, w.green.pk, None]
    assert set(updates(w.signal).values_list("source", flat=True)) == {"api"}


def test_the_api_refuses_an_incident_it_may_not_see_as_if_it_did_not_exist(w):
    client = client_for(w.officer)
    url = f"{API}{w.signal.pk}"
    answers = [
        client.patch(url, {"incident": incident_id, "status": "verified"}, content_type="application/json")
        for incident_id in (w.foreign.pk, w.granted.pk, NO_SUCH_ID)
    ]
    assert {answer.status_code for answer in answers} == {422}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert [error["field"] for error in answers[0].json()["errors"]] == ["incident"]
    assert (stored(w.signal).status, stored(w.signal).incident_id) == (SignalStatus.NEW, None)
    assert not updates(w.signal).exists()


def test_the_api_answers_404_to_another_country_and_403_to_a_reader_on_linking(w):
    for user, status in ((w.nfp_uz, 404), (w.vet_officer, 403)):
        response = client_for(user).patch(
            f"{API}{w.signal.pk}", {"incident": w.green.pk}, content_type="application/json"
        )
        assert response.status_code == status
    assert stored(w.signal).incident_id is None


def test_the_api_keeps_a_link_its_user_may_not_see(w):
    signal_link(user=w.analyst, signal=w.signal, incident=w.granted)
    client = client_for(w.officer)
    url = f"{API}{w.signal.pk}"
    assert client.get(url).json()["incident"] is None
    assert client.patch(url, {"status": "verified"}, content_type="application/json").status_code == 200
    body = client.put(url, client.get(url).json() | {"reason": "Lab"}, content_type="application/json")
    assert body.status_code == 200 and body.json()["incident"] is None
    assert stored(w.signal).incident_id == w.granted.pk and stored(w.signal).reason == "Lab"


# --- the incident page -------------------------------------------------------------------------------
def test_the_incident_page_lists_the_linked_signals_its_reader_may_see(w):
    signal_link(user=w.officer, signal=w.signal, incident=w.green)
    animal = make_signal(make_series(w.animal_dataset, w.fmd), 100)  # the vet committee's draft dataset
    with audit_actor(None, source="command"):
        Signal.objects.filter(pk=animal.pk).update(incident=w.green)

    response = client_for(w.officer).get(w.green.get_absolute_url())
    assert response.status_code == 200
    assert [signal.pk for signal in response.context["linked_signals"]] == [w.signal.pk]
    page = response.content.decode()
    assert w.signal.get_absolute_url() in page and animal.get_absolute_url() not in page
    assert f"{reverse('surveillance:signal_list')}?incident={w.green.pk}" in page

    response = client_for(w.vet_officer).get(w.green.get_absolute_url())
    assert response.status_code == 404
    # Uzbekistan's focal point sees the incident, not the signals of Kazakhstan's datasets.
    response = client_for(w.nfp_uz).get(w.green.get_absolute_url())
    assert response.status_code == 200 and response.context["linked_signals"] == []
    assert w.signal.get_absolute_url() not in response.content.decode()


# --- query counts ------------------------------------------------------------------------------------
def test_linked_incidents_add_no_query_to_the_signal_list(w, django_assert_max_num_queries):
    client = client_for(w.officer)
    url = reverse("surveillance:signal_list")
    client.get(url)
    with django_assert_max_num_queries(25) as page:
        client.get(url, {"per_page": 200})
    with django_assert_max_num_queries(25) as api:
        client.get(API, {"limit": 200})
    for index in range(30):
        signal = make_signal(
            make_series(w.human_dataset, w.cholera, admin_area=f"Region {index}"), 100 + index % 5
        )
        signal_link(user=w.analyst, signal=signal, incident=w.green if index % 2 else w.granted)
    with django_assert_max_num_queries(len(page.captured_queries)):
        response = client.get(url, {"per_page": 200})
    assert len(response.context["rows"]) == 32
    with django_assert_max_num_queries(len(api.captured_queries)):
        rows = client.get(API, {"limit": 200}).json()["results"]
    assert len(rows) == 32 and {row["incident"] for row in rows} == {None, w.green.pk}
