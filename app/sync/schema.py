"""JSON Schemas of every sync message, for people and for clients written in other languages.

``python -m app.sync.schema --out docs/sync-schema/`` writes one file per message; a test fails
when the committed files differ from the models, so the published contract cannot drift.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import BaseModel

from app.sync import bundle, errors_body, protocol, pull

# Every message of docs/sync-protocol.md, by the name its schema file takes.
MESSAGES: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        protocol.LoginRequest,
        protocol.LoginResponse,
        protocol.DeviceRegistration,
        protocol.DeviceRegistered,
        protocol.BlobsMissingRequest,
        protocol.BlobsMissingResponse,
        protocol.BlobStored,
        protocol.Changeset,
        protocol.Receipt,
        pull.PullRequest,
        pull.PullPage,
        errors_body.ErrorBody,
        bundle.BundleManifest,
        bundle.BundleSignature,
    )
}


def schema_text(model: type[BaseModel]) -> str:
    document = model.model_json_schema()
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://fieldmark.invalid/sync/v{protocol.PROTOCOL_VERSION}/{model.__name__}.json",
        **document,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, str]:
    """File name → text for every message."""
    return {f"{name}.json": schema_text(model) for name, model in MESSAGES.items()}


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into ``out`` and remove stale ones, so the folder is exactly the contract."""
    out.mkdir(parents=True, exist_ok=True)
    files = schema_files()
    for stale in out.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.sync.schema", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/sync-schema"))
    args = parser.parse_args(argv)
    for path in write_schemas(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
