"""The exhaustive sharing table of docs/access-control.md, read from the document and checked.

For every label × state × grant row the item is built through the services; every persona's answer
is then checked through the engine (view, export), and the same answers through the web list, the
detail page and API read (404 when invisible), the API list, search and the CSV exports (R12).
"""

import csv
import io
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client

from cbrnet import access
from cbrnet.core.search import search
from cbrnet.core.testing import client_for
from cbrnet.exchange.models import Bulletin
from cbrnet.sharing import services
from cbrnet.sharing.choices import TLP, Status
from cbrnet.sharing.tests.helpers import COUNTRY, NETWORK, ORGANISATION, REGION, USER, make_bulletin, tomorrow

DOC = Path(django_settings.BASE_DIR) / "docs" / "access-control.md"
LABELS = {
    "CLEAR": TLP.CLEAR,
    "GREEN": TLP.GREEN,
    "AMBER": TLP.AMBER,
    "AMBER+STRICT": TLP.AMBER_STRICT,
    "RED": TLP.RED,
}
STATES = ("published", "draft", "withdrawn", "embargoed")
GRANTS = (
    "none",
    "network ASEAN",
    "region SEA",
    "country TH",
    "org TH-FP",
    "org TH-FP {focal_point}",
    "org MY-FP",
    "person nfp-th",
)
PERSONAS = (
    "author",
    "owner_editor",
    "owner_viewer",
    "th_focal",
    "th_viewer",
    "my_client",
    "kz_focal",
    "jrc",
    "admin",
    "anonymous",
)


def read_table() -> dict[tuple[str, str, str], dict[str, bool] | str]:
    """(label, state, grant) -> {persona: allowed} or "invalid", from the Markdown table."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- sharing-matrix:start -->(.*?)<!-- sharing-matrix:end -->", text, re.S).group(1)
    lines = [line.strip() for line in block.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[:3] == ["TLP", "state", "grants"] and tuple(header[3:]) == PERSONAS, header
    table: dict = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        label, states, grants = LABELS[cells[0]], cells[1], cells[2]
        states = STATES if states == "any" else tuple(part.strip() for part in states.split(","))
        grants = GRANTS if grants == "any" else tuple(part.strip() for part in grants.split(","))
        if cells[3] == "invalid":
            answer = "invalid"
        else:
            assert set(cells[3:]) <= {"✓", "✗"}, line
            answer = {persona: cell == "✓" for persona, cell in zip(PERSONAS, cells[3:], strict=True)}
        for state, grant in itertools.product(states, grants):
            assert state in STATES and grant in GRANTS, (state, grant)
            key = (label, state, grant)
            assert key not in table, f"the table lists {key} twice"
            table[key] = answer
    return table


TABLE = read_table()


def test_the_table_covers_every_label_state_and_grant_exactly_once():
    expected = set(itertools.product(LABELS.values(), STATES, GRANTS))
    assert set(TABLE) == expected, sorted(expected ^ set(TABLE))


def _grant(w, name):
    return {
        "network ASEAN": (NETWORK, w.asean),
        "region SEA": (REGION, w.sea),
        "country TH": (COUNTRY, w.th),
        "org TH-FP": (ORGANISATION, w.th_fp),
        "org TH-FP {focal_point}": (ORGANISATION, w.th_fp, ["focal_point"]),
        "org MY-FP": (ORGANISATION, w.my_fp),
        "person nfp-th": (USER, w.nfp_th),
    }[name]


def _personas(w, p):
    return {
        "author": p.ph_author,
        "owner_editor": w.nfp_ph,
        "owner_viewer": p.ph_viewer,
        "th_focal": w.nfp_th,
        "th_viewer": p.th_viewer,
        "my_client": w.viewer_my,
        "kz_focal": w.nfp_kz,
        "jrc": w.jrc_user,
        "admin": w.admin,
        "anonymous": None,
    }


def build_rows(w, p, label):
    """Build every valid row of one label; check that the invalid ones are refused. -> {pk: (key, answer)}"""
    items = {}
    for (row_label, state, grant), answer in TABLE.items():
        if row_label != label:
            continue
        key = (label, state, grant)
        red = label == TLP.RED
        publisher = p.ph_author if red else w.nfp_ph  # RED drafts are the author's alone (R2)
        if answer == "invalid":
            draft = make_bulletin(
                author=p.ph_author,
                tlp=label,
                networks=[w.asean],
                status=Status.DRAFT,
                title=f"matrixitem invalid {state} {grant}",
            )
            with pytest.raises(ValidationError) as error:
                scope, target, *roles = _grant(w, grant)
                services.shared_item_grant_add(
                    user=publisher, item=draft, scope=scope, target=target, roles=roles[0] if roles else ()
                )
            assert "scope" in error.value.message_dict
            draft.delete()
            continue
        item = make_bulletin(
            author=p.ph_author,
            publisher=publisher,
            tlp=label,
            networks=[w.asean],
            grants=[] if grant == "none" else [_grant(w, grant)],
            status=Status.PUBLISHED if state == "embargoed" else state,
            embargo_until=tomorrow() if state == "embargoed" else None,
            title=f"matrixitem {label} {state} {grant}",
        )
        items[item.pk] = (key, answer)
    return items


def _expected(items, persona, action="view"):
    return {
        pk
        for pk, (key, answer) in items.items()
        if answer[persona] and not (action == "export" and key[0] == TLP.RED)
    }


@pytest.fixture
def portal(settings):
    settings.PUBLIC_PORTAL = True


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(LABELS.values()))
def test_view_and_export_follow_the_table(world, people, portal, label):
    items = build_rows(world, people, label)
    assert items, "no row built"
    for persona, user in _personas(world, people).items():
        for action in ("view", "export"):
            seen = set(
                access.restrict(Bulletin.objects.filter(pk__in=items), user, action).values_list(
                    "pk", flat=True
                )
            )
            expected = _expected(items, persona, action)
            wrong = {items[pk][0] for pk in seen ^ expected}
            assert not wrong, f"{persona} / {action}: differs from the table for {sorted(wrong)}"


def _csv_titles(response) -> set[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return {row[0] for row in rows[1:]}


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(LABELS.values()))
def test_every_channel_gives_the_same_answer(world, people, portal, label):
    items = build_rows(world, people, label)
    titles = {pk: Bulletin.objects.get(pk=pk).title for pk in items}
    for persona, user in _personas(world, people).items():
        client = client_for(user) if user is not None else Client()
        expected = _expected(items, persona)
        exported = {titles[pk] for pk in _expected(items, persona, "export")}
        where = f"{persona} ({label})"
        page = client.get("/exchange/bulletins/", {"per_page": 200, "q": "matrixitem"})
        assert page.status_code == 200, where
        html = page.content.decode()
        assert {pk for pk in items if f'href="/exchange/bulletins/{pk}/"' in html} == expected, (
            f"list: {where}"
        )
        listing = client.get("/api/exchange/bulletins/", {"limit": 500, "q": "matrixitem"})
        assert listing.status_code == 200, where
        assert {row["id"] for row in listing.json()["results"]} == expected, f"API list: {where}"
        assert listing.json()["count"] == len(expected), f"API count: {where}"
        assert (
            _csv_titles(client.get("/exchange/bulletins/", {"q": "matrixitem", "export": "csv"})) == exported
        ), f"CSV export: {where}"
        assert _csv_titles(client.get("/api/exchange/bulletins/export", {"q": "matrixitem"})) == exported, (
            f"API export: {where}"
        )
        if user is not None:
            groups = search(user=user, text="matrixitem", per_model=100)
            hits = {hit.pk for group in groups if group["model"] is Bulletin for hit in group["hits"]}
            assert hits == expected, f"search: {where}"
            assert client.get("/search/", {"q": "matrixitem"}).status_code == 200
    # Detail pages and API reads: per item, one persona who may read it and one who may not (the
    # lists above already compare every persona with every item through the same predicate).
    personas = _personas(world, people)
    for pk, (key, answer) in items.items():
        # The persona nearest the boundary on each side: PERSONAS runs from the owner side outwards.
        allowed = [name for name in PERSONAS if answer[name]][-1]
        denied = next((name for name in PERSONAS if not answer[name]), None)
        for name, status in ((allowed, 200), (denied, 404)):
            if name is None:
                continue
            client = client_for(personas[name]) if personas[name] is not None else Client()
            assert client.get(f"/exchange/bulletins/{pk}/").status_code == status, f"detail {key}: {name}"
            assert client.get(f"/api/exchange/bulletins/{pk}").status_code == status, (
                f"API read {key}: {name}"
            )


@pytest.mark.django_db
def test_without_a_public_portal_anonymous_visitors_see_nothing(world, people, settings):
    settings.PUBLIC_PORTAL = False
    item = make_bulletin(author=world.nfp_ph, tlp=TLP.CLEAR)
    assert not access.restrict(Bulletin.objects.all(), None, "view").exists()
    assert Client().get(item.get_absolute_url()).status_code == 302  # to the sign-in page
    assert Client().get(f"/api/exchange/bulletins/{item.pk}").status_code == 401


@pytest.mark.django_db
def test_owner_side_actions(world, people):
    """change: author and owner editors (RED: author only); delete: the same, drafts and withdrawn only."""
    personas = _personas(world, people)
    for label in LABELS.values():
        draft = make_bulletin(author=people.ph_author, tlp=label, networks=[world.asean], status=Status.DRAFT)
        published = make_bulletin(
            author=people.ph_author,
            publisher=people.ph_author if label == TLP.RED else world.nfp_ph,
            tlp=label,
            networks=[world.asean],
        )
        owners = {"author"} if label == TLP.RED else {"author", "owner_editor"}
        for persona, user in personas.items():
            assert access.can(user, "change", draft) is (persona in owners), (label, persona)
            assert access.can(user, "change", published) is (persona in owners), (label, persona)
            assert access.can(user, "delete", draft) is (persona in owners), (label, persona)
            assert access.can(user, "delete", published) is False, (label, persona)
