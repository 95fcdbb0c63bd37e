"""403, 404 and 500 as pages in the layout, in the page's language, never a stack trace; the
API's answers stay JSON."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from server.app import create_app
from server.config import PROTOCOL, PROTOCOL_HEADER, Config
from server.web.nav import sections_for
from tests.server.conftest import free_port
from tests.web.conftest import ADMIN_PASSWORD, log_in, web_client


def test_an_unknown_page_is_the_404_page_in_the_layout(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    answer = page.goto(site.url + "/no/such/page")
    assert answer.status == 404
    assert page.inner_text("h1") == "找不到页面"
    # The layout, with the viewer's sections.
    assert page.locator("nav.sections a").count() == len(sections_for("admin"))
    # A stranger gets it too, without the sections.
    with httpx.Client(base_url=site.url, headers={"Accept-Language": "en"}) as client:
        stranger = client.get("/no/such/page")
        assert stranger.status_code == 404 and "<h1>Page not found</h1>" in stranger.text
        assert "Log out" not in stranger.text
        # A page's path asked for with a method it does not answer is not there either.
        assert client.delete("/users").status_code in (403, 404)


def test_the_api_keeps_its_json_errors(site):
    with httpx.Client(base_url=site.url, headers={PROTOCOL_HEADER: str(PROTOCOL)}) as client:
        answer = client.get("/api/v1/nowhere")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
        assert client.get("/api/v1/accounts").json()["code"] == "unauthenticated"


def test_a_form_field_of_the_wrong_type_is_the_400_page(site):
    admin = web_client(site, "admin", ADMIN_PASSWORD)
    answer = admin.client.get("/users/edit/admin", params={"count": "many"})
    assert answer.status_code == 400
    assert "<h1>请求有误</h1>" in answer.text
    assert "integer" not in answer.text  # no validator message, no echo of the input in it


@contextlib.contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None,
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_page_that_fails_is_the_500_page_with_its_request_number_and_no_trace(tmp_path: Path, site):
    app = create_app(Config(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'server.db'}"))

    # The failure injected: a page whose handler raises, after signing in like any page.
    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("secret detail of the failure")

    @app.get("/api/v1/broken")
    def broken_api() -> None:
        raise RuntimeError("secret detail of the failure")

    headers = {"Accept-Language": "en", "X-Request-ID": "req-42"}
    with _serving(app) as url:
        # A request each: uvicorn closes the connection of a request whose handler raised.
        answer = httpx.get(url + "/broken", headers=headers)
        assert answer.status_code == 500
        assert "<h1>Server error</h1>" in answer.text
        assert "Request number: req-42" in answer.text
        assert "secret detail" not in answer.text and "Traceback" not in answer.text
        api = httpx.get(url + "/api/v1/broken", headers={**headers, PROTOCOL_HEADER: str(PROTOCOL)})
        assert api.status_code == 500 and api.text == "Internal Server Error"
