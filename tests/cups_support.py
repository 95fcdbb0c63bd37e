"""A real CUPS for the printing tests and the benchmark: its own cupsd, with virtual PDF queues.

The server runs from a temporary folder (its configuration, spool, logs) on a free port of the
loopback, so it never touches the machine's own CUPS. Each queue is Debian's cups-pdf
(printer-driver-cups-pdf): jobs go through CUPS' real filters and come out as PDF files in a
folder of the test's, where they can be checked page by page.

cups-pdf reads its settings from /etc/cups/cups-pdf-<queue>.conf (the path is built in) and
runs only as root, so cupsd must run as root: as root, the queues' settings files are written
there and removed afterwards. Where that cannot be, the tests skip with the reason; with
FIELDMARK_REQUIRE_CUPS=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CUPSD = "/usr/sbin/cupsd"
PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
PDF_CONF_DIR = Path("/etc/cups")
REQUIRED_ENV = "FIELDMARK_REQUIRE_CUPS"


class CupsUnavailable(RuntimeError):
    """This machine cannot run the test CUPS; the message says what is missing."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CupsServer:
    """A cupsd of its own. ``server`` is the value for $CUPS_SERVER."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fieldmark-cups-"))
        # cupsd's filters run as the lp user: the folders they read and write must be open to it.
        self.root.chmod(0o755)
        self.port = _free_port()
        self.server = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.queues: list[str] = []

    @staticmethod
    def check_machine() -> None:
        missing = [str(p) for p in (Path(CUPSD), PDF_BACKEND, PDF_PPD) if not p.exists()]
        missing += [tool for tool in ("lpadmin", "cupsreject", "cupsaccept") if shutil.which(tool) is None]
        if missing:
            raise CupsUnavailable("CUPS and cups-pdf are not installed (apt-get install cups "
                                  f"printer-driver-cups-pdf): missing {', '.join(missing)}")
        if os.geteuid() != 0:
            raise CupsUnavailable("cups-pdf runs only under a cupsd started as root")
        if _confined():
            raise CupsUnavailable("AppArmor confines cupsd to the system's folders, so a cupsd with its files in a "
                                  "temporary folder cannot run (`aa-complain cupsd` lifts it)")

    def start(self) -> None:
        self.check_machine()
        etc = self.root / "etc"
        for name in ("etc", "cache", "state", "log", "spool"):
            (self.root / name).mkdir()
        (self.root / "tmp").mkdir(mode=0o1777)
        (self.root / "tmp").chmod(0o1777)
        (etc / "cups-files.conf").write_text("\n".join([
            f"ServerRoot {etc}", f"RequestRoot {self.root / 'spool'}", f"CacheDir {self.root / 'cache'}",
            f"StateDir {self.root / 'state'}", f"TempDir {self.root / 'tmp'}",
            f"AccessLog {self.root / 'log' / 'access_log'}", f"ErrorLog {self.root / 'log' / 'error_log'}",
            f"PageLog {self.root / 'log' / 'page_log'}", "User lp", "Group lp", "SystemGroup root",
        ]) + "\n")
        # Anyone on the loopback may do anything: a throw-away server for one test run.
        (etc / "cupsd.conf").write_text(f"""Listen 127.0.0.1:{self.port}
LogLevel info
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
        self.process = subprocess.Popen(
            [CUPSD, "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                raise CupsUnavailable(f"cupsd stopped at start (exit {self.process.returncode}): {output}"
                                      f"{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise CupsUnavailable(f"cupsd did not listen on {self.server} within 20 s{self.log_tail()}")

    def lp(self, tool: str, *args: str) -> None:
        """Run a CUPS administration tool (lpadmin, cupsreject…) against this server."""
        result = subprocess.run([tool, "-h", self.server, *args], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise CupsUnavailable(f"{tool} {' '.join(args)} failed: {result.stderr.strip()}{self.log_tail()}")

    def add_pdf_queue(self, name: str) -> Path:
        """A cups-pdf queue whose PDFs land in the returned folder."""
        out = self.root / "out" / name
        spool = self.root / "pdf-spool" / name
        for folder in (out, spool):
            folder.mkdir(parents=True)
            folder.chmod(0o777)
        conf = PDF_CONF_DIR / f"cups-pdf-{name}.conf"
        conf.write_text(f"Out {out}\nAnonDirName {out}\nSpool {spool}\nLog {self.root / 'log'}\n"
                        "Grp root\nLogType 3\n")
        self.queues.append(name)
        self.lp("lpadmin", "-p", name, "-v", f"cups-pdf:/{name}", "-P", str(PDF_PPD), "-E",
                "-D", f"Fieldmark test queue {name}")
        return out

    def wait_for_output(self, name: str, count: int = 1, timeout: float = 60) -> list[Path]:
        """The first ``count`` PDFs cups-pdf wrote for the queue, once they are whole."""
        out = self.root / "out" / name
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = sorted((p for p in out.glob("*.pdf") if _whole_pdf(p)), key=lambda p: p.stat().st_mtime)
            if len(done) >= count:
                return done[:count]
            time.sleep(0.1)
        raise AssertionError(f"cups-pdf wrote {len(list(out.glob('*.pdf')))} PDF(s) for {name}, expected {count}"
                             f"{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        log = self.root / "log" / "error_log"
        try:
            return "\nerror_log:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for name in self.queues:
            (PDF_CONF_DIR / f"cups-pdf-{name}.conf").unlink(missing_ok=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _confined() -> bool:
    """Whether AppArmor enforces Debian's profile for cupsd here (it is not enforced in containers)."""
    try:
        profiles = Path("/sys/kernel/security/apparmor/profiles").read_text()
    except OSError:
        return False
    return any(line.startswith("/usr/sbin/cupsd ") and line.endswith("(enforce)") for line in profiles.splitlines())


def _whole_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 64))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


def unavailable(reason: str) -> None:
    """Skip, or fail where the CI asked for CUPS."""
    if os.environ.get(REQUIRED_ENV) == "1":
        pytest.fail(f"CUPS is required here ({REQUIRED_ENV}=1) but cannot run: {reason}")
    pytest.skip(f"no test CUPS on this machine: {reason}")


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    server = CupsServer()
    try:
        server.start()
    except CupsUnavailable as exc:
        server.stop()
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def pdf_queue(cups_server: CupsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A fresh cups-pdf queue on the test CUPS, its output folder, and $CUPS_SERVER pointing there."""
    name = f"fm{os.getpid()}_{next(_counter)}"
    try:
        out = cups_server.add_pdf_queue(name)
    except CupsUnavailable as exc:
        unavailable(str(exc))
    monkeypatch.setenv("CUPS_SERVER", cups_server.server)
    for variable in ("LPDEST", "PRINTER"):
        monkeypatch.delenv(variable, raising=False)
    yield name, out


# -- what came out ---------------------------------------------------------------------------

def page_boxes(pdf: Path | bytes) -> list[tuple[float, float]]:
    """Each page's media box, width and height in points."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def embedded_fonts(pdf: Path | bytes, page: int = 0) -> list[str]:
    """The base names of the fonts embedded in a page, its forms included: text that prints as
    text, not as a picture."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    names: list[str] = []
    seen: set[int] = set()

    def walk(resources) -> None:  # noqa: ANN001 - a pypdf dictionary
        resources = resources.get_object() if resources is not None else {}
        if id(resources) in seen:
            return
        seen.add(id(resources))
        for ref in resources.get("/Font", {}).get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.append(str(font.get("/BaseFont", "")))
        for ref in resources.get("/XObject", {}).get_object().values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                walk(form.get("/Resources"))

    walk(reader.pages[page].get("/Resources"))
    return names


def ink_box(pdf: Path | bytes, page: int = 0) -> tuple[int, int, int, int]:
    """Where the page has ink, in points from its top-left corner (rendered at 72 dpi): the
    same box on the original and the printout means the same size and the same place."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    box = image.point(lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None, "the page is blank"
    return box
