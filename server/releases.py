"""The newest desktop release the office offers: its version and download link (one row or none).

Set by an admin (``PUT /api/v1/client-release``, ``fieldmark-server release set``); read by every
laptop at each sync from ``GET /client-release``, which needs no login (app.sync.release says why).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, insert, select, update

from app.sync.release import Release, version_key
from server.errors import BadInput
from server.store.schema import client_release

LATEST = "latest"
# What every laptop reads (app.sync.release.ReleaseNotice) refuses longer: an answer it cannot
# read would tell no laptop anything, so the office is refused instead.
MAX_VERSION = 32
MAX_URL = 2000
MAX_NOTES = 4000


def get_release(conn: Connection) -> Release | None:
    row = conn.execute(select(client_release).where(client_release.c.id == LATEST)).first()
    if row is None:
        return None
    return Release(row.version, row.download_url, row.notes_zh, row.notes_en)


def set_release(conn: Connection, *, version: str, download_url: str, notes_zh: str = "", notes_en: str = "",
                by: str | None = None) -> Release:
    problems = []
    try:
        version_key(version)
        if len(version.strip()) > MAX_VERSION:
            raise ValueError(f"a version has at most {MAX_VERSION} characters")
    except ValueError as exc:
        problems.append({"location": ["version"], "message": str(exc)})
    url = urlsplit(download_url.strip())
    if url.scheme not in ("https", "http") or not url.netloc or len(download_url.strip()) > MAX_URL:
        problems.append({"location": ["download_url"],
                         "message": f"the download link must be an http(s) address the laptops can open, "
                                    f"of at most {MAX_URL} characters"})
    for field, notes in (("notes_zh", notes_zh), ("notes_en", notes_en)):
        if len(notes.strip()) > MAX_NOTES:
            problems.append({"location": [field], "message": f"at most {MAX_NOTES} characters"})
    if problems:
        raise BadInput(f"the release needs a version such as 1.4.2, an http(s) download link and notes of "
                       f"at most {MAX_NOTES} characters",
                       problems=problems)
    values = {"version": version.strip(), "download_url": download_url.strip(), "notes_zh": notes_zh.strip(),
              "notes_en": notes_en.strip(), "updated_at": time.time(), "updated_by": by}
    if get_release(conn) is None:
        conn.execute(insert(client_release).values(id=LATEST, **values))
    else:
        conn.execute(update(client_release).where(client_release.c.id == LATEST).values(**values))
    release = get_release(conn)
    assert release is not None
    return release


def clear_release(conn: Connection) -> bool:
    """Offer no release any more; False when none was offered."""
    return conn.execute(delete(client_release).where(client_release.c.id == LATEST)).rowcount > 0
