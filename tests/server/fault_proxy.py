"""A TCP proxy on loopback that breaks connections the way a poor network and a flaky gateway do.

It sits between the laptop's HTTP client and a real server process. Each accepted connection is
given one fate, drawn from a seeded ``random.Random`` in the order connections arrive, so a seed
names a run (timing can still move a cut from one request to the next on a shared connection,
which is why every connection's fate and what it hit are logged):

- ``pass``: bytes go through untouched;
- ``delay``: every chunk, both ways, waits a little before it is forwarded;
- ``stall``: the answer stops after N bytes and nothing more comes until the client's timeout has
  passed, then the connection drops;
- ``cut_up``: the request stream is cut after N bytes (a request half sent: the server never
  answers, or answers a request it will not see the end of);
- ``cut_down``: the answer stream is cut after N bytes (a request the server did, its answer half
  received or truncated), closed plainly (FIN) or reset (RST);
- ``refuse``: the connection is reset as soon as it is accepted;
- ``error_before``: the proxy answers 502/503/504 itself, the server never hears the request;
- ``error_after``: the request reaches the server, which does the work, but its answer is
  replaced by a 502/503/504 (a gateway that lost the answer).

N is log-uniform between 1 byte and ``max_cut`` over the whole connection, so with keep-alive a
cut may fall on any request of it, inside a body or a header. ``faulty = False`` lets everything
through (the final round of a convergence test). ``watch`` hears each request line as it passes, so a
test can act in the middle of a chosen request (restart the server during a push). ``point_to`` changes the upstream port for new
connections (a restarted server). ``on_answer`` hears each answer's status line before it is forwarded,
with the request it answers, and may drop it (a test kills the server the moment a push is applied and
its receipt is on its way). Only the standard library is used.
"""

from __future__ import annotations

import math
import random
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

REQUEST_LINE = re.compile(rb"(GET|POST|PUT|DELETE|PATCH|HEAD) (/\S*) HTTP/1\.[01]\r\n")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})")
CHUNK = 64 * 1024

# Relative weights of the fates while faults are on.
WEIGHTS = {"pass": 30, "delay": 10, "stall": 4, "cut_up": 15, "cut_down": 17, "refuse": 6,
           "error_before": 9, "error_after": 9}


@dataclass(frozen=True)
class Fate:
    kind: str
    at: int = 0  # bytes into the connection's stream (cuts and stalls)
    wait: float = 0.0  # seconds per chunk (delay) or held (stall)
    status: int = 0  # the gateway's answer (error_before, error_after)
    reset: bool = False  # close with RST rather than FIN

    def text(self) -> str:
        if self.kind == "delay":
            return f"delay {self.wait * 1000:.0f} ms per chunk"
        if self.kind == "stall":
            return f"stall after {self.at} B for {self.wait:.1f} s"
        if self.kind in ("cut_up", "cut_down"):
            return f"{self.kind} after {self.at} B ({'RST' if self.reset else 'FIN'})"
        if self.kind.startswith("error"):
            return f"{self.kind} {self.status}"
        return self.kind


@dataclass
class ConnectionLog:
    """What one connection carried and what the proxy did to it."""

    number: int
    fate: Fate
    upstream: int
    requests: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    outcome: str = "open"
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        asked = ", ".join(self.requests) or "no request line seen"
        answered = " ".join(self.statuses) or "-"
        return (f"#{self.number} [{self.fate.text()}] -> :{self.upstream} | {asked} | answers {answered} | "
                f"up {self.bytes_up} B, down {self.bytes_down} B | {self.outcome}")


def _gateway_answer(status: int) -> bytes:
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[status]
    body = f"{status} {reason} (fault proxy)\n".encode()
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


class _Link:
    """One proxied connection: the two sockets, closed once, by whichever side ends first."""

    def __init__(self, client: socket.socket, log: ConnectionLog) -> None:
        self.client = client
        self.server: socket.socket | None = None
        self.log = log
        self.ended = threading.Event()
        self._lock = threading.Lock()

    def end(self, outcome: str | None = None, *, reset: bool = False) -> None:
        with self._lock:
            if self.ended.is_set():
                return
            self.ended.set()
            if outcome is not None:
                self.log.outcome = outcome
            elif self.log.outcome == "open":
                self.log.outcome = "closed"
            for sock in (self.client, self.server):
                if sock is None:
                    continue
                try:
                    if reset:
                        # Linger 0: the last close sends RST, as a dropped NAT entry or a killed
                        # peer does. SHUT_RD wakes the other pump's recv() without sending a FIN:
                        # a socket closed while a thread is blocked on it stays open in the kernel
                        # (a half-open connection the server would wait on), until that call returns.
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        sock.shutdown(socket.SHUT_RD)
                    else:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int, *, max_cut: int = 1 << 20, stall: float = 3.0,
                 weights: dict[str, int] | None = None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.faulty = True
        self.max_cut = max_cut
        self.stall = stall
        self.weights = weights or WEIGHTS
        self.log: list[ConnectionLog] = []
        # Called with each request line as it passes (from the connection's thread, before the
        # line is forwarded): a test acts at a chosen moment of a chosen request.
        self.watch: Callable[[str, ConnectionLog], None] | None = None
        # Called with the request an answer is for, as the answer's first bytes come back from the
        # server (from the connection's thread, before they are forwarded); True drops the answer:
        # the client's connection is reset and it never sees a byte of it.
        self.on_answer: Callable[[str, ConnectionLog], bool] | None = None
        self._upstream = upstream_port
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closing = False
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def point_to(self, upstream_port: int) -> None:
        with self._lock:
            self._upstream = upstream_port

    @contextmanager
    def clean(self) -> Iterator[None]:
        """Let everything through inside the block."""
        before, self.faulty = self.faulty, False
        try:
            yield
        finally:
            self.faulty = before

    def close(self) -> None:
        self._closing = True
        self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            link.end("proxy closed")
        self._acceptor.join(timeout=5)

    def report(self, since: int = 0) -> str:
        """One line per connection from number ``since`` on, for a failing seed's message."""
        with self._lock:
            entries = self.log[since:]
        return "\n".join(entry.line() for entry in entries)

    def counts(self) -> dict[str, int]:
        """How many connections met each fate."""
        found: dict[str, int] = {}
        with self._lock:
            for entry in self.log:
                found[entry.fate.kind] = found.get(entry.fate.kind, 0) + 1
        return found

    # --- the fates ----------------------------------------------------------------------------

    def _draw(self) -> Fate:
        if not self.faulty:
            return Fate("pass")
        rng = self.rng
        kind = rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
        at = int(math.exp(rng.uniform(0.0, math.log(self.max_cut))))
        if kind == "delay":
            return Fate(kind, wait=rng.uniform(0.005, 0.08))
        if kind == "stall":
            return Fate(kind, at=at, wait=self.stall)
        if kind in ("cut_up", "cut_down"):
            return Fate(kind, at=at, reset=rng.random() < 0.5)
        if kind.startswith("error"):
            return Fate(kind, status=rng.choice((502, 503, 504)))
        return Fate(kind)

    def _accept(self) -> None:
        # Closing a listening socket does not wake a thread blocked in accept(): poll instead.
        self._listener.settimeout(0.1)
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                fate = self._draw()
                log = ConnectionLog(len(self.log), fate, self._upstream)
                self.log.append(log)
                link = _Link(client, log)
                self._links.add(link)
            threading.Thread(target=self._serve, args=(link,), name=f"fault-proxy-{log.number}",
                             daemon=True).start()

    def _serve(self, link: _Link) -> None:
        fate, log = link.log.fate, link.log
        try:
            if fate.kind == "refuse":
                link.end("reset on accept", reset=True)
                return
            if fate.kind == "error_before":
                link.client.settimeout(5)
                try:
                    first = link.client.recv(CHUNK)
                    self._note_up(log, first)
                    link.client.sendall(_gateway_answer(fate.status))
                except OSError:
                    pass
                link.end(f"answered {fate.status} itself, the server never heard it")
                return
            try:
                link.server = socket.create_connection(("127.0.0.1", log.upstream), timeout=5)
                link.server.settimeout(None)
            except OSError as exc:
                link.end(f"upstream :{log.upstream} unreachable ({exc.strerror or exc}): reset", reset=True)
                return
            down = threading.Thread(target=self._pump_down, args=(link,), daemon=True)
            down.start()
            self._pump_up(link)
            down.join()
        finally:
            with self._lock:
                self._links.discard(link)

    def _note_up(self, log: ConnectionLog, data: bytes) -> None:
        for match in REQUEST_LINE.finditer(data):
            request = f"{match.group(1).decode()} {match.group(2).decode()}"
            log.requests.append(request)
            watch = self.watch
            if watch is not None:
                watch(request, log)

    def _pump_up(self, link: _Link) -> None:
        fate, log = link.log.fate, link.log
        assert link.server is not None
        while not link.ended.is_set():
            try:
                data = link.client.recv(CHUNK)
            except OSError:
                link.end()
                return
            if not data:
                link.end()
                return
            self._note_up(log, data)
            if fate.kind == "delay":
                time.sleep(fate.wait)
            if fate.kind == "cut_up" and log.bytes_up + len(data) >= fate.at:
                keep = data[:fate.at - log.bytes_up]
                try:
                    link.server.sendall(keep)
                except OSError:
                    pass
                log.bytes_up += len(keep)
                link.end(f"request stream cut after {fate.at} B during {self._last(log)}", reset=fate.reset)
                return
            try:
                link.server.sendall(data)
            except OSError:
                link.end()
                return
            log.bytes_up += len(data)

    def _pump_down(self, link: _Link) -> None:
        fate, log = link.log.fate, link.log
        assert link.server is not None
        while not link.ended.is_set():
            try:
                data = link.server.recv(CHUNK)
            except OSError:
                link.end()
                return
            if not data:
                link.end()
                return
            answered = len(log.statuses)
            log.statuses += [m.group(1).decode() for m in STATUS_LINE.finditer(data[:64])]
            on_answer = self.on_answer
            if on_answer is not None and len(log.statuses) > answered and answered < len(log.requests) \
                    and on_answer(log.requests[answered], log):
                link.end(f"the answer to {log.requests[answered]} was dropped", reset=True)
                return
            if fate.kind == "error_after":
                try:
                    link.client.sendall(_gateway_answer(fate.status))
                except OSError:
                    pass
                link.end(f"the server answered {self._last(log)}; the client got {fate.status} instead")
                return
            if fate.kind == "delay":
                time.sleep(fate.wait)
            if fate.kind in ("cut_down", "stall") and log.bytes_down + len(data) >= fate.at:
                keep = data[:fate.at - log.bytes_down]
                try:
                    link.client.sendall(keep)
                except OSError:
                    pass
                log.bytes_down += len(keep)
                if fate.kind == "stall":
                    # Hold the connection open and silent: the client must give up on its own.
                    log.outcome = f"answer stalled after {fate.at} B during {self._last(log)}"
                    link.ended.wait(fate.wait)
                    link.end()
                else:
                    link.end(f"answer cut after {fate.at} B during {self._last(log)}", reset=fate.reset)
                return
            try:
                link.client.sendall(data)
            except OSError:
                link.end()
                return
            log.bytes_down += len(data)

    @staticmethod
    def _last(log: ConnectionLog) -> str:
        return log.requests[-1] if log.requests else "the first request"
