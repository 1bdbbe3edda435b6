"""Public content the sandbox serves: 信用新泰 notices and red/black list publicity.

List publicity names enterprises by 统一社会信用代码 (GB 32100, with a valid GB 11714
organisation code inside); it never carries a natural person's ID number.
"""

from __future__ import annotations

from typing import Any

_CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code(body8: str) -> str:
    """GB 11714: eight characters and their check character."""
    remainder = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(region: str, org_body8: str, kind: str = "91") -> str:
    """GB 32100 统一社会信用代码: kind (91 = enterprise), region, organisation code, check."""
    first17 = kind + region + organization_code(org_body8)
    total = sum(_CREDIT_CODE_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


_NOTICES = (
    (
        "n2025-041",
        "新泰市2025年第三季度守信激励对象名单公示",
        "2025-10-15",
        "新泰市社会信用中心",
        "经各部门推荐、信用审查，拟将以下主体列入守信激励对象名单，公示期为2025年10月15日至"
        "10月21日。如有异议，请于公示期内向新泰市社会信用中心反映。",
    ),
    (
        "n2025-033",
        "“泰好办”自助终端可查询打印个人公共信用信息报告",
        "2025-08-20",
        "新泰市行政审批服务局",
        "市民持本人居民身份证，即可在全市“泰好办”自助终端查询并打印个人公共信用信息报告，"
        "报告附核验码，可扫码核验真伪。",
    ),
    (
        "n2025-019",
        "信用修复指南：行政处罚信息信用修复办理流程",
        "2025-05-12",
        "新泰市社会信用中心",
        "一般行政处罚信息最短公示期满三个月后，当事人可通过“信用中国”网站在线申请信用修复，"
        "提交履行处罚决定的材料和信用承诺书，审核通过后停止公示。",
    ),
    (
        "n2025-007",
        "关于开展“诚信建设万里行”主题宣传活动的通知",
        "2025-03-10",
        "新泰市发展和改革局",
        "全市开展诚信进机关、进企业、进学校、进社区、进农村“五进”活动，推广“信用+志愿服务”"
        "“信用+村居治理”经验做法。",
    ),
    (
        "n2024-052",
        "新泰市“信易贷”惠企政策解读",
        "2024-11-26",
        "新泰市发展和改革局",
        "守信市场主体可凭公共信用信息报告申请纯信用、免担保的“信易贷”产品，守信激励对象可在"
        "原有授信额度上适当提额。",
    ),
)

_LISTS = (
    ("red", "守信激励对象", "新泰市青云恒信商贸有限公司", "MA3C8K2Q", "连续三年无不良信用记录",
     "新泰市社会信用中心", "2025-10-15"),
    ("red", "纳税信用A级纳税人", "新泰市平阳物流有限公司", "MA3D1P7N", "2024年度纳税信用评价为A级",
     "国家税务总局新泰市税务局", "2025-04-18"),
    ("red", "守信激励对象", "山东汶河建材科技有限公司", "16837425", "诚信经营示范企业",
     "新泰市社会信用中心", "2025-07-09"),
    ("black", "严重违法失信名单", "新泰市东都鑫达建筑劳务有限公司", "MA3R5T0H",
     "拖欠农民工工资，经责令限期支付仍未支付", "新泰市人力资源和社会保障局", "2025-06-30"),
    ("black", "失信被执行人", "新泰市金斗置业有限公司", "MA3M2W9E",
     "（2024）鲁0982执1588号 有履行能力而拒不履行生效法律文书确定义务", "新泰市人民法院",
     "2024-12-03"),
    ("black", "重大税收违法失信主体", "新泰市宏远煤炭销售有限公司", "30695814",
     "虚开增值税专用发票", "国家税务总局新泰市税务局", "2025-02-21"),
)  # fmt: skip


def notices_payload() -> dict[str, Any]:
    """The body of ``GET /api/v1/public/notices``."""
    return {
        "notices": [
            {"id": i, "title": t, "published_on": d, "source": s, "summary": m}
            for i, t, d, s, m in _NOTICES
        ]
    }


def lists_payload() -> dict[str, Any]:
    """The body of ``GET /api/v1/public/lists``."""
    return {
        "entries": [
            {
                "id": f"l{n:03d}",
                "list_kind": kind,
                "list_name": list_name,
                "subject_name": subject,
                "credit_code": credit_code("370982", org),
                "reason": reason,
                "authority": authority,
                "listed_on": listed_on,
            }
            for n, (kind, list_name, subject, org, reason, authority, listed_on) in enumerate(
                _LISTS, start=1
            )
        ]
    }
