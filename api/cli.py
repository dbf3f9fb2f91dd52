"""The ``frontline`` command line: check, solve, verify, template, generate, demo."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api import console as ui

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="frontline: 高校领导干部深入基层联系学生工作排程 / plans leaders' contact with students.",
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Lang = Annotated[str, typer.Option("--lang", help="消息语言 / message language: zh | en")]


def _seconds(value: float | None) -> float | None:
    """``--time-limit``: a positive, finite number of seconds (0, negative, nan and inf refused)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"应为大于 0 的有限秒数 / must be a positive finite number of seconds, not {value}")
    return value


DataArg = Annotated[Path, typer.Argument(help="CSV 文件夹或 .xlsx/.xls 工作簿 / folder of CSV files or an .xlsx or .xls workbook")]


def _limits():
    """The service's input limits (``FRONTLINE_MAX_UNZIPPED_BYTES``, ``FRONTLINE_MAX_ZIP_ENTRIES``,
    ``FRONTLINE_MAX_CELLS``), so that the command line reads exactly what the service accepts."""
    from pydantic import ValidationError

    from api.service.settings import Settings

    try:
        return Settings().limits
    except ValidationError as exc:
        err.print(f"FRONTLINE_* 设置有误 / invalid FRONTLINE_* setting: {exc}", markup=False)
        raise typer.Exit(2) from None


def _read(data: Path, lang: str):
    """Read and validate the input, or print every problem and exit 2."""
    from data.problems import InputError
    from data.reader import read_problem

    try:
        result = read_problem(data, _limits())
    except InputError as exc:
        _invalid(exc, lang)
    for w in result.warnings:
        err.print(f"[yellow]{ui.warning_word(lang)}[/] {w.format(lang)}", highlight=False)
    return result


def _invalid(exc, lang: str):
    """Print every problem (and warning) of an InputError, then exit 2."""
    for w in exc.warnings:
        err.print(f"[yellow]{ui.warning_word(lang)}[/] {w.format(lang)}", highlight=False)
    for p in exc.problems:
        err.print(p.format(lang), highlight=False, markup=False)
    err.print(ui.invalid_input(len(exc.problems), lang), highlight=False)
    raise typer.Exit(2) from None


@app.command()
def check(data: DataArg, lang: Lang = "zh") -> None:
    """读取并校验学期数据，打印摘要 / read and validate term data, print a summary."""
    from solver.diagnose import diagnose

    result = _read(data, lang)
    ui.print_check(out, result.problem, diagnose(result.problem, lang=lang), lang)


@app.command()
def solve(
    data: DataArg,
    out_dir: Annotated[Path, typer.Option("--out", help="输出文件夹 / output folder")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="秒 / seconds", callback=_seconds)] = 60.0,
    workers: Annotated[int, typer.Option("--workers", help="CP-SAT 线程数，0=全部 / threads, 0 = all cores")] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    deterministic: Annotated[bool, typer.Option("--deterministic", help="确定性时间预算：同数据同种子同结果 / reproducible plan")] = False,
    lang: Lang = "zh",
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度 / no progress")] = False,
) -> None:
    """生成学期计划 / plan the term."""
    started = time.perf_counter()  # the time limit covers everything from reading to writing
    if not quiet:
        err.print(ui.reading(data, lang), markup=False, highlight=False)
    result = _read(data, lang)
    _solve_and_write(
        result.problem, out_dir, time_limit, workers, seed, deterministic, lang, quiet, result.warnings, started
    )


def _solve_and_write(problem, out_dir, time_limit, workers, seed, deterministic, lang, quiet, warnings=(), started=None):
    from dataclasses import replace

    from calendars.feeds import write_feeds
    from data.plan_io import summary, write_plan
    from solver.solve import SolveOptions, TimeLimitTooShort
    from solver.solve import solve as run_solve
    from solver.verify import verify

    options = SolveOptions(
        time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic, lang=lang, started=started
    )
    try:
        with ui.Progress(err, quiet or deterministic, lang) as progress:
            plan = run_solve(problem, options, progress.update)
    except TimeLimitTooShort as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from None
    plan = replace(plan, warnings=tuple(w.format(lang) for w in warnings))
    write_plan(plan, problem, out_dir)
    write_feeds(plan, problem, out_dir)
    violations = [v for v in verify(problem, plan) if v.hard]
    ui.print_summary(out, summary(plan, problem), out_dir, lang)
    if violations:  # the solver's own output must always pass the checker
        for v in violations:
            err.print(v.format(), markup=False)
        raise typer.Exit(1)


@app.command()
def replan(
    data: DataArg,
    previous: Annotated[Path, typer.Option("--previous", help="上一版计划文件夹 / the published plan folder")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="新计划文件夹 / output folder")] = None,
    now: Annotated[str | None, typer.Option("--now", help="此时刻之前的安排不变，如 2026-10-21T12:00 / events before this stay")] = None,
    records: Annotated[Path | None, typer.Option("--records", help="走访记录：记录为未开展的安排不再计数并补排 / records: visits not held are re-placed")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示变化，不写文件 / print the diff only")] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", callback=_seconds)] = 30.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    lang: Lang = "zh",
    quiet: Annotated[bool, typer.Option("--quiet")] = False,
) -> None:
    """数据变化后重新排程，尽量少改动 / re-plan after a change, moving as little as possible."""
    from calendars.feeds import write_feeds
    from data.plan_io import PlanFileError, read_plan, summary, write_changes, write_plan
    from data.problems import InputError
    from solver.evidence.replan import not_held_reasons
    from solver.replan import replan as run_replan
    from solver.solve import SolveOptions
    from solver.verify import verify as run_verify

    if out_dir is None and not dry_run:
        err.print("--out: 请给出新计划的输出文件夹，或使用 --dry-run / give --out, or use --dry-run")
        raise typer.Exit(2)
    started = time.perf_counter()
    result = _read(data, lang)
    try:
        previous_plan = read_plan(previous)
        moment = ui.parse_now(now, result.problem.term.timezone)
    except (PlanFileError, ValueError) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    if previous_plan.term_id and previous_plan.term_id != result.problem.term.term_id:
        err.print(
            f"--previous: 计划 {previous} 属于学期 {previous_plan.term_id}，而数据是学期 {result.problem.term.term_id} 的；"
            "请给出这一学期发布的计划 / "
            f"the plan in {previous} is of term {previous_plan.term_id!r}, the data is of term "
            f"{result.problem.term.term_id!r}; give the plan published for this term",
            markup=False,
        )
        raise typer.Exit(2)
    not_held: dict[str, str] = {}
    if records is not None:
        from data.evidence_files import read_records

        try:
            not_held = not_held_reasons(read_records(records, result.problem, previous_plan).records, previous_plan, lang)
        except InputError as exc:
            _invalid(exc, lang)
    options = SolveOptions(time_limit=time_limit, seed=seed, lang=lang, started=started)
    with ui.Progress(err, quiet, lang) as progress:
        outcome = run_replan(result.problem, previous_plan, moment, options, progress.update, not_held)
    ui.print_changes(out, outcome, result.problem, lang)
    if dry_run or out_dir is None:
        return
    write_plan(outcome.plan, result.problem, out_dir)
    write_feeds(outcome.plan, result.problem, out_dir)
    write_changes(outcome.changes, out_dir)
    ui.print_summary(out, summary(outcome.plan, result.problem), out_dir, lang)
    violations = [v for v in run_verify(result.problem, outcome.plan) if v.hard]
    for v in violations:
        err.print(v.format(), markup=False)
    if violations:
        raise typer.Exit(1)


@app.command()
def verify(
    data: DataArg,
    plan_dir: Annotated[Path, typer.Argument(help="计划文件夹 / plan folder")],
    lang: Lang = "zh",
) -> None:
    """独立校验计划（可校验人工修改的计划）/ check a plan against every hard rule."""
    from data.plan_io import PlanFileError, read_plan
    from solver.verify import verify as run_verify

    result = _read(data, lang)
    try:
        plan = read_plan(plan_dir)
    except PlanFileError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    violations = run_verify(result.problem, plan)
    for v in violations:
        (err if v.hard else out).print(v.format(), markup=False)
    hard = sum(1 for v in violations if v.hard)
    out.print(ui.verify_line(len(plan.events), hard, len(violations) - hard, lang))
    raise typer.Exit(1 if hard else 0)


@app.command()
def template(
    path: Annotated[Path | None, typer.Argument(help="输出的学期数据 .xlsx / the term-data .xlsx to write")] = None,
    records: Annotated[Path | None, typer.Option("--records", help="改为写出空白走访记录 .xlsx / write an empty records workbook instead")] = None,
    lang: Lang = "zh",
) -> None:
    """写出空白数据模板（或 --records 走访记录模板）/ write an empty workbook to fill in."""
    from data.template import write_records_template, write_template

    if (path is None) == (records is None):
        err.print("请给出一个输出文件：PATH（学期数据）或 --records FILE.xlsx（走访记录）/ give PATH or --records FILE.xlsx")
        raise typer.Exit(2)
    if records is not None:
        write_records_template(records, lang=lang)
        out.print(f"{records}")
        return
    assert path is not None
    write_template(path, lang=lang)
    out.print(f"{path}")


@app.command()
def compliance(
    data: DataArg,
    plan_dir: Annotated[Path, typer.Option("--plan", help="已发布的计划文件夹 / the published plan folder")],
    records: Annotated[Path, typer.Option("--records", help="走访记录：CSV 文件夹或 .xlsx / records folder or workbook")],
    out_dir: Annotated[Path, typer.Option("--out", help="报告文件夹 / report folder")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至时刻，如 2026-11-30 或 2026-11-30T18:00；默认学期末 / as of (default: the term's end)")] = None,
    lang: Lang = "zh",
) -> None:
    """走访记录、学生确认、诉求台账 -> 考核报告 / the compliance report from the records."""
    from api.evidence_console import parse_as_of, print_compliance
    from data.evidence_files import read_records, write_compliance
    from data.plan_io import PlanFileError, read_plan
    from data.problems import InputError
    from solver.evidence.report import compliance as run_compliance

    result = _read(data, lang)
    try:
        plan = read_plan(plan_dir)
        moment = parse_as_of(as_of, result.problem.term.timezone)
    except (PlanFileError, ValueError) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    try:
        read = read_records(records, result.problem, plan)
    except InputError as exc:
        _invalid(exc, lang)
    for w in read.warnings:
        err.print(f"[yellow]{ui.warning_word(lang)}[/] {w.format(lang)}", highlight=False)
    report = run_compliance(result.problem, plan, read.records, moment, lang=lang)
    write_compliance(report, out_dir, lang)
    print_compliance(out, report, out_dir, lang)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="输出文件夹 / output folder")],
    size: Annotated[str, typer.Option("--size", help="S | M | L | XL")] = "S",
    seed: Annotated[int, typer.Option("--seed")] = 1,
) -> None:
    """生成合成测试数据 / write a synthetic university."""
    from data.generate import SIZES
    from data.generate import generate as run_generate

    if size.upper() not in SIZES:
        err.print(f"--size: {size!r} 不是 S、M、L、XL 之一 / must be one of S, M, L, XL")
        raise typer.Exit(2)
    started = time.perf_counter()
    run_generate(size.upper(), seed, out_dir)
    out.print(f"{out_dir} ({size.upper()}, seed {seed}, {time.perf_counter() - started:.1f}s)")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="输出文件夹 / output folder")] = Path("demo-plan"),
    time_limit: Annotated[float, typer.Option("--time-limit", callback=_seconds)] = 30.0,
    lang: Lang = "zh",
) -> None:
    """校验并规划内置示范大学 / check and plan the bundled demo university."""
    from data import DEMO_DIR

    result = _read(DEMO_DIR, lang)
    out.print(ui.demo_intro(DEMO_DIR, lang))
    _solve_and_write(result.problem, out_dir, time_limit, 0, 0, False, lang, False, result.warnings)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="上传并发布示范大学及其走访记录 / upload and publish the demo university with its records")] = False,
) -> None:
    """启动 Web 服务（FRONTLINE_DATABASE_URL 等环境变量）/ start the web service."""
    import uvicorn

    from api.service import Settings, create_app
    from api.service.demo import publish_demo

    settings = Settings()
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    base_url = f"http://{shown}:{port}"

    def on_started(state):
        publish_demo(state, base_url, lambda text: print(text, flush=True))  # no wrapping: URLs stay whole

    application = create_app(settings, on_started=on_started if demo else None)
    out.print(f"frontline: {base_url}/docs  ({settings.database_url.split('@')[-1]})", markup=False, highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, help="同时运行的求解数（默认 FRONTLINE_WORKER_CONCURRENCY 或 1）/ solves at once")] = None,
    name: Annotated[str | None, typer.Option("--name", help="工作进程名称（默认 主机名:进程号）/ worker name (default host:pid)")] = None,
) -> None:
    """运行任务队列的工作进程（PostgreSQL，FRONTLINE_DATABASE_URL）/ run a job-queue worker."""
    from pydantic import ValidationError

    from api.service import Settings
    from api.service.storage.db import is_postgres

    try:
        settings = Settings(runner="queue")
    except ValidationError as exc:
        err.print(f"frontline worker: {exc.errors()[0]['msg']}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    if not is_postgres(settings.database_url):  # pragma: no cover - the validator refuses it first
        raise typer.Exit(2)
    import logging

    from api.service.jobs.queue import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runner = Worker(settings, concurrency, name)
    where = settings.database_url.split("@")[-1]
    out.print(f"frontline worker {runner.name}: {runner.concurrency} 个并发 / at once, {where}", markup=False, highlight=False)
    runner.run()


@app.command()
def bench(
    sizes: Annotated[str, typer.Option("--sizes", help="如 S,M,L,XL / e.g. S,M,L,XL")] = "M,L",
    seeds: Annotated[str | None, typer.Option("--seeds", help="种子，如 1-10 或 3,5；默认 S、M 1-10，L 1-5，XL 1-3 / seeds, default per size")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="每个规模的求解秒数(默认 M 10, L 60, XL 300) / seconds per size", callback=_seconds)] = None,
    replans: Annotated[bool, typer.Option("--replan/--no-replan", help="同时测量重新排程 / also measure re-plans")] = True,
    markdown_out: Annotated[Path | None, typer.Option("--markdown", help="把结果表写成 Markdown / write the tables as Markdown")] = None,
    checkins: Annotated[bool, typer.Option("--checkins", help="改为测量 300 名学生扫码签到（真实服务器，对比最简接口）/ measure 300 check-ins at a lecture instead (real server, against a trivial endpoint)")] = False,
    evidence: Annotated[bool, typer.Option("--evidence", help="改为测量考核报告（整学期走访记录，3 个种子）/ measure the compliance report instead (a full term of records, 3 seeds)")] = False,
) -> None:
    """性能与质量基准(对比逐个排的基线) / speed and quality against the first-fit baseline."""
    from api.bench import DEFAULT_LIMITS, DEFAULT_SEEDS, markdown
    from api.bench import bench as run_bench

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in DEFAULT_LIMITS]
    if unknown:
        err.print(f"--sizes: {', '.join(unknown)} 不是 S、M、L、XL / not one of S, M, L, XL")
        raise typer.Exit(2)
    picked: tuple[int, ...] = ()
    if seeds:
        try:
            picked = tuple(sorted(_seed_list(seeds)))
        except ValueError:
            err.print(f"--seeds: {seeds!r} 应写成 1-10 或 3,5 / write e.g. 1-10 or 3,5")
            raise typer.Exit(2) from None
    if checkins:
        from api import bench_checkins

        bench_checkins.main([])
        return
    if evidence:
        from api import bench_evidence

        found = bench_evidence.bench(chosen, list(picked or (1, 2, 3)), out)
        if markdown_out is not None:
            markdown_out.write_text(bench_evidence.markdown(found) + "\n", encoding="utf-8")
            out.print(f"{markdown_out}")
        return
    limits = {s: time_limit for s in chosen} if time_limit else dict(DEFAULT_LIMITS)
    chosen_seeds = {s: picked for s in chosen} if picked else dict(DEFAULT_SEEDS)
    results = run_bench(chosen, chosen_seeds, limits, replans, out)
    if markdown_out is not None:
        markdown_out.write_text(markdown(results) + "\n", encoding="utf-8")
        out.print(f"{markdown_out}")


def _seed_list(text: str) -> set[int]:
    out: set[int] = set()
    for item in text.split(","):
        first, _, last = item.strip().partition("-")
        out.update(range(int(first), int(last or first) + 1))
    if not out:
        raise ValueError(text)
    return out


def main() -> None:
    """Entry point: any unexpected error exits 1 with a message instead of a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        err.print(f"frontline: 意外错误 / unexpected error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
