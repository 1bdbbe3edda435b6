"""What the 信用新泰 platform records about a person: one generator per report section.

Each generator draws one row from a seeded ``random.Random`` and returns it in the column
order ``kiosk.contract.SECTIONS`` fixes. Texts follow what the platform publishes:
双公示 licences and penalties with their 文书号, red and black lists (失信被执行人 with a
新泰市人民法院 案号), credit commitments, honours, volunteer hours, tax credit ratings and
credit repairs. ``records_for`` draws a whole record for one of the ``PROFILES``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from kiosk.contract import LIST_REMOVED, SECTIONS

REFERENCE_DATE = dt.date(2025, 10, 31)
"""The population's "today": no record is dated later."""
REGION = "370982"

Row = tuple[str, ...]
Records = tuple[tuple[str, Row], ...]
"""(section key, row) pairs in report order, newest first within a section."""

_STATIONS = ("青云街道", "新汶街道", "汶南镇", "羊流镇", "楼德镇", "东都镇")


def random_day(rng: random.Random, since: dt.date, until: dt.date = REFERENCE_DATE) -> dt.date:
    return since + dt.timedelta(days=rng.randrange(max(1, (until - since).days)))


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# (许可名称, 类别, 内容, 机关, 许可编号 prefix, 证书名称)
Licence = tuple[str, str, str, str, str, str]
_LICENCES: tuple[Licence, ...] = (
    (
        "食品经营许可",
        "普通",
        "预包装食品销售、热食类食品制售",
        "新泰市行政审批服务局",
        "JY",
        "食品经营许可证",
    ),
    (
        "个体工商户设立登记",
        "登记",
        "个体工商户营业执照（餐饮服务）",
        "新泰市市场监督管理局",
        "新市监个登字",
        "营业执照",
    ),
    (
        "公共场所卫生许可",
        "普通",
        "理发店、美容店卫生许可",
        "新泰市行政审批服务局",
        "新审批卫公字",
        "公共场所卫生许可证",
    ),
    (
        "道路运输从业资格",
        "认可",
        "道路货物运输驾驶员从业资格",
        "新泰市交通运输局",
        "新交运许字",
        "道路运输从业资格证",
    ),
    (
        "林木采伐许可",
        "普通",
        "自留山杨树采伐12立方米",
        "新泰市自然资源和规划局",
        "新林采字",
        "林木采伐许可证",
    ),
    (
        "烟草专卖零售许可",
        "特许",
        "卷烟、雪茄烟零售",
        "新泰市烟草专卖局",
        "370982",
        "烟草专卖零售许可证",
    ),
    ("取水许可", "普通", "农业灌溉取用地下水", "新泰市水利局", "取水（鲁新泰）字", "取水许可证"),
    (
        "乡村建设规划许可",
        "普通",
        "农村村民住宅建设",
        "新泰市自然资源和规划局",
        "乡字第",
        "乡村建设规划许可证",
    ),
)


# The short name an authority numbers its decisions with.
_SHORT = {
    "新泰市行政审批服务局": "新审批",
    "新泰市市场监督管理局": "新市监",
    "新泰市交通运输局": "新交运",
    "新泰市自然资源和规划局": "新自然资",
    "新泰市烟草专卖局": "新烟专",
    "新泰市水利局": "新水",
    "新泰市应急管理局": "新应急",
    "泰安市行政审批服务局": "泰审批",
    "泰安市生态环境局": "泰环",
}


def _detail_rng(*anchor: str) -> random.Random:
    """The columns the national format added later are drawn from their own generator, seeded
    by the row, so adding them left every other draw, and so the population, unchanged."""
    return random.Random("|".join(anchor))


def _licence(rng: random.Random, since: dt.date, table: tuple[Licence, ...] = _LICENCES) -> Row:
    _, category, content, authority, prefix, certificate = rng.choice(table)
    day = random_day(rng, since)
    n = rng.randrange(1, 9999)
    if prefix == "JY":
        number = f"JY{rng.choice('12')}{REGION}{n:06d}{rng.randrange(10)}"
    elif prefix == "370982":
        number = f"{REGION}{n:06d}"
    elif prefix == "乡字第":
        number = f"乡字第{REGION}{day.year}{n:05d}号"
    else:
        number = f"{prefix}〔{day.year}〕第{n:04d}号"
    until = "长期" if category == "登记" else years_later(day, rng.choice((3, 5))).isoformat()
    detail = _detail_rng(number, day.isoformat())
    decision = f"{_SHORT[authority]}许决〔{day.year}〕{detail.randrange(1, 9999):04d}号"
    return (
        decision,
        category,
        certificate,
        number,
        content,
        day.isoformat(),
        day.isoformat(),
        until,
        authority,
    )


# (机关, 文号 prefix, 违法行为类型, fine range, 违法事实, 处罚依据)
_PENALTIES = (
    (
        "新泰市综合行政执法局",
        "新综执罚决字",
        "占道经营",
        (200, 500),
        "在{place}占用城市道路摆摊经营",
        "《城市市容和环境卫生管理条例》第三十六条",
    ),
    (
        "新泰市综合行政执法局",
        "新综执罚决字",
        "违规倾倒建筑垃圾",
        (1000, 5000),
        "未经核准在{place}倾倒建筑垃圾",
        "《城市建筑垃圾管理规定》第二十六条",
    ),
    (
        "新泰市综合行政执法局",
        "新综执罚决字",
        "擅自设置户外广告",
        (500, 2000),
        "未经批准在{place}设置户外广告牌",
        "《城市市容和环境卫生管理条例》第三十四条",
    ),
    (
        "新泰市市场监督管理局",
        "新市监罚字",
        "销售超过保质期的食品",
        (2000, 10000),
        "在{place}经营场所销售超过保质期的预包装食品",
        "《中华人民共和国食品安全法》第一百二十四条",
    ),
    (
        "新泰市市场监督管理局",
        "新市监罚字",
        "未按规定公示营业执照",
        (0, 0),
        "在{place}经营场所未将营业执照置于醒目位置",
        "《中华人民共和国市场主体登记管理条例》第四十八条",
    ),
    (
        "新泰市市场监督管理局",
        "新市监罚字",
        "使用未经检定的计量器具",
        (1000, 3000),
        "在{place}经营场所使用未经检定的电子计价秤",
        "《中华人民共和国计量法》第二十六条",
    ),
    (
        "泰安市生态环境局新泰分局",
        "泰环新罚字",
        "露天焚烧秸秆",
        (200, 1000),
        "在{place}农田露天焚烧秸秆",
        "《中华人民共和国大气污染防治法》第一百一十九条",
    ),
    (
        "新泰市交通运输局",
        "新交罚字",
        "未取得道路运输经营许可擅自从事道路运输经营",
        (5000, 20000),
        "未取得道路运输经营许可，在{place}擅自从事道路货物运输经营",
        "《中华人民共和国道路运输条例》第六十三条",
    ),
    (
        "新泰市自然资源和规划局",
        "新自然资罚字",
        "未经批准占用耕地建房",
        (3000, 15000),
        "未经批准在{place}占用耕地建设住房",
        "《中华人民共和国土地管理法》第七十八条",
    ),
    (
        "国家税务总局新泰市税务局",
        "新税简罚",
        "未按照规定期限办理纳税申报",
        (50, 500),
        "未按照规定期限办理个人所得税纳税申报",
        "《中华人民共和国税收征收管理法》第六十二条",
    ),
)
_PENALTY_DAY = 7
"""处罚决定日期's column."""
SERIOUS_FINE_YUAN = 10000
"""From this fine on a penalty stays published three years instead of one (sandbox rule)."""


def _penalty(rng: random.Random, since: dt.date) -> Row:
    authority, prefix, conduct, (low, high), fact, basis = rng.choice(_PENALTIES)
    day = random_day(rng, since)
    number = f"{prefix}〔{day.year}〕第{rng.randrange(1, 999)}号"
    amount = 0
    if high == 0:
        category, content = "警告", "警告，责令限期改正"
    else:
        amount = rng.randrange(low, high + 1, 50)
        category, content = "罚款", f"罚款人民币{amount}元"
        if rng.random() < 0.2:
            gain = rng.randrange(100, 3000, 10)
            category = "没收违法所得、罚款"
            content = f"没收违法所得人民币{gain}元，并处罚款人民币{amount}元"
    place = _detail_rng(number, day.isoformat()).choice(_STATIONS)
    fine = f"{amount / 10000:.4f}".rstrip("0").rstrip(".") if amount else "—"
    published = years_later(day, 3 if amount >= SERIOUS_FINE_YUAN else 1)
    return (
        number,
        conduct,
        fact.format(place=place),
        basis,
        category,
        content,
        fine,
        day.isoformat(),
        authority,
        published.isoformat(),
    )


_RED = (
    ("新泰市守信激励对象", "连续三年无不良信用记录，积极履行社会责任", "新泰市社会信用中心"),
    ("道德模范", "被评为新泰市道德模范（助人为乐类）", "新泰市精神文明建设委员会办公室"),
    ("优秀志愿者", "年度志愿服务时长超过200小时", "新泰市志愿服务联合会"),
    ("诚信经营示范户", "诚信经营、无消费投诉", "新泰市市场监督管理局"),
    ("纳税信用A级纳税人", "年度纳税信用评价为A级", "国家税务总局新泰市税务局"),
)


def _red(
    rng: random.Random,
    since: dt.date,
    which: int | None = None,
    table: tuple[tuple[str, str, str], ...] = _RED,
) -> Row:
    name, reason, unit = table[rng.randrange(len(table)) if which is None else which]
    day = random_day(rng, since)
    return (
        name,
        reason,
        unit,
        day.isoformat(),
        years_later(day, rng.choice((1, 2, 3))).isoformat(),
    )


_COURT = "新泰市人民法院"
# (名单名称, 文号 prefix, 认定单位, 执行依据 prefix, 失信行为具体情形)
_BLACK = (
    (
        "失信被执行人",
        "court",
        _COURT,
        "鲁0982民初",
        "有履行能力而拒不履行生效法律文书确定义务",
    ),
    (
        "限制高消费人员",
        "court",
        _COURT,
        "鲁0982民初",
        "未按执行通知书指定的期间履行生效法律文书确定的给付义务",
    ),
    (
        "拖欠农民工工资失信联合惩戒对象",
        "新人社欠薪失信",
        "新泰市人力资源和社会保障局",
        "新人社监察决字",
        "拖欠农民工工资数额较大，经责令限期支付仍未支付",
    ),
    (
        "严重违法失信名单",
        "新市监严违",
        "新泰市市场监督管理局",
        "新市监处字",
        "提交虚假材料取得市场主体登记，被撤销登记",
    ),
    (
        "重大税收违法失信主体",
        "新税稽罚",
        "国家税务总局新泰市税务局",
        "新税稽处字",
        "偷税数额较大，且占应纳税额百分之十以上",
    ),
)
IN_FORCE = "有效"


def _black(
    rng: random.Random,
    since: dt.date,
    which: int | None = None,
    table: tuple[tuple[str, str, str, str, str], ...] = _BLACK,
) -> Row:
    name, prefix, unit, basis, conduct = table[
        rng.randrange(len(table)) if which is None else which
    ]
    day = random_day(rng, since)
    if prefix == "court":
        number = f"（{day.year}）鲁0982执{rng.randrange(100, 9999)}号"
    else:
        number = f"{prefix}〔{day.year}〕{rng.randrange(1, 60)}号"
    status = IN_FORCE if which is not None or rng.random() < 0.6 else LIST_REMOVED
    detail = _detail_rng(number, day.isoformat())
    if prefix == "court":
        basis_no = f"（{day.year - 1}）{basis}{detail.randrange(100, 9999)}号"
    else:
        basis_no = f"{basis}〔{day.year}〕{detail.randrange(1, 300)}号"
    if status == LIST_REMOVED:
        performance = "全部已履行"
        removed = random_day(detail, min(day + dt.timedelta(days=30), REFERENCE_DATE)).isoformat()
    else:
        performance = detail.choice(("全部未履行", "部分未履行"))
        removed = "—"
    return (name, number, unit, basis_no, conduct, performance, day.isoformat(), status, removed)


_COMMITMENTS = (
    ("审批替代型", "食品经营许可告知承诺", "新泰市行政审批服务局"),
    ("证明事项告知承诺", "办理社会救助无犯罪记录证明告知承诺", "新泰市民政局"),
    ("主动型", "诚信经营公开承诺", "新泰市市场监督管理局"),
    ("信用修复型", "申请信用修复信用承诺", "新泰市社会信用中心"),
    ("行业自律型", "道路运输从业人员诚信承诺", "新泰市交通运输局"),
)


def _commitment(rng: random.Random, since: dt.date) -> Row:
    kind, matter, unit = rng.choice(_COMMITMENTS)
    status = rng.choice(("已履约", "已履约", "履约中", "未履约"))
    return (kind, matter, random_day(rng, since).isoformat(), unit, status)


_HONORS = (
    ("新泰市道德模范", "中共新泰市委、新泰市人民政府", "县级"),
    ("新泰好人", "新泰市精神文明建设委员会办公室", "县级"),
    ("新泰市五好家庭", "新泰市妇女联合会", "县级"),
    ("新泰市见义勇为先进个人", "新泰市见义勇为基金会", "县级"),
    ("泰安市劳动模范", "泰安市人民政府", "地市级"),
    ("山东省优秀志愿者", "共青团山东省委", "省级"),
)


def _honor(rng: random.Random, since: dt.date) -> Row:
    name, unit, level = rng.choice(_HONORS)
    return (name, unit, random_day(rng, since).isoformat(), level)


_SERVICES = (
    "文明交通劝导志愿服务",
    "敬老院助老志愿服务",
    "“学雷锋”便民服务",
    "关爱留守儿童“四点半课堂”",
    "防汛值守志愿服务",
    "新时代文明实践环境整治",
    "新泰市全民健身运动会赛会服务",
)


def _volunteer(rng: random.Random, since: dt.date) -> Row:
    hours = rng.randrange(3, 17) / 2
    unit = rng.choice(
        (f"{rng.choice(_STATIONS)}新时代文明实践所", "新泰市志愿服务联合会", "共青团新泰市委员会")
    )
    return (rng.choice(_SERVICES), f"{hours:.1f}", random_day(rng, since).isoformat(), unit)


def _tax(rng: random.Random, year: int, grades: str = "AAABBM") -> Row:
    return (str(year), rng.choice(grades), "国家税务总局新泰市税务局")


def _repair(rng: random.Random, since: dt.date, penalty: Row | None) -> Row:
    if penalty is None:
        matter, kind, unit = (
            "移出经营异常名录（补报年度报告）",
            "经营异常名录",
            "新泰市市场监督管理局",
        )
        day = random_day(rng, since)
    else:
        matter, kind, unit = f"{penalty[0]}提前停止公示", "行政处罚", "新泰市社会信用中心"
        day = random_day(rng, dt.date.fromisoformat(penalty[_PENALTY_DAY]))
    return (matter, kind, day.isoformat(), unit)


_OTHER = (
    ("社会保险参保", "城乡居民基本养老保险正常参保缴费", "新泰市社会保险事业中心"),
    ("无偿献血", "累计无偿献血{n}00毫升", "泰安市中心血站"),
    ("个体工商户年度报告", "已按时报送上一年度年报", "新泰市市场监督管理局"),
    ("住房公积金缴存", "正常缴存，连续{n}个月无欠缴", "泰安市住房公积金管理中心新泰管理部"),
    ("公用事业缴费", "近24个月电费无欠缴记录", "国网山东省电力公司新泰市供电公司"),
)


def _other(
    rng: random.Random, since: dt.date, table: tuple[tuple[str, str, str], ...] = _OTHER
) -> Row:
    item, content, unit = rng.choice(table)
    return (item, content.format(n=rng.randrange(2, 37)), random_day(rng, since).isoformat(), unit)


_SIMPLE: dict[str, Callable[[random.Random, dt.date], Row]] = {
    "admin_license": _licence,
    "admin_penalty": _penalty,
    "red_list": _red,
    "black_list": _black,
    "commitment": _commitment,
    "honors": _honor,
    "volunteer": _volunteer,
    "other": _other,
}
# Column holding each section's date (or year): rows are listed newest first.
_DATE_COLUMN = {"admin_license": 5, "admin_penalty": _PENALTY_DAY}
_DATE_COLUMN |= {"red_list": 3, "black_list": 6}
_DATE_COLUMN |= {"commitment": 2, "honors": 2, "volunteer": 2, "tax_credit": 0, "repair": 2}
_DATE_COLUMN |= {"other": 2}

PROFILES: dict[str, dict[str, tuple[int, int]]] = {
    "clean": {},
    "light": {"volunteer": (1, 4), "other": (1, 2), "commitment": (0, 1)},
    "business": {
        "admin_license": (2, 4),
        "tax_credit": (2, 4),
        "commitment": (1, 2),
        "other": (1, 2),
        "admin_penalty": (0, 1),
    },
    "penalized": {"admin_penalty": (1, 3), "repair": (1, 1), "commitment": (0, 1)},
    "red": {"red_list": (1, 3), "honors": (1, 3), "volunteer": (6, 15), "other": (0, 2)},
    "black": {"black_list": (1, 2), "admin_penalty": (0, 2), "admin_license": (0, 2)},
    "big": {
        "admin_license": (40, 40),
        "admin_penalty": (60, 60),
        "red_list": (3, 3),
        "black_list": (5, 5),
        "commitment": (20, 20),
        "honors": (6, 6),
        "volunteer": (50, 50),
        "tax_credit": (10, 10),
        "repair": (8, 8),
        "other": (12, 12),
    },
}


def records_for(rng: random.Random, profile: str, birth: dt.date) -> Records:
    """A whole record for one person of ``profile``, dated from adulthood (2012 at the
    earliest) to ``REFERENCE_DATE``."""
    since = max(years_later(birth, 18), dt.date(2012, 1, 1))
    counts = {key: rng.randint(low, high) for key, (low, high) in PROFILES[profile].items()}
    rows: dict[str, list[Row]] = {key: [] for key in counts}
    for key, count in counts.items():
        if key in _SIMPLE:
            rows[key] = [_SIMPLE[key](rng, since) for _ in range(count)]
    if profile in ("red", "big"):  # 新泰市守信激励对象 is always among them
        rows["red_list"][0] = _red(rng, since, which=0)
    if profile in ("black", "big"):  # a 失信被执行人 listing still in force
        rows["black_list"][0] = _black(rng, since, which=0)
    if "tax_credit" in counts:
        rows["tax_credit"] = [
            _tax(rng, REFERENCE_DATE.year - 1 - i) for i in range(counts["tax_credit"])
        ]
    if "repair" in counts:
        penalties: list[Row | None] = [*rows.get("admin_penalty", [])] or [None]
        rows["repair"] = [
            _repair(rng, since, rng.choice(penalties)) for _ in range(counts["repair"])
        ]
    return _in_report_order(rows)


def _in_report_order(rows: dict[str, list[Row]]) -> Records:
    ordered: list[tuple[str, Row]] = []
    for spec in SECTIONS:
        column = _DATE_COLUMN.get(spec.key, 0)
        for row in sorted(rows.get(spec.key, []), key=lambda r: r[column], reverse=True):
            ordered.append((spec.key, row))
    return tuple(ordered)


# --- enterprises ---------------------------------------------------------------------------

_ENTERPRISE_LICENCES: tuple[Licence, ...] = (
    (
        "食品经营许可",
        "普通",
        "预包装食品销售、散装食品销售",
        "新泰市行政审批服务局",
        "JY",
        "食品经营许可证",
    ),
    (
        "建筑业企业资质",
        "认可",
        "建筑工程施工总承包三级",
        "泰安市行政审批服务局",
        "泰审批建资字",
        "建筑业企业资质证书",
    ),
    (
        "排污许可",
        "普通",
        "排污许可证（简化管理）",
        "泰安市生态环境局",
        "泰环排许字",
        "排污许可证",
    ),
    (
        "危险化学品经营许可",
        "普通",
        "危险化学品经营（不带储存设施）",
        "新泰市应急管理局",
        "鲁泰新危化经字",
        "危险化学品经营许可证",
    ),
    (
        "道路运输经营许可",
        "普通",
        "道路普通货物运输",
        "新泰市行政审批服务局",
        "鲁交运管许可泰字",
        "道路运输经营许可证",
    ),
    (
        "烟草专卖零售许可",
        "特许",
        "卷烟、雪茄烟零售",
        "新泰市烟草专卖局",
        "370982",
        "烟草专卖零售许可证",
    ),
)
_ENTERPRISE_RED = (
    ("纳税信用A级纳税人", "年度纳税信用评价为A级", "国家税务总局新泰市税务局"),
    ("守合同重信用企业", "连续两年公示为守合同重信用企业", "泰安市市场监督管理局"),
    ("诚信经营示范单位", "诚信经营、无消费投诉", "新泰市市场监督管理局"),
)
_ENTERPRISE_BLACK = (_BLACK[3], _BLACK[4], _BLACK[2], _BLACK[0])
"""严重违法失信名单, 重大税收违法失信主体, 拖欠农民工工资, 失信被执行人: the lists an enterprise
can be on (限制高消费 names persons)."""
_ENTERPRISE_OTHER = (
    ("企业年度报告", "已按时公示上一年度年度报告", "新泰市市场监督管理局"),
    ("社会保险参保", "单位职工基本养老保险正常参保缴费，参保{n}人", "新泰市社会保险事业中心"),
    ("公用事业缴费", "近24个月电费无欠缴记录", "国网山东省电力公司新泰市供电公司"),
)
_ENTERPRISE_HONORS = (
    ("新泰市优秀民营企业", "中共新泰市委、新泰市人民政府", "县级"),
    ("泰安市文明诚信企业", "泰安市精神文明建设委员会", "地市级"),
)

ENTERPRISE_PROFILES: dict[str, dict[str, tuple[int, int]]] = {
    "compliant": {
        "admin_license": (2, 4),
        "red_list": (1, 2),
        "commitment": (1, 2),
        "honors": (0, 1),
        "tax_credit": (3, 3),
        "other": (1, 2),
    },
    "penalized": {
        "admin_license": (1, 3),
        "admin_penalty": (2, 4),
        "commitment": (1, 1),
        "tax_credit": (2, 3),
        "repair": (1, 1),
        "other": (0, 1),
    },
    "listed": {
        "admin_license": (0, 2),
        "admin_penalty": (1, 3),
        "black_list": (1, 2),
        "tax_credit": (1, 2),
    },
}
"""What an enterprise's record looks like: compliant (纳税信用 A 级 every year, on the red
list), penalized, or on a black list still in force."""


def _enterprise_honor(rng: random.Random, since: dt.date) -> Row:
    name, unit, level = rng.choice(_ENTERPRISE_HONORS)
    return (name, unit, random_day(rng, since).isoformat(), level)


def enterprise_records_for(rng: random.Random, profile: str, founded: dt.date) -> Records:
    """A whole record for one enterprise of ``profile`` (``ENTERPRISE_PROFILES``), dated from
    its founding (2012 at the earliest) to ``REFERENCE_DATE``."""
    since = max(founded, dt.date(2012, 1, 1))
    counts = {k: rng.randint(low, high) for k, (low, high) in ENTERPRISE_PROFILES[profile].items()}
    draw: dict[str, Callable[[], Row]] = {
        "admin_license": lambda: _licence(rng, since, _ENTERPRISE_LICENCES),
        "admin_penalty": lambda: _penalty(rng, since),
        "red_list": lambda: _red(rng, since, table=_ENTERPRISE_RED),
        "black_list": lambda: _black(rng, since, table=_ENTERPRISE_BLACK),
        "commitment": lambda: _commitment(rng, since),
        "honors": lambda: _enterprise_honor(rng, since),
        "other": lambda: _other(rng, since, _ENTERPRISE_OTHER),
    }
    rows = {
        key: [draw[key]() for _ in range(count)] for key, count in counts.items() if key in draw
    }
    if profile == "compliant":  # 纳税信用A级纳税人 is always among them
        rows["red_list"][0] = _red(rng, since, which=0, table=_ENTERPRISE_RED)
    if profile == "listed":  # a listing still in force
        rows["black_list"][0] = _black(rng, since, which=0, table=_ENTERPRISE_BLACK)
    if "tax_credit" in counts:
        grades = "A" if profile == "compliant" else "BBCM" if profile == "penalized" else "CD"
        first = REFERENCE_DATE.year - 1
        rows["tax_credit"] = [_tax(rng, first - i, grades) for i in range(counts["tax_credit"])]
    if "repair" in counts:
        rows["repair"] = [_repair(rng, since, rng.choice(rows["admin_penalty"]))]
    return _in_report_order(rows)
