"""Fact sheets as PDF (fpdf2), from the same dataclasses as the web page and the API.

Text is set in DejaVu Sans (cbrnet/static/fonts: Latin, Cyrillic, Arabic), embedded in the file;
Arabic-script runs are shaped and put in right-to-left order by cbrnet.projects.certificates.visual_order,
as on certificates (fpdf2 shapes Arabic only with the optional uharfbuzz package).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cbrnet.factsheets.selectors import CountryFactSheet, RegionFactSheet
from cbrnet.projects.certificates import FONT, FONT_DIR, visual_order

INK = (27, 31, 36)
ACCENT = (31, 111, 178)
MUTED = (90, 98, 108)


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def filename(sheet: RegionFactSheet | CountryFactSheet) -> str:
    """e.g. "fact-sheet-central-asia-2023-05-31.pdf"."""
    return f"fact-sheet-{slugify(sheet.name) or sheet.id}-{sheet.as_of.isoformat()}.pdf"


class _Document:
    """A one-column A4 document with a title band, section headings and a footer on every page."""

    def __init__(self, *, title: str, subtitle: str, as_of: datetime.date, compress: bool):
        from fpdf import FPDF

        footer_text = visual_order(
            _("Fact sheet computed from the records of %(site)s on %(date)s.")
            % {
                "site": settings.SITE_NAME,
                "date": _date(as_of),
            }
        )

        class Sheet(FPDF):
            def footer(self):
                self.set_y(-14)
                self.set_font(FONT, "", 7.5)
                self.set_text_color(*MUTED)
                self.cell(w=0, h=4, text=footer_text, align="L")
                self.set_x(self.l_margin)
                self.cell(w=0, h=4, text=f"{self.page_no()}/{{nb}}", align="R")

        pdf = Sheet(orientation="P", unit="mm", format="A4")
        pdf.set_compression(compress)
        pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(visual_order(f"{title} — {subtitle}"))
        pdf.set_author(settings.SITE_NAME)
        pdf.set_creator(settings.SITE_NAME)
        pdf.set_margins(16, 16, 16)
        pdf.set_auto_page_break(True, margin=20)
        pdf.alias_nb_pages()
        pdf.add_page()
        self.pdf = pdf
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, 210, 30, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(16, 7)
        pdf.set_font(FONT, "B", 17)
        pdf.multi_cell(w=0, h=8, text=visual_order(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(w=0, h=5, text=visual_order(subtitle), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_y(36)

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(FONT, "B", 12.5)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(w=0, h=6.5, text=visual_order(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_text_color(*INK)

    def text(
        self, text: str, *, size: float = 10, bold: bool = False, muted: bool = False, gap: float = 1
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*(MUTED if muted else INK))
        pdf.multi_cell(w=0, h=size * 0.5, text=visual_order(str(text)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        if gap:
            pdf.ln(gap)

    def field(self, label: str, value) -> None:
        if value in (None, ""):
            return
        pdf = self.pdf
        pdf.set_font(FONT, "B", 9.5)
        pdf.multi_cell(w=0, h=4.8, text=visual_order(f"{str(label).upper()}:"), new_x="LMARGIN", new_y="NEXT")
        self.text(value, size=10)

    def bullets(self, items, *, empty: str = "") -> None:
        pdf = self.pdf
        items = [str(item) for item in items]
        if not items and empty:
            self.text(empty, muted=True)
            return
        for item in items:
            pdf.set_font(FONT, "", 10)
            pdf.cell(w=5, h=5, text="•")
            pdf.multi_cell(w=0, h=5, text=visual_order(item), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _achievements(doc: _Document, achievements) -> None:
    doc.heading(_("Recent achievements"))
    if not achievements:
        doc.text(_("None recorded."), muted=True)
    for item in achievements:
        doc.text(f"{_date(item.date)} — {item.title}", bold=True, gap=0.5)
        doc.text(item.text, size=9.5, gap=0.5)
        details = " · ".join(
            part
            for part in (
                _("Project %(project)s") % {"project": item.project} if item.project else "",
                _("Source: %(source)s") % {"source": item.source} if item.source else "",
            )
            if part
        )
        if details:
            doc.text(details, size=8, muted=True, gap=2)


def _projects(doc: _Document, projects) -> None:
    doc.heading(_("Projects"))
    doc.text(projects.sentence())
    for project in projects.ongoing:
        doc.text(_("Project: %(project)s") % {"project": project.label}, bold=True, size=9.5, gap=0.5)


def _training(doc: _Document, training) -> None:
    doc.heading(_("Experts trained"))
    doc.text(training.sentence())
    doc.bullets([row["text"] for row in training.headlines[-5:]])


def region_fact_sheet_pdf(sheet: RegionFactSheet, *, compress: bool = True) -> bytes:
    """The region's fact sheet as PDF bytes."""
    doc = _Document(
        title=_("%(region)s — fact sheet") % {"region": sheet.name},
        subtitle=_("%(network)s · as of %(date)s") % {"network": sheet.network, "date": _date(sheet.as_of)},
        as_of=sheet.as_of,
        compress=compress,
    )
    doc.heading(_("Regional Secretariat"))
    if sheet.secretariat is None:
        doc.text(_("No secretariat recorded."), muted=True)
    else:
        profile = sheet.secretariat
        doc.field(_("Framework"), profile.framework)
        doc.field(_("Established"), _date(profile.established))
        doc.field(_("Location"), profile.location)
        doc.field(_("Overall goal"), profile.overall_goal)
    doc.heading(_("Partner countries"))
    doc.text(", ".join(line.name for line in sheet.partners) or _("None recorded."))
    if sheet.potential_partners:
        doc.field(_("Potential partner countries"), ", ".join(line.name for line in sheet.potential_partners))
    doc.heading(_("Regional priorities"))
    doc.bullets(sheet.priorities, empty=_("None recorded."))
    doc.heading(_("Methodology"))
    doc.bullets(sheet.methodology.sentences())
    _projects(doc, sheet.projects)
    _training(doc, sheet.training)
    _achievements(doc, sheet.achievements)
    return doc.output()


def country_fact_sheet_pdf(sheet: CountryFactSheet, *, compress: bool = True) -> bytes:
    """The country's fact sheet as PDF bytes."""
    regions = ", ".join(f"{line.region} ({line.network})" for line in sheet.regions)
    doc = _Document(
        title=_("%(country)s — fact sheet") % {"country": sheet.name},
        subtitle=_("%(regions)s · as of %(date)s")
        % {"regions": regions or _("no region"), "date": _date(sheet.as_of)},
        as_of=sheet.as_of,
        compress=compress,
    )
    doc.heading(_("Membership"))
    doc.bullets(
        [
            " · ".join(
                part
                for part in (
                    line.region,
                    line.network,
                    line.status_label,
                    _("since %(date)s") % {"date": _date(line.since)} if line.since else "",
                )
                if part
            )
            for line in sheet.regions
        ],
        empty=_("None recorded."),
    )
    for profile in sheet.secretariats:
        doc.field(_("Regional Secretariat"), profile.location)
    doc.heading(_("Methodology"))
    doc.text(_("Stage: %(stage)s") % {"stage": sheet.stage_label or _("Not started")}, bold=True)
    doc.bullets([f"{'☑' if step['reached'] else '☐'} {step['label']}" for step in sheet.steps])
    if sheet.plans:
        doc.field(
            _("National Action Plans"),
            "; ".join(
                f"{plan['title']} ({plan['status_label']}"
                + (f", {plan['progress']:.0f} %" if plan["progress"] is not None else "")
                + ")"
                for plan in sheet.plans
            ),
        )
    doc.heading(_("Regional priorities"))
    doc.bullets(sheet.priorities, empty=_("None recorded."))
    _projects(doc, sheet.projects)
    _training(doc, sheet.training)
    _achievements(doc, sheet.achievements)
    return doc.output()
