"""A hybrid logical clock: revision stamps that order a device's edits even when its clock lies.

A stamp is ``(wall_ms, counter, node)``. Issuing a stamp never goes backwards: when the wall
clock jumps back (a laptop with a flat CMOS battery, a manual time change) the clock keeps the
last wall time and bumps the counter. The text form sorts in the same order as the tuple, so
SQLite can compare stamps as plain strings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

COUNTER_DIGITS = 6


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:015d}-{self.counter:0{COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        wall, counter, node = text.split("-", 2)
        return cls(int(wall), int(counter), node)


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """Issues monotonic stamps for one device.

    ``last`` is the stamp to continue from (persisted by the caller between runs), so a
    restart with the clock set back still continues upwards.
    """

    def __init__(self, node: str, *, last: Stamp | None = None, now: Callable[[], int] = _wall_ms):
        self.node = node
        self._now = now
        self._wall = last.wall_ms if last else 0
        self._counter = last.counter if last else 0

    def tick(self) -> Stamp:
        wall = self._now()
        if wall > self._wall:
            self._wall, self._counter = wall, 0
        else:
            self._counter += 1
        return Stamp(self._wall, self._counter, self.node)

    def observe(self, remote: Stamp) -> Stamp:
        """Merge a stamp received from another device, so later local edits sort after it."""
        wall = self._now()
        top = max(wall, self._wall, remote.wall_ms)
        if top == self._wall and top == remote.wall_ms:
            self._counter = max(self._counter, remote.counter) + 1
        elif top == self._wall:
            self._counter += 1
        elif top == remote.wall_ms:
            self._counter = remote.counter + 1
        else:
            self._counter = 0
        self._wall = top
        return Stamp(self._wall, self._counter, self.node)
