"""The router a page module makes its routes on."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from server.web.session import checked_form


def page_router() -> APIRouter:
    """Routes that are pages, not API: left out of the OpenAPI description, and every form sent
    to them (POST, PUT, PATCH, DELETE) must carry the session's CSRF token."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(checked_form)])
