"""Certificates of participation as PDF (fpdf2), with a verification code and a QR code (segno).

Names are printed with DejaVu Sans, shipped in cbrnet/static/fonts (Latin, Cyrillic, Arabic).
fpdf2 shapes Arabic only with the optional uharfbuzz package, so `visual_order` does the little an
Arabic name needs: contextual letter forms (Arabic Presentation Forms-B, in DejaVu Sans), the
lam-alef ligatures, and right-to-left order of Arabic runs.
"""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from cbrnet.projects.models import Participation

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVuSans"

# --- Arabic: contextual forms and right-to-left order ----------------------------------------------

# (letter, number of forms) in the order of the Presentation Forms-B block from U+FE80: isolated,
# final, and for letters that join on both sides also initial and medial.
_FORM_COUNTS = (
    (0x0621, 1), (0x0622, 2), (0x0623, 2), (0x0624, 2), (0x0625, 2), (0x0626, 4), (0x0627, 2), (0x0628, 4),
    (0x0629, 2), (0x062A, 4), (0x062B, 4), (0x062C, 4), (0x062D, 4), (0x062E, 4), (0x062F, 2), (0x0630, 2),
    (0x0631, 2), (0x0632, 2), (0x0633, 4), (0x0634, 4), (0x0635, 4), (0x0636, 4), (0x0637, 4), (0x0638, 4),
    (0x0639, 4), (0x063A, 4), (0x0641, 4), (0x0642, 4), (0x0643, 4), (0x0644, 4), (0x0645, 4), (0x0646, 4),
    (0x0647, 4), (0x0648, 2), (0x0649, 2), (0x064A, 4),
)  # fmt: skip
FORMS: dict[str, tuple[str, ...]] = {}
_next = 0xFE80
for _letter, _count in _FORM_COUNTS:
    FORMS[chr(_letter)] = tuple(chr(_next + index) for index in range(_count))
    _next += _count
LAM = "\u0644"
LAM_ALEF = {"\u0622": ("\ufef5", "\ufef6"), "\u0623": ("\ufef7", "\ufef8"), "\u0625": ("\ufef9", "\ufefa"),
            "\u0627": ("\ufefb", "\ufefc")}  # (isolated, final)
TATWEEL = "\u0640"
_MARKS = re.compile("[\u064b-\u065f\u0670]")  # harakat: transparent to joining
_ARABIC_RUN = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+(?:[ \u00a0]+[\u0600-\u06ff\ufe70-\ufeff]+)*")


def _joins_both(char: str) -> bool:
    return char == TATWEEL or len(FORMS.get(char, ())) == 4


def _joins(char: str) -> bool:
    return char == TATWEEL or len(FORMS.get(char, ())) >= 2


def shape_arabic(text: str) -> str:
    """Replace Arabic letters by their contextual forms (logical order kept)."""
    chars = list(text)
    letters = [index for index, char in enumerate(chars) if not _MARKS.match(char)]
    out = chars[:]
    skip = set()
    for position, index in enumerate(letters):
        if index in skip:
            continue
        char = chars[index]
        previous = chars[letters[position - 1]] if position > 0 else ""
        following_index = letters[position + 1] if position + 1 < len(letters) else None
        following = chars[following_index] if following_index is not None else ""
        joined_before = _joins_both(previous) and _joins(char)
        if char == LAM and following in LAM_ALEF:
            out[index] = LAM_ALEF[following][1 if joined_before else 0]
            out[following_index] = ""
            skip.add(following_index)
            continue
        forms = FORMS.get(char)
        if not forms:
            continue
        joined_after = _joins_both(char) and _joins(following)
        if len(forms) == 4:
            out[index] = forms[{(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 3}[
                (joined_before, joined_after)]]
        elif len(forms) == 2:
            out[index] = forms[1 if joined_before else 0]
        else:
            out[index] = forms[0]
    return "".join(out)


def visual_order(text: str) -> str:
    """The text as it must be drawn left to right: Arabic runs shaped and reversed; when the text is
    mainly Arabic, the runs themselves from right to left."""
    if not _ARABIC_RUN.search(text):
        return text
    parts = []
    last = 0
    for match in _ARABIC_RUN.finditer(text):
        if match.start() > last:
            parts.append((False, text[last:match.start()]))
        parts.append((True, shape_arabic(match.group())[::-1]))
        last = match.end()
    if last < len(text):
        parts.append((False, text[last:]))
    arabic = sum(len(part) for is_arabic, part in parts if is_arabic)
    if arabic * 2 >= len(text.strip()):
        parts.reverse()
    return "".join(part for _, part in parts)


# --- the document ----------------------------------------------------------------------------------


def verification_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("projects:certificate_verify", args=[code])


def certificate_pdf(participation: Participation, *, compress: bool = True) -> bytes:
    """The certificate of `participation` (which must have one issued) as PDF bytes."""
    from fpdf import FPDF

    if not participation.certificate_issued or not participation.certificate_code:
        raise ValueError("no certificate was issued for this participation")
    activity = participation.activity
    project = activity.project
    person = participation.person
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(visual_order(_("Certificate: %(name)s") % {"name": person.full_name}))
    pdf.set_author(settings.SITE_NAME)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(30, 60, 110)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)

    def line(text, size, *, bold=False, gap=4):
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(w=0, h=size * 0.5, text=visual_order(str(text)), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(28)
    line(_("Certificate of participation"), 28, bold=True, gap=8)
    line(_("This certifies that"), 13)
    line(person.full_name, 26, bold=True, gap=6)
    line(_("took part as %(role)s in") % {"role": participation.get_role_display().lower()}, 13)
    line(activity.title, 18, bold=True, gap=3)
    when = formats.date_format(activity.start_date, "DATE_FORMAT")
    if activity.end_date and activity.end_date != activity.start_date:
        when = f"{when} – {formats.date_format(activity.end_date, 'DATE_FORMAT')}"
    details = " · ".join(part for part in (activity.get_kind_display(), when, activity.place) if part)
    line(details, 12, gap=3)
    line(_("Project %(project)s") % {"project": project}, 11, gap=3)
    organisers = ", ".join(str(organisation) for organisation in activity.organisers.all())
    if organisers:
        line(_("Organised by %(organisers)s") % {"organisers": organisers}, 11)

    code = participation.certificate_code
    url = verification_url(code)
    _draw_qr(pdf, url, x=238, y=150, size=40)
    pdf.set_xy(20, 168)
    pdf.set_font(FONT, "", 10)
    issued = formats.date_format(participation.certificate_issued_on, "DATE_FORMAT") if participation.certificate_issued_on else ""
    pdf.multi_cell(w=200, h=5, text=visual_order(_("Issued on %(date)s by %(site)s.") % {"date": issued, "site": settings.SITE_NAME}),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.multi_cell(w=200, h=5, text=visual_order(_("Verification code: %(code)s") % {"code": code}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(w=200, h=4, text=visual_order(_("Check it at %(url)s or scan the code.") % {"url": url}))
    return bytes(pdf.output())


def _draw_qr(pdf, data: str, *, x: float, y: float, size: float) -> None:
    """A QR code drawn as vector squares (no image), with its quiet zone."""
    import segno

    qr = segno.make(data, error="m", micro=False)
    matrix = qr.matrix
    modules = len(matrix) + 8  # quiet zone of 4 modules each side
    step = size / modules
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(matrix):
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(x + (4 + start) * step, y + (4 + row_number) * step, (column - start) * step, step, style="F")
                start = None
