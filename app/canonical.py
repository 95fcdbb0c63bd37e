"""Canonical JSON and content hashes.

One definition serves rubric identity, the finalized-visit hash and sync bundles, so the
same bytes are hashed on the laptop, on paper and on the server.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Decimals are written as their exact string so no float rounding enters a hash.
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys, no insignificant whitespace and UTF-8 text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def content_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
