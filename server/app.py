"""The ASGI application: ``create_app(config)`` wires the store, the gate, the routers and the
operations endpoints (health, readiness, metrics)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from server import leftovers
from server.api import (
    accounts,
    assignments,
    blobs,
    bundles,
    changesets,
    office,
    places,
    pull,
    releases,
    rubrics,
    verify,
)
from server.api.errors import install as install_errors
from server.config import Config
from server.observe import LOGGER, Gate, Metrics
from server.store.blobs import BlobStoreUnavailable, open_blob_store
from server.store.database import migrate, open_engine, ping
from server.web import install as install_web

# Blobs live in this folder of the data folder unless --blobs names another store.
BLOB_FOLDER = "blobs"


def create_app(config: Config, *, run_migrations: bool = True) -> FastAPI:
    """The server for ``config``; the schema is brought up to date first unless told not to."""
    engine = open_engine(config.database_url)
    if run_migrations:
        migrate(engine)
    # Opened here so that readiness can check it; the blob routes use the same one (app.state.blobs).
    blob_store = open_blob_store(config.blobs_url or config.data_dir / BLOB_FOLDER)
    leftovers.sweep(config.data_dir, blob_store)
    metrics = Metrics()
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        blob_store.close()

    app = FastAPI(title="Fieldmark server", version=__version__, lifespan=lifespan)
    app.state.config = config
    app.state.engine = engine
    app.state.metrics = metrics
    app.state.blobs = blob_store
    install_errors(app)
    # verify: the public page a printed sheet's QR code opens (no login, no protocol header).
    for module in (accounts, places, rubrics, assignments, blobs, changesets, bundles, pull, office, releases, verify):
        app.include_router(module.router)
    app.include_router(releases.public)
    # The office's pages (after the API: their error pages leave /api/ answers as JSON).
    install_web(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process answers (no dependency is checked: that is /readyz)."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Ready when the database and the blob store answer; else 503 and no traffic."""
        checks: dict[str, str] = {}
        try:
            ping(engine)
            checks["database"] = "ok"
        except SQLAlchemyError as exc:
            logging.getLogger(LOGGER).warning("database not ready", extra={"fields": {"error": exc.__class__.__name__}})
            checks["database"] = "unavailable"
        try:
            blob_store.check()
            checks["blobs"] = "ok"
        except BlobStoreUnavailable as exc:
            logging.getLogger(LOGGER).warning("blob store not ready", extra={"fields": {"error": str(exc)}})
            checks["blobs"] = "unavailable"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics")
    def prometheus(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # Outside the routers and their error handlers: the gate sees every request first and
    # every answer last (only the 500 handler is outside it).
    app.add_middleware(Gate, config=config, metrics=metrics)
    return app
