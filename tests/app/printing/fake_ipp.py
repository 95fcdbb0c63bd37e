"""A print service that answers what a test tells it to: printers out of paper, jammed, offline,
refusals and broken answers that a real CUPS with a virtual queue cannot be made to give."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.printing import ServiceAddress, ipp

Answer = Callable[[ipp.Response, bytes], tuple[int, bytes]]


def printer_answer(name: str = "Office", *, state: int = 3, reasons: tuple[str, ...] = ("none",),
                   accepting: bool = True, status: int = 0) -> bytes:
    """An IPP answer with one printer's attributes (also fine for CUPS-Get-Printers)."""
    answer = ipp.Request(status)
    answer.operation(ipp.CHARSET, "attributes-charset", "utf-8")
    answer.add(ipp.PRINTER_GROUP, ipp.NAME, "printer-name", name)
    answer.add(ipp.PRINTER_GROUP, ipp.ENUM, "printer-state", state)
    answer.add(ipp.PRINTER_GROUP, ipp.KEYWORD, "printer-state-reasons", *reasons)
    answer.add(ipp.PRINTER_GROUP, ipp.BOOLEAN, "printer-is-accepting-jobs", accepting)
    return answer.encode()


def job_answer(job_id: int = 7, state: int = 3, status: int = 0, message: str = "") -> bytes:
    answer = ipp.Request(status)
    answer.operation(ipp.CHARSET, "attributes-charset", "utf-8")
    if message:
        answer.operation(ipp.TEXT, "status-message", message)
    if status < 0x100:
        answer.add(ipp.JOB_GROUP, ipp.INTEGER, "job-id", job_id)
        answer.add(ipp.JOB_GROUP, ipp.ENUM, "job-state", state)
        answer.add(ipp.JOB_GROUP, ipp.KEYWORD, "job-state-reasons", "none")
    return answer.encode()


@contextmanager
def fake_service(answer: Answer) -> Iterator[tuple[ServiceAddress, list[tuple[ipp.Response, bytes]]]]:
    """Serve ``answer(request, document) -> (http status, body)`` on the loopback; yields the
    address and the requests received."""
    seen: list[tuple[ipp.Response, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = ipp.decode_response(body)  # a request has the same shape as an answer
            document = body[_end_of_attributes(body):]
            seen.append((request, document))
            status, data = answer(request, document)
            self.send_response(status)
            self.send_header("Content-Type", "application/ipp")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServiceAddress("127.0.0.1", server.server_address[1]), seen
    finally:
        server.shutdown()
        server.server_close()


def _end_of_attributes(body: bytes) -> int:
    """Where the document starts: after the end-of-attributes tag (found by walking the attributes)."""
    pos = 8
    while body[pos] != ipp.END_OF_ATTRIBUTES:
        if body[pos] < 0x10:
            pos += 1
            continue
        name_length = int.from_bytes(body[pos + 1:pos + 3], "big")
        pos += 3 + name_length
        value_length = int.from_bytes(body[pos:pos + 2], "big")
        pos += 2 + value_length
    return pos + 1
