"""User-visible text of the calendar feeds, in Chinese (default) and English.

Everything a leader reads on the phone is built here from a plan event and the problem data:
the summary line, the place, and the description (who or what is visited, how, what to prepare).
"""

from __future__ import annotations

from solver.problem import Activity, CourseSection, Leader, Problem, Unit, Venue
from solver.result import BLOCK_TITLE, Event

LANGS = ("zh", "en")

KIND_NAMES = {
    "zh": {
        "classroom": "进课堂",
        "class": "进班级",
        "dorm": "进宿舍",
        "canteen": "进食堂",
        "society": "进社团",
        "lecture": "进讲座",
        "online": "进网络",
    },
    "en": {
        "classroom": "Guest lecture",
        "class": "Class visit",
        "dorm": "Dorm visit",
        "canteen": "Canteen visit",
        "society": "Society visit",
        "lecture": "Lecture or forum",
        "online": "Online contact",
    },
}

PREPARE = {
    "zh": {
        "classroom": "讲授一堂思政课/形势与政策课，提前与任课教师沟通教学进度和学生关切。",
        "class": "了解班级学风与学生困难，准备与学生座谈。",
        "dorm": "走访学生宿舍，了解住宿条件、作息与安全情况，听取学生意见。",
        "canteen": "与学生同桌就餐，了解饭菜质量、价格与服务，听取学生意见。",
        "society": "参加社团活动，了解社团建设与指导情况，支持学生发展兴趣特长。",
        "lecture": "参加讲座或报告会，准备讲话要点，留出与学生互动交流的时间。",
        "online": "通过网络平台与学生在线交流，及时回应学生关切。",
    },
    "en": {
        "classroom": "Teach one ideological or situation-and-policy class; agree the topic and "
        "the students' concerns with the course teacher beforehand.",
        "class": "Learn about the class's study climate and students' difficulties; prepare "
        "a discussion with the students.",
        "dorm": "Visit the dormitory: living conditions, daily routine and safety; listen to "
        "the students.",
        "canteen": "Eat with students; ask about food quality, prices and service.",
        "society": "Join the society's activity; learn how it is run and supervised.",
        "lecture": "Attend the talk or forum; prepare a few points and leave time for questions.",
        "online": "Talk with students on the online platform and answer their concerns.",
    },
}

UNIT_KINDS = {
    "zh": {"class": "班级", "dorm": "宿舍", "society": "社团"},
    "en": {"class": "class", "dorm": "dormitory", "society": "student society"},
}
VENUE_KINDS = {
    "zh": {"canteen": "食堂", "online": "网络平台", "community": "一站式学生社区"},
    "en": {"canteen": "canteen", "online": "online platform", "community": "student community centre"},
}
BLOCK_NAME = {"zh": "一线工作", "en": "Frontline time"}
BLOCK_PREPARE = {
    "zh": "学生工作一线时间：在此连续接待、走访学生，了解学习生活困难并现场解决或登记转办。",
    "en": "Frontline time: meet and visit students here without a break; solve or log what they raise.",
}
COURSE_KINDS = {
    "zh": {"theory": "思想政治理论课", "situation_policy": "形势与政策课"},
    "en": {
        "theory": "ideological and political theory",
        "situation_policy": "situation and policy",
    },
}

WORDS = {
    "zh": {
        "sep": "，",
        "open": "（",
        "close": "）",
        "colon": "：",
        "list": "、",
        "place_sep": "",
        "people": "{n}人",
        "unit": "联系对象",
        "venue": "场所",
        "activity": "活动",
        "course": "课程",
        "classes": "听课班级",
        "section": "教学班",
        "leader": "领导",
        "kind": "形式",
        "face_to_face": "面对面",
        "online": "线上（键对键）",
        "prepare": "准备",
        "note": "备注",
        "visits": "走访",
        "cancelled": "【已取消】",
        "reminder": "提醒：{summary}",
        "leader_calendar": "{name} · 联系学生安排",
        "unit_calendar": "{name} · 领导联系安排",
        "office_calendar": "全校领导联系学生安排",
    },
    "en": {
        "sep": ", ",
        "open": " (",
        "close": ")",
        "colon": ": ",
        "list": ", ",
        "place_sep": ", ",
        "people": "{n} students",
        "unit": "Unit",
        "venue": "Venue",
        "activity": "Activity",
        "course": "Course",
        "classes": "Classes",
        "section": "section",
        "leader": "Leader",
        "kind": "Format",
        "face_to_face": "face to face",
        "online": "online",
        "prepare": "Prepare",
        "note": "Note",
        "visits": "Visits",
        "cancelled": "[Cancelled] ",
        "reminder": "Reminder: {summary}",
        "leader_calendar": "{name} · Student contact plan",
        "unit_calendar": "{name} · Leader visits",
        "office_calendar": "University leaders' student contact plan",
    },
}


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def word(lang: str, key: str, **values: object) -> str:
    return WORDS[lang][key].format(**values) if values else WORDS[lang][key]


def kind_name(lang: str, visit_kind: str) -> str:
    return KIND_NAMES[lang].get(visit_kind, visit_kind)


class Lookup:
    """Targets and leaders of a problem by id, built once per feed.

    Built from the problem's own tuples rather than ``Problem.target``/``Problem.unit`` so that
    each record is found under its own id field (``activity_id`` for an activity, even when the
    activity also names a ``unit_id``).
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        self.leaders = {x.leader_id: x for x in problem.leaders}
        self.units = {x.unit_id: x for x in problem.units}
        self.targets: dict[str, Unit | Venue | Activity | CourseSection] = {
            **{x.section_id: x for x in problem.courses},
            **{x.activity_id: x for x in problem.activities},
            **{x.venue_id: x for x in problem.venues},
            **self.units,
        }

    def target(self, target_id: str) -> Unit | Venue | Activity | CourseSection | None:
        return self.targets.get(target_id)

    def leader(self, leader_id: str) -> Leader | None:
        return self.leaders.get(leader_id)

    def unit(self, unit_id: str | None) -> Unit | None:
        return self.units.get(unit_id) if unit_id else None

    def concerns_unit(self, target_id: str, unit_id: str) -> bool:
        """The event's target is the unit, or an activity or course section it takes part in."""
        target = self.target(target_id)
        if isinstance(target, Activity):
            return target.unit_id == unit_id
        if isinstance(target, CourseSection):
            return unit_id in target.class_ids
        return target_id == unit_id

    def event_units(self, event: Event) -> tuple[str, ...]:
        """The units an event concerns: a frontline block's every unit, else ``units_of``."""
        if event.covers:
            return tuple(u for u in dict.fromkeys(event.covers) if u in self.units)
        return self.units_of(event.target_id)

    def units_of(self, target_id: str) -> tuple[str, ...]:
        """Every ``unit_id`` for which :meth:`concerns_unit` holds, each once: one pass over a
        plan's events then gives every unit's events."""
        target = self.target(target_id)
        if isinstance(target, Activity):
            return (target.unit_id,) if target.unit_id is not None else ()
        if isinstance(target, CourseSection):
            return tuple(dict.fromkeys(target.class_ids))
        return (target_id,)


def leader_name(look: Lookup, leader_id: str) -> str:
    leader = look.leader(leader_id)
    return leader.name if leader else leader_id


def place(event: Event, look: Lookup, lang: str) -> str:
    """Campus name and location, e.g. ``长清湖校区学生公寓3号楼``; the location alone online."""
    campus = look.problem.campus_name(event.campus) if event.campus else ""
    if not campus or event.location.startswith(campus):
        return event.location or campus
    if not event.location:
        return campus
    return campus + word(lang, "place_sep") + event.location


def _subject(event: Event, look: Lookup) -> str:
    """What is visited: the target's name, else the event title."""
    target = look.target(event.target_id)
    if isinstance(target, CourseSection):
        return target.course
    if target is not None:
        return target.name
    return event.title


def summary(event: Event, look: Lookup, lang: str, *, with_leader: bool) -> str:
    """``进宿舍 · 长清湖校区学生公寓3号楼``; what and where, without repeating a name. A frontline
    block says so: ``一线工作 · 长清湖校区学生公寓区 · 3、5、7号楼``."""
    if event.is_block:
        rest = event.title.removeprefix(BLOCK_TITLE)
        parts = [BLOCK_NAME[lang] + rest]
        if with_leader:
            parts.insert(0, leader_name(look, event.leader_id))
        text = " · ".join(parts)
        return word(lang, "cancelled") + text if event.status == "cancelled" else text
    parts = [kind_name(lang, event.visit_kind)]
    subject, where = _subject(event, look), place(event, look, lang)
    if subject and subject in where:
        parts.append(where)
    elif where and where in subject:
        parts.append(subject)
    else:
        parts.extend(p for p in (subject, where) if p)
    if with_leader:
        parts.insert(0, leader_name(look, event.leader_id))
    text = " · ".join(parts)
    return word(lang, "cancelled") + text if event.status == "cancelled" else text


def _bracket(lang: str, items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return word(lang, "open") + word(lang, "sep").join(items) + word(lang, "close")


def _line(lang: str, label: str, value: str) -> str:
    return word(lang, label) + word(lang, "colon") + value


def _unit_line(unit: Unit, lang: str) -> str:
    size = word(lang, "people", n=unit.size) if unit.size else ""
    details = [UNIT_KINDS[lang].get(unit.kind, unit.kind), size, unit.college]
    return _line(lang, "unit", unit.name + _bracket(lang, details))


def _target_lines(event: Event, look: Lookup, lang: str) -> list[str]:
    target = look.target(event.target_id)
    if isinstance(target, Unit):
        return [_unit_line(target, lang)]
    if isinstance(target, Venue):
        kind = VENUE_KINDS[lang].get(target.kind, target.kind)
        return [_line(lang, "venue", target.name + _bracket(lang, [kind]))]
    if isinstance(target, Activity):
        lines = [_line(lang, "activity", target.name + _bracket(lang, [target.format]))]
        unit = look.unit(target.unit_id)
        return lines + ([_unit_line(unit, lang)] if unit else [])
    if isinstance(target, CourseSection):
        return _course_lines(target, look, lang)
    return [event.title] if event.title else []


def _course_lines(section: CourseSection, look: Lookup, lang: str) -> list[str]:
    kind = COURSE_KINDS[lang].get(section.kind, section.kind)
    section_label = word(lang, "section") + " " + section.section_id
    lines = [_line(lang, "course", section.course + _bracket(lang, [kind, section_label]))]
    units = [u for u in (look.unit(c) for c in section.class_ids) if u]
    if units:
        lines.append(_line(lang, "classes", word(lang, "list").join(u.name for u in units)))
    return lines


def _leader_line(event: Event, look: Lookup, lang: str) -> str:
    leader = look.leader(event.leader_id)
    if leader is None:
        return _line(lang, "leader", event.leader_id)
    return _line(lang, "leader", leader.name + _bracket(lang, [leader.title]))


def _block_lines(event: Event, look: Lookup, lang: str, how: str) -> list[str]:
    """A frontline block: the visits it stands for, its kind, what to do."""
    units = [u for u in (look.unit(c) for c in event.covers) if u]
    lines = [_line(lang, "visits", word(lang, "list").join(u.name for u in units))] if units else []
    lines.append(_line(lang, "kind", BLOCK_NAME[lang] + word(lang, "sep") + how))
    lines.append(_line(lang, "prepare", BLOCK_PREPARE[lang]))
    return lines


def description(event: Event, look: Lookup, lang: str, *, with_leader: bool) -> str:
    """Who or what is visited, the visit kind and format, what to prepare, the plan's note."""
    lines = [_leader_line(event, look, lang)] if with_leader else []
    how = word(lang, "face_to_face") if event.face_to_face else word(lang, "online")
    if event.is_block:
        if not any(look.unit(c) for c in event.covers):  # a venue: say which
            lines += _target_lines(event, look, lang)
        return "\n".join([*lines, *_block_lines(event, look, lang, how)])
    lines += _target_lines(event, look, lang)
    lines.append(_line(lang, "kind", kind_name(lang, event.visit_kind) + word(lang, "sep") + how))
    if prepare := PREPARE[lang].get(event.visit_kind):
        lines.append(_line(lang, "prepare", prepare))
    if event.description.strip():
        lines.append(_line(lang, "note", event.description.strip()))
    return "\n".join(lines)
