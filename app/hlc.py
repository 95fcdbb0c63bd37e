"""A hybrid logical clock: revision stamps that order a device's edits even when its clock lies.

A stamp is ``(wall_ms, counter, node)``. Issuing a stamp never goes backwards: when the wall
clock jumps back (a laptop with a flat CMOS battery, a manual time change) the clock keeps the
last wall time and bumps the counter. The text form sorts in the same order as the tuple, so
SQLite can compare stamps as plain strings.

A stamp from another device moves this clock forward (``observe``) only when it is at most
``MAX_AHEAD_MS`` ahead of this laptop's wall clock: a team-mate whose clock is a year ahead would
otherwise drag every laptop it syncs with a year ahead, for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

COUNTER_DIGITS = 6
# The largest counter the text form holds in its digits. Past it the clock moves its wall time
# one millisecond on instead: a laptop that followed a team-mate's clock a day ahead stays on
# that wall time until its own catches up, counting every edit, and a seventh digit would sort
# the next stamp before the last.
MAX_COUNTER = 10**COUNTER_DIGITS - 1
# How far ahead of the local wall clock a remote stamp may be and still be followed: a day covers
# time zones set wrong and clocks that drift for weeks offline, not a clock set to the wrong year.
MAX_AHEAD_MS = 24 * 60 * 60 * 1000


class StampTooFarAhead(ValueError):
    """A remote stamp more than ``MAX_AHEAD_MS`` ahead of the local wall clock: not followed."""

    def __init__(self, remote: Stamp, wall_ms: int) -> None:
        hours = (remote.wall_ms - wall_ms) / 3_600_000
        super().__init__(f"the revision {remote} is {hours:.1f} h ahead of this computer's clock; "
                         "the clock does not follow it")
        self.remote = remote
        self.wall_ms = wall_ms


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
        return self._issue()

    def _issue(self) -> Stamp:
        if self._counter > MAX_COUNTER:
            self._wall, self._counter = self._wall + 1, 0
        return Stamp(self._wall, self._counter, self.node)

    def observe(self, remote: Stamp) -> Stamp:
        """Merge a stamp received from another device, so later local edits sort after it.

        Raises ``StampTooFarAhead`` and leaves the clock as it was when ``remote`` is more than
        ``MAX_AHEAD_MS`` ahead of the wall clock. The row that carried it is still data and is
        kept by the caller; only its time is not followed, so a later local edit of that row may
        carry a smaller stamp (the protocol allows it: ``base_rev``, not order, says what it
        was edited from).
        """
        wall = self._now()
        if remote.wall_ms > wall + MAX_AHEAD_MS:
            raise StampTooFarAhead(remote, wall)
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
        return self._issue()
