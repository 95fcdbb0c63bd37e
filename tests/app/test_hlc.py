from __future__ import annotations

from app.hlc import HybridClock, Stamp


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_stamps_increase_with_the_wall_clock():
    wall = FakeWall(1_000)
    clock = HybridClock("dev", now=wall)
    a = clock.tick()
    wall.ms = 2_000
    b = clock.tick()
    assert a < b
    assert b == Stamp(2_000, 0, "dev")


def test_monotonic_when_the_wall_clock_jumps_backwards():
    wall = FakeWall(5_000_000)
    clock = HybridClock("dev", now=wall)
    stamps = [clock.tick()]
    wall.ms = 1_000  # the laptop's clock was set back by more than an hour
    stamps += [clock.tick() for _ in range(3)]
    wall.ms = 5_000_001
    stamps.append(clock.tick())
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert [str(s) for s in stamps] == sorted(str(s) for s in stamps)


def test_continues_from_a_persisted_stamp_after_restart_with_clock_behind():
    last = Stamp(9_000, 4, "dev")
    clock = HybridClock("dev", last=last, now=FakeWall(10))
    assert clock.tick() > last


def test_observing_a_remote_stamp_orders_later_local_edits_after_it():
    clock = HybridClock("a", now=FakeWall(100))
    remote = Stamp(10_000, 7, "b")
    merged = clock.observe(remote)
    assert merged > remote
    assert clock.tick() > merged


def test_text_form_round_trips():
    s = Stamp(123, 45, "node-with-dashes")
    assert Stamp.parse(str(s)) == s
