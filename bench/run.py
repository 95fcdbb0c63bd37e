"""Run every benchmark and print one table of figure, target and verdict."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, print_table  # noqa: E402

MODULES = [
    "bench.scoring",
    "bench.xlsx_validate",
    "bench.db_scale",
    "bench.photo_ingest",
    "bench.ui_startup",
    "bench.report",
    "bench.save_latency",
    "bench.ui_import_stall",
    "bench.blob_upload",
    "bench.print_job",
]


def main() -> int:
    figures: list[Figure] = []
    for name in MODULES:
        module = importlib.import_module(name)
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend(module.run())
    print_table(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
