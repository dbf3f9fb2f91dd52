"""Seeded synthetic universities in the term data contract (a folder of UTF-8 CSV files).

``generate(size, seed, out)`` writes one fictional university's term data. The same size and seed
always give byte-identical files: all randomness comes from one ``random.Random(seed)`` and nothing
depends on the clock, on set order or on the environment.

Usage: ``python -m data.generate M 7 /tmp/m7``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from data.cells import csv_writer_rows

Row = list[str]

COLUMNS: dict[str, tuple[str, ...]] = {
    "term": (
        "term_id", "name", "start_date", "weeks", "contact_weeks", "timezone",
        "day_start", "day_end", "buffer_minutes", "lunch", "dinner",
    ),
    "periods": ("period", "start", "end", "campus", "weeks"),
    "holidays": ("date", "name", "kind", "follows_date", "follows_weekday"),
    "campuses": ("campus_id", "name"),
    "travel": ("from_campus", "to_campus", "minutes"),
    "leaders": (
        "leader_id", "name", "title", "tier", "campus", "college", "email",
        "contact_every_weeks", "link", "lecture", "seven_visits", "frontline_share",
    ),
    "units": ("unit_id", "kind", "name", "campus", "location", "college", "size", "max_leaders"),
    "timetable": (
        "owner_id", "weekday", "periods", "start", "end", "weeks", "title", "campus", "location",
    ),
    "absences": ("owner_id", "start", "end", "kind", "note"),
    "windows": ("target", "weekday", "start", "end", "weeks"),
    "venues": ("venue_id", "kind", "name", "campus", "location", "capacity"),
    "activities": (
        "activity_id", "visit_kind", "format", "name", "date", "start", "end", "campus",
        "location", "unit_id", "max_leaders",
    ),
    "courses": (
        "section_id", "course", "kind", "weekday", "periods", "weeks", "campus", "location",
        "class_ids",
    ),
    "history": ("leader_id", "unit_id"),
}  # fmt: skip


@dataclass(frozen=True)
class Size:
    leaders: int
    units: int
    campuses: int
    school: int  # school leaders (校领导), capped to a realistic team
    colleges: int


SIZES: dict[str, Size] = {
    "S": Size(leaders=20, units=150, campuses=2, school=6, colleges=5),
    "M": Size(leaders=100, units=600, campuses=3, school=12, colleges=10),
    "L": Size(leaders=300, units=2000, campuses=3, school=20, colleges=16),
    "XL": Size(leaders=1000, units=8000, campuses=4, school=40, colleges=20),
}

START_DATE = dt.date(2026, 9, 7)  # a Monday
TEACHING_WEEKS = 16  # regular courses run in weeks 1-16; the rest are review and exams
FRESHMAN_GRADE = 2026
GRADES = (2023, 2024, 2025, 2026)
DAYTIME_PERIODS = 10  # periods 1-10 are daytime, 11-12 evening
WEEKDAYS = (1, 2, 3, 4, 5)

# period, start, end: five in the morning, five in the afternoon, two in the evening
PERIODS: tuple[tuple[int, str, str], ...] = (
    (1, "08:00", "08:45"), (2, "08:55", "09:40"), (3, "10:00", "10:45"), (4, "10:55", "11:40"),
    (5, "11:50", "12:35"), (6, "14:00", "14:45"), (7, "14:55", "15:40"), (8, "16:00", "16:45"),
    (9, "16:55", "17:40"), (10, "17:50", "18:35"), (11, "19:00", "19:45"), (12, "19:50", "20:35"),
)  # fmt: skip
# winter schedule (冬季作息) of one campus: the afternoon starts at 13:30
WINTER_PERIODS: tuple[tuple[int, str, str], ...] = (
    (6, "13:30", "14:15"), (7, "14:25", "15:10"), (8, "15:30", "16:15"),
    (9, "16:25", "17:10"), (10, "17:20", "18:05"),
)  # fmt: skip

# A day's teaching slots: each slot holds one block of consecutive periods.
SLOT_BLOCKS: dict[str, tuple[tuple[int, int], ...]] = {
    "am1": ((1, 2),),
    "am2": ((3, 4), (3, 5)),
    "pm1": ((6, 7),),
    "pm2": ((8, 9), (8, 10)),
}
SLOTS = tuple(SLOT_BLOCKS)

# The official 2026 arrangement (国务院办公厅 2026 年部分节假日安排) and New Year 2027.
HOLIDAYS: tuple[tuple[str, str, str, str], ...] = (
    ("2026-09-20", "国庆节调休上班", "workday", "2026-10-06"),
    ("2026-09-25", "中秋节", "holiday", ""),
    ("2026-09-26", "中秋节", "holiday", ""),
    ("2026-09-27", "中秋节", "holiday", ""),
    *((f"2026-10-0{d}", "国庆节", "holiday", "") for d in range(1, 8)),
    ("2026-10-10", "国庆节调休上班", "workday", "2026-10-07"),
    ("2027-01-01", "元旦", "holiday", ""),
)

CAMPUSES: tuple[tuple[str, str], ...] = (
    ("changqing", "长清湖校区"), ("qianfoshan", "千佛山校区"), ("yanshan", "燕山校区"),
    ("shungeng", "舜耕校区"), ("zhangqiu", "章丘校区"),
)  # fmt: skip
BUILDINGS = ("博文楼", "明德楼", "致远楼", "求是楼", "励学楼", "知行楼", "格物楼", "弘德楼")

COMMON_COURSES = (
    "大学英语", "高等数学", "大学体育", "大学计算机基础", "军事理论", "大学生心理健康教育",
    "创新创业基础", "大学语文",
)  # fmt: skip

# college name, majors, specialised courses
COLLEGES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("文学院", ("汉语言文学", "汉语国际教育", "秘书学"),
     ("古代汉语", "现代汉语", "中国古代文学", "文学概论", "外国文学", "基础写作")),
    ("信息科学与工程学院", ("计算机科学与技术", "软件工程", "人工智能"),
     ("程序设计基础", "数据结构", "计算机组成原理", "操作系统", "离散数学", "机器学习")),
    ("数学与统计学院", ("数学与应用数学", "统计学"),
     ("数学分析", "高等代数", "解析几何", "概率论", "常微分方程", "实变函数")),
    ("商学院", ("工商管理", "会计学", "财务管理", "国际经济与贸易"),
     ("管理学", "微观经济学", "会计学原理", "统计学原理", "市场营销", "财务管理")),
    ("马克思主义学院", ("思想政治教育",),
     ("马克思主义哲学", "科学社会主义", "中共党史", "思想政治教育学原理")),
    ("外国语学院", ("英语", "日语", "翻译"),
     ("综合英语", "英语听力", "英语写作", "基础日语", "翻译理论与实践")),
    ("历史文化学院", ("历史学", "文物与博物馆学"),
     ("中国古代史", "世界古代史", "考古学通论", "史学概论")),
    ("化学化工与材料科学学院", ("化学", "材料科学与工程"),
     ("无机化学", "有机化学", "分析化学", "物理化学")),
    ("物理与电子科学学院", ("物理学", "电子信息工程"),
     ("力学", "电磁学", "热学", "电路分析", "模拟电子技术")),
    ("法学院", ("法学",), ("法理学", "宪法学", "民法总论", "刑法学", "行政法与行政诉讼法")),
    ("教育学院", ("教育学", "学前教育"), ("教育学原理", "教育心理学", "中国教育史", "课程与教学论")),
    ("心理学院", ("心理学", "应用心理学"), ("普通心理学", "发展心理学", "实验心理学", "心理统计")),
    ("音乐学院", ("音乐学", "音乐表演"), ("基本乐理", "视唱练耳", "和声学", "中国音乐史")),
    ("美术学院", ("美术学", "视觉传达设计"), ("素描", "色彩", "中国美术史", "设计基础")),
    ("体育学院", ("体育教育", "运动训练"), ("运动解剖学", "运动生理学", "田径", "篮球")),
    ("生命科学学院", ("生物科学", "生物技术"), ("动物学", "植物学", "细胞生物学", "生物化学")),
    ("地理与环境学院", ("地理科学", "环境科学"), ("自然地理学", "人文地理学", "地图学", "环境化学")),
    ("新闻与传媒学院", ("新闻学", "广告学"), ("新闻学概论", "传播学概论", "新闻采访与写作")),
    ("公共管理学院", ("行政管理", "社会工作"), ("公共管理学", "政治学原理", "社会学概论")),
    ("经济学院", ("经济学", "金融学"), ("政治经济学", "宏观经济学", "计量经济学", "货币金融学")),
)  # fmt: skip

SCHOOL_TITLES = (
    "党委书记", "校长", "党委副书记", "党委副书记", "副校长", "副校长", "副校长",
    "纪委书记", "副校长", "总会计师", "副校长", "校长助理",
)  # fmt: skip
SCHOOL_EXTRA_TITLES = ("党委常委", "副校长", "校长助理")
# department, head title
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("党委办公室", "主任"), ("校长办公室", "主任"), ("党委组织部", "部长"), ("党委宣传部", "部长"),
    ("党委统战部", "部长"), ("纪委办公室", "主任"), ("教务处", "处长"), ("科学技术处", "处长"),
    ("社会科学处", "处长"), ("人事处", "处长"), ("财务处", "处长"), ("国际交流合作处", "处长"),
    ("发展规划处", "处长"), ("审计处", "处长"), ("国有资产管理处", "处长"), ("后勤管理处", "处长"),
    ("保卫处", "处长"), ("研究生院", "院长"), ("图书馆", "馆长"), ("招生就业处", "处长"),
    ("离退休工作处", "处长"), ("信息化建设管理处", "处长"), ("实验室与设备管理处", "处长"),
)  # fmt: skip
STUDENT_AFFAIRS_TITLES = (
    "党委学生工作部部长", "团委书记", "党委研究生工作部部长", "心理健康教育与咨询中心主任",
    "学生资助管理中心主任", "人民武装部部长", "就业指导中心主任",
)  # fmt: skip
STUDENT_AFFAIRS_EXTRA = ("党委学生工作部副部长", "团委副书记", "党委研究生工作部副部长")
COLLEGE_TITLES = ("党委书记", "院长", "党委副书记", "副院长", "副院长", "副院长")

SOCIETIES = (
    "青年志愿者协会", "大学生艺术团", "马克思主义理论学习研究会", "辩论协会", "书法协会",
    "摄影协会", "机器人创新协会", "篮球协会", "英语角", "创新创业协会", "汉服文化社",
    "朋辈心理互助协会", "话剧社", "文学社", "天文爱好者协会", "围棋协会", "乒乓球协会",
    "国旗护卫队", "环保协会", "动漫社", "舞蹈协会", "吉他社", "民乐团", "读书会",
    "红色文化研习社", "网络安全协会", "数学建模协会", "模拟联合国协会", "足球协会", "羽毛球协会",
)  # fmt: skip
CANTEENS = ("第一餐厅", "第二餐厅", "学苑餐厅", "清真餐厅")
THEORY_COURSES: dict[int, str] = {
    2026: "思想道德与法治",
    2025: "中国近现代史纲要",
    2024: "毛泽东思想和中国特色社会主义理论体系概论",
    2023: "习近平新时代中国特色社会主义思想概论",
}
SITUATION_POLICY = "形势与政策"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚华文辉海波宁鹏红玲斌峰雪晨宇浩鑫琳晶凯颖建国志新"
    "立卫东永春林云德玉兰梅庆光学成荣振兴家宏庆瑞祥安康慧嘉彬毅俊"
)
TRIP_NOTES = (
    ("travel", "北京：教育部工作会议"), ("travel", "上海：学术交流"), ("travel", "南京：兄弟院校调研"),
    ("travel", "杭州：高校党建工作研讨会"), ("meeting", "省委教育工作会议（济南）"),
    ("leave", "事假"), ("leave", "病假"), ("travel", "西安：学科建设评估"),
)  # fmt: skip
LONG_TRIP_NOTES = ("省委党校中青年干部培训班", "中央党校（国家行政学院）专题研修班", "对口支援高校调研")


# ---------------------------------------------------------------------------------------------
# week specs


def week_set(spec: str) -> set[int]:
    """The weeks of the simple specs written here (``1-16``, ``3-9``, ``1-15单``, ``2-16双``)."""
    weeks: set[int] = set()
    for item in spec.split(","):
        parity = 1 if "单" in item else 0 if "双" in item else None
        lo, _, hi = item.rstrip("单双").partition("-")
        weeks.update(
            w for w in range(int(lo), int(hi or lo) + 1) if parity is None or w % 2 == parity
        )
    return weeks


def teaching_share(spec: str) -> float:
    """Share of the teaching weeks 1-16 that a week spec covers."""
    return len(week_set(spec) & set(range(1, TEACHING_WEEKS + 1))) / TEACHING_WEEKS


def span(block: tuple[int, int]) -> str:
    return f"{block[0]}-{block[1]}"


# ---------------------------------------------------------------------------------------------
# class timetables


def week_patterns(freshman: bool) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The full-term spec and the complementary half-term pairs; freshmen start in week 3 (军训)."""
    if freshman:
        return "3-16", (("3-9", "10-16"), ("3-15单", "4-16双"))
    return "1-16", (("1-8", "9-16"), ("1-15单", "2-16双"))


def class_timetable(
    rng: random.Random,
    owner_id: str,
    courses: Sequence[str],
    location: str,
    freshman: bool = False,
    taken: dict[tuple[int, str], float] | None = None,
) -> list[Row]:
    """A class's course timetable, busy 42-58% of the daytime periods of the teaching weeks.

    ``taken`` maps (weekday, slot) already used (e.g. by an ideological course section) to the
    busy period-weeks it contributes, counted in teaching-week shares.
    """
    taken = dict(taken or {})
    target = rng.uniform(0.43, 0.51) * DAYTIME_PERIODS * len(WEEKDAYS)
    busy = sum(taken.values())
    free = [(d, s) for d in WEEKDAYS for s in SLOTS if (d, s) not in taken]
    rng.shuffle(free)
    full, halves = week_patterns(freshman)
    rows: list[Row] = []
    for weekday, slot in free:
        if busy >= target:
            break
        block = rng.choice(SLOT_BLOCKS[slot])
        length = block[1] - block[0] + 1
        if rng.random() < 0.7:
            specs: Sequence[str] = (full,)
        else:
            pair = rng.choice(halves)
            specs = pair if rng.random() < 0.5 else (rng.choice(pair),)
        for spec in specs:
            rows.append(timetable_row(owner_id, weekday, block, spec, rng.choice(courses), location))
            busy += length * teaching_share(spec)
    if rng.random() < 0.25:
        rows.append(timetable_row(owner_id, rng.choice(WEEKDAYS), (11, 12), full, "公共选修课", location))
    return rows


def timetable_row(
    owner_id: str, weekday: int, block: tuple[int, int], weeks: str, title: str, location: str
) -> Row:
    return [owner_id, str(weekday), span(block), "", "", weeks, title, "", location]


def meeting_row(owner_id: str, weekday: int, start: str, end: str, weeks: str, title: str) -> Row:
    return [owner_id, str(weekday), "", start, end, weeks, title, "", "行政楼会议室"]


# ---------------------------------------------------------------------------------------------
# names


def unique_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def classroom(rng: random.Random) -> str:
    return f"{rng.choice(BUILDINGS)}{rng.choice('ABC')}{rng.randint(1, 5)}{rng.randint(1, 20):02d}"


# ---------------------------------------------------------------------------------------------
# the university


@dataclass
class College:
    name: str
    majors: tuple[str, ...]
    courses: tuple[str, ...]
    campus: str


@dataclass
class Uni:
    """Everything generated so far, as rows per file, plus lookups the later steps need."""

    rng: random.Random
    size: Size
    weeks: int
    campuses: list[str]
    colleges: list[College]
    rows: dict[str, list[Row]] = field(default_factory=dict)
    classes: list[Row] = field(default_factory=list)  # unit rows of kind class
    freshman: set[str] = field(default_factory=set)
    sections_of: dict[str, dict[tuple[int, str], float]] = field(default_factory=dict)

    def add(self, file: str, rows: Iterable[Row]) -> None:
        self.rows.setdefault(file, []).extend(rows)


def new_uni(size: Size, seed: int) -> Uni:
    rng = random.Random(seed)
    campuses = [c for c, _ in CAMPUSES[: size.campuses]]
    picked = COLLEGES[: size.colleges]
    colleges = [
        College(name, majors, courses, campuses[0] if i % 2 == 0 else campuses[i % len(campuses)])
        for i, (name, majors, courses) in enumerate(picked)
    ]
    return Uni(rng, size, rng.choice((18, 19, 20)), campuses, colleges)


def term_rows(uni: Uni) -> None:
    weeks = uni.weeks
    uni.add("term", [[
        "2026-2027-1", "2026-2027学年第一学期", START_DATE.isoformat(), str(weeks),
        f"1-{weeks - 1}", "Asia/Shanghai", "08:00", "21:30", "10", "12:00-13:30", "17:30-18:30",
    ]])
    winter_campus = uni.campuses[-1]
    uni.add("periods", ([str(p), s, e, "", ""] for p, s, e in PERIODS))
    uni.add("periods", ([str(p), s, e, winter_campus, f"9-{weeks}"] for p, s, e in WINTER_PERIODS))
    end = START_DATE + dt.timedelta(days=7 * weeks - 1)
    uni.add("holidays", (
        [date, name, kind, follows, ""]
        for date, name, kind, follows in HOLIDAYS
        if START_DATE.isoformat() <= date <= end.isoformat()
    ))


def campus_rows(uni: Uni) -> None:
    names = dict(CAMPUSES)
    uni.add("campuses", ([c, names[c]] for c in uni.campuses))
    for i, a in enumerate(uni.campuses):
        for b in uni.campuses[i + 1 :]:
            uni.add("travel", [[a, b, str(uni.rng.randrange(20, 75, 5))]])


# leaders ------------------------------------------------------------------------------------


def tier_counts(size: Size) -> dict[str, int]:
    department = round(0.30 * size.leaders)
    student_affairs = max(2, round(0.12 * size.leaders))
    college = size.leaders - size.school - department - student_affairs
    return {
        "school": size.school,
        "department": department,
        "college": college,
        "student_affairs": student_affairs,
    }


def leader_titles(uni: Uni) -> list[tuple[str, str, str, str]]:
    """(tier, title, campus, college) of every leader, in id order."""
    counts = tier_counts(uni.size)
    main = uni.campuses[0]
    out: list[tuple[str, str, str, str]] = []
    for i in range(counts["school"]):
        title = SCHOOL_TITLES[i] if i < len(SCHOOL_TITLES) else SCHOOL_EXTRA_TITLES[i % 3]
        out.append(("school", title, main, ""))
    for i in range(counts["department"]):
        dept, head = DEPARTMENTS[i % len(DEPARTMENTS)]
        title = dept + (head if i < len(DEPARTMENTS) else "副" + head)
        campus = main if uni.rng.random() < 0.8 else uni.rng.choice(uni.campuses)
        out.append(("department", title, campus, ""))
    for i in range(counts["college"]):
        college = uni.colleges[i % len(uni.colleges)]
        rank = COLLEGE_TITLES[min(i // len(uni.colleges), len(COLLEGE_TITLES) - 1)]
        out.append(("college", college.name + rank, college.campus, college.name))
    for i in range(counts["student_affairs"]):
        title = (
            STUDENT_AFFAIRS_TITLES[i]
            if i < len(STUDENT_AFFAIRS_TITLES)
            else STUDENT_AFFAIRS_EXTRA[i % len(STUDENT_AFFAIRS_EXTRA)]
        )
        out.append(("student_affairs", title, uni.campuses[i % len(uni.campuses)], ""))
    return out


def leader_rows(uni: Uni) -> None:
    rng = uni.rng
    titles = leader_titles(uni)
    names = unique_names(rng, len(titles))
    width = len(str(len(titles)))
    for n, ((tier, title, campus, college), name) in enumerate(zip(titles, names, strict=True)):
        leader_id = f"L{n + 1:0{width}d}"
        link = "true" if tier == "college" and title.endswith("党委书记") else ""
        uni.add("leaders", [[
            leader_id, name, title, tier, campus, college, f"{leader_id.lower()}@example.edu.cn",
            "", link, "", "", "",
        ]])
        uni.add("timetable", leader_commitments(uni, leader_id, tier, college, campus))


def leader_commitments(uni: Uni, leader_id: str, tier: str, college: str, campus: str) -> list[Row]:
    """Standing meetings of the tier and, for some leaders, a course they teach."""
    rng = uni.rng
    rows = {
        "school": [
            meeting_row(leader_id, 1, "14:30", "17:30", "", "党委常委会"),
            meeting_row(leader_id, 4, "08:30", "11:30", "2-16双", "校长办公会"),
        ],
        "department": [meeting_row(leader_id, 1, "08:30", "10:00", "", "部（处）务会")],
        "college": [meeting_row(leader_id, 2, "14:30", "16:30", "", "党政联席会")],
        "student_affairs": [meeting_row(leader_id, 5, "14:30", "16:00", "", "学生工作例会")],
    }[tier]
    teaches = {"school": 0.15, "department": 0.1, "college": 0.35, "student_affairs": 0.1}[tier]
    if rng.random() < teaches:
        courses = next((c.courses for c in uni.colleges if c.name == college), COMMON_COURSES)
        slot = rng.choice(("am1", "am2", "pm2"))
        block = rng.choice(SLOT_BLOCKS[slot])
        row = timetable_row(leader_id, rng.choice((2, 3, 5)), block, "1-16", rng.choice(courses),
                            classroom(rng))
        rows.append(row)
    return rows


# units --------------------------------------------------------------------------------------


def unit_counts(size: Size) -> tuple[int, int, int]:
    classes = round(0.65 * size.units)
    dorms = round(0.20 * size.units)
    return classes, dorms, size.units - classes - dorms


def class_rows(uni: Uni, count: int) -> None:
    rng = uni.rng
    numbers: dict[tuple[str, int], int] = {}
    for n in range(count):
        college = uni.colleges[rng.randrange(len(uni.colleges))]
        major = rng.choice(college.majors)
        grade = GRADES[n % len(GRADES)]
        seq = numbers[(major, grade)] = numbers.get((major, grade), 0) + 1
        unit_id = f"C{n + 1:04d}"
        row = [unit_id, "class", f"{major}{grade}级{seq}班", college.campus, classroom(rng),
               college.name, str(rng.randint(26, 48)), ""]
        uni.classes.append(row)
        if grade == FRESHMAN_GRADE:
            uni.freshman.add(unit_id)
    uni.add("units", uni.classes)


def dorm_rows(uni: Uni, count: int) -> None:
    rng = uni.rng
    names = dict(CAMPUSES)
    per_campus: dict[str, int] = {}
    for n in range(count):
        campus = uni.campuses[0] if rng.random() < 0.5 else rng.choice(uni.campuses)
        seq = per_campus[campus] = per_campus.get(campus, 0) + 1
        building = f"{names[campus][:-2]}学苑{seq}号楼"
        college = rng.choice([c.name for c in uni.colleges if c.campus == campus] or [""])
        max_leaders = "2" if rng.random() < 0.1 else ""
        uni.add("units", [[f"D{n + 1:04d}", "dorm", building, campus, building, college,
                           str(rng.randrange(300, 900, 20)), max_leaders]])


def society_rows(uni: Uni, count: int) -> None:
    rng = uni.rng
    for n in range(count):
        base = SOCIETIES[n % len(SOCIETIES)]
        rounds = n // len(SOCIETIES)  # 0: school-wide societies, then college branches
        if rounds == 0:
            name, campus, college_name = base, rng.choice(uni.campuses), ""
        else:
            college = uni.colleges[(rounds - 1) % len(uni.colleges)]
            branch = (rounds - 1) // len(uni.colleges) + 1
            suffix = "" if branch == 1 else f"（第{branch}分会）"
            name, campus, college_name = college.name + base + suffix, college.campus, college.name
        unit_id = f"S{n + 1:04d}"
        location = f"大学生活动中心{rng.randint(1, 4)}{rng.randint(1, 30):02d}"
        uni.add("units", [[unit_id, "society", name, campus, location, college_name,
                           str(rng.randrange(30, 300, 5)), ""]])
        uni.add("windows", society_windows(rng, unit_id))


def society_windows(rng: random.Random, unit_id: str) -> list[Row]:
    choices = (
        (str(rng.randint(1, 5)), "19:00", "21:00"),
        ("6", "14:00", "17:00"),
        ("7", "09:00", "11:30"),
        (str(rng.randint(1, 5)), "16:50", "18:30"),
    )
    first = rng.choice(choices)
    rows = [[unit_id, *first, rng.choice(("", "", "3-16"))]]
    if rng.random() < 0.4:
        second = rng.choice([c for c in choices if c != first])
        rows.append([unit_id, *second, ""])
    return rows


# ideological course sections ------------------------------------------------------------------


def lecture_leaders(uni: Uni) -> int:
    return sum(1 for row in uni.rows["leaders"] if row[3] == "school")


def course_rows(uni: Uni) -> None:
    """Sections of the ideological courses, each for a few classes of one campus and grade.

    Sections avoid Monday afternoon and Thursday morning, when school leaders meet.
    """
    rng = uni.rng
    wanted = max(2 * lecture_leaders(uni) + 2, len(uni.classes) // 25)
    by_group: dict[tuple[str, str], list[str]] = {}
    for row in uni.classes:
        by_group.setdefault((row[3], row[2].split("级")[0][-4:]), []).append(row[0])
    groups = sorted(by_group.items())
    rng.shuffle(groups)
    meetings = ((1, "pm1"), (1, "pm2"), (4, "am1"), (4, "am2"))
    usable = [(d, s) for d in WEEKDAYS for s in SLOTS if (d, s) not in meetings]
    for n in range(wanted):
        (campus, grade), class_ids = groups[n % len(groups)]
        pick = class_ids[(n // len(groups)) * 3 :][:3] or rng.sample(class_ids, 1)
        free = [x for x in usable if all(x not in uni.sections_of.get(c, {}) for c in pick)]
        weekday, slot = rng.choice(free or usable)
        block = SLOT_BLOCKS[slot][0]
        if n % 3 == 2:
            kind, course = "situation_policy", SITUATION_POLICY
            start = rng.choice((3, 5, 7, 9, 11))
            weeks = f"{start}-{start + 3}"
        else:
            kind, course = "theory", THEORY_COURSES[int(grade)]
            weeks = week_patterns(int(grade) == FRESHMAN_GRADE)[0]
        add_section(uni, f"K{n + 1:04d}", course, kind, (weekday, slot), block, weeks, campus, pick)


def add_section(
    uni: Uni,
    section_id: str,
    course: str,
    kind: str,
    slot: tuple[int, str],
    block: tuple[int, int],
    weeks: str,
    campus: str,
    class_ids: list[str],
) -> None:
    location = classroom(uni.rng)
    uni.add("courses", [[section_id, course, kind, str(slot[0]), span(block), weeks, campus,
                         location, ";".join(class_ids)]])
    busy = (block[1] - block[0] + 1) * teaching_share(weeks)
    for class_id in class_ids:
        taken = uni.sections_of.setdefault(class_id, {})
        if slot not in taken:
            taken[slot] = busy
            uni.add("timetable", [timetable_row(class_id, slot[0], block, weeks, course, location)])


def class_timetables(uni: Uni) -> None:
    courses = {c.name: c.courses + COMMON_COURSES for c in uni.colleges}
    for row in uni.classes:
        unit_id = row[0]
        uni.add("timetable", class_timetable(
            uni.rng, unit_id, courses[row[5]], row[4], unit_id in uni.freshman,
            uni.sections_of.get(unit_id),
        ))


# venues, activities, absences, history ------------------------------------------------------


def venue_rows(uni: Uni) -> None:
    rng = uni.rng
    names = dict(CAMPUSES)
    capacity = str(max(2, uni.size.leaders // 40))
    n = 0
    for campus in uni.campuses:
        for canteen in CANTEENS[: rng.randint(1, 2) + (uni.size.units >= 2000)]:
            n += 1
            venue_id = f"V{n:02d}"
            uni.add("venues", [[venue_id, "canteen", f"{names[campus]}{canteen}", campus,
                                f"{names[campus][:-2]}{canteen}一楼", capacity]])
            if canteen == "清真餐厅":
                uni.add("windows", [[venue_id, "1-7", "11:00", "13:00", ""],
                                    [venue_id, "1-7", "17:00", "18:30", ""]])
    # one-stop student community centres (一站式学生社区), where student-affairs heads hold office hours
    community_capacity = str(max(2, uni.size.leaders // 25))
    for i, campus in enumerate(uni.campuses, 1):
        uni.add("venues", [[f"V-SQ{i}", "community", f"{names[campus]}一站式学生社区", campus,
                            f"{names[campus][:-2]}学生社区服务中心", community_capacity]])
    online_capacity = str(max(5, uni.size.leaders // 10))
    uni.add("venues", [["V-ONLINE", "online", "网络思政平台（易班）", "", "线上", online_capacity]])


def teaching_days(uni: Uni) -> list[dt.date]:
    """Weekdays of weeks 3..weeks-2 (after 军训) in weeks without a holiday.

    Trips and activities fall on these days, so that no week is left without a working day.
    """
    off = {row[0] for row in uni.rows.get("holidays", []) if row[2] == "holiday"}
    days = [START_DATE + dt.timedelta(days=i) for i in range(14, 7 * (uni.weeks - 2))]
    holiday_weeks = {(d - START_DATE).days // 7 for d in days if d.isoformat() in off}
    return [
        d for d in days if d.isoweekday() <= 5 and (d - START_DATE).days // 7 not in holiday_weeks
    ]


# visit kind, format, name, start, end, max_leaders, needs a unit of this kind
ACTIVITY_KINDS: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    ("lecture", "形势报告", "形势与政策专题报告会", "14:30", "16:30", 4, ""),
    ("lecture", "座谈会", "学生代表座谈会", "15:00", "16:30", 3, ""),
    ("lecture", "学术讲座", "“名师面对面”学术讲座", "19:00", "20:30", 3, ""),
    ("class", "主题班会", "“扣好人生第一粒扣子”主题班会", "19:00", "20:00", 1, "class"),
    ("class", "主题班会", "学风建设主题班会", "19:00", "20:00", 1, "class"),
    ("society", "社团活动", "社团成果展示", "19:00", "20:30", 2, "society"),
    ("society", "文体竞赛", "校园文化艺术节比赛", "18:30", "20:30", 3, ""),
    ("dorm", "宿舍走访", "宿舍文化节文明宿舍评选", "19:00", "20:30", 2, "dorm"),
    ("online", "网络答疑", "“键对键”网上答疑", "20:00", "21:00", 3, ""),
    ("canteen", "座谈会", "伙食质量学生座谈会", "12:00", "13:00", 2, ""),
)  # fmt: skip


def activity_rows(uni: Uni) -> None:
    rng = uni.rng
    units = {kind: [r for r in uni.rows["units"] if r[1] == kind] for kind in ("class", "dorm", "society")}
    days = teaching_days(uni)
    count = max(15, uni.size.units // 10)
    lecture_capacity = 0
    n = 0
    while n < count or lecture_capacity < 2 * lecture_leaders(uni):
        n += 1
        spec = ACTIVITY_KINDS[0] if n > count else ACTIVITY_KINDS[(n - 1) % len(ACTIVITY_KINDS)]
        kind, fmt, name, start, end, max_leaders, unit_kind = spec
        campus = rng.choice(uni.campuses)
        location, unit_id = rng.choice(("大学生活动中心报告厅", "图书馆报告厅", "学术交流中心")), ""
        if unit_kind:
            unit = rng.choice(units[unit_kind])
            unit_id, campus, location = unit[0], unit[3], unit[4]
        if kind == "online":
            campus, location = "", "线上"
        if kind == "canteen":
            location = "餐厅二楼会议室"
        lecture_capacity += max_leaders if kind == "lecture" else 0
        uni.add("activities", [[f"A{n:04d}", kind, fmt, name, rng.choice(days).isoformat(), start,
                                end, campus, location, unit_id, str(max_leaders)]])


def absence_rows(uni: Uni) -> None:
    rng = uni.rng
    leaders = [row[0] for row in uni.rows["leaders"]]
    days = teaching_days(uni)
    for leader_id in rng.sample(leaders, max(1, len(leaders) // 10)):
        first = rng.choice(days)
        last = first + dt.timedelta(days=rng.randint(0, 4))
        kind, note = rng.choice(TRIP_NOTES)
        uni.add("absences", [[leader_id, first.isoformat(), last.isoformat(), kind, note]])
    non_school = [row[0] for row in uni.rows["leaders"] if row[3] != "school"]
    wednesdays = [d for d in days if d.isoweekday() == 3]
    for leader_id in rng.sample(non_school, max(1, len(leaders) // 50)):
        first = rng.choice(wednesdays)  # Wednesday to Friday of the next week: 10 days
        last = first + dt.timedelta(days=9)
        uni.add("absences", [[leader_id, first.isoformat(), last.isoformat(), "travel",
                              rng.choice(LONG_TRIP_NOTES)]])
    for leader_id in rng.sample(leaders, max(1, len(leaders) // 20)):
        day = rng.choice(days).isoformat()
        uni.add("absences", [[leader_id, f"{day} 08:30", f"{day} 12:00", "meeting", "上级来校检查汇报会"]])
    last_drill = (START_DATE + dt.timedelta(days=13)).isoformat()
    uni.add("absences", ([row[0], START_DATE.isoformat(), last_drill, "other", "新生军训"]
                         for row in uni.classes if row[0] in uni.freshman))


def history_rows(uni: Uni) -> None:
    rng = uni.rng
    linking = [row for row in uni.rows["leaders"] if row[3] == "school" or row[8] == "true"]
    units = [row for row in uni.rows["units"] if row[0] not in uni.freshman]
    for leader, unit in zip(linking, rng.sample(units, len(linking)), strict=True):
        if rng.random() < 0.7:
            uni.add("history", [[leader[0], unit[0]]])


# ---------------------------------------------------------------------------------------------


def build(size: Size, seed: int) -> dict[str, list[Row]]:
    """The rows of every file of one synthetic university."""
    uni = new_uni(size, seed)
    term_rows(uni)
    campus_rows(uni)
    leader_rows(uni)
    classes, dorms, societies = unit_counts(size)
    class_rows(uni, classes)
    dorm_rows(uni, dorms)
    society_rows(uni, societies)
    course_rows(uni)
    class_timetables(uni)
    venue_rows(uni)
    activity_rows(uni)
    absence_rows(uni)
    history_rows(uni)
    return uni.rows


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv_writer_rows(f, header, rows)


def write_files(rows: dict[str, list[Row]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for file, header in COLUMNS.items():
        write_csv(out / f"{file}.csv", header, rows.get(file, []))


def generate(size: str, seed: int, out: Path) -> None:
    """Write a seeded synthetic university of ``size`` (a key of :data:`SIZES`) into ``out``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    write_files(build(SIZES[size], seed), Path(out))


def main(argv: Sequence[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m data.generate SIZE SEED OUT", file=sys.stderr)
        return 2
    generate(argv[0], int(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
