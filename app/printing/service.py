"""Where the print service (CUPS) listens, and one IPP exchange with it over HTTP.

CUPS answers IPP on a local socket (Linux, macOS) or on port 631. The address is found the way
the system's own ``lp`` finds it, so Fieldmark prints where the user's other programs print:
``$CUPS_SERVER``, else ``ServerName`` in the user's or the system's ``client.conf``, else the
local socket when it exists, else localhost:631.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from app.errors import FieldmarkError
from app.printing.ipp import IppDecodeError, Request, Response, decode_response

DEFAULT_PORT = 631
# How long to wait for the service to answer at all: a machine with no CUPS must be told so at
# once, not after a minute.
CONNECT_TIMEOUT_S = 3.0
# A large report over a slow network queue may take a while to send.
SEND_TIMEOUT_S = 60.0
VERSION_NOT_SUPPORTED = 0x0503

_SOCKETS = {
    "darwin": ("/private/var/run/cupsd",),
}
_LINUX_SOCKETS = ("/run/cups/cups.sock", "/var/run/cups/cups.sock")


class PrintServiceError(FieldmarkError):
    """The print service could not be reached, or did not answer as a print service.

    ``kind`` is ``unreachable`` (nothing listens: no CUPS on this machine, or it is stopped),
    ``http`` (it answered with an HTTP error, such as a login it wants) or ``garbled``.
    """

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ServiceAddress:
    """A CUPS server: a local socket path, or a host and port."""

    host: str = "localhost"
    port: int = DEFAULT_PORT
    socket_path: str | None = None

    def __str__(self) -> str:
        return self.socket_path or f"{self.host}:{self.port}"

    def printer_uri(self, queue: str) -> str:
        from urllib.parse import quote

        where = "localhost" if self.socket_path else f"{self.host}:{self.port}"
        return f"ipp://{where}/printers/{quote(queue, safe='')}"

    def exchange(self, request: Request, document: bytes = b"", *, path: str = "/",
                 timeout: float = SEND_TIMEOUT_S) -> Response:
        """POST one IPP request (and its document) and decode the answer. A service that does
        not speak IPP 2.0 (CUPS before 1.5) is asked again in 1.1."""
        response = self._post(request, document, path, timeout)
        if response.status == VERSION_NOT_SUPPORTED and request.version != (1, 1):
            response = self._post(replace(request, version=(1, 1)), document, path, timeout)
        return response

    def _post(self, request: Request, document: bytes, path: str, timeout: float) -> Response:
        body = request.encode() + document
        connection = _connect(self, timeout)
        try:
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/ipp"})
                answer = connection.getresponse()
                data = answer.read()
            except OSError as exc:
                raise PrintServiceError(f"the print service at {self} does not answer: {_reason(exc)}",
                                        kind="unreachable") from exc
            except http.client.HTTPException as exc:
                raise PrintServiceError(f"the print service at {self} broke off: {exc}", kind="garbled") from exc
        finally:
            connection.close()
        if answer.status != 200:
            raise PrintServiceError(f"the print service at {self} answered HTTP {answer.status} {answer.reason}",
                                    kind="http")
        try:
            return decode_response(data)
        except IppDecodeError as exc:
            raise PrintServiceError(f"the print service at {self} sent an answer that is not IPP: {exc}",
                                    kind="garbled") from exc


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(min(CONNECT_TIMEOUT_S, self.timeout or CONNECT_TIMEOUT_S))
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        sock.settimeout(self.timeout)
        self.sock = sock


class _TcpConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_S)
        self.sock.settimeout(self.timeout)


def _connect(address: ServiceAddress, timeout: float) -> http.client.HTTPConnection:
    if address.socket_path:
        return _UnixConnection(address.socket_path, timeout)
    return _TcpConnection(address.host, address.port, timeout=timeout)


def _reason(exc: OSError) -> str:
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        return "nothing is listening there (is CUPS installed and running?)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "it did not answer in time"
    return exc.strerror or str(exc)


def locate_service(environ: dict[str, str] | None = None, home: Path | None = None,
                   platform: str | None = None) -> ServiceAddress:
    """The print service this user's programs print to (see the module's docstring)."""
    env = dict(os.environ if environ is None else environ)
    platform = platform or sys.platform
    named = env.get("CUPS_SERVER", "").strip()
    if not named:
        home = home if home is not None else Path.home()
        for conf in (home / ".cups" / "client.conf", Path("/etc/cups/client.conf")):
            named = _server_name(conf)
            if named:
                break
    port = _port(env.get("IPP_PORT", ""), DEFAULT_PORT)
    if named:
        return _parse_server(named, port)
    for path in _SOCKETS.get(platform, _LINUX_SOCKETS if platform.startswith("linux") else ()):
        if Path(path).exists():
            return ServiceAddress(socket_path=path)
    return ServiceAddress("localhost", port)


def _server_name(conf: Path) -> str:
    try:
        lines = conf.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        words = line.split(None, 1)
        if len(words) == 2 and words[0].lower() == "servername":
            return words[1].strip()
    return ""


def _parse_server(named: str, port: int) -> ServiceAddress:
    named = named.split("/version=", 1)[0]  # CUPS allows "host:port/version=1.1"
    if named.startswith("/"):
        return ServiceAddress(socket_path=named)
    host, colon, rest = named.rpartition(":")
    if colon and rest.isdigit() and not host.endswith(":"):  # not the last group of a bare IPv6
        return ServiceAddress(host.strip("[]"), int(rest))
    return ServiceAddress(named.strip("[]"), port)


def _port(text: str, default: int) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else default
