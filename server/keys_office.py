"""The office's X25519 key pair, which offline bundles for the office are sealed to.

Kept in the data folder (``office-bundle-key``, base64 of the 32 raw private bytes, mode 0600)
rather than in the database: a database dump or replica given to someone else then cannot open
the bundles, and the store's schema is unchanged. Made by ``fieldmark-server init`` or, for a data
folder from before, by the first use (the first ``GET /office`` or bundle import); processes
sharing the folder agree on one key because it is created with a hard link, which fails when
another process made it first. Losing the file means sealed bundles not yet imported cannot be
opened: back it up with the data folder.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from server.errors import ServerError

KEY_FILE = "office-bundle-key"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def office_key(data_dir: Path) -> X25519PrivateKey:
    """The office's key, made (0600) if the data folder has none yet."""
    path = key_path(data_dir)
    if not path.exists():
        _create(path)
    text = path.read_text(encoding="ascii").strip()
    try:
        raw = base64.b64decode(text, validate=True)
        return X25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise ServerError(f"{path} is not an office bundle key ({exc}); restore it from a backup") from exc


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = X25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    # mkstemp makes the file 0600 from the start: the secret is never readable by others.
    handle, temp = tempfile.mkstemp(prefix=".office-key-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as fh:
            fh.write(base64.b64encode(raw).decode("ascii") + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process made it first: that one is the office's key
    finally:
        os.unlink(temp)
