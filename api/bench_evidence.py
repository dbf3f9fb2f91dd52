"""``frontline bench --evidence``: the compliance report of a generated university with a full term
of records (every planned visit recorded, a third confirmed, one item per ten visits), against
reading the records alone, in the same run; several seeds. The plan is the first-fit plan (the
report's cost does not depend on how good the plan is)."""

from __future__ import annotations

import multiprocessing as mp
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class EvidenceResult:
    size: str
    seed: int
    leaders: int
    visits: int
    confirmations: int
    items: int
    read_seconds: float  # reading RECORDS alone (the baseline)
    report_seconds: float  # compliance(): evidence, flags, requirements, verdicts, rates
    write_seconds: float  # every REPORT file, compliance.xlsx included

    @property
    def ratio(self) -> float:
        return self.report_seconds / self.read_seconds if self.read_seconds else 0.0


def run(size: str, seed: int) -> EvidenceResult:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure, (size, seed))


def _measure(size: str, seed: int) -> EvidenceResult:
    from data.evidence_files import read_records, write_compliance, write_records
    from data.evidence_gen import first_fit_plan, term_records
    from data.generate import generate
    from data.reader import read_problem
    from solver.evidence.report import compliance

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(size, seed, root / "data")
        problem = read_problem(root / "data").problem
        plan = first_fit_plan(problem)
        write_records(term_records(problem, plan, seed), root / "records", problem.term.timezone)
        started = time.perf_counter()
        records = read_records(root / "records", problem, plan).records
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = compliance(problem, plan, records)
        report_seconds = time.perf_counter() - started
        started = time.perf_counter()
        write_compliance(report, root / "report")
        write_seconds = time.perf_counter() - started
    return EvidenceResult(
        size, seed, len(problem.leaders), len(records.visits), len(records.confirmations), len(records.feedback),
        round(read_seconds, 2), round(report_seconds, 2), round(write_seconds, 2),
    )


def table(results: list[EvidenceResult]) -> Table:
    t = Table(title="compliance report, a full term of records (2 cores)")
    for col in ("size", "seed", "leaders", "visits", "confirmations", "items", "read records s", "report s", "report/read", "write files s"):
        t.add_column(col, justify="right")
    for r in results:
        t.add_row(r.size, str(r.seed), str(r.leaders), f"{r.visits:,}", f"{r.confirmations:,}", f"{r.items:,}",
                  f"{r.read_seconds:.2f}", f"{r.report_seconds:.2f}", f"{r.ratio:.2f}x", f"{r.write_seconds:.2f}")
    return t


def markdown(results: list[EvidenceResult]) -> str:
    lines = ["| size | seed | leaders | visits | confirmations | items | read records s | report s | report/read | write files s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r.size} | {r.seed} | {r.leaders} | {r.visits:,} | {r.confirmations:,} | {r.items:,} | {r.read_seconds:.2f} | "
              f"{r.report_seconds:.2f} | {r.ratio:.2f}x | {r.write_seconds:.2f} |" for r in results]
    return "\n".join(lines)


def bench(sizes: list[str], seeds: list[int], console: Console) -> list[EvidenceResult]:
    results = []
    for size in sizes:
        for seed in seeds:
            console.print(f"[bold]{size}[/] seed {seed} …", highlight=False)
            results.append(run(size, seed))
    console.print(table(results))
    return results
