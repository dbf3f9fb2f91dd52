"""The LP relaxation of a CP-SAT model, solved with GLOP (shipped with OR-Tools): what the
solver's LP workers can prove at best before cuts. Covers the constraint forms the model uses."""

from __future__ import annotations

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

KINDS = ("bool_or", "at_most_one", "exactly_one", "bool_and", "linear")


def lp_bound(model: cp_model.CpModel) -> float:
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    xs = []
    for v in proto.variables:
        domain = list(v.domain)
        xs.append(lp.NumVar(domain[0], domain[-1], v.name))

    def lit(index: int):  # type: ignore[no-untyped-def]
        return xs[index] if index >= 0 else 1 - xs[-index - 1]

    for c in proto.constraints:
        kind = next(k for k in KINDS if getattr(c, f"has_{k}")())
        enforced = list(c.enforcement_literal)
        if kind == "bool_or":
            lp.Add(sum(lit(x) for x in c.bool_or.literals) >= 1)
        elif kind == "at_most_one":
            lp.Add(sum(lit(x) for x in c.at_most_one.literals) <= 1)
        elif kind == "exactly_one":
            lp.Add(sum(lit(x) for x in c.exactly_one.literals) == 1)
        elif kind == "bool_and":
            for e in enforced:
                for x in c.bool_and.literals:
                    lp.Add(lit(e) <= lit(x))
        else:
            expr = sum(a * xs[v] for v, a in zip(c.linear.vars, c.linear.coeffs, strict=True))
            low, high = list(c.linear.domain)[0], list(c.linear.domain)[-1]
            if enforced:  # "sum of literals >= 1 if e": sum >= e
                assert len(enforced) == 1 and low == 1, "only enforced covers are modelled"
                lp.Add(expr >= lit(enforced[0]))
                continue
            if low > -(2**62):
                lp.Add(expr >= low)
            if high < 2**62:
                lp.Add(expr <= high)
    objective = proto.objective
    lp.Minimize(sum(a * xs[v] for v, a in zip(objective.vars, objective.coeffs, strict=True)))
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    return float(lp.Objective().Value() + objective.offset)
