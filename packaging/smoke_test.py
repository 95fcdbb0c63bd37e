"""Smoke test of the frozen one-folder build (`make package-test`): run it as an inspector would.

    python packaging/smoke_test.py dist/fieldmark

In a fresh temporary folder, with the build copied there (so nothing can come from the source
tree by accident):

1. ``fieldmark --version`` answers;
2. the desktop starts offscreen on an empty profile folder, creates the profile, shows its main
   window and quits (``FIELDMARK_EXIT_WHEN_READY=1``);
3. ``fieldmark demo`` fills a second profile, and ``fieldmark report`` prints a finalized visit's
   feedback sheet in Chinese, traced with strace: the font file it opens must be the one inside
   the bundle, and the PDF must embed that font (WenQuanYi Micro Hei) and carry its Chinese text.

Exits 0 when every step passes, else 1 with the step that failed and the program's output. Needs
pypdf (the build venv has it, from the dev extra) and strace (Linux).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FONT_FILE = Path("resources") / "fonts" / "wqy-microhei.ttc"
# The PostScript name of the bundled font, as a PDF names an embedded subset (ABCDEF+Name).
FONT_NAME = "WenQuanYiMicroHei"
TIMEOUT = 120


class SmokeFailure(Exception):
    pass


def run(command: list[str], env: dict[str, str], *, step: str) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{step}: no answer after {TIMEOUT} s") from exc
    if done.returncode != 0:
        raise SmokeFailure(f"{step}: exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a fresh user: no profile, no logs, offscreen Qt, no Python variables."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "FIELDMARK_", "VIRTUAL_ENV", "XDG_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", FIELDMARK_LOG_DIR=str(home / "logs"),
               XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"))
    return env


def opened_files(trace: Path) -> list[Path]:
    """The files a strace log shows opened successfully."""
    opened = []
    for line in trace.read_text(errors="replace").splitlines():
        match = re.search(r'open(?:at)?\(.*?"([^"]+)".*\)\s*=\s*\d+', line)
        if match:
            opened.append(Path(match.group(1)))
    return opened


def pdf_fonts_and_text(pdf: Path) -> tuple[set[str], str]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    fonts: set[str] = set()
    text = []
    for page in reader.pages:
        text.append(page.extract_text() or "")
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources is not None else None
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            fonts.add(str(ref.get_object().get("/BaseFont")))
    return fonts, "\n".join(text)


def smoke(build: Path, work: Path) -> None:
    bundle = work / "fieldmark"
    shutil.copytree(build, bundle, symlinks=True)
    exe = bundle / ("fieldmark.exe" if os.name == "nt" else "fieldmark")
    home = work / "home"
    home.mkdir()
    env = clean_env(home)

    version = run([str(exe), "--version"], env, step="fieldmark --version").stdout.strip()
    print(f"ok  fieldmark --version: {version}")

    fresh = work / "fresh-profile"
    desktop_env = dict(env, FIELDMARK_EXIT_WHEN_READY="1")
    started = run([str(exe), "--data-dir", str(fresh)], desktop_env, step="desktop start offscreen")
    if "ready" not in started.stdout:
        raise SmokeFailure(f"desktop start: it never said its window was ready\n{started.stdout}{started.stderr}")
    if not (fresh / "fieldmark.sqlite3").is_file():
        raise SmokeFailure(f"desktop start: no profile database was created in {fresh}")
    print(f"ok  desktop started offscreen, created a profile, quit: {started.stdout.split()[-2:]}")

    demo = work / "demo-profile"
    run([str(exe), "demo", "--data-dir", str(demo)], env, step="fieldmark demo")
    listed = run([str(exe), "visits", "list", "--status", "finalized", "--json", "--data-dir", str(demo)],
                 env, step="fieldmark visits list")
    visits = json.loads(listed.stdout)
    if not visits:
        raise SmokeFailure("fieldmark demo: the demo profile has no finalized visit")
    visit_id = str(visits[0]["id"])
    print(f"ok  demo profile, {len(visits)} finalized visits")

    pdf = work / "feedback.pdf"
    trace = work / "report.strace"
    if shutil.which("strace") is None:
        raise SmokeFailure("strace is needed to see which font file the app opens: apt-get install strace")
    run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(trace), str(exe), "report", visit_id,
         "--kind", "feedback", "--lang", "zh", "--out", str(pdf), "--data-dir", str(demo)],
        env, step="fieldmark report --kind feedback --lang zh")
    fonts_opened = [path for path in opened_files(trace) if path.suffix.lower() in {".ttc", ".ttf", ".otf"}]
    bundled = (bundle / "_internal" / FONT_FILE).resolve()
    if not fonts_opened:
        raise SmokeFailure("fieldmark report opened no font file")
    outside = [path for path in fonts_opened if not path.resolve().is_relative_to(bundle.resolve())]
    if outside or bundled not in {path.resolve() for path in fonts_opened}:
        raise SmokeFailure(f"fieldmark report: fonts opened {fonts_opened}, expected only {bundled}")
    print(f"ok  the report loaded its font from inside the bundle: {bundled.relative_to(work)}")

    fonts, text = pdf_fonts_and_text(pdf)
    embedded = [name for name in fonts if name.split("+")[-1].startswith(FONT_NAME)]
    if not embedded or len(embedded) != len(fonts):
        raise SmokeFailure(f"feedback PDF: fonts {sorted(fonts)}, expected only the bundled {FONT_NAME}")
    chinese = re.findall(r"[\u4e00-\u9fff]", text)
    if len(chinese) < 10:
        raise SmokeFailure(f"feedback PDF: hardly any Chinese text ({len(chinese)} characters)")
    print(f"ok  feedback PDF ({pdf.stat().st_size} bytes) embeds {sorted(fonts)}, "
          f"{len(chinese)} Chinese characters, e.g. {''.join(chinese[:12])}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: smoke_test.py BUILD_FOLDER (e.g. dist/fieldmark)", file=sys.stderr)
        return 2
    build = Path(argv[0]).resolve()
    if not (build / "fieldmark").is_file() and not (build / "fieldmark.exe").is_file():
        print(f"no fieldmark executable in {build}: run `make package` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="fieldmark-smoke-") as tmp:
        try:
            smoke(build, Path(tmp))
        except SmokeFailure as exc:
            print(f"FAILED  {exc}", file=sys.stderr)
            return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
