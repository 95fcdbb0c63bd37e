"""Start of the frozen application to an interactive window, against the non-frozen start.

    python bench/cold_start.py [--build dist/fieldmark] [--runs 10]

Each launch is a new process on a demo profile, offscreen, with ``FIELDMARK_EXIT_WHEN_READY=1``:
the app prints "interactive" once its main window is shown and its event loop runs, "ready" once
Today's lists are on screen, and quits. The time is taken here, from spawn to the line's arrival,
so it includes the bootloader unpacking nothing (one-folder), Python's start and every import.

The OS page cache cannot be dropped without root, so the first launch after the build (the
files may still be cached from writing them) is reported on its own, then the repeated ones.
Needs a build (`make package`); not part of `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Figure, print_table  # noqa: E402

TARGET_MS = 2000.0


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FIELDMARK_")}
    env.update(QT_QPA_PLATFORM="offscreen", FIELDMARK_EXIT_WHEN_READY="1",
               FIELDMARK_LOG_DIR=str(home / "logs"))
    # An installed app has its bytecode compiled; do not charge the source start for compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def launch(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Milliseconds from spawn until each marker line ("interactive", "ready")."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    marks: dict[str, float] = {}
    for line in child.stdout:
        word = line.split(" ", 1)[0].strip()
        marks.setdefault(word, (time.perf_counter() - start) * 1000.0)
        if word == "ready":
            break
    _out, err = child.communicate(timeout=120)
    if child.returncode != 0 or "interactive" not in marks or "ready" not in marks:
        raise RuntimeError(f"{command[0]} failed (exit {child.returncode}): {err[-2000:]}")
    return marks


def spread(name: str, samples: list[float]) -> str:
    return (f"{name:<40} min {min(samples):7.0f}  median {statistics.median(samples):7.0f}  "
            f"max {max(samples):7.0f} ms  (n={len(samples)})")


def folder_size(path: Path) -> str:
    return subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True,
                          check=True).stdout.split()[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "dist" / "fieldmark")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    exe = args.build.resolve() / "fieldmark"
    if not exe.is_file():
        print(f"no frozen build at {exe}: run `make package` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="fieldmark-cold-start-") as tmp:
        home = Path(tmp)
        profile = home / "profile"
        env = _env(home)
        subprocess.run([str(exe), "demo", "--data-dir", str(profile)], env=env, check=True,
                       capture_output=True)
        frozen = [str(exe), "--data-dir", str(profile)]
        source = [sys.executable, "-m", "ui.launcher", "--data-dir", str(profile)]
        first_frozen = launch(frozen, env)
        first_source = launch(source, env)
        runs: dict[str, dict[str, list[float]]] = {"frozen": {}, "source": {}}
        for _ in range(args.runs):  # interleaved, so a busy moment on the machine hits both
            for kind, command in (("frozen", frozen), ("source", source)):
                for mark, ms in launch(command, env).items():
                    runs[kind].setdefault(mark, []).append(ms)
    print(f"bundle {args.build}: {folder_size(args.build)}")
    print(f"first launch after the build: frozen interactive {first_frozen['interactive']:.0f} ms, "
          f"ready {first_frozen['ready']:.0f} ms; python -m interactive {first_source['interactive']:.0f} ms, "
          f"ready {first_source['ready']:.0f} ms")
    for kind, label in (("frozen", "frozen"), ("source", "python -m ui.launcher")):
        print(spread(f"{label}: interactive window", runs[kind]["interactive"]))
        print(spread(f"{label}: Today's data shown", runs[kind]["ready"]))
    print_table([
        Figure("frozen: cold start to interactive window (median)",
               statistics.median(runs["frozen"]["interactive"]), "ms", TARGET_MS),
        Figure("frozen: first launch after build to interactive window",
               first_frozen["interactive"], "ms", TARGET_MS),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
