"""Objective weights, in one place. Every requirement the notice makes hard is a "miss" weight
far above every soft goal, so that a plan only leaves a requirement unmet when it cannot be met."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Weights:
    # Hard requirements, relaxed only when impossible (each miss is reported with a reason).
    miss_weekly_contact: int = 100_000
    miss_link: int = 100_000
    miss_lecture: int = 100_000
    miss_visit_kind: int = 50_000
    miss_frontline_share: int = 100_000  # a contact week without the frontline share
    frontline_short_minute: int = 2  # ... and each minute it falls short
    # Soft goals, in the mission's order of weight.
    keep_published: int = 5_000  # re-plan: a published event that is not kept
    not_linked_unit: int = 40  # a contact of a linked leader not at the linked unit
    irregular_weekday: int = 6  # a visit on another weekday than the leader's habit
    irregular_time: int = 3  # ... or at another time of day
    other_campus: int = 20  # a visit away from the leader's home campus
    travel_minute: int = 1  # per 10 minutes of travel to the visit
    unit_twice_a_week: int = 30  # a unit visited twice in one week
    college_imbalance: int = 15  # a second school leader linked into the same college
    lecture_same_week: int = 10  # two guest lectures in the same week
    no_history: int = 25  # a link that breaks last term's link
    visit: int = 1  # every visit: no visits beyond what is asked
    frontline_block: int = 3  # every frontline block: few, long blocks rather than many short
    second_block_a_day: int = 2  # a second frontline block on one day (spread over the week)

    def with_overrides(self, overrides: dict[str, int]) -> Weights:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return replace(self, **overrides)
