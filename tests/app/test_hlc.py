from __future__ import annotations

import pytest

from app.hlc import MAX_AHEAD_MS, MAX_COUNTER, HybridClock, Stamp, StampTooFarAhead


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


# Every branch of observe: which of the wall clock, the last stamp and the remote stamp is ahead.

def test_observe_when_the_wall_clock_is_ahead_of_both_starts_a_new_counter():
    clock = HybridClock("a", last=Stamp(100, 5, "a"), now=FakeWall(1_000))
    assert clock.observe(Stamp(500, 9, "b")) == Stamp(1_000, 0, "a")


def test_observe_when_the_last_stamp_is_ahead_counts_on_from_it():
    clock = HybridClock("a", last=Stamp(2_000, 5, "a"), now=FakeWall(1_000))
    assert clock.observe(Stamp(1_500, 9, "b")) == Stamp(2_000, 6, "a")


def test_observe_when_the_remote_stamp_is_ahead_follows_it():
    clock = HybridClock("a", last=Stamp(100, 5, "a"), now=FakeWall(1_000))
    assert clock.observe(Stamp(3_000, 9, "b")) == Stamp(3_000, 10, "a")
    assert clock.tick() == Stamp(3_000, 11, "a")


def test_observe_when_last_and_remote_tie_counts_past_both():
    clock = HybridClock("a", last=Stamp(2_000, 5, "a"), now=FakeWall(1_000))
    assert clock.observe(Stamp(2_000, 9, "b")) == Stamp(2_000, 10, "a")
    clock = HybridClock("a", last=Stamp(2_000, 12, "a"), now=FakeWall(1_000))
    assert clock.observe(Stamp(2_000, 9, "b")) == Stamp(2_000, 13, "a")


def test_a_remote_stamp_up_to_the_bound_ahead_is_followed():
    wall = 1_000_000
    clock = HybridClock("a", now=FakeWall(wall))
    assert clock.observe(Stamp(wall + MAX_AHEAD_MS, 0, "b")) == Stamp(wall + MAX_AHEAD_MS, 1, "a")


def test_a_remote_stamp_beyond_the_bound_is_refused_and_the_clock_stays():
    wall = FakeWall(1_000_000)
    clock = HybridClock("a", last=Stamp(999_000, 3, "a"), now=wall)
    year_ahead = Stamp(wall.ms + 365 * 24 * 3_600_000, 0, "b")
    with pytest.raises(StampTooFarAhead, match="ahead of this computer's clock") as refused:
        clock.observe(year_ahead)
    assert refused.value.remote == year_ahead
    with pytest.raises(StampTooFarAhead):
        clock.observe(Stamp(wall.ms + MAX_AHEAD_MS + 1, 0, "b"))
    # Nothing of the refused stamp leaked into the clock.
    assert clock.tick() == Stamp(1_000_000, 0, "a")


def test_a_counter_at_its_last_digit_moves_the_wall_time_on_and_the_text_still_sorts():
    """A laptop that followed a stamp a day ahead counts every edit on that wall time until its
    own clock catches up; past the counter's digits it moves a millisecond on instead."""
    last = Stamp(5_000, MAX_COUNTER, "a")
    clock = HybridClock("a", last=last, now=FakeWall(1_000))
    following = clock.tick()
    assert following == Stamp(5_001, 0, "a")
    assert str(following) > str(last) and following > last
    remote = Stamp(9_000, MAX_COUNTER, "b")
    observed = HybridClock("a", now=FakeWall(1_000)).observe(remote)
    assert observed == Stamp(9_001, 0, "a") and str(observed) > str(remote)
