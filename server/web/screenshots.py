"""Screenshots of the office pages, for the docs and for reviewing them.

``make screenshots`` runs this module after the desktop's. It makes a demo server in a
temporary folder (``fieldmark-server demo``) with a few accounts, runs it on loopback, and
saves each page of PAGES in Chinese and English as PNG, through Playwright driving Debian's
chromium (/usr/bin/chromium; never a downloaded browser):

    python -m server.web.screenshots --out docs/screenshots/web [--lang zh en]

A new page adds its address to PAGES (and, if it needs them, demo rows to ``_seed``).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.error import URLError

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize
    from sqlalchemy import Connection

    from server.store.blobs import BlobStore

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FONTS = ROOT / "resources" / "fonts"
SIZE: ViewportSize = {"width": 1366, "height": 768}
LANGUAGES = ("zh", "en")
# (file name, address) of each page, shown to the demo's admin.
PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/"),
    ("users", "/users"),
    ("users-new", "/users/new"),
    ("users-edit", "/users/edit/wangfang"),
    ("not-found", "/no/such/page"),
    ("planner", "/planner"),
    ("planner-teams", "/planner/teams"),
    ("rubrics", "/rubrics"),
    ("exports", "/exports"),
    ("settings", "/settings"),
)
# Accounts the demo gets, so the Users pages show something: (login, name, role, scope).
DEMO_ACCOUNTS = (
    ("wangfang", "王芳", "office_staff", "420381"),
    ("lijun", "李军", "team_leader", "420381001"),
    ("zhaomin", "赵敏", "inspector", "420322"),
    ("county-admin", "陈静", "admin", "420381"),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(data_dir: Path, *, plan: bool = True) -> str:
    """A demo store with the accounts above (and the planner's campaign unless ``plan`` is
    false); returns the admin's password."""
    made = subprocess.run([sys.executable, "-m", "server.cli", "demo", "--data-dir", str(data_dir)],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    found = re.search(r"admin password \(shown only now\): (\S+)", made)
    if not found:
        raise SystemExit(f"fieldmark-server demo printed no admin password:\n{made}")
    from server import accounts, office, releases
    from server.config import load_config
    from server.store.blobs import open_blob_store
    from server.store.database import open_engine

    engine = open_engine(load_config(data_dir).database_url)
    blobs = open_blob_store(data_dir / "blobs")
    with engine.begin() as conn:
        office.set_settings(conn, blobs, name_zh="十堰市人民政府教育督导室",
                            name_en="Shiyan Education Supervision Office", logo_sha256=_logo(blobs))
        releases.set_release(conn, version="1.5.0", download_url="https://office.example/fieldmark/Fieldmark-1.5.0-setup.exe",
                             notes_zh="打印改为原尺寸矢量输出", notes_en="Prints at true size")
        for login, name, role, scope in DEMO_ACCOUNTS:
            accounts.add_account(conn, login=login, password="demo-password-1", role=role,
                                 scope_code=scope, name=name)
        accounts.disable_account(conn, "zhaomin")
        if plan:
            _plan(conn)
    blobs.close()
    engine.dispose()
    return found.group(1)


def _logo(blobs: BlobStore) -> str:
    """A seal-like logo for the Settings page: a red ring round a star, stored as the page would."""
    import io

    from PIL import Image, ImageDraw

    from server.office_logo import store_logo

    image = Image.new("RGB", (120, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, 114, 114), outline=(190, 20, 30), width=7)
    draw.regular_polygon((60, 60, 30), 5, rotation=180, fill=(190, 20, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return store_logo(blobs, out.getvalue())


def _plan(conn: Connection) -> None:
    """A campaign the planner shows: two teams and the schools of two townships assigned."""
    from datetime import date

    from server import assignments, planning

    made = planning.create_campaign(conn, "2026年秋季义务教育督导")
    planning.create_team(conn, "第一督导组")
    planning.add_members(conn, "/", planning.list_teams(conn, "/")[0].id, ["lijun"])
    units = [u for u in planning.plannable_units(conn, "/") if u.unit_type in ("primary", "middle")]
    for team, start, chosen in (("第一督导组", date(2026, 12, 1), units[:6]), ("第二督导组", date(2026, 12, 8), units[6:9])):
        assignments.assign(conn, assignments.NewAssignments(
            campaign=made.name, team=team, unit_codes=[u.code for u in chosen], window_start=start,
            window_end=date(start.year, start.month, start.day + 14), rubrics=["standardized-school"]))


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped before it was ready")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1):
                return
        except (URLError, OSError):
            time.sleep(0.2)
    raise SystemExit("the server did not get ready in 30 s")


def _fontconfig(folder: Path) -> Path:
    """A fontconfig file adding the bundled CJK font, so Chinese shows on a machine without one
    (an office PC has its own; this server's build machine may not)."""
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"  <dir>{FONTS}</dir>\n  <cachedir>{folder / 'font-cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    return conf


def capture(url: str, password: str, out: Path, languages: tuple[str, ...], work: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved: list[Path] = []
    env: dict[str, str | float | bool] = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work))}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), env=env)
        for lang in languages:
            context = browser.new_context(viewport=SIZE, locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(url + "/login")
            saved.append(out / f"login-{lang}.png")
            page.screenshot(path=str(saved[-1]))
            page.fill("#login", "admin")
            page.fill("#password", password)
            page.click("form[action='/login'] button")
            page.wait_for_url(url + "/")
            for name, path in PAGES:
                page.goto(url + path)
                saved.append(out / f"{name}-{lang}.png")
                page.screenshot(path=str(saved[-1]), full_page=True)
            context.close()
        browser.close()
    return saved


def arguments(description: str | None) -> argparse.Namespace:
    """--out and --lang, as every screenshot script of the office pages takes them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "web")
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (Debian: apt-get install chromium); "
                         "`make screenshots` installs it as root")
    args.out.mkdir(parents=True, exist_ok=True)
    return args


@contextmanager
def demo_server(prefix: str, *, plan: bool = True) -> Iterator[tuple[str, str, Path]]:
    """The demo store in a temporary folder, served on a free port: (address, the admin's
    password, the work folder; the store is its ``server`` folder). Stopped on leaving.
    ``plan``: with the planner's campaign (a laptop that works every visit it is assigned, as
    the dashboard's demo does, would find that campaign's rubric unanswerable by its script)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        password = _seed(work / "server", plan=plan)
        port = _free_port()
        with (work / "server.log").open("wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data-dir",
                                        str(work / "server"), "--port", str(port)],
                                       cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_ready(url, process)
                yield url, password, work
            finally:
                process.terminate()
                process.wait(timeout=60)


def main() -> int:
    args = arguments(__doc__.splitlines()[0])
    with demo_server("fieldmark-web-shots-") as (url, password, work):
        saved = capture(url, password, args.out, tuple(args.lang), work)
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
