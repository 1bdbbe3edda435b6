"""The credit platform API (ARCHITECTURE.md, "Credit platform API") as typed models.

Every request and reply body is a msgspec Struct: frozen, unknown fields refused, constraints
in ``msgspec.Meta``. The client decodes replies with them, the sandbox validates requests and
builds replies with them, and the OpenAPI document the sandbox serves is generated from them.
The report's sections are fixed by the contract: each is its own Struct whose title, columns
(as the 信用新泰 platform publishes them, 双公示 fields included) and row width are part of
its type, and a report holds all of them in this order.

Struct ``__init__`` does not check types or constraints: build what must be valid with
``validated`` (or ``msgspec.convert``), and decode what arrives with ``msgspec.json``.
This module imports only msgspec and the standard library: ``sandbox/`` and ``fleet/``
import it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_args

import msgspec
from msgspec import Meta

S = TypeVar("S", bound=msgspec.Struct)

MAX_ROWS_PER_SECTION = 5000
MAX_CELL_CHARS = 500
MAX_EVENTS_PER_BATCH = 500

ReportNo = Annotated[str, Meta(pattern="^[A-Z0-9]{8,32}$", description="report number")]
VerifyCode = Annotated[str, Meta(pattern="^[A-Z0-9]{6,16}$", description="verification code")]
MaskedIdNumber = Annotated[
    str, Meta(pattern=r"^[0-9]{4}\*{10}[0-9]{3}[0-9X]$", examples=["3709**********123X"])
]
Cell = Annotated[str, Meta(min_length=1, max_length=MAX_CELL_CHARS)]
AwareTime = Annotated[dt.datetime, Meta(tz=True, description="RFC 3339 time with its zone")]
IdempotencyKey = Annotated[str, Meta(min_length=1, max_length=128)]
TerminalId = Annotated[str, Meta(min_length=1, max_length=64)]
ErrorCode = Annotated[str, Meta(pattern="^[A-Z][A-Z0-9_]{0,63}$")]
Text = Annotated[str, Meta(max_length=2000)]
USCC_PATTERN = "[0-9A-HJ-NPQRTUWXY]{18}"
Uscc = Annotated[
    str,
    Meta(
        pattern=f"^{USCC_PATTERN}$",
        description="统一社会信用代码 (GB 32100; its check character is checked by kiosk.uscc)",
        examples=["91350100M000100Y43"],
    ),
]


def validated(value: S) -> S:
    """``value`` checked against its own type (Struct ``__init__`` checks nothing);
    raises ``msgspec.ValidationError`` naming the field."""
    return msgspec.convert(msgspec.to_builtins(value), type(value))


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Every body of the contract. (Subclasses inherit these options; mypy needs
    ``frozen=True`` repeated on each.)"""


class Error(Model, frozen=True):
    """Every refusal: a stable code and a message without personal data."""

    code: ErrorCode
    message: Text


# --- resident sessions ----------------------------------------------------------------------


class ResidentSessionRequest(Model, frozen=True):
    """The card evidence that opens a resident session."""

    id_number: Annotated[str, Meta(pattern="^[0-9]{17}[0-9X]$")]
    name: Annotated[str, Meta(min_length=1, max_length=15)]
    card_type: Literal["resident", "hk_mo_tw"]
    valid_to: Annotated[
        str,
        Meta(
            pattern="^([0-9]{4}-[0-9]{2}-[0-9]{2}|long_term)$",
            description="card expiry as YYYY-MM-DD, or long_term (长期)",
        ),
    ]


class ResidentSession(Model, frozen=True):
    token: Annotated[str, Meta(min_length=1, max_length=256)]
    expires_in: Annotated[int, Meta(ge=0, description="seconds")]


# --- the face check (人证核验) ------------------------------------------------------------------

MAX_FACE_JPEG_BYTES = 256 * 1024


class FaceVerificationRequest(Model, frozen=True):
    """The best frame of the face check: the face cropped with a margin, JPEG-encoded in
    memory (base64 in JSON). Sent once, with the resident session token; never stored by
    the terminal."""

    image_jpeg: Annotated[bytes, Meta(min_length=3, max_length=MAX_FACE_JPEG_BYTES)]


class FaceVerificationReply(Model, frozen=True):
    """The platform's comparison of the face with the card holder's registered photo."""

    outcome: Annotated[
        Literal["match", "no_match", "retry"],
        Meta(description="retry: the image could not be compared (no face, too dark)"),
    ]
    score: Annotated[float, Meta(ge=0, le=1, description="similarity, 1 is identical")]


# --- the report -----------------------------------------------------------------------------

Row2 = tuple[Cell, Cell]
Row3 = tuple[Cell, Cell, Cell]
Row4 = tuple[Cell, Cell, Cell, Cell]
Row5 = tuple[Cell, Cell, Cell, Cell, Cell]
Row6 = tuple[Cell, Cell, Cell, Cell, Cell, Cell]
Row9 = tuple[Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell]
Row10 = tuple[Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell]
R = TypeVar("R")
Rows = Annotated[tuple[R, ...], Meta(max_length=MAX_ROWS_PER_SECTION)]


class Section(Model, frozen=True, kw_only=True):
    """One table of the report; each subclass fixes its key, title and columns (a reply may
    leave them out, as they follow from the position; if present they must be exactly
    these) and the width of its rows."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    objections: Annotated[
        tuple[Annotated[int, Meta(ge=0)], ...], Meta(max_length=MAX_ROWS_PER_SECTION)
    ] = ()
    """Indexes of the rows under objection (异议处理中)."""

    def __post_init__(self) -> None:
        if any(index >= len(self.rows) for index in self.objections):
            raise ValueError("objections must be indexes of the section's rows")


class BasicInfo(Section, frozen=True, kw_only=True):
    key: Literal["basic"] = "basic"
    title: Literal["基础信息"] = "基础信息"
    columns: tuple[Literal["项目"], Literal["内容"]] = ("项目", "内容")
    rows: Rows[Row2]


class AdminLicenses(Section, frozen=True, kw_only=True):
    """双公示: administrative licences, with every column the national format publishes."""

    key: Literal["admin_license"] = "admin_license"
    title: Literal["行政许可"] = "行政许可"
    columns: tuple[
        Literal["行政许可决定文书号"],
        Literal["许可类别"],
        Literal["许可证书名称"],
        Literal["许可编号"],
        Literal["许可内容"],
        Literal["许可决定日期"],
        Literal["有效期自"],
        Literal["有效期至"],
        Literal["许可机关"],
    ] = (
        "行政许可决定文书号",
        "许可类别",
        "许可证书名称",
        "许可编号",
        "许可内容",
        "许可决定日期",
        "有效期自",
        "有效期至",
        "许可机关",
    )
    rows: Rows[Row9]


class AdminPenalties(Section, frozen=True, kw_only=True):
    """双公示: administrative penalties, with every column the national format publishes.
    A cell the format leaves empty (no fine for a warning) reads "—"."""

    key: Literal["admin_penalty"] = "admin_penalty"
    title: Literal["行政处罚"] = "行政处罚"
    columns: tuple[
        Literal["行政处罚决定书文号"],
        Literal["违法行为类型"],
        Literal["违法事实"],
        Literal["处罚依据"],
        Literal["处罚类别"],
        Literal["处罚内容"],
        Literal["罚款金额(万元)"],
        Literal["处罚决定日期"],
        Literal["处罚机关"],
        Literal["公示截止期"],
    ] = (
        "行政处罚决定书文号",
        "违法行为类型",
        "违法事实",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "罚款金额(万元)",
        "处罚决定日期",
        "处罚机关",
        "公示截止期",
    )
    rows: Rows[Row10]


class RedList(Section, frozen=True, kw_only=True):
    key: Literal["red_list"] = "red_list"
    title: Literal["守信激励/红名单"] = "守信激励/红名单"
    columns: tuple[
        Literal["名单名称"],
        Literal["列入事由"],
        Literal["认定单位"],
        Literal["列入日期"],
        Literal["有效期至"],
    ] = ("名单名称", "列入事由", "认定单位", "列入日期", "有效期至")
    rows: Rows[Row5]


LIST_REMOVED = "已移出"
"""当前状态 of a 失信 list entry no longer in force."""


class BlackList(Section, frozen=True, kw_only=True):
    """Includes 失信被执行人 (court case numbers, 执行依据, 履行情况). A row removed from its
    list keeps 当前状态 "已移出" and its 移出日期; a row in force reads "有效" and "—"."""

    key: Literal["black_list"] = "black_list"
    title: Literal["失信惩戒/黑名单"] = "失信惩戒/黑名单"
    columns: tuple[
        Literal["名单名称"],
        Literal["案号/文号"],
        Literal["认定单位/执行法院"],
        Literal["执行依据文号"],
        Literal["失信行为具体情形"],
        Literal["履行情况"],
        Literal["列入(发布)日期"],
        Literal["当前状态"],
        Literal["移出日期"],
    ] = (
        "名单名称",
        "案号/文号",
        "认定单位/执行法院",
        "执行依据文号",
        "失信行为具体情形",
        "履行情况",
        "列入(发布)日期",
        "当前状态",
        "移出日期",
    )
    rows: Rows[Row9]


class Commitments(Section, frozen=True, kw_only=True):
    key: Literal["commitment"] = "commitment"
    title: Literal["信用承诺"] = "信用承诺"
    columns: tuple[
        Literal["承诺类型"],
        Literal["承诺事项"],
        Literal["承诺日期"],
        Literal["受理单位"],
        Literal["履约状态"],
    ] = ("承诺类型", "承诺事项", "承诺日期", "受理单位", "履约状态")
    rows: Rows[Row5]


class Honors(Section, frozen=True, kw_only=True):
    key: Literal["honors"] = "honors"
    title: Literal["荣誉与表彰"] = "荣誉与表彰"
    columns: tuple[
        Literal["荣誉名称"], Literal["授予单位"], Literal["授予日期"], Literal["级别"]
    ] = (
        "荣誉名称",
        "授予单位",
        "授予日期",
        "级别",
    )
    rows: Rows[Row4]


class Volunteering(Section, frozen=True, kw_only=True):
    key: Literal["volunteer"] = "volunteer"
    title: Literal["志愿服务"] = "志愿服务"
    columns: tuple[
        Literal["服务项目"], Literal["服务时长(小时)"], Literal["服务日期"], Literal["组织单位"]
    ] = ("服务项目", "服务时长(小时)", "服务日期", "组织单位")
    rows: Rows[Row4]


class TaxCredit(Section, frozen=True, kw_only=True):
    key: Literal["tax_credit"] = "tax_credit"
    title: Literal["纳税信用"] = "纳税信用"
    columns: tuple[Literal["评价年度"], Literal["纳税信用等级"], Literal["评价单位"]] = (
        "评价年度",
        "纳税信用等级",
        "评价单位",
    )
    rows: Rows[Row3]


class CreditRepairs(Section, frozen=True, kw_only=True):
    key: Literal["repair"] = "repair"
    title: Literal["信用修复记录"] = "信用修复记录"
    columns: tuple[
        Literal["修复事项"], Literal["原记录类型"], Literal["修复日期"], Literal["修复单位"]
    ] = (
        "修复事项",
        "原记录类型",
        "修复日期",
        "修复单位",
    )
    rows: Rows[Row4]


class Other(Section, frozen=True, kw_only=True):
    key: Literal["other"] = "other"
    title: Literal["其他"] = "其他"
    columns: tuple[Literal["事项"], Literal["内容"], Literal["日期"], Literal["来源单位"]] = (
        "事项",
        "内容",
        "日期",
        "来源单位",
    )
    rows: Rows[Row4]


Sections = tuple[
    BasicInfo,
    AdminLicenses,
    AdminPenalties,
    RedList,
    BlackList,
    Commitments,
    Honors,
    Volunteering,
    TaxCredit,
    CreditRepairs,
    Other,
]
"""Every section, in the order the report shows them."""
SECTION_TYPES: tuple[type[Section], ...] = get_args(Sections)
SECTIONS = tuple(msgspec.convert({"rows": []}, t) for t in SECTION_TYPES)
"""Each section's key, title and columns (as an empty section), in report order."""
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


class Subject(Model, frozen=True):
    """Whom the report is about: a person, or an enterprise (its name and USCC)."""

    name: Cell
    id_number_masked: MaskedIdNumber
    """The person's masked ID number; for an enterprise, its legal representative's (the
    card that asked for the report)."""
    kind: Literal["person", "enterprise"] = "person"
    uscc: Annotated[str, Meta(pattern=f"^({USCC_PATTERN})?$")] = ""
    """The enterprise's 统一社会信用代码 (public registration data); empty for a person."""

    def __post_init__(self) -> None:
        if (self.kind == "enterprise") != bool(self.uscc):
            raise ValueError("an enterprise subject has a uscc and a person none")


class CreditReport(Model, frozen=True):
    """A public credit information report: the resident's (``GET /api/v1/reports/person``)
    or, for its legal representative, an enterprise's (``POST /api/v1/enterprise-reports``),
    with the same sections (those that do not apply to an enterprise have no rows)."""

    report_no: ReportNo
    verify_code: VerifyCode
    issued_at: AwareTime
    subject: Subject
    sections: Sections

    def __repr__(self) -> str:
        # Never the name: a report's repr may reach a log line.
        return f"CreditReport({self.report_no}, {self.subject.id_number_masked})"

    @classmethod
    def from_rows(
        cls,
        *,
        report_no: str,
        verify_code: str,
        issued_at: dt.datetime,
        subject_name: str,
        subject_id_masked: str,
        rows: Mapping[str, Sequence[Sequence[str]]],
        subject_uscc: str = "",
    ) -> CreditReport:
        """A validated report with these rows per section key (a key left out: no rows);
        ``subject_uscc``: an enterprise's report (``subject_name`` is the enterprise's).
        Raises ``msgspec.ValidationError`` naming what is wrong."""
        unknown = set(rows) - set(SECTION_BY_KEY)
        if unknown:
            raise msgspec.ValidationError(f"no such sections: {sorted(unknown)}")
        body = {
            "report_no": report_no,
            "verify_code": verify_code,
            "issued_at": issued_at,
            "subject": {
                "name": subject_name,
                "id_number_masked": subject_id_masked,
                "kind": "enterprise" if subject_uscc else "person",
                "uscc": subject_uscc,
            },
            "sections": [
                {"rows": [list(row) for row in rows.get(section.key, ())]} for section in SECTIONS
            ],
        }
        return msgspec.convert(body, cls)

    @property
    def subject_name(self) -> str:
        return self.subject.name

    @property
    def subject_id_masked(self) -> str:
        return self.subject.id_number_masked

    @property
    def is_enterprise(self) -> bool:
        return self.subject.kind == "enterprise"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def count(self, key: str) -> int:
        return len(self.section(key).rows)

    @property
    def on_red_list(self) -> bool:
        return self.count("red_list") > 0

    @property
    def on_black_list(self) -> bool:
        """Listed now: an entry removed from its list (当前状态 已移出) no longer counts."""
        lists = self.section("black_list")
        status = lists.columns.index("当前状态")
        return any(row[status] != LIST_REMOVED for row in lists.rows)


class EnterpriseReportRequest(Model, frozen=True):
    """Which enterprise's report the resident asks for (``POST /api/v1/enterprise-reports``,
    Bearer token): the platform answers only its registered legal representative."""

    uscc: Uscc


# --- objections (信用异议) and credit-repair guidance (信用修复) -----------------------------

ObjectionSection = Annotated[
    str,
    Meta(
        pattern="^(admin_license|admin_penalty|red_list|black_list|commitment|honors|volunteer"
        "|tax_credit|repair|other)$",
        description="the key of a report section (基础信息 cannot be objected to)",
    ),
]
RowIndex = Annotated[
    int, Meta(ge=0, lt=MAX_ROWS_PER_SECTION, description="row index within the section")
]
ReasonCode = Annotated[str, Meta(pattern="^[a-z_]{1,32}$", examples=["wrong_information"])]
MobilePhone = Annotated[
    str, Meta(pattern="^1[3-9][0-9]{9}$", description="a mainland mobile number")
]
SealedPhone = Annotated[str, Meta(pattern="^[A-Za-z0-9_-]{40,200}$")]
AcceptanceNo = Annotated[str, Meta(pattern="^[A-Z0-9]{8,32}$", description="受理编号")]


class ObjectionReason(Model, frozen=True):
    code: ReasonCode
    label: Annotated[str, Meta(min_length=1, max_length=20, examples=["信息错误"])]
    hint: Annotated[str, Meta(max_length=100)] = ""


class ObjectionReasons(Model, frozen=True):
    """``GET /api/v1/objections/reasons``: the reasons the platform accepts, in its order."""

    reasons: Annotated[tuple[ObjectionReason, ...], Meta(min_length=1, max_length=12)]


class ObjectionRequest(Model, frozen=True, omit_defaults=True):
    """``POST /api/v1/objections`` (resident token): an objection to one row of a report
    the resident was issued. A repeat with the same ``idempotency_key`` is filed once."""

    report_no: ReportNo
    section: ObjectionSection
    row: RowIndex
    reason: ReasonCode
    idempotency_key: IdempotencyKey
    phone: MobilePhone | None = None


class ObjectionAccepted(Model, frozen=True):
    acceptance_no: AcceptanceNo
    respond_by: dt.date
    """答复期限: the platform answers the objection by this day."""
    status: Literal["accepted", "duplicate"]


RepairStatus = Literal["repairable", "not_yet", "not_repairable"]


class RepairRule(Model, frozen=True):
    """Whether and how one record can be repaired, as the platform rules (the kiosk adds
    nothing): now, from ``repairable_from``, or not at all (``reason`` says why)."""

    status: RepairStatus
    category: Annotated[str, Meta(max_length=40, examples=["一般失信行为"])] = ""
    repairable_from: dt.date | None = None
    reason: Text = ""
    materials: Annotated[tuple[Text, ...], Meta(max_length=20)] = ()
    where: Annotated[tuple[Text, ...], Meta(max_length=10)] = ()


class RepairGuidance(Model, frozen=True):
    """``GET /api/v1/reports/{report_no}/repair-guidance?section=&row=`` (resident token):
    the rule for one record; ``rule`` is None when the platform has none to send."""

    report_no: ReportNo
    section: ObjectionSection
    row: RowIndex
    rule: RepairRule | None


# --- print records --------------------------------------------------------------------------


class PrintRecordRequest(Model, frozen=True):
    """What was printed of a report (``Idempotency-Key`` header: repeats are harmless)."""

    kind: Literal["a4", "receipt"]
    printed_at: AwareTime
    pages: Annotated[int, Meta(ge=0, le=1000)]
    confirmed: bool


class PrintRecordReceipt(Model, frozen=True):
    idempotency_key: IdempotencyKey
    status: Literal["recorded", "duplicate"]


# --- terminal events: one payload per outbox item kind ---------------------------------------


class Payload(Model, frozen=True, omit_defaults=True):
    """What one outbox item tells the platform; ``KIND`` is its event kind."""

    KIND: ClassVar[str]


class QueryRecord(Payload, frozen=True):
    """Every query: who (pseudonymous), when, and its outcome."""

    KIND: ClassVar[str] = "query_record"
    outcome: Annotated[str, Meta(pattern="^[a-z0-9_]{1,64}$", examples=["shown"])]
    subject: Annotated[str, Meta(pattern="^[0-9a-f]{32}$", description="keyed hash")]
    id_masked: Annotated[str, Meta(pattern=r"^[0-9A-Z]{0,4}\*{1,32}[0-9A-Z]{0,4}$")]
    terminal_id: TerminalId
    queried_at: AwareTime
    report_no: ReportNo | None = None
    uscc: Uscc | None = None
    """Set for an enterprise report query: the enterprise's code, plain (public registration
    data, not personal)."""


class PrintRecord(Payload, frozen=True):
    """A confirmed print (sent as ``POST /reports/{report_no}/print-records``)."""

    KIND: ClassVar[str] = "print_record"
    report_no: ReportNo
    kind: Literal["a4", "receipt"]
    pages: Annotated[int, Meta(ge=0, le=1000)]
    confirmed: bool
    terminal_id: TerminalId
    printed_at: AwareTime

    def request(self) -> PrintRecordRequest:
        return PrintRecordRequest(self.kind, self.printed_at, self.pages, self.confirmed)


class DeviceFault(Payload, frozen=True):
    """A device (or the terminal's own storage) needs a technician."""

    KIND: ClassVar[str] = "device_fault"
    code: Annotated[str, Meta(min_length=1, max_length=64)]
    message: Text
    hint: Text
    at: AwareTime
    terminal_id: TerminalId | None = None
    device: Annotated[str, Meta(max_length=64)] | None = None


class TechnicianAction(Payload, frozen=True):
    """Something a technician did on the terminal."""

    KIND: ClassVar[str] = "technician_action"
    action: Annotated[str, Meta(min_length=1, max_length=64)]
    at: AwareTime
    terminal_id: TerminalId | None = None
    detail: Text = ""


class FaceCheck(Payload, frozen=True):
    """How a session's face check ended: the outcome only (never the image, never the score)."""

    KIND: ClassVar[str] = "face_check"
    outcome: Literal["match", "no_match", "refused", "camera_unavailable", "abandoned"]
    attempts: Annotated[int, Meta(ge=0, le=10)]
    terminal_id: TerminalId
    at: AwareTime


class OutboxState(Model, frozen=True):
    depth: Annotated[int, Meta(ge=0)]
    cap: Annotated[int, Meta(ge=1)]
    near_cap: bool
    over_cap: bool
    dead_letters: Annotated[int, Meta(ge=0)]
    by_kind: dict[str, int]
    dropped: dict[str, int]
    oldest_age_s: int | None
    recovered_from: str | None
    storage_full: bool


class DrainState(Model, frozen=True):
    backlog: Annotated[int, Meta(ge=0)]
    last_success_at: AwareTime | None
    consecutive_failures: Annotated[int, Meta(ge=0)]
    last_error: str | None


class DeviceHealth(Model, frozen=True):
    """A device's last INTERNAL health check (no physical effect), and its last fault."""

    ok: bool
    text: Text
    checked_at: AwareTime
    last_fault: Annotated[str, Meta(max_length=64)] | None = None
    """The code of the last fault the driver saw (``DeviceError.code``), while it lasts."""


UpdateStepName = Literal[
    "checked", "downloaded", "installed", "committed", "rolled_back", "rejected", "failed"
]
Version = Annotated[str, Meta(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+([.+-][0-9A-Za-z.]+)?$")]


class Objection(Payload, frozen=True):
    """An objection the platform could not be told of at once (``POST /objections`` was
    unreachable): delivered later under the same idempotency key, so it is filed once."""

    KIND: ClassVar[str] = "objection"
    report_no: ReportNo
    section: ObjectionSection
    row: RowIndex
    reason: ReasonCode
    terminal_id: TerminalId
    filed_at: AwareTime
    phone_sealed: SealedPhone | None = None
    """The follow-up phone number sealed for the platform (``kiosk.platform.sealing``)."""


class UpdateStep(Payload, frozen=True):
    """One step of the terminal's updater (``kiosk/updater``): what it did with which
    release, and why when it refused or failed."""

    KIND: ClassVar[str] = "update_step"
    step: UpdateStepName
    version: Version
    """The release the step is about (for ``rolled_back``: the one abandoned)."""
    at: AwareTime
    terminal_id: TerminalId | None = None
    running: Version | None = None
    """The version running when the step was taken."""
    detail: Text = ""
    bytes_downloaded: Annotated[int, Meta(ge=0)] = 0


class UpdateState(Model, frozen=True):
    """Where a terminal's updater stands, as its heartbeat reports it."""

    state: Literal["idle", "downloading", "pending_commit", "committed", "rolled_back", "failed"]
    version: Version | None = None
    """The release the state is about (being downloaded, waiting for commit, abandoned…)."""
    detail: Text = ""


class TerminalHeartbeat(Payload, frozen=True):
    """Version, outbox and drain health, each device's coarse state and its last health check
    (``health``: by device, e.g. ``card_reader``; empty before the first check)."""

    KIND: ClassVar[str] = "heartbeat"
    version: Annotated[str, Meta(min_length=1, max_length=64)]
    outbox: OutboxState
    drain: DrainState
    devices: dict[str, str]
    health: dict[str, DeviceHealth] = msgspec.field(default_factory=dict)
    update: UpdateState | None = None
    last_session_at: AwareTime | None = None


class ConsentRecord(Payload, frozen=True):
    """A resident agreed to the query (查询授权) before the platform was asked about them."""

    KIND: ClassVar[str] = "consent"
    text_version: Annotated[str, Meta(pattern=r"^[0-9A-Za-z._-]{1,32}$")]
    """Which consent text (``[consent] version``) the resident agreed to."""
    subject: Annotated[str, Meta(pattern="^[0-9a-f]{32}$", description="keyed hash")]
    id_masked: Annotated[str, Meta(pattern=r"^[0-9A-Z]{0,4}\*{1,32}[0-9A-Z]{0,4}$")]
    terminal_id: TerminalId
    consented_at: AwareTime


class StaffAlert(Payload, frozen=True):
    """A resident pressed 呼叫工作人员 (no personal data: where and when only)."""

    KIND: ClassVar[str] = "staff_alert"
    terminal_id: TerminalId
    state: Annotated[str, Meta(pattern="^[a-z_]{1,32}$", examples=["showing"])]
    """The session's state when staff were called."""
    screen: Annotated[str, Meta(pattern="^[a-z_]{1,32}$", examples=["report"])]
    """The screen the resident saw."""
    at: AwareTime


PAYLOAD_TYPES: tuple[type[Payload], ...] = (
    QueryRecord,
    PrintRecord,
    DeviceFault,
    TechnicianAction,
    TerminalHeartbeat,
    UpdateStep,
    Objection,
    ConsentRecord,
    StaffAlert,
    FaceCheck,
)
EVENT_KINDS = tuple(t.KIND for t in PAYLOAD_TYPES)


class Event(Model, frozen=True, tag_field="kind", kw_only=True):
    """One outbox item as the platform receives it; ``kind`` names the payload's type."""

    idempotency_key: IdempotencyKey
    occurred_at: AwareTime
    payload: Payload


class QueryRecordEvent(Event, frozen=True, tag=QueryRecord.KIND, kw_only=True):
    payload: QueryRecord


class PrintRecordEvent(Event, frozen=True, tag=PrintRecord.KIND, kw_only=True):
    payload: PrintRecord


class DeviceFaultEvent(Event, frozen=True, tag=DeviceFault.KIND, kw_only=True):
    payload: DeviceFault


class TechnicianActionEvent(Event, frozen=True, tag=TechnicianAction.KIND, kw_only=True):
    payload: TechnicianAction


class HeartbeatEvent(Event, frozen=True, tag=TerminalHeartbeat.KIND, kw_only=True):
    payload: TerminalHeartbeat


class UpdateStepEvent(Event, frozen=True, tag=UpdateStep.KIND, kw_only=True):
    payload: UpdateStep


class ObjectionEvent(Event, frozen=True, tag=Objection.KIND, kw_only=True):
    payload: Objection


class ConsentEvent(Event, frozen=True, tag=ConsentRecord.KIND, kw_only=True):
    payload: ConsentRecord


class StaffAlertEvent(Event, frozen=True, tag=StaffAlert.KIND, kw_only=True):
    payload: StaffAlert


class FaceCheckEvent(Event, frozen=True, tag=FaceCheck.KIND, kw_only=True):
    payload: FaceCheck


TerminalEvent = (
    QueryRecordEvent
    | PrintRecordEvent
    | DeviceFaultEvent
    | TechnicianActionEvent
    | HeartbeatEvent
    | UpdateStepEvent
    | ObjectionEvent
    | ConsentEvent
    | StaffAlertEvent
    | FaceCheckEvent
)


def terminal_event(
    kind: str, idempotency_key: str, occurred_at: dt.datetime, payload: Any
) -> TerminalEvent:
    """The event for an outbox item (``payload`` as stored: builtins), validated;
    raises ``msgspec.ValidationError`` for an unknown kind or a payload of the wrong shape."""
    item = {
        "kind": kind,
        "idempotency_key": idempotency_key,
        "occurred_at": occurred_at,
        "payload": payload,
    }
    event: TerminalEvent = msgspec.convert(item, TerminalEvent)
    return event


class TerminalEventsRequest(Model, frozen=True):
    events: Annotated[list[TerminalEvent], Meta(max_length=MAX_EVENTS_PER_BATCH)]


class RejectedEvent(Model, frozen=True):
    idempotency_key: str
    code: ErrorCode
    message: Text


class EventsAck(Model, frozen=True):
    """What became of each event of a batch (by idempotency key)."""

    accepted: tuple[str, ...]
    duplicates: tuple[str, ...]
    rejected: tuple[RejectedEvent, ...]


class TerminalPing(Model, frozen=True):
    """``GET /api/v1/terminal/ping``: the platform heard a correctly signed request from this
    terminal, and its clock (for the technician's clock-skew check)."""

    terminal_id: TerminalId
    server_time: AwareTime


# --- public content -------------------------------------------------------------------------


class Notice(Model, frozen=True):
    id: Annotated[str, Meta(min_length=1, max_length=64)]
    title: Text
    published_on: dt.date
    source: Text
    summary: Text


class Notices(Model, frozen=True):
    notices: tuple[Notice, ...]


class ListEntry(Model, frozen=True):
    """One red- or black-list publicity entry (an enterprise, by 统一社会信用代码)."""

    id: Annotated[str, Meta(min_length=1, max_length=64)]
    list_kind: Literal["red", "black"]
    list_name: Text
    subject_name: Text
    credit_code: Annotated[str, Meta(pattern="^[0-9A-HJ-NPQRTUWXY]{18}$")]
    reason: Text
    authority: Text
    listed_on: dt.date


class PublicLists(Model, frozen=True):
    entries: tuple[ListEntry, ...]


# --- fleet: releases and terminal status ------------------------------------------------------
# Not platform endpoints but the contract between the operators' tool (``fleet/``, which
# writes them as signed TUF targets) and the terminals' updater (``kiosk/updater``).

RELEASE_CHANNEL_TARGET = "channel.json"
"""The TUF target naming the release terminals should run; its signed custom metadata is a
``ReleaseChannel``."""
WheelPath = Annotated[str, Meta(pattern=r"^wheels/[A-Za-z0-9_.+-]+\.whl$")]


def release_manifest_target(version: str) -> str:
    """The TUF target path of a release's manifest."""
    return f"releases/{version}/manifest.json"


class ReleaseManifest(Model, frozen=True):
    """A release: our wheel and every dependency wheel pinned by ``uv.lock`` for the
    terminals' platform, each a TUF target (``wheels/<file name>``) addressed by hash."""

    version: Version
    app_wheel: WheelPath
    wheels: Annotated[tuple[WheelPath, ...], Meta(min_length=1)]
    """Every wheel of the release's virtualenv, ``app_wheel`` included."""
    python: Annotated[str, Meta(pattern=r"^cp3[0-9]+$")] = "cp311"
    created_at: AwareTime | None = None


class ReleaseChannel(Model, frozen=True):
    """Which release terminals should run: ``version`` for the terminals whose
    ``rollout_bucket`` is below ``rollout_percent``, ``previous`` for the others (no
    change when it is ``None``); while ``halted`` no terminal starts a new install."""

    version: Version
    rollout_percent: Annotated[int, Meta(ge=0, le=100)]
    previous: Version | None = None
    halted: bool = False
    note: Text = ""

    def version_for(self, terminal_id: str) -> str | None:
        """The release ``terminal_id`` should run, or ``None`` for "keep what it runs"."""
        if rollout_bucket(terminal_id) < self.rollout_percent:
            return self.version
        return self.previous


def rollout_bucket(terminal_id: str) -> int:
    """A terminal's stable cohort bucket, 0–99: the same on the operators' side and the
    terminal's, whatever the order terminals were installed in."""
    digest = hashlib.sha256(f"taihaoban-rollout:{terminal_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


class FleetTerminal(Model, frozen=True):
    """A terminal as the platform last heard of it (its latest heartbeat)."""

    terminal_id: TerminalId
    last_seen_at: AwareTime
    version: str
    update: UpdateState | None
    devices_ok: bool
    unhealthy: tuple[str, ...]
    """Devices whose last health check failed."""
    outbox_depth: Annotated[int, Meta(ge=0)]
    last_session_at: AwareTime | None = None


class FleetTerminals(Model, frozen=True):
    """``GET /api/v1/fleet/terminals``: every terminal the platform has heard of."""

    terminals: tuple[FleetTerminal, ...]
    generated_at: AwareTime
