"""Once the profile knows its server, the printed QR code opens the server's verify page, the
text under it says so, and the laptop's own check reads that URL like the code itself."""

from __future__ import annotations

import pytest
from reportlab.graphics.barcode.qr import QrCodeWidget

from app.finalize import finalize_visit
from app.reports import build_report, codes_for, signing, verify_code
from app.settings import set_setting
from app.sync.codes import parse_code, verify_url
from app.visits import get_visit
from tests.app.report_factory import banded_visit, pdf_text, squeeze

SERVER = "https://fieldmark.jyj.example.cn:8443/"


@pytest.fixture
def final(seeded):
    vid, _ = banded_visit(seeded, photos=0)
    digest = finalize_visit(seeded.profile, vid, accept_gaps=True).id
    return vid, digest


@pytest.fixture
def qr_values(monkeypatch) -> list[str]:
    """What the sheet hands to the QR drawer (no QR decoder is installed to read the image)."""
    seen: list[str] = []

    def recording(value: str, **kwargs: object) -> QrCodeWidget:
        seen.append(value)
        return QrCodeWidget(value, **kwargs)

    monkeypatch.setattr(signing, "QrCodeWidget", recording)
    return seen


@pytest.mark.parametrize("lang, words", [
    ("zh", "用手机扫描二维码，可在fieldmark.jyj.example.cn:8443在线核对本页与督导记录是否一致"),
    ("en", "Scanthecodewithaphonetocheckthispaperagainsttherecordonlineatfieldmark.jyj.example.cn:8443"),
])
def test_with_a_server_the_qr_code_opens_its_verify_page(final, seeded, qr_values, lang, words):
    vid, digest = final
    set_setting(seeded.profile, "server_url", SERVER)
    url = f"https://fieldmark.jyj.example.cn:8443/verify/FM1-{vid}-{digest[:16]}"
    text = squeeze(pdf_text(build_report(seeded.profile, vid, lang=lang).pdf))
    assert qr_values == [url]
    assert squeeze(url) in text and words in text
    # The short code for typing stays as it was.
    assert codes_for(get_visit(seeded.profile, vid), SERVER) == (url, codes_for(get_visit(seeded.profile, vid))[1])


def test_without_a_server_the_qr_code_holds_the_code(final, seeded, qr_values):
    vid, digest = final
    text = squeeze(pdf_text(build_report(seeded.profile, vid, lang="en").pdf))
    assert qr_values == [f"FM1-{vid}-{digest[:16]}"]
    assert squeeze("Scan the code, or run 'fieldmark verify CODE'") in text and "/verify/" not in text


def test_the_laptop_check_reads_the_verify_url(final, seeded):
    vid, digest = final
    url = verify_url(SERVER, vid, digest)
    for code in (url, url.upper().replace("HTTPS", "https"), f" {url}/ ", url.replace("FM1-", "fm1-")):
        result = verify_code(seeded.profile, code)
        assert result.ok, (code, result.message)
        assert result.visit_id == vid
    assert not verify_code(seeded.profile, "https://fieldmark.jyj.example.cn/about/").ok


@pytest.mark.parametrize("text, expected", [
    ("FM1-5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51-3e5a7c9b1d2f4e6a",
     ("5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51", "5b0c8f3e", "3e5a7c9b1d2f4e6a")),
    ("http://10.0.0.5/verify/FM1-5B0C8F3E-2D7A-4C61-9A0E-7F1D2C3B4A51-3E5A7C9B1D2F4E6A",
     ("5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51", "5b0c8f3e", "3e5a7c9b1d2f4e6a")),
    ("5B0C-8F3E-3E5A 7C9B", (None, "5b0c8f3e", "3e5a7c9b")),
    ("https://x.cn/verify/5b0c8f3e3e5a7c9b", (None, "5b0c8f3e", "3e5a7c9b")),
    ("x.cn/verify/5B0C-8F3E-3E5A-7C9B?lang=en", (None, "5b0c8f3e", "3e5a7c9b")),
])
def test_code_forms_parse(text, expected):
    code = parse_code(text)
    assert code is not None and (code.visit_id, code.id_prefix, code.hash_prefix) == expected
    assert code.short == "5b0c8f3e3e5a7c9b"


def test_a_server_without_a_scheme_is_https():
    assert verify_url(" fieldmark.example.cn/ ", "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51", "3e5a7c9b" * 8) == \
        "https://fieldmark.example.cn/verify/FM1-5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51-3e5a7c9b3e5a7c9b"
    assert verify_url("http://10.0.0.5:8765", "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51", "3e5a7c9b" * 8).startswith(
        "http://10.0.0.5:8765/verify/FM1-")


@pytest.mark.parametrize("text", ["", "FM1-", "5b0c8f3e3e5a7c9", "https://x.cn/", "https://x.cn/verify/",
                                  "FM1-5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51-3e5a7c9b1d2f4e6"])
def test_not_codes(text):
    assert parse_code(text) is None
