"""Fact sheet PDFs: the fonts are embedded, names in Cyrillic and Arabic script print as written
(Arabic shaped and right to left, as on certificates), long sheets run onto more pages."""

import datetime
import re

import pytest

from cbrnet.core.audit import audit_actor
from cbrnet.factsheets import pdf, selectors
from cbrnet.factsheets.tests.pdftext import pdf_lines, pdf_words
from cbrnet.factsheets.tests.test_crud import achievement_of
from cbrnet.projects.certificates import visual_order

pytestmark = pytest.mark.django_db


def region_pdf(world, **options):
    sheet = selectors.region_fact_sheet(user=world.sec_ca, region=world.ca, as_of=datetime.date(2026, 1, 31))
    return pdf.region_fact_sheet_pdf(sheet, **options)


def test_the_pdf_embeds_its_fonts_and_names_the_site(world):
    data = region_pdf(world, compress=False)
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data
    words = pdf_words(data)
    assert "Central Asia — fact sheet" in words
    assert "Fact sheet computed from the records of" in words


def test_cyrillic_and_arabic_names_print_as_written(world):
    from cbrnet.registry.models import RegionalPriority

    with audit_actor(None, source="command"):
        world.kz.name = "Қазақстан"
        world.kz.save()
        RegionalPriority.objects.create(region=world.ca, title="Биобезопасность и биозащита", order=1)
    achievement_of(
        world.ca, "مختبر متنقل في طشقند", date=datetime.date(2025, 5, 1), text="Мобильная лаборатория."
    )
    lines = pdf_lines(region_pdf(world))
    assert any("Қазақстан" in line for line in lines)
    assert "Биобезопасность и биозащита" in lines
    assert any("Мобильная лаборатория." in line for line in lines)
    assert any(visual_order("مختبر متنقل في طشقند") in line for line in lines)


def test_a_long_sheet_runs_onto_more_pages_with_the_page_numbers(world):
    for number in range(3):
        achievement_of(
            world.ca,
            f"Long achievement {number}",
            date=datetime.date(2025, 1, number + 1),
            text="A long account of what was achieved. " * 120,
        )
    words = pdf_words(region_pdf(world))
    pages = re.findall(
        r"Fact sheet computed from the records of \S+ on Jan\. 31, 2026\. (\d+)/ ?(\d+)", words
    )
    assert len(pages) >= 2, pages
    assert pages == [(str(number), str(len(pages))) for number in range(1, len(pages) + 1)]
    assert all(f"Long achievement {number}" in words for number in range(3))


def test_the_file_name_is_made_of_the_name_and_the_date(world):
    sheet = selectors.country_fact_sheet(
        user=world.sec_ca, country=world.uz, as_of=datetime.date(2023, 5, 31)
    )
    assert pdf.filename(sheet) == "fact-sheet-uzbekistan-2023-05-31.pdf"
