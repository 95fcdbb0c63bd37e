"""Reading a campaign's exports as a person's spreadsheet program would: the CSV with Python's csv
module (after checking its UTF-8 byte-order mark), the XLSX with openpyxl, the bulletin's text
with pypdf; and downloading them through the exports page in a real browser."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page
from pypdf import PdfReader

BOM = "\ufeff".encode()


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[dict[str, Any]]

    def column(self, zh: str) -> list[Any]:
        """The values of the column whose header starts with ``zh`` (headers are "中文 English")."""
        [name] = [h for h in self.header if h.split(" ")[0] == zh]
        return [r[name] for r in self.rows]


def read_csv(data: bytes) -> Sheet:
    assert data.startswith(BOM), "the CSV lacks the UTF-8 byte-order mark Excel and WPS need"
    lines = list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))
    header, *body = lines
    return Sheet(header, [dict(zip(header, line, strict=True)) for line in body])


def read_xlsx(data: bytes) -> Sheet:
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header, *body = values
    return Sheet([str(h) for h in header], [dict(zip(header, line, strict=True)) for line in body])


def pdf_text(data: bytes) -> str:
    """The PDF's text with the layout's line breaks and spaces taken out."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def download(page: Page, selector: str, folder: Path) -> tuple[str, bytes]:
    """Click a download link on the page; returns the file name the browser suggests and its bytes."""
    with page.expect_download() as caught:
        page.click(selector)
    got = caught.value
    assert got.failure() is None, got.failure()
    target = folder / got.suggested_filename
    got.save_as(target)
    return got.suggested_filename, target.read_bytes()
