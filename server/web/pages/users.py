"""The Users pages (administrators only): the accounts in the admin's scope, a new account, and
one account's role and scope, password, and disabling.

An admin sees and changes only accounts whose scope lies inside their own, and gives only
areas inside it; an account outside is 'not found', as if it did not exist. The checks here
word a refusal for the form in the page's language; the service (``server.accounts``) keeps
its own checks, whose message is shown as it is should one still refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from sqlalchemy import Connection
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from server import accounts
from server.accounts import MIN_PASSWORD, ROLES, Account
from server.areas import Area, list_areas
from server.errors import Conflict, NotFound, ServerError
from server.store.database import reading, writing
from server.web.errors import PageNotFound
from server.web.render import render
from server.web.routing import page_router
from server.web.session import ADMIN, SESSION_COOKIE, Viewer

router = page_router()
MAX_NAME = 100
# What the edit page may say after a change (?done=…): catalogue keys.
DONE = {"created": "users.created", "saved": "users.saved", "reset": "users.reset_done",
        "disabled": "users.disabled_done", "enabled": "users.enabled_done"}
# The scope field's value for the whole tree.
WHOLE_TREE = ""

# Field name -> (catalogue key, values for its placeholders).
Errors = dict[str, tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Choice:
    """An area the admin may give as a scope, indented by its depth below the admin's own."""

    code: str
    label: str


def _choices(areas: list[Area]) -> list[Choice]:
    top = min((a.path.count("/") for a in areas), default=0)
    return [Choice(a.code, "\u3000" * (a.path.count("/") - top) + f"{a.name} ({a.code})") for a in areas]


def edit_url(login: str, done: str | None = None, **values: object) -> str:
    url = "/users/edit/" + quote(login, safe="")
    if done:
        url += f"?done={done}" + "".join(f"&{k}={quote(str(v), safe='')}" for k, v in values.items())
    return url


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_scope(conn: Connection, viewer: Viewer, role: str, scope: str, errors: Errors) -> None:
    if scope == WHOLE_TREE:
        if viewer.scope != "/":
            errors["scope"] = ("users.error.whole_tree", {})
        elif role != "admin" and role in ROLES:
            errors["scope"] = ("users.error.scope_needed", {})
    elif scope not in {a.code for a in list_areas(conn, viewer.scope)}:
        errors["scope"] = ("users.error.scope", {})


def _check_details(conn: Connection, viewer: Viewer, form: FormData, errors: Errors) -> tuple[str, str, str]:
    name, role, scope = _field(form, "name"), _field(form, "role"), _field(form, "scope")
    if len(name) > MAX_NAME:
        errors["name"] = ("users.error.name", {})
    if role not in ROLES:
        errors["role"] = ("users.error.role", {})
    _check_scope(conn, viewer, role, scope, errors)
    return name, role, scope


def _check_password(form: FormData, errors: Errors) -> str:
    password = form.get("password")
    again = form.get("password_again")
    password = password if isinstance(password, str) else ""
    if len(password) < MIN_PASSWORD:
        errors["password"] = ("users.error.password_short", {"min": MIN_PASSWORD})
    elif password != again:
        errors["password_again"] = ("users.error.password_mismatch", {})
    return password


def _scope_names(conn: Connection, viewer: Viewer) -> dict[str | None, str]:
    return {a.code: f"{a.name} ({a.code})" for a in list_areas(conn, viewer.scope)}


@router.get("/users")
def list_page(request: Request, viewer: Viewer = ADMIN) -> Response:
    with reading(request.app.state.engine) as conn:
        found = accounts.list_accounts(conn, within=viewer.scope)
        scopes = _scope_names(conn, viewer)
    return render(request, "users/list.html", accounts=found, scopes=scopes, edit_url=edit_url)


def _new_page(request: Request, viewer: Viewer, *, values: dict[str, str], errors: Errors,
              status: int = 200, problem: str | None = None) -> Response:
    with reading(request.app.state.engine) as conn:
        choices = _choices(list_areas(conn, viewer.scope))
    return render(request, "users/new.html", status=status, here="/users/new", roles=ROLES,
                  choices=choices, whole_tree=viewer.scope == "/", values=values, errors=errors,
                  problem=problem, min_password=MIN_PASSWORD)


@router.get("/users/new")
def new_page(request: Request, viewer: Viewer = ADMIN) -> Response:
    first = viewer.scope_area.code if viewer.scope_area else WHOLE_TREE
    return _new_page(request, viewer, values={"role": "inspector", "scope": first}, errors={})


@router.post("/users/new")
async def create(request: Request, viewer: Viewer = ADMIN) -> Response:
    form = await request.form()
    errors: Errors = {}
    login = _field(form, "login")
    if not login or len(login) > 64 or any(c.isspace() for c in login):
        errors["login"] = ("users.error.login", {})
    with reading(request.app.state.engine) as conn:
        name, role, scope = _check_details(conn, viewer, form, errors)
    password = _check_password(form, errors)
    values = {"login": login, "name": name, "role": role, "scope": scope}
    if errors:
        return _new_page(request, viewer, values=values, errors=errors, status=400)
    try:
        with writing(request.app.state.engine) as conn:
            accounts.add_account(conn, login=login, password=password, role=role,
                                 scope_code=scope or None, name=name)
    except Conflict:
        errors["login"] = ("users.error.login_taken", {"login": login})
        return _new_page(request, viewer, values=values, errors=errors, status=409)
    except ServerError as exc:
        return _new_page(request, viewer, values=values, errors=errors, status=exc.status, problem=exc.message)
    return RedirectResponse(edit_url(login, "created"), status_code=303)


def _target(conn: Connection, viewer: Viewer, login: str) -> Account:
    try:
        return accounts.account_within(conn, login, viewer.scope)
    except NotFound:
        raise PageNotFound() from None


def _edit_page(request: Request, viewer: Viewer, login: str, *, errors: Errors | None = None,
               values: dict[str, str] | None = None, status: int = 200, done: str | None = None,
               count: int = 0, problem: str | None = None) -> Response:
    with reading(request.app.state.engine) as conn:
        account = _target(conn, viewer, login)
        choices = _choices(list_areas(conn, viewer.scope))
    shown = values or {"name": account.name, "role": account.role, "scope": account.scope_code or WHOLE_TREE}
    return render(request, "users/edit.html", status=status, here=edit_url(login), account=account,
                  roles=ROLES, choices=choices, whole_tree=viewer.scope == "/", values=shown,
                  errors=errors or {}, done=DONE.get(done or ""), count=count, problem=problem,
                  is_self=account.id == viewer.account.id, min_password=MIN_PASSWORD)


@router.get("/users/edit/{login:path}")
def edit_page(request: Request, login: str, done: str | None = None, count: int = 0,
              viewer: Viewer = ADMIN) -> Response:
    return _edit_page(request, viewer, login, done=done, count=count)


@router.post("/users/edit/{login:path}")
async def change(request: Request, login: str, viewer: Viewer = ADMIN) -> Response:
    """One of the page's forms, named by its ``action``: details, password, disable, enable."""
    form = await request.form()
    action = _field(form, "action")
    with reading(request.app.state.engine) as conn:
        target = _target(conn, viewer, login)
    if action == "details":
        return _change_details(request, viewer, target, form)
    if action == "password":
        return _change_password(request, viewer, target, form)
    if action in ("disable", "enable"):
        return _change_enabled(request, viewer, target, action)
    return _edit_page(request, viewer, login, status=400, problem=f"unknown action {action!r}")


def _change_details(request: Request, viewer: Viewer, target: Account, form: FormData) -> Response:
    errors: Errors = {}
    with reading(request.app.state.engine) as conn:
        name, role, scope = _check_details(conn, viewer, form, errors)
    values = {"name": name, "role": role, "scope": scope}
    if target.id == viewer.account.id and (role != target.role or scope != (target.scope_code or WHOLE_TREE)):
        # An admin who demotes or narrows themselves could lose the page that would undo it.
        errors["role"] = ("users.error.self_role", {})
    if errors:
        return _edit_page(request, viewer, target.login, errors=errors, values=values, status=400)
    try:
        with writing(request.app.state.engine) as conn:
            accounts.update_account(conn, target.login, role=role, scope_code=scope or None, name=name)
    except ServerError as exc:
        return _edit_page(request, viewer, target.login, values=values, status=exc.status, problem=exc.message)
    return RedirectResponse(edit_url(target.login, "saved"), status_code=303)


def _change_password(request: Request, viewer: Viewer, target: Account, form: FormData) -> Response:
    errors: Errors = {}
    password = _check_password(form, errors)
    if errors:
        return _edit_page(request, viewer, target.login, errors=errors, status=400)
    with writing(request.app.state.engine) as conn:
        accounts.set_password(conn, target.login, password)
    if target.id == viewer.account.id:
        # Every token of the account was revoked, this session's too.
        response = RedirectResponse("/login?notice=reset_own", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    return RedirectResponse(edit_url(target.login, "reset"), status_code=303)


def _change_enabled(request: Request, viewer: Viewer, target: Account, action: str) -> Response:
    if action == "enable":
        with writing(request.app.state.engine) as conn:
            accounts.enable_account(conn, target.login)
        return RedirectResponse(edit_url(target.login, "enabled"), status_code=303)
    if target.id == viewer.account.id:
        return _edit_page(request, viewer, target.login, status=400,
                          errors={"disable": ("users.error.self_disable", {})})
    with writing(request.app.state.engine) as conn:
        revoked = accounts.disable_account(conn, target.login)
    return RedirectResponse(edit_url(target.login, "disabled", count=revoked), status_code=303)
