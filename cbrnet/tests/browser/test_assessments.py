"""Assessments in a browser: a focal point fills an assessment in and every answer saves itself
(the completion moves, a reload shows the answers), and the offline workbook goes out and comes back,
first with a bad cell (reported by sheet, row and column; nothing saved), then corrected."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _draft(world):
    from cbrnet.assessments.tests.assessment_helpers import make_assessment, make_version

    template = make_version(world)
    return template, make_assessment(world, template)


def _errors(console_messages, *, expected=()):
    return [
        message
        for message in console_messages
        if message.startswith(("error", "pageerror")) and not any(text in message for text in expected)
    ]


def test_a_focal_point_fills_an_assessment_and_each_answer_saves_itself(
    page, world, sign_in, console_messages
):
    from cbrnet.assessments.models import Answer

    template, draft = _draft(world)
    q = template.questions
    sign_in(world.nfp_kz)
    page.goto(draft.get_absolute_url())
    expect(page.locator("#completion")).to_contain_text("0 %")
    page.get_by_role("link", name="Fill in the answers").click()
    expect(page.get_by_role("heading", name="LEG. Legal framework", level=2)).to_be_visible()

    leg1 = page.locator(f"#question-{q['LEG-1'].pk}")
    expect(leg1).to_contain_text("Developed capacity")  # each level shows its descriptor
    leg1.get_by_label("3 — Developed capacity").check()
    expect(page.locator(f"#state-{q['LEG-1'].pk}")).to_contain_text("Saved at")
    expect(page.locator("#completion")).to_contain_text("16 %")

    page.locator(f"#question-{q['LEG-2'].pk}").get_by_label("Partly", exact=True).check()
    expect(page.locator(f"#state-{q['LEG-2'].pk}")).to_contain_text("Saved at")
    expect(page.locator("#completion")).to_contain_text("33 %")

    leg3 = page.locator(f"#question-{q['LEG-3'].pk}")
    leg3.get_by_label("Number").fill("12")
    leg3.get_by_label("Not applicable").check()  # clears and disables the number before it is sent
    expect(leg3.get_by_label("Number")).to_be_disabled()
    expect(page.locator("#completion")).to_contain_text("50 %")
    leg3.get_by_label("Justification").fill("No national stockpile exists.")
    leg3.get_by_label("Justification").blur()
    expect(page.locator(f"#state-{q['LEG-3'].pk}")).to_contain_text("Saved at")
    expect(page.locator(f"#section-progress-{template.sections['LEG'].pk}")).to_have_text("3/3")

    page.locator(f"#question-{q['LEG-4'].pk}").get_by_label("Date").fill("2021-05-04")
    expect(page.locator(f"#state-{q['LEG-4'].pk}")).to_contain_text("Saved at")

    page.reload()
    expect(page.locator("#completion")).to_contain_text("50 %")
    expect(leg1.get_by_label("3 — Developed capacity")).to_be_checked()
    expect(page.locator(f"#question-{q['LEG-2'].pk}").get_by_label("Partly", exact=True)).to_be_checked()
    expect(leg3.get_by_label("Not applicable")).to_be_checked()
    expect(leg3.get_by_label("Justification")).to_have_value("No national stockpile exists.")

    page.get_by_role("link", name="LAB. Laboratories").click()
    lab = {code: page.locator(f"#question-{q[code].pk}") for code in ("LAB-1", "LAB-2", "LAB-3")}
    lab["LAB-1"].get_by_label("BSL-3").check()
    expect(page.locator("#completion")).to_contain_text("66 %")
    lab["LAB-2"].get_by_label("PCR").check()
    expect(page.locator("#completion")).to_contain_text("83 %")
    lab["LAB-2"].get_by_label("Sequencing").check()
    expect(page.locator(f"#state-{q['LAB-2'].pk}")).to_contain_text("Saved at")
    lab["LAB-3"].get_by_label("Answer", exact=True).fill("Two reference laboratories.")
    lab["LAB-3"].get_by_label("Answer", exact=True).blur()
    expect(page.locator("#completion")).to_contain_text("100 %")

    answers = {answer.question.code: answer for answer in Answer.objects.filter(assessment=draft)}
    assert answers["LEG-1"].level == 3 and answers["LEG-2"].yes_partly_no == "partly"
    assert answers["LEG-3"].not_applicable and answers["LEG-3"].number is None
    assert (
        answers["LAB-2"].choices == ["pcr", "sequencing"]
        and answers["LAB-3"].text == "Two reference laboratories."
    )
    assert all(answer.answered_by == world.nfp_kz for answer in answers.values())

    # Complete: the focal point submits it; from then on the answers are read-only.
    page.get_by_role("link", name="Back to the assessment").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit to the secretariat").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment submitted to the secretariat.")
    expect(page.locator("#assessment-status")).to_have_text("Submitted")
    page.get_by_role("link", name="Read the answers").click()
    expect(page.locator(f"#question-{q['LEG-1'].pk}").get_by_label("3 — Developed capacity")).to_be_disabled()
    assert not _errors(console_messages), console_messages


def test_the_offline_workbook_with_a_bad_cell_is_refused_then_accepted(
    page, world, sign_in, tmp_path, console_messages
):
    from openpyxl import load_workbook

    from cbrnet.assessments.models import Answer

    template, draft = _draft(world)
    sign_in(world.nfp_kz)
    page.goto(draft.get_absolute_url())
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the workbook (XLSX)").click()
    downloaded = tmp_path / "downloaded.xlsx"
    info.value.save_as(downloaded)
    assert info.value.suggested_filename == f"assessment-KZ-2024-{draft.pk}.xlsx"

    book = load_workbook(downloaded)
    values = {
        "LEG-1": "seven",
        "LEG-2": "yes",
        "LEG-3": 4,
        "LAB-1": "bsl2",
        "LAB-2": "pcr; culture",
        "LAB-3": "Text",
    }
    for sheet in (book["LEG"], book["LAB"]):
        for row in sheet.iter_rows(min_row=3):
            if row[0].value in values:
                sheet.cell(row=row[0].row, column=5, value=values[row[0].value])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.get_by_label("Filled-in workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Upload the workbook").click()
    report = page.locator("#workbook-report")
    expect(report).to_contain_text("The workbook has 1 problem: nothing was saved")
    problem = report.get_by_role("table").locator("tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td")).to_have_text(
        ["LEG", "3", "E (Answer)", re.compile("give a level from 1 to 5")]
    )
    assert not Answer.objects.exists()

    book["LEG"]["E3"] = 2
    book.save(filled)
    page.get_by_label("Filled-in workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Upload the workbook").click()
    expect(page.get_by_role("status")).to_contain_text("Workbook read: 6 answers changed.")
    expect(page.locator("#completion")).to_contain_text("100 %")
    answers = {answer.question.code: answer for answer in Answer.objects.filter(assessment=draft)}
    assert (
        answers["LEG-1"].level == 2
        and answers["LEG-3"].number == 4
        and answers["LAB-2"].choices == ["pcr", "culture"]
    )
    # The refused upload's report page comes with status 400, which the browser logs; nothing else.
    assert not _errors(console_messages, expected=["status of 400"]), console_messages
