"""The triage inbox: who may verify, discard and reopen a signal (change on its dataset), through the
services, the web pages and the API; every triage is audited; signals are neither added nor deleted
by hand; the inbox filters and keeps its query count."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import GrantScope
from cbrnet.surveillance.choices import Method, Sector, SignalStatus
from cbrnet.surveillance.models import Signal
from cbrnet.surveillance.services.triage import signal_discard, signal_reopen, signal_verify
from cbrnet.surveillance.tests.triage_world import build_triage_world, make_dataset, make_series, monday

pytestmark = pytest.mark.django_db
API = "/api/surveillance/signals/"


def make_signal(series, index, *, status=SignalStatus.NEW, count=30, threshold=9.5, method=Method.EARS_C1):
    with audit_actor(None, source="task"):
        return Signal.objects.create(series=series, week=monday(index), method=method, count=count,
                                     threshold=threshold, status=status,
                                     reason="" if status == SignalStatus.NEW else "Earlier triage")


@pytest.fixture
def w():
    w = build_triage_world()
    w.series = make_series(w.human_dataset, w.anthrax, admin_area="Almaty")
    w.signal = make_signal(w.series, 100)
    # The human-health dataset is shared (AMBER) with the veterinary committee: it reads, never changes.
    with audit_actor(w.officer, source="ui"):
        sharing.shared_item_grant_add(user=w.officer, item=w.human_dataset, scope=GrantScope.ORGANISATION,
                                      target=w.kz_vet)
        sharing.shared_item_publish(user=w.officer, item=w.human_dataset)
    return w


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


# --- services ---------------------------------------------------------------------------------------
def test_the_owner_side_editor_verifies_discards_and_reopens_and_each_step_is_audited(w):
    with audit_actor(w.officer, source="ui"):
        signal = signal_verify(user=w.officer, signal=w.signal, reason="Laboratory confirmed")
        assert (signal.status, signal.reason, signal.triaged_by) == (SignalStatus.VERIFIED, "Laboratory confirmed", w.officer)
        signal = signal_reopen(user=w.officer, signal=signal)
        assert (signal.status, signal.reason, signal.triaged_by, signal.triaged_at) == (SignalStatus.NEW, "", None, None)
        signal = signal_discard(user=w.officer, signal=signal, reason="Duplicate reports from one clinic")
    assert signal.status == SignalStatus.DISCARDED and signal.triaged_at is not None
    entries = list(audit_entries_for(signal, AuditEntry.Action.UPDATE).order_by("pk"))
    assert [entry.after["status"] for entry in entries] == ["verified", "new", "discarded"]
    assert {(entry.actor_id, entry.source) for entry in entries} == {(w.officer.pk, "ui")}


def test_discarding_needs_a_reason_and_nothing_is_written_without_one(w):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            signal_discard(user=w.officer, signal=w.signal, reason=reason)
        assert "reason" in error.value.message_dict
    w.signal.refresh_from_db()
    assert w.signal.status == SignalStatus.NEW and not audit_entries_for(w.signal, AuditEntry.Action.UPDATE).exists()


def test_a_reader_of_the_shared_dataset_may_not_triage(w):
    for run in (
        lambda: signal_verify(user=w.vet_officer, signal=w.signal),
        lambda: signal_discard(user=w.vet_officer, signal=w.signal, reason="Not ours"),
    ):
        with pytest.raises(PermissionDenied):
            run()
    w.signal.refresh_from_db()
    assert w.signal.status == SignalStatus.NEW


def test_a_transition_to_the_same_status_is_refused_by_field(w):
    with pytest.raises(ValidationError) as error:
        signal_reopen(user=w.officer, signal=w.signal)
    assert "status" in error.value.message_dict


# --- web pages --------------------------------------------------------------------------------------
def test_the_inbox_shows_signals_to_triage_by_default_and_filters(w):
    other_series = make_series(w.animal_dataset, w.fmd)
    verified = make_signal(w.series, 90, status=SignalStatus.VERIFIED)
    cusum = make_signal(w.series, 95, method=Method.CUSUM)
    animal = make_signal(other_series, 100)
    client = client_for(w.officer)
    url = reverse("surveillance:signal_list")

    page = client.get(url).content.decode()
    assert w.signal.get_absolute_url() in page and cusum.get_absolute_url() in page
    assert verified.get_absolute_url() not in page
    assert animal.get_absolute_url() not in page  # the vet committee's draft dataset: invisible

    def shown(**query):
        content = client.get(url, query).content.decode()
        return {signal.pk for signal in (w.signal, verified, cusum) if signal.get_absolute_url() in content}

    assert shown(status="") == {w.signal.pk, verified.pk, cusum.pk}
    assert shown(status="verified") == {verified.pk}
    assert shown(method=Method.CUSUM) == {cusum.pk}
    assert shown(status="", week_after=monday(95).isoformat()) == {w.signal.pk, cusum.pk}
    assert shown(country=w.kz.pk, disease=w.anthrax.pk, sector=Sector.HUMAN) == {w.signal.pk, cusum.pk}
    assert shown(sector=Sector.ANIMAL) == set()
    assert shown(country=w.uz.pk) == set()
    assert b"Add signal" not in client.get(url).content


def test_the_signal_page_shows_counts_around_the_week_the_threshold_and_the_actions(w):
    from cbrnet.surveillance.models import WeeklyCount

    with audit_actor(None, source="import"):
        for index, count in ((97, 3), (98, 4), (100, 30), (101, 6)):
            WeeklyCount.objects.create(series=w.series, week=monday(index), count=count)
    response = client_for(w.officer).get(w.signal.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("surveillance:series_chart", args=[w.series.pk]) in page
    assert "9.50" in page  # the threshold
    weeks = [row["week"] for row in response.context["weeks"]]
    assert weeks[0] == monday(92) and weeks[-1] == monday(104) and len(weeks) == 13
    counts = {row["week"]: row["count"] for row in response.context["weeks"]}
    assert counts[monday(100)] == 30 and counts[monday(99)] is None
    for name in ("signal_verify", "signal_discard"):
        assert reverse(f"surveillance:{name}", args=[w.signal.pk]) in page
    assert reverse("surveillance:signal_reopen", args=[w.signal.pk]) not in page
    assert f"{reverse('surveillance:alert_add')}?signal={w.signal.pk}" in page
    assert reverse("surveillance:signal_delete", args=[w.signal.pk]) not in page

    reader = client_for(w.vet_officer).get(w.signal.get_absolute_url()).content.decode()
    assert reverse("surveillance:signal_verify", args=[w.signal.pk]) not in reader


def test_triage_through_the_pages_is_audited_as_ui(w):
    client = client_for(w.officer)
    response = client.post(reverse("surveillance:signal_discard", args=[w.signal.pk]), {"reason": ""})
    assert response.status_code == 302
    w.signal.refresh_from_db()
    assert w.signal.status == SignalStatus.NEW  # refused: the reason is missing
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("Reason" in message for message in messages), messages

    client.post(reverse("surveillance:signal_discard", args=[w.signal.pk]), {"reason": "Reporting artefact"})
    w.signal.refresh_from_db()
    assert (w.signal.status, w.signal.reason) == (SignalStatus.DISCARDED, "Reporting artefact")
    client.post(reverse("surveillance:signal_reopen", args=[w.signal.pk]))
    client.post(reverse("surveillance:signal_verify", args=[w.signal.pk]), {"reason": ""})
    response = client.post(reverse("surveillance:signal_edit", args=[w.signal.pk]),
                           {"status": "discarded", "reason": "Known cluster"})
    assert response.status_code == 302
    w.signal.refresh_from_db()
    assert (w.signal.status, w.signal.reason) == (SignalStatus.DISCARDED, "Known cluster")
    entries = audit_entries_for(w.signal, AuditEntry.Action.UPDATE).order_by("pk")
    assert [entry.after.get("status") for entry in entries] == ["discarded", "new", "verified", "discarded"]
    assert {(entry.actor_id, entry.source) for entry in entries} == {(w.officer.pk, "ui")}


@pytest.mark.parametrize("name", ["signal_verify", "signal_discard", "signal_reopen", "signal_edit"])
def test_pages_answer_404_to_another_country_and_403_to_a_reader(w, name):
    url = reverse(f"surveillance:{name}", args=[w.signal.pk])
    data = {"reason": "x", "status": "verified"}
    assert client_for(w.nfp_uz).post(url, data).status_code == 404
    assert client_for(w.vet_officer).post(url, data).status_code == 403
    w.signal.refresh_from_db()
    assert w.signal.status == SignalStatus.NEW


def test_signals_are_not_added_or_deleted_by_hand(w):
    client = client_for(w.officer)
    response = client.get(reverse("surveillance:signal_add"))
    assert response.status_code == 403
    assert client.post(reverse("surveillance:signal_add"), {"status": "new"}).status_code == 403
    assert client.get(reverse("surveillance:signal_delete", args=[w.signal.pk])).status_code == 403
    assert client.post(reverse("surveillance:signal_delete", args=[w.signal.pk])).status_code == 403
    assert client_for(w.nfp_uz).get(reverse("surveillance:signal_delete", args=[w.signal.pk])).status_code == 404
    assert Signal.objects.filter(pk=w.signal.pk).exists()


def test_the_inbox_query_count_does_not_grow_with_rows(w, django_assert_max_num_queries):
    client = client_for(w.officer)
    url = reverse("surveillance:signal_list")
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url, {"per_page": 200})
    for index in range(30):
        make_signal(make_series(w.human_dataset, w.cholera, admin_area=f"Region {index}"), 100 + index % 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"per_page": 200})
    assert len(response.context["rows"]) == 31
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API, {"limit": 200}).json()["count"] == 31


# --- API ----------------------------------------------------------------------------------------------
def test_the_api_lists_reads_and_exports_what_the_user_may_see(w):
    client = client_for(w.officer)
    body = client.get(API).json()
    assert [row["id"] for row in body["results"]] == [w.signal.pk]
    row = body["results"][0]
    assert row["country_iso2"] == "KZ" and row["disease_name"] == "Anthrax" and row["week"] == monday(100).isoformat()
    assert client.get(f"{API}{w.signal.pk}").json()["threshold"] == 9.5
    assert client_for(w.vet_officer).get(f"{API}{w.signal.pk}").status_code == 200
    assert client_for(w.nfp_uz).get(f"{API}{w.signal.pk}").status_code == 404
    assert client_for(w.nfp_uz).get(API).json()["count"] == 0
    export = client.get(f"{API}export", {"format": "csv"})
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if export.streaming else export.content
    rows = content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("id,week") and rows[1].startswith(f"{w.signal.pk},")
    assert client.get(API, {"status": "bogus"}).status_code == 422


def test_triage_through_the_api_is_audited_as_api(w):
    client = client_for(w.officer)
    response = post(client, f"{API}{w.signal.pk}/verify", {"reason": "Lab confirmed"})
    assert response.status_code == 200 and response.json()["status"] == "verified"
    response = post(client, f"{API}{w.signal.pk}/discard", {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = client.patch(f"{API}{w.signal.pk}", {"status": "discarded"}, content_type="application/json")
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"reason"}
    response = client.patch(f"{API}{w.signal.pk}", {"status": "discarded", "reason": "Artefact"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["reason"] == "Artefact"
    response = client.put(f"{API}{w.signal.pk}", {}, content_type="application/json")
    assert response.status_code == 422 and "status" in {e["field"] for e in response.json()["errors"]}
    response = client.put(f"{API}{w.signal.pk}", {"status": "new"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "new"
    entries = audit_entries_for(w.signal, AuditEntry.Action.UPDATE)
    assert entries.count() == 3 and set(entries.values_list("source", flat=True)) == {"api"}
    assert set(entries.values_list("actor_id", flat=True)) == {w.officer.pk}


def test_the_api_answers_404_to_another_country_and_403_to_a_reader(w):
    for user, status in ((w.nfp_uz, 404), (w.vet_officer, 403)):
        client = client_for(user)
        assert post(client, f"{API}{w.signal.pk}/verify").status_code == status
        assert post(client, f"{API}{w.signal.pk}/discard", {"reason": "x"}).status_code == status
        response = client.patch(f"{API}{w.signal.pk}", {"status": "verified"}, content_type="application/json")
        assert response.status_code == status
        assert response["Content-Type"] == "application/problem+json"
    w.signal.refresh_from_db()
    assert w.signal.status == SignalStatus.NEW


def test_the_api_refuses_to_create_or_delete_a_signal_with_the_reason(w):
    client = client_for(w.officer)
    response = post(client, API, {"status": "new"})
    assert response.status_code == 403 and "detection" in response.json()["detail"]
    response = client.delete(f"{API}{w.signal.pk}")
    assert response.status_code == 403 and "discard" in response.json()["detail"]
    assert client_for(w.nfp_uz).delete(f"{API}{w.signal.pk}").status_code == 404
    assert Signal.objects.count() == 1
    assert client_for(None).post(API, {}, content_type="application/json").status_code == 401


def test_a_signal_of_another_dataset_of_the_same_country_stays_with_its_owner(w):
    other = make_dataset(w, title="KZ animal diseases, shared nowhere", organisation=w.kz_vet,
                         author=w.vet_officer, sector=Sector.ANIMAL)
    signal = make_signal(make_series(other, w.fmd), 100)
    assert client_for(w.officer).get(signal.get_absolute_url()).status_code == 404
    assert client_for(w.vet_officer).get(signal.get_absolute_url()).status_code == 200
