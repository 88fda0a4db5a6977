"""Certificates as PDF: the name printed as written (Latin, Cyrillic, Arabic), the verification code and page.

No PDF reader is a dependency: the tests generate the PDF uncompressed and read its text back
through the fonts' ToUnicode maps, the way a PDF reader extracts text.
"""

import re

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.projects import services
from cbrnet.projects.certificates import (
    FONT_DIR,
    certificate_pdf,
    shape_arabic,
    verification_url,
    visual_order,
)
from cbrnet.projects.tests.test_crud import activity_of, participation_of, project_in

pytestmark = pytest.mark.django_db

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string starting after the "(" at `start`, and the position after its ")"."""
    out, depth, index = bytearray(), 1, start
    while index < len(data):
        char = data[index:index + 1]
        if char == b"\\":
            following = data[index + 1:index + 2]
            if following.isdigit():
                digits = re.match(rb"[0-7]{1,3}", data[index + 1:index + 4]).group()
                out.append(int(digits, 8))
                index += 1 + len(digits)
                continue
            out += _ESCAPES.get(following, following)
            index += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out += char
        index += 1
    raise ValueError("unterminated string")


def pdf_text(data: bytes) -> list[str]:
    """The text of every text-showing operation (Tj) of an uncompressed fpdf2 PDF, through ToUnicode."""
    objects = {int(number): body for number, body in re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", data, re.S)}
    cmaps = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects[int(number)]
        found = re.search(rb"/ToUnicode (\d+) 0 R", font)
        if not found:
            continue
        cmap = objects[int(found.group(1))]
        cmaps[name] = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                       for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)}
    lines, font = [], None
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(")
    for number in re.findall(rb"/Contents (\d+) 0 R", data):  # the pages' content streams only
        content = objects[int(number)]
        index = 0
        while (match := token.search(content, index)) is not None:
            if match.group(0) == b"(":
                raw, index = _literal(content, match.end())
                if content[index:index + 4].strip().startswith(b"Tj") and font in cmaps:
                    codes = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
                    lines.append("".join(cmaps[font].get(code, "?") for code in codes))
            else:
                font, index = match.group(1), match.end()
    return lines


@pytest.fixture
def issued(world):
    activity = activity_of(project_in(world, "P53", [world.ca], title="Biosafety legislation"), "Biosafety training",
                           city="Tashkent", country=world.uz)
    activity.organisers.set([world.ca_sec])
    participation = participation_of(activity, world.p_hidden_kz, attended="yes")
    return services.participation_certificate_issue(user=world.sec_ca, participation=participation)


def rename(person, given, family):
    with audit_actor(None, source="command"):
        person.given_name, person.family_name = given, family
        person.save()


def test_the_certificate_carries_the_name_the_activity_and_the_verification_code(world, issued):
    data = certificate_pdf(issued, compress=False)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Hidden Kazperson" in text
    assert "Biosafety training" in text
    assert any(issued.certificate_code in line for line in text)
    assert any(verification_url(issued.certificate_code) in line for line in text)
    assert any("Organised by CA secretariat" in line for line in text)
    assert b"/FontFile2" in data  # the font is embedded, not assumed on the reader's machine


def test_a_cyrillic_name_prints_as_written(world, issued):
    rename(world.p_hidden_kz, "Айгерим", "Нурланова")
    issued.refresh_from_db()
    assert "Айгерим Нурланова" in pdf_text(certificate_pdf(issued, compress=False))


def test_an_arabic_name_prints_shaped_and_right_to_left(world, issued):
    rename(world.p_hidden_kz, "ليلى", "العلي")
    issued.refresh_from_db()
    drawn = visual_order("ليلى العلي")
    assert drawn in pdf_text(certificate_pdf(issued, compress=False))
    # Read left to right: the family name first, each word's letters joined and reversed.
    assert drawn == "\ufef2\ufee0\ufecc\ufedf\ufe8d \ufef0\ufee0\ufef4\ufedf"
    from fontTools.ttLib import TTFont

    covered = TTFont(FONT_DIR / "DejaVuSans-Bold.ttf").getBestCmap()
    assert all(ord(char) in covered for char in drawn if char != " ")


@pytest.mark.parametrize(("text", "shaped"), [
    ("سلام", "\ufeb3\ufefc\ufee1"),  # initial seen, final lam-alef, isolated meem (alef does not join forward)
    ("لا", "\ufefb"),  # lam-alef ligature, isolated
    ("بلا", "\ufe91\ufefc"),  # lam-alef ligature, final
    ("د", "\ufea9"),
])
def test_arabic_letters_take_their_contextual_forms(text, shaped):
    assert shape_arabic(text) == shaped


def test_latin_and_cyrillic_text_is_left_as_it_is():
    assert visual_order("Jan Jrcstaff — Ян") == "Jan Jrcstaff — Ян"


def test_the_person_downloads_their_certificate_and_others_of_the_country_may_too(world, issued):
    from cbrnet.core.testing import _user

    with audit_actor(None, source="command"):
        own = _user("hidden-kz", world.p_hidden_kz)
    url = f"/projects/participants/{issued.pk}/certificate.pdf"
    for user, status in ((own, 200), (world.nfp_kz, 200), (world.sec_ca, 200), (world.nfp_uz, 404), (world.outsider, 404)):
        response = client_for(user).get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    api = client_for(own).get(f"/api/projects/participations/{issued.pk}/certificate")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")


def test_the_verification_page_is_public_and_says_no_more_than_the_certificate(world, issued):
    page = client_for(None).get(f"/projects/certificates/{issued.certificate_code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "is valid" in body and "Hidden Kazperson" in body and "Biosafety training" in body
    assert "hidden@example.org" not in body and "Kazakhstan" not in body
    missing = client_for(None).get("/projects/certificates/ABCDEFGHJKLMNPQR/")
    assert missing.status_code == 404 and "No certificate has the code" in missing.content.decode()


def test_issuing_through_the_page_and_the_api(world):
    activity = activity_of(project_in(world, "P53", [world.ca]))
    participation = participation_of(activity, world.p_team_kz, attended="yes")
    response = client_for(world.nfp_kz).post(f"/projects/participants/{participation.pk}/certificate/")
    assert response.status_code == 403
    response = client_for(world.sec_ca).post(f"/projects/participants/{participation.pk}/certificate/")
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.certificate_issued
    response = client_for(world.sec_ca).post(f"/api/projects/participations/{participation.pk}/certificate",
                                             {"revoke": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["certificate_issued"] is False
    absent = participation_of(activity, world.p_hidden_kz, attended="no")
    response = client_for(world.sec_ca).post(f"/api/projects/participations/{absent.pk}/certificate", {},
                                             content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "attended"
    hidden = client_for(world.nfp_ph).post(f"/api/projects/participations/{absent.pk}/certificate", {},
                                           content_type="application/json")
    assert hidden.status_code == 404
