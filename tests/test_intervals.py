"""Interval arithmetic: hand-checked cases and properties against a minute-by-minute model."""

from hypothesis import given
from hypothesis import strategies as st

from solver import intervals as iv

spans = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40)).map(lambda t: (t[0], t[0] + t[1])), max_size=8)


def minutes(s: iv.IntervalSet) -> set[int]:
    return {m for a, b in s for m in range(a, b)}


def test_normalize_merges_overlapping_and_touching_intervals():
    assert iv.normalize([(5, 10), (0, 5), (8, 12), (20, 20)]) == ((0, 12),)


def test_subtract_cuts_holes():
    assert iv.subtract(((0, 100),), ((10, 20), (50, 60))) == ((0, 10), (20, 50), (60, 100))


def test_contains_needs_one_interval_to_hold_the_whole_slot():
    s = ((0, 30), (30, 60))
    assert not iv.contains(((0, 30), (40, 60)), 20, 45)
    assert iv.contains(iv.normalize(s), 20, 45)


def test_starts_lie_on_the_grid_and_fit():
    assert iv.starts(((7, 70),), 30, 15) == [15, 30]


@given(spans, spans)
def test_set_operations_match_minute_sets(a, b):
    na, nb = iv.normalize(a), iv.normalize(b)
    assert minutes(iv.intersect(na, nb)) == minutes(na) & minutes(nb)
    assert minutes(iv.subtract(na, nb)) == minutes(na) - minutes(nb)
    assert minutes(iv.union(na, nb)) == minutes(na) | minutes(nb)
    assert iv.total(na) == len(minutes(na))


@given(spans, st.integers(0, 240), st.integers(0, 60))
def test_overlaps_and_contains_match_minute_sets(a, start, length):
    na = iv.normalize(a)
    slot = set(range(start, start + length))
    assert iv.overlaps(na, start, start + length) == bool(slot & minutes(na))
    if length:
        assert iv.contains(na, start, start + length) == any(slot <= set(range(s, e)) for s, e in na)
