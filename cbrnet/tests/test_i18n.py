"""Translations: the catalogues are complete where promised, compiled, keep their placeholders, and a
user's language is applied to the pages and remembered across sign-ins (docs/translations.md)."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cbrnet.accounts.services import user_language_set
from cbrnet.core.testing import PASSWORD, audit_entries_for, client_for

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ("fr", "ru", "ar")
PLURAL_FORMS = {"fr": 2, "ru": 3, "ar": 6}
# Python %-placeholders (named or not), str.format fields and template variables; "%%" is a literal.
PLACEHOLDER = re.compile(
    r"%%|%(?:\(\w+\))?[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\{\s*[\w.]+\s*\}\}|\{\w*\}"
)


# --- a tiny reader of .po files (enough for what makemessages writes; no new dependency) ---------


def parse_po(text: str) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr (str) or msgstr_plural ({n: str}), flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):  # obsolete entries are not compiled
            continue
        if line.startswith("#,"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr_plural"][field[1]] += value
            else:
                entry[field] += value
            continue
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            finish()
            entry = None
        entry = entry or {"flags": set()}
        value = ast.literal_eval(rest)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            field = ("msgstr_plural", int(match.group(1)))
            entry.setdefault("msgstr_plural", {})[field[1]] = value
        else:
            field = keyword
            entry[field] = value
    finish()
    return entries


def catalogue(language: str) -> list[dict]:
    return parse_po((LOCALE_DIR / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def messages_of(language: str) -> list[dict]:
    """The entries without the header."""
    return [entry for entry in catalogue(language) if entry["msgid"] != ""]


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [entry["msgstr_plural"][n] for n in sorted(entry["msgstr_plural"])]
    return [entry["msgstr"]]


def is_translated(entry: dict) -> bool:
    return "fuzzy" not in entry["flags"] and all(translations(entry))


def placeholders(text: str) -> list[str]:
    return sorted(found for found in PLACEHOLDER.findall(text) if found != "%%")


def placeholder_problems(entry: dict) -> list[str]:
    """Translations of `entry` that drop, add or rename a placeholder of its source text."""
    source = set(placeholders(entry["msgid"])) | set(placeholders(entry.get("msgid_plural", "")))
    return [
        f"{entry['msgid']!r}: {text!r} has {placeholders(text)}, expected {sorted(source)}"
        for text in translations(entry)
        if text and set(placeholders(text)) != source
    ]


def header(language: str) -> dict[str, str]:
    raw = next(entry for entry in catalogue(language) if entry["msgid"] == "")["msgstr"]
    return dict(line.split(": ", 1) for line in raw.splitlines() if ": " in line)


# --- the catalogues ------------------------------------------------------------------------------


def test_the_reader_sees_fuzzy_untranslated_plural_and_broken_entries():
    sample = "\n".join([
        'msgid ""', 'msgstr ""', '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"', "",
        "#, fuzzy, python-format", 'msgid "Hello %(name)s"', 'msgstr "Bonjour %(nom)s"', "",
        'msgid "Empty"', 'msgstr ""', "",
        'msgid "%(counter)s row"', 'msgid_plural "%(counter)s rows"', 'msgstr[0] "%(counter)s ligne"',
        'msgstr[1] ""', '"%(counter)s lignes"', "",
        '#~ msgid "Old"', '#~ msgstr "Vieux"',
    ])
    hello, empty, rows = parse_po(sample)[1:]
    assert "fuzzy" in hello["flags"] and not is_translated(hello)
    assert placeholder_problems(hello)  # %(nom)s renames %(name)s
    assert not is_translated(empty)
    assert translations(rows) == ["%(counter)s ligne", "%(counter)s lignes"] and is_translated(rows)
    assert not placeholder_problems(rows)
    assert len(parse_po(sample)) == 4  # the obsolete entry is skipped


def test_french_is_complete_with_no_untranslated_or_fuzzy_entry():
    entries = messages_of("fr")
    assert len(entries) > 400
    missing = [entry["msgid"] for entry in entries if not is_translated(entry)]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_declares_the_plural_forms_of_its_language(language):
    expected = PLURAL_FORMS[language]
    assert header(language)["Language"] == language
    assert header(language)["Plural-Forms"].startswith(f"nplurals={expected};")
    for entry in messages_of(language):
        if "msgid_plural" in entry:
            assert sorted(entry["msgstr_plural"]) == list(range(expected)), entry["msgid"]


@pytest.mark.parametrize("language", ("ru", "ar"))
def test_russian_and_arabic_cover_navigation_sign_in_actions_and_the_registry(language):
    done = {entry["msgid"] for entry in messages_of(language) if is_translated(entry)}
    required = {
        "Networks", "Regions", "Countries", "Organisations", "People", "Experts", "Projects", "Dashboard",
        "Sign in", "Sign out", "Username", "Password", "Two-factor authentication", "Verify",
        "Add %(verbose_name)s", "Edit", "Delete", "Save", "Cancel", "Search", "Filter", "Export", "Import",
        "%(counter)s record", "Previous", "Next", "Page %(number)s of %(total)s", "History",
        "National Focal Point", "Regional secretariat", "National team", "Partner country", "Member state",
        "Chemical", "Biological", "Radiological", "Nuclear", "given name", "family name", "organisation",
    }
    assert required - done == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_drops_or_renames_a_placeholder(language):
    compiled = [entry for entry in messages_of(language) if "fuzzy" not in entry["flags"]]  # msgfmt skips fuzzy
    problems = [problem for entry in compiled for problem in placeholder_problems(entry)]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_matches_its_po_file(language):
    expected = {}
    for entry in messages_of(language):
        if "fuzzy" in entry["flags"] or not any(translations(entry)):
            continue  # msgfmt leaves these out
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            expected.update({(key, n): text for n, text in entry["msgstr_plural"].items()})
        else:
            expected[key] = entry["msgstr"]
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        compiled_messages = dict(gettext.GNUTranslations(compiled)._catalog)
    compiled_messages.pop("", None)  # the header
    assert compiled_messages == expected, "run `make messages` (or `cbrnet compilemessages` in cbrnet/)"


# --- pages in the chosen language ----------------------------------------------------------------


def choose(client: Client, language: str):
    return client.post(reverse("set_language"), {"language": language, "next": reverse("core:home")})


@pytest.mark.django_db
def test_a_user_who_chooses_french_gets_the_dashboard_and_lists_in_french(world):
    client = client_for(world.viewer_my)
    assert choose(client, "fr").status_code == 302
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    for text in ("Tableau de bord", "Réseaux", "Personnes", "Se déconnecter", "Pays partenaires des réseaux"):
        assert text in page
    assert "Sign out" not in page and "Dashboard" not in page
    listing = client.get(reverse("registry:person_list")).content.decode()
    for text in ("<h1>Personnes</h1>", "Filtrer", "Effacer", "Nom de famille", "Prénom", "enregistrement"):
        assert text in listing
    assert "Family name" not in listing


@pytest.mark.django_db
def test_arabic_pages_are_right_to_left(world):
    client = client_for(world.viewer_my)
    choose(client, "ar")
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "لوحة المعلومات" in page and "الشبكات" in page


@pytest.mark.django_db
def test_a_user_who_chooses_russian_gets_russian_navigation(world):
    client = client_for(world.viewer_my)
    choose(client, "ru")
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="ru" dir="ltr">' in page
    for text in ("Сети", "Регионы", "Страны", "Организации", "Эксперты", "Проекты", "Выйти"):
        assert f">{text}<" in page


# --- the choice is remembered per user -----------------------------------------------------------


@pytest.mark.django_db
def test_switching_language_stores_it_for_the_user_in_the_audit_trail(world):
    user = world.viewer_my
    choose(client_for(user), "fr")
    user.refresh_from_db()
    assert user.language == "fr"
    entry = audit_entries_for(user, "update").first()
    assert entry.actor_id == user.pk and entry.after["language"] == "fr"


@pytest.mark.django_db
def test_the_stored_language_is_switched_on_at_the_next_sign_in(world, settings):
    settings.REQUIRE_2FA = False
    user_language_set(user=world.viewer_my, language="ru")
    client = Client()  # a new browser: no language cookie
    response = client.post(reverse("accounts:login"), {"username": "viewer-my", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert ">Выйти<" in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_signing_in_without_a_stored_language_keeps_the_browser_choice(world, settings):
    settings.REQUIRE_2FA = False
    client = Client()
    choose(client, "ar")  # chosen on the sign-in page, before signing in: not stored
    response = client.post(reverse("accounts:login"), {"username": "viewer-my", "password": PASSWORD})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert 'dir="rtl"' in client.get(reverse("core:home")).content.decode()
    world.viewer_my.refresh_from_db()
    assert world.viewer_my.language == ""


@pytest.mark.django_db
def test_an_unknown_language_is_neither_applied_nor_stored(world):
    client = client_for(world.viewer_my)
    response = choose(client, "xx")
    assert response.status_code == 302
    world.viewer_my.refresh_from_db()
    assert world.viewer_my.language == ""
    assert '<html lang="en"' in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_a_session_waiting_for_its_second_factor_stores_nothing(world, settings):
    settings.REQUIRE_2FA = True  # NFPs must verify a TOTP device; force_login does not verify one
    choose(client_for(world.nfp_kz), "fr")
    world.nfp_kz.refresh_from_db()
    assert world.nfp_kz.language == ""


@pytest.mark.django_db
def test_user_language_set_refuses_a_language_that_is_not_offered(world):
    with pytest.raises(ValidationError) as error:
        user_language_set(user=world.viewer_my, language="de")
    assert "language" in error.value.message_dict
    world.viewer_my.refresh_from_db()
    assert world.viewer_my.language == ""
