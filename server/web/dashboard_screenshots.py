"""Screenshots of the dashboard's pages (campaigns, a campaign's overview, the ranking, a unit's
page) with data, for the docs and for reviewing them.

``make screenshots`` runs this after server.web.screenshots. It makes the same demo server in a
temporary folder, then gives it data the way it comes in use (server.web.dashboard_demo: the
office assigns campaigns, an inspector's laptop syncs, works its visits and syncs again),
and saves each page in Chinese and English as PNG, the 1366×768 screen (``name-zh.png``) and
the whole page (``name-zh-full.png``), through Playwright driving Debian's chromium:

    python -m server.web.dashboard_screenshots --out docs/screenshots/web [--lang zh en]
"""

from __future__ import annotations

import os
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend

from server.web.dashboard_demo import Seeded, seed
from server.web.screenshots import CHROMIUM, SIZE, _fontconfig, arguments, demo_server

INSPECTOR = ("liudu", "demo-password-1")


class _Keychain(KeyringBackend):
    """The demo laptop's keychain: in memory, gone when the script ends (never the desktop's)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.held: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.held.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.held[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.held.pop((service, username), None)


def pages(seeded: Seeded) -> list[tuple[str, str]]:
    """(file name, address) of each page shot."""
    units = seeded.unit_ids
    return [
        ("campaigns", "/campaigns"),
        ("campaign-overview", f"/campaigns/{seeded.campaign_id}"),
        ("campaign-spot-check", f"/campaigns/{seeded.spot_campaign_id}"),
        ("ranking", f"/ranking?campaign={seeded.campaign_id}"),
        ("unit-combined", f"/units/{units['DJK001']}"),
        ("unit-findings", f"/units/{units['DJK002']}"),
    ]


def _demo_data(url: str, data_dir: Path, work: Path) -> Seeded:
    from server import accounts
    from server.config import load_config
    from server.store.database import open_engine

    engine = open_engine(load_config(data_dir).database_url)
    before = keyring.get_keyring()
    try:
        with engine.begin() as conn:
            accounts.add_account(conn, login=INSPECTOR[0], password=INSPECTOR[1], role="inspector",
                                 scope_code="42", name="刘督学")
        keyring.set_keyring(_Keychain())
        return seed(url, engine, work / "laptop", *INSPECTOR)
    finally:
        keyring.set_keyring(before)
        engine.dispose()


def capture(url: str, password: str, out: Path, languages: tuple[str, ...], work: Path,
            shots: list[tuple[str, str]]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved: list[Path] = []
    env: dict[str, str | float | bool] = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work))}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), env=env)
        for lang in languages:
            context = browser.new_context(viewport=SIZE, locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(url + "/login")
            page.fill("#login", "admin")
            page.fill("#password", password)
            page.click("form[action='/login'] button")
            page.wait_for_url(url + "/")
            for name, path in shots:
                answer = page.goto(url + path)
                if answer is None or answer.status != 200:
                    raise SystemExit(f"{path} answered {answer.status if answer else 'nothing'}")
                saved.append(out / f"{name}-{lang}.png")
                page.screenshot(path=str(saved[-1]))
                saved.append(out / f"{name}-{lang}-full.png")
                page.screenshot(path=str(saved[-1]), full_page=True)
            context.close()
        browser.close()
    return saved


def main() -> int:
    args = arguments(__doc__.splitlines()[0] if __doc__ else None)
    with demo_server("fieldmark-dashboard-shots-", plan=False) as (url, password, work):
        seeded = _demo_data(url, work / "server", work)
        saved = capture(url, password, args.out, tuple(args.lang), work, pages(seeded))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
