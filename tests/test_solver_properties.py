"""Property: for random small universities, every plan passes the solver-free verifier and every
unmet requirement comes with a reason."""

from factories import universities
from hypothesis import HealthCheck, given, settings

from solver.solve import SolveOptions, solve
from solver.verify import verify


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universities())
def test_every_plan_verifies_and_every_unmet_requirement_has_a_reason(problem):
    plan = solve(problem, SolveOptions(time_limit=3, workers=1))
    assert [v.format() for v in verify(problem, plan)] == []
    assert all(r.detail.strip() for r in plan.unmet)
    assert {(r.leader_id, r.requirement) for r in plan.report} == {
        (x.leader_id, req) for x in problem.leaders
        for req in ("weekly_contact", "linked_unit", "lecture", "seven_visits", "frontline_share")
    }
