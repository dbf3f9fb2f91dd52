"""Generated records: the demo's (``data/demo/records/``, every flag and every verdict on purpose)
and a full term of records for the benchmark (every planned visit recorded, a third confirmed, one
item per ten visits).

Both are built from a plan, so they fit whatever plan they are given; the bundled demo records are
those of the demo's first-fit plan (``data/demo/plan/``, the same on every machine). Regenerate both
with ``python -m data.evidence_gen`` after an intended change of the first-fit plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from solver.evidence.records import Confirmation, FeedbackItem, RecordSet, VisitRecord
from solver.problem import Problem, Unit
from solver.result import Event, Plan

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def student_key(*parts: object) -> str:
    """An opaque attendee key, as the service stores it (a salted hash of a student number)."""
    return hashlib.sha256(("demo-salt|" + "|".join(map(str, parts))).encode()).hexdigest()[:16]


def _unit_of(problem: Problem, target_id: str) -> str | None:
    try:
        target = problem.target(target_id)
    except KeyError:
        return None
    return target.unit_id if isinstance(target, Unit) else None


@dataclass
class _Builder:
    problem: Problem
    plan: Plan
    visits: list[VisitRecord] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)
    feedback: list[FeedbackItem] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.problem.term.timezone)

    def rid(self) -> str:
        return f"R{len(self.visits) + 1:05d}"

    def held(self, e: Event, recorded: dt.timedelta = 2 * H, note: str = "") -> VisitRecord:
        size = getattr(_target(self.problem, e.target_id), "size", None) or 30
        record = VisitRecord(
            self.rid(), e.uid, e.leader_id, "held", e.start, e.end, None, None, min(int(size), 40), "",
            e.end + recorded, note,
        )
        self.visits.append(record)
        return record

    def not_held(self, e: Event, reason: str) -> VisitRecord:
        record = VisitRecord(self.rid(), e.uid, e.leader_id, "not_held", None, None, None, None, None, reason, e.start - 3 * H)
        self.visits.append(record)
        return record

    def unplanned(self, leader_id: str, kind: str, target: str, start: dt.datetime, minutes: int, note: str = "") -> VisitRecord:
        record = VisitRecord(
            self.rid(), None, leader_id, "held", start, start + minutes * M, kind, target, 25, "",
            start + (minutes + 90) * M, note,
        )
        self.visits.append(record)
        return record

    def confirm(self, record: VisitRecord, event_target: str, n: int) -> None:
        """Confirm as the visited unit would, else with three check-ins, else by a callback."""
        assert record.end is not None and record.start is not None
        unit = _unit_of(self.problem, record.target_id or event_target)
        if unit is not None:
            self.confirmations.append(Confirmation(record.record_id, "unit", "confirmed", unit, record.end + 3 * H))
        elif n % 2 == 0:
            for k in range(3):
                self.confirmations.append(
                    Confirmation(record.record_id, "checkin", "confirmed", student_key(record.record_id, k), record.start + (5 + k) * M)
                )
        else:
            self.confirmations.append(Confirmation(record.record_id, "callback", "confirmed", "党委组织部 刘芳", record.end + 26 * H, "电话回访学生干部"))


def _target(problem: Problem, target_id: str) -> object:
    try:
        return problem.target(target_id)
    except KeyError:
        return None


# the demo --------------------------------------------------------------------------------------------
ROLES = (
    "lecture_not_held", "disputed", "overlap", "travel", "missing_block", "partly", "partly",
    "recorded_before_end", "late_record", "wrong_unit", "checkin_outside", "unplanned",
)  # fmt: skip


def demo_records(problem: Problem, plan: Plan) -> RecordSet:
    """The demo's records: every planned visit recorded; most leaders compliant, two only partly
    (too few confirmations), some not (a lecture not held, a missing contact week, a visit denied,
    visits that overlap, that could not be reached in time, or that happened while away); each
    weaker flag once; unplanned visits; feedback items in every state, some across holidays."""
    b = _Builder(problem, plan)
    events: dict[str, list[Event]] = defaultdict(list)
    for e in sorted(plan.events, key=lambda e: (e.start, e.uid)):
        if e.status == "planned":
            events[e.leader_id].append(e)
    roles = _assign_roles(problem, events)
    for leader in problem.leaders:
        lid = leader.leader_id
        role = roles.get(lid, "")
        _record_leader(b, lid, events[lid], role)
    _held_while_away(b, problem, events)
    _feedback(b, problem, events)
    return RecordSet(tuple(b.visits), tuple(b.confirmations), tuple(b.feedback))


def _assign_roles(problem: Problem, events: dict[str, list[Event]]) -> dict[str, str]:
    away = {a.owner_id for a in problem.absences}
    roles: dict[str, str] = {}
    for role in ROLES:
        for leader in problem.leaders:
            lid = leader.leader_id
            mine = events[lid]
            if lid in roles or lid in away or len(mine) < 6 or len(mine) > 100:
                continue
            if role == "lecture_not_held" and not any(e.visit_kind == "classroom" for e in mine):
                continue
            roles[lid] = role
            break
    return roles


def _record_leader(b: _Builder, lid: str, mine: list[Event], role: str) -> None:
    f2f = 0
    missing_week = mine[len(mine) // 2].week if mine else 0
    for n, e in enumerate(mine):
        if role == "lecture_not_held" and e.visit_kind == "classroom":
            b.not_held(e, "临时参加省委全体会议，改期另行安排")
            continue
        if role == "missing_block" and e.week == missing_week and e.face_to_face:
            b.not_held(e, "学生期中考试周，班级调课")
            continue
        recorded, note = _record_changes(role, n)
        record = b.held(e, recorded, note)
        if not e.face_to_face:
            if n % 2 == 0:
                b.confirm(record, e.target_id, n)
            continue
        f2f += 1
        every = 2 if role == "partly" else 8
        if f2f % every != 0:  # partly: every other one; else all but every eighth
            b.confirm(record, e.target_id, n)
        _role_confirmations(b, role, record, e, f2f)
    _role_visits(b, lid, mine, role)


def _record_changes(role: str, n: int) -> tuple[dt.timedelta, str]:
    """When the record is made after the visit's end, and a note."""
    if role == "recorded_before_end" and n == 3:
        return -30 * M, "走访尚未结束即提交"
    if role == "late_record" and n == 4:
        return dt.timedelta(days=10), "补记"
    return 2 * H, ""


def _role_confirmations(b: _Builder, role: str, record: VisitRecord, e: Event, f2f: int) -> None:
    assert record.start is not None and record.end is not None
    if role == "disputed" and f2f == 2:
        unit = _unit_of(b.problem, e.target_id)
        source, by = ("unit", unit) if unit else ("callback", "党委组织部 刘芳")
        b.confirmations.append(Confirmation(record.record_id, source, "denied", by, record.end + 24 * H, "学生反映当天没有领导来访"))
    if role == "wrong_unit" and f2f == 3:
        other = next(u.unit_id for u in b.problem.units if u.unit_id != _unit_of(b.problem, e.target_id))
        b.confirmations.append(Confirmation(record.record_id, "unit", "confirmed", other, record.end + 2 * H, "由其他班级代为确认"))
    if role == "checkin_outside" and f2f == 3:
        b.confirmations.append(Confirmation(record.record_id, "checkin", "confirmed", student_key("late", record.record_id), record.end + 2 * H))


def _role_visits(b: _Builder, lid: str, mine: list[Event], role: str) -> None:
    """Unplanned visits: clean ones, one that overlaps a planned visit, one too far away to reach."""
    problem = b.problem
    f2f = [e for e in mine if e.face_to_face and e.campus]
    if not f2f:
        return
    if role == "overlap":
        e = f2f[len(f2f) // 3]
        other = _unit_near(problem, e.campus, exclude=e.target_id, kind="dorm")
        b.unplanned(lid, "dorm", other, e.end - 20 * M, 60, "临时走访宿舍")
    elif role == "travel":
        e = next((x for x in f2f[len(f2f) // 2 :] if _gap_after(mine, x) > 3 * H), f2f[-1])
        far = _unit_far(problem, e.campus)
        if far is not None:  # ten minutes after a visit on another campus: cannot be reached
            b.unplanned(lid, "class", far, e.end + 10 * M, 45, "另一校区走访班级")
    elif role == "unplanned":
        for e in f2f[2:5]:
            canteen = next((v.venue_id for v in problem.venues if v.kind == "canteen" and v.campus == e.campus), None)
            day = e.start.astimezone(b.zone).date()
            start = dt.datetime.combine(day, dt.time(11, 40), tzinfo=b.zone)
            if canteen and all(abs((x.start - start).total_seconds()) > 3 * 3600 for x in mine):
                record = b.unplanned(lid, "canteen", canteen, start, 40, "与学生共进午餐")
                b.confirm(record, canteen, 1)


def _gap_after(mine: list[Event], e: Event) -> dt.timedelta:
    after = [x.start for x in mine if x.start >= e.end]
    return min(after) - e.end if after else dt.timedelta(days=365)


def _unit_near(problem: Problem, campus: str, exclude: str, kind: str) -> str:
    units = [u for u in problem.units if u.campus == campus and u.unit_id != exclude]
    same = [u for u in units if u.kind == kind] or units
    return same[0].unit_id


def _unit_far(problem: Problem, campus: str) -> str | None:
    others = [u for u in problem.units if u.kind == "class" and u.campus != campus]
    others.sort(key=lambda u: -problem.travel_minutes(campus, u.campus))
    return others[0].unit_id if others and problem.travel_minutes(campus, others[0].campus) > 10 else None


def _held_while_away(b: _Builder, problem: Problem, events: dict[str, list[Event]]) -> None:
    """A visit recorded on a day the leader was away on a trip (the longest trip of the term)."""
    trips = [a for a in problem.absences if a.kind == "travel" and a.owner_id in events]
    if not trips:
        return
    trip = max(trips, key=lambda a: (a.end - a.start, a.owner_id))
    leader = problem.leader(trip.owner_id)
    day = trip.start.date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(19, 30), tzinfo=b.zone)
    dorm = next(u.unit_id for u in problem.units if u.kind == "dorm" and u.campus == leader.campus)
    record = b.unplanned(leader.leader_id, "dorm", dorm, start, 60, "走访学生宿舍")
    b.confirm(record, dorm, 0)


def _feedback(b: _Builder, problem: Problem, events: dict[str, list[Event]]) -> None:
    """Items in every state as of the term's end, two raised just before a holiday."""
    zone = b.zone
    term = problem.term
    last = term.end_date

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    held = [r for r in b.visits if r.held and r.uid and r.start is not None]
    owners = [x.leader_id for x in problem.leaders][:8]
    units = [u.unit_id for u in problem.units]
    d = term.start_date
    cases = [
        # (raised, category, text, owner, responded, resolved, rating, reopened, anonymous)
        (at(d + dt.timedelta(days=9), 20), "life", "宿舍楼热水供应时间太短，晚上十点后没有热水", "后勤管理处", at(d + dt.timedelta(days=10), 9), at(d + dt.timedelta(days=14), 17), "satisfied", 0, False),
        (at(d + dt.timedelta(days=16), 19, 40), "study", "希望图书馆考研自习室延长开放到23点", owners[0], at(d + dt.timedelta(days=17), 10), at(d + dt.timedelta(days=22), 16), "basically", 0, False),
        (at(dt.date(2026, 9, 24), 18), "life", "中秋节假期留校学生的餐饮安排", "后勤管理处", at(dt.date(2026, 9, 29), 11), at(dt.date(2026, 10, 9), 15), "satisfied", 0, False),
        (at(dt.date(2026, 9, 30), 15), "safety", "国庆假期后返校时段校门口交通拥堵，存在安全隐患", "保卫处", at(dt.date(2026, 10, 9), 16), at(dt.date(2026, 10, 15), 17), "satisfied", 0, False),
        (at(d + dt.timedelta(days=36), 21), "mental", "班里有同学情绪低落，希望心理中心主动联系", owners[1], at(d + dt.timedelta(days=37), 9), at(d + dt.timedelta(days=38), 17), "satisfied", 0, True),
        (at(d + dt.timedelta(days=44), 12, 30), "employment", "希望学院多组织几场本专业的校园招聘会", owners[2], None, None, None, 0, False),
        (at(d + dt.timedelta(days=51), 20), "life", "教学楼卫生间长期缺少洗手液", "后勤管理处", at(d + dt.timedelta(days=52), 9), at(d + dt.timedelta(days=53), 17), "unsatisfied", 2, False),
        (at(d + dt.timedelta(days=58), 19), "study", "实验课分组人数太多，每人动手机会少", owners[3], at(d + dt.timedelta(days=63), 10), None, None, 0, False),
        (at(d + dt.timedelta(days=72), 19, 30), "ideology", "希望增加与专业结合的党史学习活动", owners[4], at(d + dt.timedelta(days=73), 9), at(d + dt.timedelta(days=79), 17), "satisfied", 0, False),
        (at(d + dt.timedelta(days=86), 12), "life", "食堂夜宵窗口关闭太早", "后勤管理处", at(d + dt.timedelta(days=87), 11), at(d + dt.timedelta(days=95), 17), "basically", 0, False),
        (at(last - dt.timedelta(days=6), 19), "study", "期末考试安排过于集中，希望错开", "教务处", at(last - dt.timedelta(days=5), 10), at(last - dt.timedelta(days=5), 16), "unsatisfied", 1, False),
        (at(last - dt.timedelta(days=4), 20), "employment", "寒假期间能否开放就业指导咨询", owners[5], at(last - dt.timedelta(days=3), 9), None, None, 0, False),
        (at(last - dt.timedelta(days=2), 19), "other", "希望寒假留校学生宿舍集中安排时提前通知", owners[6], None, None, None, 0, True),
        (at(d + dt.timedelta(days=100), 20), "safety", "实验楼夜间照明不足", "保卫处", None, None, None, 0, False),
    ]
    for n, (raised, category, text, owner, responded, resolved, rating, reopened, anonymous) in enumerate(cases, start=1):
        record = next((r for r in held if r.start is not None and r.start <= raised and (raised - r.start) < dt.timedelta(days=14)), None)
        unit = _unit_of(problem, record.target_id or "") if record else None
        if record is not None and unit is None:
            event = next((e for e in b.plan.events if e.uid == record.uid), None)
            unit = _unit_of(problem, event.target_id) if event else None
        b.feedback.append(FeedbackItem(
            f"F{n:03d}", raised, record.record_id if record else None, unit or units[n % len(units)],
            category, text, owner, responded, resolved, rating, reopened, anonymous,
        ))  # fmt: skip


# a full term for the benchmark ------------------------------------------------------------------
def term_records(problem: Problem, plan: Plan, seed: int = 1) -> RecordSet:
    """Every planned visit recorded as held, a third of them confirmed, one item per ten visits."""
    rng = random.Random(seed)
    b = _Builder(problem, plan)
    planned = [e for e in plan.events if e.status == "planned"]
    for n, e in enumerate(planned):
        record = b.held(e, recorded=dt.timedelta(hours=rng.randint(1, 48)))
        if n % 3 == 0:
            b.confirm(record, e.target_id, n)
    owners = [x.leader_id for x in problem.leaders] + ["后勤管理处", "教务处", "保卫处"]
    categories = ("study", "ideology", "mental", "life", "employment", "safety", "other")
    target_of = {e.uid: e.target_id for e in planned}
    for n, record in enumerate(b.visits[::10], start=1):
        assert record.end is not None
        raised = record.end - 10 * M
        responded = raised + dt.timedelta(hours=rng.randint(2, 96)) if rng.random() < 0.9 else None
        resolved = responded + dt.timedelta(days=rng.randint(1, 12)) if responded and rng.random() < 0.8 else None
        rating = rng.choice(("satisfied", "basically", "unsatisfied")) if resolved else None
        b.feedback.append(FeedbackItem(
            f"F{n:06d}", raised, record.record_id, _unit_of(problem, target_of.get(record.uid or "", "")),
            categories[n % 7], f"学生诉求 {n}", rng.choice(owners), responded, resolved, rating,
            1 if rating == "unsatisfied" else 0, n % 5 == 0,
        ))  # fmt: skip
    return RecordSet(tuple(b.visits), tuple(b.confirmations), tuple(b.feedback))


# regenerating the bundled demo ------------------------------------------------------------------
def first_fit_plan(problem: Problem) -> Plan:
    """The first-fit plan (no CP-SAT search involved: the same on every machine)."""
    from solver import options as opt
    from solver.availability import Availability
    from solver.baseline import first_fit
    from solver.result import SolveStats
    from solver.solve import assemble

    avail = Availability(problem)
    cands = opt.build(problem, avail)
    chosen, links = first_fit(problem, cands)
    return assemble(problem, avail, cands, chosen, links, SolveStats("BASELINE", 0, 0, 0), conflicts=False)


def main() -> None:
    from data import DEMO_DIR
    from data.evidence_files import write_records
    from data.plan_io import write_plan
    from data.reader import read_problem

    problem = read_problem(DEMO_DIR).problem
    plan = first_fit_plan(problem)
    write_plan(plan, problem, DEMO_DIR / "plan")
    write_records(demo_records(problem, plan), DEMO_DIR / "records", problem.term.timezone)
    print(DEMO_DIR / "plan", DEMO_DIR / "records")


if __name__ == "__main__":
    main()
