"""The verification code printed on paper, as the laptop prints it and the server checks it.

Two forms of one code:

* the long form ``FM1-<visit id>-<first 16 hex digits of the content hash>``, in the QR code;
* the short form ``XXXX-XXXX-XXXX-XXXX`` printed under it for typing: the first 8 hex digits of
  the visit id, then the first 8 of the content hash, upper case.

Once a profile knows its server, the QR code holds ``<server URL>/verify/<long form>`` so that a
phone camera opens the server's verify page; ``parse_code`` takes that URL too.

Here, apart from the printing, so that the server can read codes without importing reportlab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

PREFIX = "FM1"
HASH_DIGITS = 16
SHORT_DIGITS = 8
VERIFY_PATH = "/verify/"
_LONG_RE = re.compile(r"^fm1-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{16})$")
_SHORT_RE = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Code:
    """A code read from either form. ``visit_id`` is known only from the long form."""

    visit_id: str | None
    id_prefix: str
    hash_prefix: str

    @property
    def short(self) -> str:
        """The short form without dashes, lower case: how the server indexes it."""
        return self.id_prefix + self.hash_prefix[:SHORT_DIGITS]


def qr_payload(visit_id: str, digest: str) -> str:
    return f"{PREFIX}-{visit_id}-{digest[:HASH_DIGITS]}"


def short_code(visit_id: str, digest: str) -> str:
    raw = (visit_id.replace("-", "")[:SHORT_DIGITS] + digest[:SHORT_DIGITS]).upper()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def verify_url(server_url: str, visit_id: str, digest: str) -> str:
    """The server's verify page for this paper: what the QR code holds once a server is known.

    A server given without a scheme is taken as https: a phone opens only a QR code that holds
    a whole URL, and a server reached over the internet speaks TLS (docs/deploy.md)."""
    base = server_url.strip().rstrip("/")
    if "://" not in base:
        base = "https://" + base
    return base + VERIFY_PATH + qr_payload(visit_id, digest)


def parse_code(text: str) -> Code | None:
    """The code in ``text`` (either form, any case, the short one with or without dashes and
    spaces, or a verify page's URL); None when it is none of these."""
    text = text.strip()
    if "://" in text:
        text = unquote(urlsplit(text).path)
    text = text.lower()
    if VERIFY_PATH in text:
        # A verify page's address, with or without its scheme: the code is what follows.
        text = re.split(r"[?#]", text.rsplit(VERIFY_PATH, 1)[1])[0].strip("/")
    m = _LONG_RE.match(text)
    if m:
        return Code(m.group(1), m.group(1).replace("-", "")[:SHORT_DIGITS], m.group(2))
    compact = re.sub(r"[\s-]", "", text)
    if _SHORT_RE.match(compact):
        return Code(None, compact[:SHORT_DIGITS], compact[SHORT_DIGITS:])
    return None
