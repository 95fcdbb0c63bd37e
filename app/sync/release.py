"""The newest desktop release the office offers, and whether it is newer than this Fieldmark.

The server answers ``GET /client-release`` outside the versioned API, with no login and no
protocol header, so that every Fieldmark ever shipped can still ask it, even one too old to sync.
For the same reason the laptop reads the answer leniently: fields it does not know are ignored,
and a malformed answer is no notice at all rather than an error.

The laptop keeps the last answer in its profile (``meta``), so the notice survives a restart and
shows offline. Fieldmark never installs anything itself: the notice names the version and the
office's download link, and the inspector installs it when no visit is under way.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app import __version__
from app.profile import Profile
from db.queries import meta

RELEASE_PATH = "/client-release"
KEPT_KEY = "release.latest"
log = logging.getLogger(__name__)

# "1.4", "1.4.2", "2.0.0rc1": dotted whole numbers, then an optional pre-release tag. Anything
# else is refused when the office sets it, so every laptop compares it the same way.
VERSION = re.compile(r"^(\d{1,6}(?:\.\d{1,6}){0,3})(?:(a|b|rc)(\d{1,6}))?$")
_TAG_ORDER = {"a": 0, "b": 1, "rc": 2}


def version_key(text: str) -> tuple[tuple[int, ...], tuple[int, int]]:
    """A sort key: 1.4 == 1.4.0 < 1.4.1rc1 < 1.4.1. ValueError for what VERSION refuses."""
    found = VERSION.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a version such as 1.4.2 or 2.0rc1")
    numbers = [int(n) for n in found.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    tag = (_TAG_ORDER[found.group(2)], int(found.group(3))) if found.group(2) else (3, 0)
    return tuple(numbers), tag


def is_newer(offered: str, current: str) -> bool:
    try:
        return version_key(offered) > version_key(current)
    except ValueError:
        return False


class ReleaseNotice(BaseModel):
    """The answer of ``GET /client-release``: ``version`` is None when the office offers none."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    version: str | None = Field(default=None, max_length=32)
    download_url: str | None = Field(default=None, max_length=2000)
    notes_zh: str = Field(default="", max_length=4000)
    notes_en: str = Field(default="", max_length=4000)


@dataclass(frozen=True)
class Release:
    version: str
    download_url: str
    notes_zh: str = ""
    notes_en: str = ""


def from_answer(body: bytes) -> Release | None:
    """The release an answer offers, or None (none offered, or an answer that makes no sense)."""
    try:
        notice = ReleaseNotice.model_validate_json(body)
    except ValidationError:
        log.info("the server's release notice is not one this Fieldmark reads; ignored")
        return None
    if not notice.version or not notice.download_url:
        return None
    try:
        version_key(notice.version)
    except ValueError:
        return None
    if not notice.download_url.startswith(("https://", "http://")):
        return None  # a link the inspector should not be asked to open
    return Release(notice.version, notice.download_url, notice.notes_zh, notice.notes_en)


def remember(profile: Profile, release: Release | None) -> None:
    """Keep what the server offers now: a release, or none (the office withdrew it)."""
    with profile.db.atomic():
        if release is None:
            meta.delete(profile.db, KEPT_KEY)
        else:
            meta.put(profile.db, KEPT_KEY, json.dumps(asdict(release), ensure_ascii=False))


def kept(profile: Profile) -> Release | None:
    text = meta.get(profile.db, KEPT_KEY)
    if not text:
        return None
    try:
        return Release(**json.loads(text))
    except (TypeError, ValueError):
        return None


def newer_release(profile: Profile, current: str | None = None) -> Release | None:
    """The kept release when it is newer than ``current`` (this Fieldmark's version), else None."""
    release = kept(profile)
    return release if release is not None and is_newer(release.version, current or __version__) else None


def learn(http: httpx.Client, server_url: str, profile: Profile) -> Release | None:
    """Ask the server which release it offers, keep the answer, and return the kept release if it
    is newer than this Fieldmark. When the question gets no answer, what was known stays."""
    try:
        answer = http.get(server_url.rstrip("/") + RELEASE_PATH, timeout=10.0)
    except httpx.HTTPError as exc:
        log.info("the release notice was not read: %s", exc.__class__.__name__)
        return newer_release(profile)
    if answer.status_code == 404:
        remember(profile, None)  # a server from before release notices offers none
    elif answer.status_code == 200:
        remember(profile, from_answer(answer.content))
    return newer_release(profile)
