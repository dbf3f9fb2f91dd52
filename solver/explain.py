"""Reasons, in words an office clerk can act on, why a requirement was not met."""

from __future__ import annotations

import datetime as dt

from . import intervals as iv
from .availability import Availability
from .problem import Leader

KIND_NAMES = {
    "zh": {
        "classroom": "进课堂", "class": "进班级", "dorm": "进宿舍", "canteen": "进食堂",
        "society": "进社团", "lecture": "进讲座", "online": "进网络",
    },
    "en": {
        "classroom": "classroom", "class": "class", "dorm": "dorm", "canteen": "canteen",
        "society": "society", "lecture": "lecture", "online": "online",
    },
}

MESSAGES = {
    "zh": {
        "weeks": "第{a}周",
        "weeks_range": "第{a}-{b}周",
        "away": "{label} {start}..{end}",
        "holiday": "节假日 {dates} ({name})",
        "no_common": "该领导在这些周没有与任何可联系对象(班级、宿舍、食堂、活动)共同的空闲时间；每周空闲 {hours} 小时",
        "taken": "可安排的时段均被其他领导占用或与其他必需安排冲突(共 {n} 个候选时段)",
        "no_week": "不在学期内",
        "link_none": "没有与该领导有共同空闲时间且仍有名额的班级、宿舍或社团；请放宽联系对象的 max_leaders 或调整日程",
        "link_taken": "候选联系对象({units})均已被其他领导联系；请增加联系对象或提高 max_leaders",
        "lecture_none": "没有该领导有空的思政课教学班课次(courses.csv 中 {n} 个教学班)；请增加教学班或调整日程",
        "lecture_taken": "可讲课的教学班({sections})均已安排其他领导；请增加思政课教学班",
        "kind_none": "{kind}: 本学期没有可安排的时段或对象{hint}",
        "kind_taken": "{kind}: 可安排的时段均被其他领导占用",
        "share_short": "第{week}周: 安排 {have} 分钟，需要 {need} 分钟(可用工作时间 {avail} 分钟)",
        "share_planned": "共安排一线时间 {hours:.1f} 小时（{blocks} 个一线工作时段），每周至少占可用工作时间的 {worst:.0%}",
        "society_hint": "(社团没有 windows.csv 中的活动时段)",
        "lecture_hint": "(activities.csv 中没有讲座类活动)",
        "online_hint": "(没有网络联系时段)",
        "canteen_hint": "(venues.csv 中没有可去的食堂，或食堂开放时段该领导都不空)",
        "classroom_hint": "(courses.csv 中没有该领导有空的思政课课次)",
        "conflict": "与以下已满足的要求不能同时满足(名额或时段冲突): ",
        "req_weekly_contact": "每周接触", "req_linked_unit": "联系对象", "req_lecture": "思政课",
        "req_seven_visits": "七进",
    },
    "en": {
        "weeks": "week {a}",
        "weeks_range": "weeks {a}-{b}",
        "away": "away {start}..{end} ({label})",
        "holiday": "holiday {dates} ({name})",
        "no_common": "the leader shares no free time with any reachable target (class, dorm, canteen, activity) in these weeks; free {hours} h per week",
        "taken": "every possible slot is taken by other leaders or conflicts with other required visits ({n} candidate slots)",
        "no_week": "outside the term",
        "link_none": "no class, dorm or society with free places shares free time with this leader; raise max_leaders or change the schedule",
        "link_taken": "every candidate unit ({units}) is linked to other leaders; add units or raise max_leaders",
        "lecture_none": "no meeting of any ideological course section ({n} sections in courses.csv) falls in the leader's free time; add sections or change the schedule",
        "lecture_taken": "every section the leader could lecture in ({sections}) already hosts another leader; add sections",
        "kind_none": "{kind}: no possible slot or target this term{hint}",
        "kind_taken": "{kind}: every possible slot is taken by other leaders",
        "share_short": "week {week}: {have} min planned, {need} min needed (available working time {avail} min)",
        "share_planned": "{hours:.1f} h of frontline time planned ({blocks} frontline blocks), at least {worst:.0%} of available working time each week",
        "society_hint": " (no society has a window in windows.csv)",
        "lecture_hint": " (activities.csv has no lecture activity)",
        "online_hint": " (no online window)",
        "canteen_hint": " (no canteen in venues.csv, or the leader is busy whenever one is open)",
        "classroom_hint": " (no ideological course meeting in courses.csv falls in the leader's free time)",
        "conflict": "cannot be met together with these met requirements (places or times conflict): ",
        "req_weekly_contact": "weekly contact ", "req_linked_unit": "linked unit", "req_lecture": "lecture",
        "req_seven_visits": "seven visits",
    },
}


class Explainer:
    def __init__(self, avail: Availability, lang: str = "zh"):
        self.avail = avail
        self.lang = lang if lang in MESSAGES else "zh"
        self.msg = MESSAGES[self.lang]

    def kind(self, kind: str) -> str:
        return KIND_NAMES[self.lang].get(kind, kind)

    def week_label(self, weeks: tuple[int, ...]) -> str:
        if len(weeks) == 1:
            return self.msg["weeks"].format(a=weeks[0])
        return self.msg["weeks_range"].format(a=weeks[0], b=weeks[-1])

    def block(self, leader: Leader, weeks: tuple[int, ...], candidates: int) -> str:
        """Why a leader has no face-to-face contact in these weeks."""
        reasons = self._away(leader, weeks) + self._holidays(weeks)
        if not reasons:
            if candidates:
                reasons = [self.msg["taken"].format(n=candidates)]
            else:
                hours = self._free_hours(leader, weeks)
                reasons = [self.msg["no_common"].format(hours=hours)]
        return f"{self.week_label(weeks)}: " + "; ".join(reasons)

    def _away(self, leader: Leader, weeks: tuple[int, ...]) -> list[str]:
        cal = self.avail.calendar
        lo = (weeks[0] - 1) * 7 * iv.DAY
        hi = weeks[-1] * 7 * iv.DAY
        out = []
        for b in self.avail.busy(leader.leader_id):
            if b.kind == "timetable" or b.end <= lo or b.start >= hi:
                continue
            start = cal.moment(b.start)
            end = cal.moment(b.end - 1)
            fmt = "%Y-%m-%d" if b.end - b.start >= iv.DAY else "%Y-%m-%d %H:%M"
            out.append(
                self.msg["away"].format(label=b.label, start=start.strftime(fmt), end=end.strftime(fmt))
            )
        return out

    def _holidays(self, weeks: tuple[int, ...]) -> list[str]:
        days = [d for w in weeks for d in self.avail.calendar.week_days(w) if d.holiday is not None]
        if not days:
            return []
        names = sorted({d.holiday.name for d in days if d.holiday is not None})
        dates = _date_ranges([d.date for d in days])
        return [self.msg["holiday"].format(dates=dates, name="、".join(names))]

    def _free_hours(self, leader: Leader, weeks: tuple[int, ...]) -> str:
        lo = (weeks[0] - 1) * 7 * iv.DAY
        hi = weeks[-1] * 7 * iv.DAY
        free = iv.clip(self.avail.leader_free(leader.leader_id, leader.campus), lo, hi)
        return f"{iv.total(free) / 60 / len(weeks):.1f}"

    def link(self, candidates: list[str]) -> str:
        if not candidates:
            return self.msg["link_none"]
        return self.msg["link_taken"].format(units=", ".join(candidates))

    def lecture(self, sections: list[str], total: int) -> str:
        if not sections:
            return self.msg["lecture_none"].format(n=total)
        return self.msg["lecture_taken"].format(sections=", ".join(sections))

    def visit_kind(self, kind: str, candidates: int) -> str:
        if candidates:
            return self.msg["kind_taken"].format(kind=self.kind(kind))
        hint = {"society": "society_hint", "lecture": "lecture_hint", "online": "online_hint",
                "canteen": "canteen_hint", "classroom": "classroom_hint"}.get(kind)
        return self.msg["kind_none"].format(kind=self.kind(kind), hint=self.msg[hint] if hint else "")

    @staticmethod
    def conflict(lang: str, key: tuple[str, str, object], core: list[tuple[str, str, object]], names: dict[str, str]) -> str:
        """``key`` cannot be met together with the requirements in ``core``."""
        words = MESSAGES["en" if lang == "en" else "zh"]
        parts = []
        for requirement, leader_id, detail in core:
            label = words.get(f"req_{requirement}", requirement)
            if requirement == "weekly_contact":
                label += words["weeks"].format(a=detail)
            elif requirement == "seven_visits":
                label += f"({KIND_NAMES['en' if lang == 'en' else 'zh'].get(str(detail), detail)})"
            parts.append(f"{leader_id} {names.get(leader_id, '')} {label}".strip())
        head = words["conflict"]
        if key[0] == "weekly_contact":
            head = words["weeks"].format(a=key[2]) + ": " + head
        return head + "; ".join(parts)

    def share_planned(self, minutes: int, blocks: int, worst: float) -> str:
        return self.msg["share_planned"].format(hours=minutes / 60, blocks=blocks, worst=worst)

    def share(self, week: int, have: int, need: int, avail: int) -> str:
        return self.msg["share_short"].format(week=week, have=have, need=need, avail=avail)


def _date_ranges(dates: list[dt.date]) -> str:
    dates = sorted(dates)
    spans: list[list[dt.date]] = []
    for d in dates:
        if spans and (d - spans[-1][1]).days == 1:
            spans[-1][1] = d
        else:
            spans.append([d, d])
    return ", ".join(
        a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in spans
    )
