"""Interval arithmetic on half-open integer intervals ``[start, end)``.

An interval set is a tuple of disjoint, non-touching intervals sorted by start. Minutes are
counted from the term's first Monday 00:00 (local wall clock), so that a day is 1,440 minutes.
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[int, int]
IntervalSet = tuple[Interval, ...]

DAY = 24 * 60
EMPTY: IntervalSet = ()


def normalize(items: Iterable[Interval]) -> IntervalSet:
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    merged: list[list[int]] = []
    for start, end in sorted(i for i in items if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def union(*sets: Iterable[Interval]) -> IntervalSet:
    return normalize(i for s in sets for i in s)


def intersect(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Intersection of two normalized sets, by a linear merge."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Parts of ``a`` not covered by ``b`` (both normalized)."""
    out: list[Interval] = []
    j = 0
    for start, end in a:
        cur = start
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            if cur >= end:
                break
            k += 1
        if cur < end:
            out.append((cur, end))
    return tuple(out)


def widen(a: Iterable[Interval], before: int, after: int) -> IntervalSet:
    """Every interval grown by ``before`` minutes in front and ``after`` behind."""
    return normalize((s - before, e + after) for s, e in a)


def total(a: IntervalSet) -> int:
    return sum(e - s for s, e in a)


def contains(a: IntervalSet, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one interval of ``a``."""
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid][1] <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(a) and a[lo][0] <= start and end <= a[lo][1]


def overlaps(a: IntervalSet, start: int, end: int) -> bool:
    """Whether ``[start, end)`` meets any interval of ``a`` (binary search)."""
    if end <= start:
        return False
    lo, hi = 0, len(a)
    while lo < hi:  # the first interval that ends after start
        mid = (lo + hi) // 2
        if a[mid][1] <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(a) and a[lo][0] < end


def clip(a: IntervalSet, start: int, end: int) -> IntervalSet:
    return intersect(a, ((start, end),))


def starts(a: IntervalSet, length: int, step: int) -> list[int]:
    """Start minutes, on multiples of ``step``, of every ``length``-minute slot that fits in ``a``."""
    out: list[int] = []
    for s, e in a:
        first = -(-s // step) * step
        out.extend(range(first, e - length + 1, step))
    return out
