"""The files of the data contract: their columns, Chinese names and header aliases.

A header is matched after NFKC folding, stripping whitespace and BOMs, case folding, dropping
``_``/``-``/spaces and a trailing ``*`` or ``(必填)``/``(选填)`` mark, so ``Leader ID``, ``leader_id``
and ``LEADER-ID`` are the same header. Each column accepts its English name, its primary Chinese
header (used by the template) and the aliases listed here; aliases are per file, so ``编号`` is the
leader id in ``leaders`` but the unit id in ``units``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.specs import normalize


@dataclass(frozen=True)
class Column:
    name: str  # the contract's English name
    zh: str  # primary Chinese header
    required: bool = False
    aliases: tuple[str, ...] = ()
    help_zh: str = ""
    help_en: str = ""
    examples: tuple[str, ...] = ()  # shown in the template's header comment


@dataclass(frozen=True)
class TableSpec:
    stem: str  # file stem / sheet name, e.g. "leaders"
    zh_names: tuple[str, ...]  # Chinese sheet names, primary first
    required: bool
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = ()  # groups of columns of which a file needs at least one

    @property
    def filename(self) -> str:
        return f"{self.stem}.csv"

    @property
    def zh_name(self) -> str:
        return self.zh_names[0]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(  # noqa: N802 - a short table-building helper
    name: str, zh: str, help_zh: str, help_en: str, *aliases: str, req: bool = False,
    examples: tuple[str, ...] = (),
) -> Column:
    return Column(name, zh, req, aliases, help_zh, help_en, examples)


_WEEKS_HELP = ("周次，如 1-16、1-15单、2-16(双)、1-8,10-16；空=每周", "week spec, e.g. 1-16, 1-15单, 2-16(双); blank = every week")  # fmt: skip
# The combined 上课时间 column of academic-affairs exports, one example per system.
TIME_EXAMPLES = (
    "星期一第6-7节{1-16周}",  # ZFsoft (new)
    "周一第1,2节{第1-16周|单周};周三第3,4节{第1-16周}",  # ZFsoft (old), two meetings
    "1-16(周)星期一[01-02节]",  # Qiangzhi
    "4,6-18(周)星期三[030405节]",  # Qiangzhi, merged period code
    "[1-16单周]星期三[5-6节]",  # Kingosoft
    "星期五 第9,10,11节 2-3周,6-7周,15-17周(单)",  # URP
    "星期二 14:00-16:00 1-16周",  # a standing meeting by clock time
)
_START = ("开始时间 HH:MM", "start HH:MM")
_END = ("结束时间 HH:MM（可为 24:00）", "end HH:MM (24:00 allowed)")
_CAMPUS_REQ = ("校区编号（campuses 中的 campus_id）", "campus_id from campuses")
_LOCATION = ("地点，如 教学楼A101", "location, e.g. a room")

TABLES: tuple[TableSpec, ...] = (
    TableSpec("term", ("学期",), True, (
        C("term_id", "学期编号", "学期编号，如 2026-2027-1", "term id, e.g. 2026-2027-1", "学期代码", "学期id", "学期", "学年学期", req=True),
        C("name", "学期名称", "显示名称，如 2026-2027学年第一学期", "display name", "名称"),
        C("start_date", "开学日期", "第 1 周的周一，YYYY-MM-DD", "the Monday of week 1, YYYY-MM-DD", "开始日期", "起始日期", "第一周周一", "第1周周一", req=True),
        C("weeks", "教学周数", "本学期的周数，如 18", "number of weeks, e.g. 18", "周数", "总周数", req=True),
        C("contact_weeks", "接触周次", "需要面对面接触的周次；空=所有周", "weeks in which contact requirements apply; blank = all", "联系周次", "考核周次"),
        C("timezone", "时区", "IANA 时区，默认 Asia/Shanghai", "IANA time zone, default Asia/Shanghai"),
        C("day_start", "每日最早开始", "活动最早开始时间，默认 08:00", "earliest start of any activity, default 08:00", "最早开始时间", "每日开始时间", "开始时间"),
        C("day_end", "每日最晚结束", "活动最晚结束时间，默认 21:30", "latest end of any activity, default 21:30", "最晚结束时间", "每日结束时间", "结束时间"),
        C("buffer_minutes", "缓冲分钟数", "同校区两项安排之间至少间隔的分钟数，默认 10", "minimum gap between two commitments, default 10", "缓冲时间", "间隔分钟"),
        C("lunch", "午休", "午餐时段 HH:MM-HH:MM，一线工作时段不跨越，默认 12:00-13:30", "lunch break HH:MM-HH:MM that frontline blocks never cross, default 12:00-13:30", "午餐", "午休时间", "午餐时间"),
        C("dinner", "晚餐", "晚餐时段 HH:MM-HH:MM，一线工作时段不跨越，默认 17:30-18:30", "dinner break HH:MM-HH:MM that frontline blocks never cross, default 17:30-18:30", "晚餐时间", "晚饭时间"),
        C("respond_days", "响应时限", "学生诉求须在几个工作日内答复，默认 2", "working days to answer a student item, default 2", "响应工作日", "答复时限"),
        C("resolve_days", "办结时限", "学生诉求须在几个工作日内办结，默认 7", "working days to resolve a student item, default 7", "办结工作日", "解决时限"),
        C("checkin_min", "签到确认人数", "几名学生签到即确认一次走访，默认 3", "distinct student check-ins that confirm a visit, default 3", "签到人数"),
        C("confirm_share", "确认比例", "面对面走访中须经学生确认的比例 0-1，默认 0.8", "share of held face-to-face visits that must be confirmed, default 0.8", "学生确认比例"),
    )),
    TableSpec("periods", ("节次", "作息时间", "作息时间表"), True, (
        C("period", "节次", "第几节，1、2、…（含晚上的节次）", "period number 1, 2, ... (evening included)", "节", "第几节", "节次编号", req=True),
        C("start", "开始时间", *_START, "上课时间", "开始", "起始时间", req=True),
        C("end", "结束时间", *_END, "下课时间", "结束", req=True),
        C("campus", "校区", "仅适用于此校区时填写（覆盖通用行）", "only for this campus (overrides the plain row)", "校区编号"),
        C("weeks", "周次", "仅适用于这些周时填写（夏季/冬季作息）", "only in these weeks (summer/winter timetable)", "适用周次"),
    )),
    TableSpec("holidays", ("节假日", "放假安排"), False, (
        C("date", "日期", "日期 YYYY-MM-DD", "date YYYY-MM-DD", "放假日期", req=True),
        C("name", "名称", "名称，如 国庆节", "name, e.g. National Day", "节日", "节日名称", "假日名称"),
        C("kind", "类型", "holiday（放假）或 workday（调休上班）", "holiday or workday (make-up working day)", "类别", req=True),
        C("follows_date", "执行日期", "调休上班日执行哪一天的课表（YYYY-MM-DD）", "for a workday: the date whose timetable is run", "调休执行日期", "按日期上课"),
        C("follows_weekday", "执行星期", "或：执行本周星期几的课表（1-7）", "or: the weekday whose timetable is run (1-7)", "按星期上课", "调休执行星期"),
    )),
    TableSpec("campuses", ("校区",), True, (
        C("campus_id", "校区编号", "校区编号，如 MAIN", "campus id, e.g. MAIN", "编号", "校区代码", "代码", req=True),
        C("name", "校区名称", "校区名称，如 本部校区；空=编号", "campus name; blank = the id", "名称", "校区"),
    )),
    TableSpec("travel", ("校区交通", "交通"), False, (
        C("from_campus", "出发校区", "出发校区编号", "campus id of departure", "起点校区", "起点", "从", req=True),
        C("to_campus", "到达校区", "到达校区编号", "campus id of arrival", "终点校区", "终点", "到", req=True),
        C("minutes", "用时分钟", "路上用时（分钟）；只写一个方向即双向相同", "travel minutes; one direction = both", "分钟", "用时", "用时(分钟)", "交通时间", "交通时间(分钟)", "时间(分钟)", "耗时", req=True),
    )),
    TableSpec("leaders", ("领导干部", "领导"), True, (
        C("leader_id", "工号", "唯一编号（工号）", "unique id", "编号", "职工号", "教工号", "人员编号", req=True),
        C("name", "姓名", "姓名", "name", "名字", req=True),
        C("title", "职务", "职务，如 党委书记", "title, e.g. 党委书记", "职位"),
        C("tier", "层级", "school（校领导）、department（机关部处）、college（院系）、student_affairs（学生工作部门）", "school, department, college or student_affairs", "类别", "人员类别", "干部类别", req=True),
        C("campus", "校区", "所在校区编号", "home campus id", "所在校区", "工作校区", req=True),
        C("college", "学院", "所在学院（可选）", "home college (optional)", "院系", "所在学院", "所在院系"),
        C("email", "邮箱", "电子邮箱（可选）", "email (optional)", "电子邮箱", "电子邮件"),
        C("contact_every_weeks", "接触间隔周数", "每几个接触周至少面对面一次；默认校领导和学工 1，其余 2", "contact at least once every N contact weeks; default 1 for school and student_affairs, else 2", "几周一次", "联系间隔周数"),
        C("link", "挂钩联系", "是否联系一个班级/宿舍/社团（是/否）；默认校领导为是", "links to one unit (true/false); default true for school", "联系基层", "联系单位"),
        C("lecture", "讲思政课", "每学期讲一堂思政课（是/否）；默认校领导为是", "gives one guest lecture (true/false); default true for school", "思政课", "讲课"),
        C("seven_visits", "七进", "本学期覆盖全部七进（是/否）；默认校领导为是", "covers all seven visit kinds (true/false); default true for school", "七进全覆盖"),
        C("frontline_share", "一线时间占比", "一线时间占工作时间比例 0-1；默认学工 0.5，其余 0", "share of working time on the front line, 0..1; default 0.5 for student_affairs", "一线比例", "一线时间比例"),
    )),
    TableSpec("units", ("联系对象", "班级宿舍社团"), True, (
        C("unit_id", "编号", "唯一编号", "unique id", "单位编号", "对象编号", "代码", req=True),
        C("kind", "类型", "class（班级）、dorm（宿舍）或 society（社团）", "class, dorm or society", "类别", req=True),
        C("name", "名称", "名称，如 计算机2301班", "name", "班级名称", "单位名称", req=True),
        C("campus", "校区", *_CAMPUS_REQ, "校区编号", req=True),
        C("location", "地点", *_LOCATION, "位置", "地址"),
        C("college", "学院", "所属学院（可选）", "college (optional)", "院系"),
        C("size", "人数", "人数（可选）", "number of students (optional)", "规模"),
        C("max_leaders", "最多联系领导数", "最多几位领导联系，默认 1", "how many leaders may link to it, default 1", "联系领导上限"),
    )),
    TableSpec("timetable", ("课表", "日程"), False, (
        C("owner_id", "对象编号", "领导工号或班级编号", "a leader_id or unit_id", "编号", "工号", "人员编号", "班级编号", req=True),
        C("weekday", "星期", "星期 1-7 或 周一（星期与上课时间须填其一）", "weekday 1-7 or 周一 (give weekday or time)", "周几", "上课星期"),
        C("periods", "节次", "节次，如 3-4、第3-4节、0304；或填开始/结束时间", "periods, e.g. 3-4, 第3-4节, 0304; or give start and end", "上课节次"),
        C("start", "开始时间", "开始时间 HH:MM（不填节次时）", "start HH:MM (instead of periods)", "开始"),
        C("end", "结束时间", "结束时间 HH:MM（不填节次时）", "end HH:MM (instead of periods)", "结束"),
        C("weeks", "周次", *_WEEKS_HELP, "上课周次", "起止周"),
        C("time", "上课时间", "代替星期/节次/周次：教务系统导出的上课时间，如 星期一第6-7节{1-16周}、1-16(周)[01-02节]；多次上课用 ; 或换行分隔，地点按同样顺序列出",
          "instead of weekday/periods/weeks: the time as academic-affairs systems export it, e.g. 星期一第6-7节{1-16周}; several meetings separated by ; or line breaks, rooms in the same order in location",
          "时间", "上课时间段", examples=TIME_EXAMPLES),
        C("title", "名称", "名称，如 课程名或会议名", "title", "课程", "课程名称", "事项", "内容"),
        C("campus", "校区", "校区编号；空=本人/班级所在校区", "campus id; blank = the owner's campus", "校区编号"),
        C("location", "地点", "地点，如 教学楼A101；上课时间有多次上课时，按同样顺序用 ; 分隔各次的教室（或只写一个）", "location, e.g. a room; with several meetings in time, their rooms in the same order separated by ; (or one room for all)", "教室", "上课地点"),
    ), one_of=(("weekday", "time"),)),
    TableSpec("absences", ("出差请假", "请假出差"), False, (
        C("owner_id", "对象编号", "领导工号或班级编号", "a leader_id or unit_id", "编号", "工号", "人员编号", "班级编号", req=True),
        C("start", "开始", "YYYY-MM-DD（整天）或 YYYY-MM-DD HH:MM", "YYYY-MM-DD (whole day) or YYYY-MM-DD HH:MM", "开始时间", "开始日期", req=True),
        C("end", "结束", "YYYY-MM-DD（含当天）或 YYYY-MM-DD HH:MM", "YYYY-MM-DD (inclusive) or YYYY-MM-DD HH:MM", "结束时间", "结束日期", req=True),
        C("kind", "类型", "travel（出差）、meeting（会议）、leave（请假）、other（其他）；默认 other", "travel, meeting, leave or other (default)", "类别"),
        C("note", "备注", "备注，如 出差地点", "note, e.g. where to", "事由", "说明"),
    )),
    TableSpec("windows", ("可联系时段", "联系时段"), False, (
        C("target", "对象", "联系对象编号、场所编号或类型（class/dorm/society/canteen/online/community）", "a unit_id, venue_id or a kind", "联系对象", "目标", req=True),
        C("weekday", "星期", "星期，如 1-5、1,3,5、周一至周五", "weekday spec, e.g. 1-5 or 1,3,5", "周几", req=True),
        C("start", "开始时间", *_START, "开始", req=True),
        C("end", "结束时间", *_END, "结束", req=True),
        C("weeks", "周次", *_WEEKS_HELP),
    )),
    TableSpec("venues", ("场所",), False, (
        C("venue_id", "编号", "唯一编号", "unique id", "场所编号", req=True),
        C("kind", "类型", "canteen（食堂）、online（网络）或 community（一站式学生社区/学生事务服务中心，学工干部在此值班）", "canteen, online or community (student community centre where student-affairs heads hold office hours)", "类别", req=True),
        C("name", "名称", "名称，如 第一食堂", "name", "场所名称", req=True),
        C("campus", "校区", "校区编号；网络场所留空", "campus id; blank for online", "校区编号"),
        C("location", "地点", *_LOCATION, "位置"),
        C("capacity", "容量", "同时可容纳几位领导，默认 1", "leaders at the same time, default 1", "同时人数"),
    )),
    TableSpec("activities", ("学生活动", "活动"), False, (
        C("activity_id", "编号", "唯一编号", "unique id", "活动编号", req=True),
        C("visit_kind", "七进类别", "classroom、class、dorm、canteen、society、lecture、online 之一", "one of the seven visit kinds", "七进类型", "进类别", req=True),
        C("format", "形式", "形式，如 主题党日、主题班会、形势报告", "format, e.g. 主题班会", "活动形式"),
        C("name", "名称", "活动名称", "name", "活动名称", req=True),
        C("date", "日期", "日期 YYYY-MM-DD", "date YYYY-MM-DD", "活动日期", req=True),
        C("start", "开始时间", *_START, "开始", req=True),
        C("end", "结束时间", *_END, "结束", req=True),
        C("campus", "校区", "校区编号（网络活动可空）", "campus id (blank only for online)", "校区编号"),
        C("location", "地点", *_LOCATION),
        C("unit_id", "联系对象编号", "相关联系对象编号（可选）", "related unit_id (optional)", "对象编号", "单位编号", "班级编号"),
        C("max_leaders", "最多参加领导数", "最多几位领导参加，默认 1", "leaders who may join, default 1", "领导人数上限"),
    )),
    TableSpec("courses", ("思政课", "思政课程"), False, (
        C("section_id", "教学班号", "教学班唯一编号", "unique section id", "教学班", "教学班编号", "课堂号", "编号", req=True),
        C("course", "课程名称", "课程名称", "course name", "课程", "课程名", req=True),
        C("kind", "类型", "theory（思想政治理论课）或 situation_policy（形势与政策）", "theory or situation_policy", "课程类型", "类别", req=True),
        C("weekday", "星期", "星期 1-7 或 周一", "weekday 1-7", "上课星期", req=True),
        C("periods", "节次", "节次，如 3-4", "periods, e.g. 3-4", "上课节次", req=True),
        C("weeks", "周次", *_WEEKS_HELP, "上课周次", "起止周"),
        C("campus", "校区", *_CAMPUS_REQ, "校区编号", req=True),
        C("location", "地点", *_LOCATION, "教室", "上课地点"),
        C("class_ids", "上课班级", "上课班级编号，用 ; 分隔（可选）", "class unit ids separated by ; (optional)", "班级", "班级编号", "组成班级"),
    )),
    TableSpec("history", ("上学期联系",), False, (
        C("leader_id", "工号", "领导工号", "leader id", "领导编号", "编号", req=True),
        C("unit_id", "联系对象编号", "上学期联系的对象编号", "last term's unit id", "联系对象", "单位编号", "班级编号", req=True),
    )),
)  # fmt: skip


# The records contract (records-contract.md): what happened, who confirmed it, what students raised.
RECORD_TABLES: tuple[TableSpec, ...] = (
    TableSpec("visits", ("走访记录",), True, (
        C("record_id", "记录编号", "唯一编号，如 R0001", "unique id, e.g. R0001", "编号", "走访记录编号", req=True),
        C("uid", "计划编号", "计划中的安排编号（events.csv 的 uid）；计划外走访留空", "the planned event's uid (events.csv); blank for an unplanned visit", "安排编号", "日程编号", "计划uid"),
        C("leader_id", "工号", "领导工号（须为该计划安排的领导）", "the leader's id (the planned event's leader)", "领导工号", "领导编号", "人员编号", req=True),
        C("status", "开展情况", "held（已开展）或 not_held（未开展）", "held or not_held", "状态", "是否开展", "开展状态", req=True),
        C("start", "开始时间", "实际开始 YYYY-MM-DD HH:MM（已开展时必填）", "actual start YYYY-MM-DD HH:MM (when held)", "实际开始时间", "开始"),
        C("end", "结束时间", "实际结束 YYYY-MM-DD HH:MM（已开展时必填）", "actual end YYYY-MM-DD HH:MM (when held)", "实际结束时间", "结束"),
        C("visit_kind", "七进类别", "计划外走访必填：classroom、class、dorm、canteen、society、lecture、online 之一；默认为计划的类别", "for an unplanned visit: one of the seven kinds; default the planned event's", "七进类型", "类别"),
        C("target_id", "走访对象编号", "计划外走访必填：联系对象、场所、活动或教学班编号；默认为计划的对象", "for an unplanned visit: unit, venue, activity or section id; default the planned event's", "对象编号", "联系对象编号", "走访对象"),
        C("attendees", "学生人数", "见到的学生人数（整数，可空）", "students met (whole number, optional)", "参加学生人数", "人数", "参加人数"),
        C("reason", "未开展原因", "未开展时必填，如 临时会议、学生考试周", "why not held (required when not held)", "原因"),
        C("recorded_at", "记录时间", "填写记录的时间 YYYY-MM-DD HH:MM", "when the record was made, YYYY-MM-DD HH:MM", "填报时间", "登记时间", req=True),
        C("note", "备注", "备注（可空）", "note (optional)", "说明"),
    )),
    TableSpec("confirmations", ("学生确认",), False, (
        C("record_id", "记录编号", "被确认或否认的走访记录编号", "the visit record confirmed or denied", "走访记录编号", req=True),
        C("source", "确认方式", "unit（联系对象确认）、checkin（学生签到）或 callback（回访）", "unit, checkin or callback", "来源", "确认来源", req=True),
        C("result", "确认结果", "confirmed（属实）或 denied（否认）", "confirmed or denied", "结果", req=True),
        C("by", "确认人", "unit：确认的联系对象编号；checkin：签到标识（学号或设备的加盐哈希）；callback：回访人姓名", "unit: the unit_id; checkin: an opaque attendee key; callback: the office member's name", "确认单位", "签到标识", "回访人", req=True),
        C("at", "确认时间", "YYYY-MM-DD HH:MM（签到须到分钟；联系对象确认、回访可只写日期）", "YYYY-MM-DD HH:MM (a check-in to the minute; a unit confirmation or callback may give a date)", "时间", "签到时间", req=True),
        C("note", "备注", "备注（可空）", "note (optional)", "说明"),
    )),
    TableSpec("feedback", ("学生诉求台账", "诉求台账", "学生诉求"), False, (
        C("item_id", "诉求编号", "唯一编号，如 F001", "unique id, e.g. F001", "编号", req=True),
        C("raised_at", "提出时间", "学生提出的时间 YYYY-MM-DD HH:MM", "when it was raised, YYYY-MM-DD HH:MM", "反映时间", "登记时间", req=True),
        C("record_id", "走访记录编号", "在哪次走访中提出（可空）", "the visit where it was raised (optional)", "记录编号"),
        C("unit_id", "联系对象编号", "涉及的联系对象编号（可空）", "the unit it concerns (optional)", "对象编号", "班级编号"),
        C("category", "诉求类别", "study 学业、ideology 思想、mental 心理、life 生活、employment 就业、safety 安全、other 其他", "study, ideology, mental, life, employment, safety or other", "类别", "类型", req=True),
        C("text", "诉求内容", "学生反映的问题", "what was raised", "内容", "问题", req=True),
        C("owner", "责任人", "承办的领导工号，或须办理的部门名称", "a leader_id, or the department that must act", "承办人", "承办部门", "责任单位", "责任部门", req=True),
        C("responded_at", "答复时间", "首次答复学生的时间（可空）", "first answer to the students (optional)", "首次答复时间", "响应时间"),
        C("resolved_at", "办结时间", "办结并答复的时间（可空）", "resolved, with the answer given (optional)", "解决时间", "完成时间"),
        C("rating", "评价", "学生评价：satisfied 满意、basically 基本满意、unsatisfied 不满意（可空）", "satisfied, basically or unsatisfied (optional)", "满意度", "学生评价"),
        C("reopened", "重新办理次数", "因不满意重新办理的次数，默认 0", "times reopened after an unsatisfied rating, default 0", "重办次数", "退回次数"),
        C("anonymous", "匿名", "是否匿名（是/否）：匿名时承办人看不到提出者", "true: the owner never sees who raised it", "是否匿名"),
    )),
)  # fmt: skip

TABLE_BY_STEM = {t.stem: t for t in (*TABLES, *RECORD_TABLES)}


def header_key(text: object) -> str:
    """The comparison key of a header (or sheet/file name)."""
    key = normalize(text)
    key = re.sub(r"(\*|[(\[](必填|选填|可选|optional|required)[)\]])$", "", key)
    return re.sub(r"[\s_\-]+", "", key)


def _build_index(spec: TableSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in spec.columns:
        for spelling in (*column.aliases, column.zh):
            index.setdefault(header_key(spelling), column.name)
    for column in spec.columns:  # English names win over any alias
        index[header_key(column.name)] = column.name
    return index


HEADER_INDEX = {spec.stem: _build_index(spec) for spec in TABLE_BY_STEM.values()}


def _stems(tables: tuple[TableSpec, ...]) -> dict[str, str]:
    return {header_key(name): t.stem for t in tables for name in (t.stem, *t.zh_names)}


_STEMS = {id(TABLES): _stems(TABLES), id(RECORD_TABLES): _stems(RECORD_TABLES)}


def column_for(stem: str, header: object) -> str | None:
    """The contract's column name for a header of file ``stem``, or None if unknown."""
    return HEADER_INDEX[stem].get(header_key(header))


def stem_for(name: str, tables: tuple[TableSpec, ...] = TABLES) -> str | None:
    """The file stem for a file or sheet name (``leaders``, ``领导干部``, ``Leaders.csv``) among
    ``tables`` (the term data's by default; :data:`RECORD_TABLES` for records)."""
    key = header_key(name)
    key = key.removesuffix(".csv")
    stems = _STEMS.get(id(tables)) or _stems(tables)
    return stems.get(key)
