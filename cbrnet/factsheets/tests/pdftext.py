"""Text of a fact sheet PDF as a reader extracts it: the Flate-compressed streams inflated, then the
text-showing operations — `Tj`, and `TJ` arrays, which fpdf2 writes for kerned lines — read through
the fonts' ToUnicode maps. (No PDF reader is a dependency; cbrnet.projects' certificate tests read
`Tj` the same way.)"""

import re
import zlib

from cbrnet.projects.tests.test_certificates import _literal

_STREAM = re.compile(
    rb"(<<(?:(?!>>\s*stream).)*?/Filter /FlateDecode(?:(?!>>\s*stream).)*?>>)\s*stream\r?\n(.*?)\r?\nendstream",
    re.S,
)
_TOKEN = re.compile(rb"/(F\d+) [\d.]+ Tf|\(|\[|\]\s*TJ|Tj|ET")


def inflate(data: bytes) -> bytes:
    """The PDF with every FlateDecode stream decompressed in place (offsets no longer matter here)."""

    def replace(match):
        header = match.group(1).replace(b"/Filter /FlateDecode", b"")
        return header + b"\nstream\n" + zlib.decompress(match.group(2)) + b"\nendstream"

    return _STREAM.sub(replace, data)


def pdf_lines(data: bytes) -> list[str]:
    """The text of each text object (BT … ET) of the pages, in drawing order."""
    data = inflate(data)
    objects = {int(number): body for number, body in re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", data, re.S)}
    cmaps = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        found = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
        if found:
            cmap = objects[int(found.group(1))]
            cmaps[name] = {
                int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
            }
    lines = []
    for number in re.findall(rb"/Contents (\d+) 0 R", data):
        content, font, index, current = objects[int(number)], None, 0, []
        while (match := _TOKEN.search(content, index)) is not None:
            token, index = match.group(0), match.end()
            if token == b"(":
                raw, index = _literal(content, index)
                if font in cmaps:
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                    current.append("".join(cmaps[font].get(code, "?") for code in codes))
            elif token == b"ET":
                if current:
                    lines.append("".join(current))
                current = []
            elif match.group(1):
                font = match.group(1)
    return lines


def pdf_words(data: bytes) -> str:
    """All the text of the PDF as one line, words separated by single spaces (lines wrap at spaces)."""
    return " ".join(" ".join(pdf_lines(data)).split())
