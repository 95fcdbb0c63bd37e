"""The feedback sheet the server prints for a visit it holds: the laptop's own report code, on the
visit laid out as a laptop profile from the rows a real laptop pushed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select, update

from app.demo import OFFICE
from app.reports import build_report
from app.scores import visit_summaries
from app.settings import get_setting
from server import office
from server.app import BLOB_FOLDER
from server.dashboard.visit_report import visit_photo
from server.errors import NotFound
from server.reports.feedback import feedback_pdf
from server.reports.held_profile import UnprintableVisit
from server.reports.photos import SIZES, PhotoUnavailable, photo_jpeg
from server.store.blobs import BlobStore, FileBlobStore, S3BlobStore, open_blob_store
from server.store.schema import sync_rows
from tests.app.report_factory import page_texts, page_variances, pdf_fonts, pdf_text, squeeze
from tests.web.visit_support import MARK, Pushed, keychain, printed, pushed_visit, unit_of

keychain_fixture = pytest.fixture(keychain, name="keychain")


@pytest.fixture
def blobs(server: Any) -> Iterator[BlobStore]:
    store = open_blob_store(server.config.blobs_url or server.config.data_dir / BLOB_FOLDER)
    yield store
    store.close()


@pytest.fixture
def pushed(server: Any, demo_template: Path, tmp_path: Path, keychain: Any, blobs: BlobStore) -> Iterator[Pushed]:
    made = pushed_visit(server, demo_template, tmp_path / "laptop")
    # The office's name as the demo laptop's setting has it, so both 落款 read alike.
    with server.engine.begin() as conn:
        office.set_settings(conn, blobs, name_zh=OFFICE, name_en="Danjiangkou Education Supervision Office")
    yield made
    made.profile.close()


def test_the_servers_sheet_is_the_laptops_sheet(server, pushed, blobs):
    visit_id = pushed.visit_id
    built = feedback_pdf(server.engine, blobs, visit_id, lang="zh", server_url=server.url)
    assert built.pdf.startswith(b"%PDF-") and built.warnings == ()
    # A real PDF: PDFium opens it and its pages are not blank; every font is in the file.
    document = pdfium.PdfDocument(built.pdf)
    assert len(document) >= 1
    document.close()
    assert all(v > 50 for v in page_variances(built.pdf))
    fonts = pdf_fonts(built.pdf)
    assert fonts and all(fonts.values()), fonts
    # Unit, total and band as the laptop scored them.
    summary = visit_summaries(pushed.profile, [visit_id])[visit_id]
    code, name = unit_of(server, pushed.profile.db.execute(
        "SELECT unit_id FROM visits WHERE id = ?", [visit_id]).fetchone()[0])
    text = squeeze(pdf_text(built.pdf))
    assert name in text and printed(summary.awarded) in text and summary.band is not None and summary.band.zh in text
    # The laptop's own sheet of the visit: the same words on the same pages. Its server_url
    # setting is this server (it logged in), and its office_name is the office's name.
    assert get_setting(pushed.profile, "server_url") == server.url
    laptop = build_report(pushed.profile, visit_id, kind="feedback", lang="zh")
    assert page_texts(built.pdf) == page_texts(laptop.pdf)


def test_the_english_sheet_names_the_office_in_english(server, pushed, blobs):
    built = feedback_pdf(server.engine, blobs, pushed.visit_id, lang="en", server_url=server.url)
    laptop = build_report(pushed.profile, pushed.visit_id, kind="feedback", lang="en")
    ours, theirs = page_texts(built.pdf), page_texts(laptop.pdf)
    assert "Danjiangkou Education Supervision Office" in "".join(ours)
    # What legitimately differs: the 落款 (the laptop prints its own office_name setting).
    assert [p.replace("Danjiangkou Education Supervision Office", OFFICE) for p in ours] == theirs


def _remove(blobs: BlobStore, sha: str) -> None:
    """Take a blob out of the store, as if the laptop had never uploaded it."""
    if isinstance(blobs, FileBlobStore):
        blobs.path(sha).unlink()
    else:
        assert isinstance(blobs, S3BlobStore)
        blobs.client.delete_object(Bucket=blobs.bucket, Key=blobs.key(sha))


def _photo(server: Any, pushed: Pushed) -> tuple[Any, str | None]:
    with server.engine.connect() as conn:
        return visit_photo(conn, "/", pushed.visit_id, pushed.photo_id)


def test_the_photo_is_drawn_with_its_layer_and_cached(server, pushed, blobs, tmp_path):
    photo, layer = _photo(server, pushed)
    assert layer is not None and photo.has_annotations
    marked = photo_jpeg(blobs, tmp_path, photo, layer, size="large")
    plain = photo_jpeg(blobs, tmp_path, photo, layer, size="large", markup=False)
    a, b = (Image.open(io.BytesIO(x)).convert("RGB") for x in (marked, plain))
    assert a.size == b.size and max(a.size) <= SIZES["large"]  # never enlarged
    diff = ImageChops.difference(a, b).convert("L")
    w, h = a.size
    x0, y0, y1 = int(MARK[0] * w), int(MARK[1] * h), int(MARK[3] * h)
    assert ImageStat.Stat(diff.crop((x0, y0 + 10, x0 + 12, y1 - 10))).mean[0] > 40
    # Cached by the photo's hash and its layer: a second call reads the file made by the first.
    cached = list((tmp_path / "cache" / "photos").rglob(f"{photo.sha256}-*.jpg"))
    assert len(cached) == 2
    assert photo_jpeg(blobs, tmp_path, photo, layer, size="large") == marked


def test_a_photo_the_server_lacks_is_said_so_and_the_sheet_still_comes(server, pushed, blobs, tmp_path):
    photo, layer = _photo(server, pushed)
    _remove(blobs, photo.sha256)
    with pytest.raises(PhotoUnavailable) as raised:
        photo_jpeg(blobs, tmp_path, photo, layer)
    assert raised.value.problem == "missing"
    assert not list((tmp_path / "cache" / "photos").rglob("*.jpg"))
    built = feedback_pdf(server.engine, blobs, pushed.visit_id, lang="zh", server_url=server.url)
    assert built.pdf.startswith(b"%PDF-")
    assert len(built.warnings) == 1
    laptop = build_report(pushed.profile, pushed.visit_id, kind="feedback", lang="zh")
    assert squeeze(pdf_text(built.pdf)) != squeeze(pdf_text(laptop.pdf))


def test_a_row_a_laptop_profile_cannot_hold_prints_no_sheet_and_says_which(server, pushed, blobs, tmp_path):
    with server.engine.begin() as conn:
        row = conn.execute(select(sync_rows).where(sync_rows.c.table_name == "good_practices",
                                                   sync_rows.c.visit_id == pushed.visit_id)).first()
        values = {**json.loads(row.row_values), "colour": "red"}
        conn.execute(update(sync_rows).where(sync_rows.c.table_name == "good_practices", sync_rows.c.key == row.key)
                     .values(row_values=json.dumps(values)))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(UnprintableVisit) as raised:
        feedback_pdf(server.engine, blobs, pushed.visit_id, folder=work)
    assert f"the good_practices row {row.key} does not fit" in str(raised.value)
    assert "colour" in str(raised.value)
    assert list(work.iterdir()) == []


def test_no_such_visit_is_not_found_and_leaves_no_folder(server, blobs, tmp_path):
    with pytest.raises(NotFound):
        feedback_pdf(server.engine, blobs, "00000000-0000-4000-8000-00000000abcd", folder=tmp_path)
    assert list(tmp_path.iterdir()) == []
