"""附件5 驻社区(网格)干部抓基层党建工作报表: the items of the paper form, which of them the bot
fills from records, and the .xlsx laid out like the paper (项目 / 序号 / 内容 / 备注, signature line).

The sentences are the paper form's own, with the blanks filled; a second sheet `数据` holds the
same values one per row for machines (imports, checks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from bot.forms.inert import put

BLANK = "____"


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # what the cadre types in chat: “报表 党日主题 …”
    kind: str  # int | number | text | names | year | pct
    source: str  # records | tickets | manual
    aliases: tuple[str, ...] = ()  # the paper form's own wording and other usual names


FIELDS: tuple[Field, ...] = (
    Field("party_day_theme", "党日主题", "text", "manual",
          ("主题党日主题", "党日活动主题", "本月党日活动主题", "主题党日", "党日活动")),
    Field("party_attendance", "到会人数", "int", "manual", ("党员到会人数", "到会党员")),
    Field("attendance_rate", "到会率", "pct", "manual"),
    Field("absent_members", "缺席党员", "names", "manual", ("无故缺席党员", "缺席")),
    Field("branch_committee", "支委会", "int", "records", ("参加支委会", "支委会次数")),
    Field("joint_committee", "两委联席", "int", "records", ("两委联席会议", "参加两委联席会议", "议事协调机制")),
    Field("residents_meeting", "居民代表会议", "int", "records", ("居民代表会", "参加居民代表会议")),
    Field("party_lectures", "党课", "int", "records", ("上党课", "给党员上党课")),
    Field("know_how_lectures", "应知应会", "int", "manual", ("基层组织应知应会", "讲解应知应会")),
    Field("hours", "工作时间", "number", "records", ("在社区工作时间", "工作小时")),
    Field("night_visits", "夜访", "int", "records", ("夜访夜谈", "夜访夜谈活动")),
    Field("visits", "走访次数", "int", "records", ("民情走访", "走访")),
    Field("households", "走访户数", "int", "records", ("走访户",)),
    Field("contact_cards", "联系卡", "int", "records", ("发放联系卡",)),
    Field("info_raised", "民情信息", "int", "tickets"),
    Field("info_handled", "已上报或处理", "int", "tickets", ("已上报", "已处理")),
    Field("matters_done", "代办事项", "int", "tickets", ("为群众办理事项", "办理事项", "代办")),
    Field("problems_solved", "协调解决", "int", "tickets", ("协调解决问题", "协调解决群众困难和问题", "解决问题")),
    Field("activists", "入党积极分子", "int", "manual", ("入党积极分子人数", "积极分子")),
    Field("candidates", "发展对象", "int", "manual", ("发展对象人数",)),
    Field("probationary", "预备党员", "int", "manual", ("预备党员人数",)),
    Field("full_members", "正式党员", "int", "manual", ("正式党员人数",)),
    Field("last_recruit_year", "上次发展党员", "year", "manual", ("上次发展党员时间",)),
    Field("volunteer_events", "志愿服务", "int", "manual", ("志愿服务活动",)),
    Field("volunteer_members", "志愿服务党员", "int", "manual", ("志愿服务党员人数", "党员参加人数")),
    Field("reserve_cadres", "后备干部", "int", "manual", ("社区后备干部",)),
    Field("unqualified_handled", "不合格党员处理", "int", "manual", ("不合格党员",)),
    Field("remote_sessions", "远程教育次数", "int", "manual", ("远程教育学习",)),
    Field("remote_hours", "远程教育小时", "number", "manual"),
    Field("duty_checks", "检查坐值班", "int", "manual", ("检查坐值班情况", "坐值班")),
    Field("duty_problems", "值班问题", "int", "manual", ("发现问题",)),
    Field("absent_staff", "不在岗人数", "int", "manual", ("不在岗社区干部总数", "不在岗社区干部")),
    Field("absent_staff_names", "不在岗姓名", "names", "manual"),
    Field("leave_cadres", "请假干部", "names", "manual", ("主职干部请假",)),
    Field("leave_days", "请假天数", "number", "manual"),
    Field("board_checks", "检查两栏", "int", "manual", ("检查两栏卫生",)),
    Field("board_updates", "公开栏更新", "int", "manual", ("公开栏更新内容",)),
    Field("board_party", "党务公开", "int", "manual"),
    Field("board_residents", "居务公开", "int", "manual"),
    Field("board_finance", "财务公开", "int", "manual"),
    Field("board_other", "其他公开", "int", "manual"),
    Field("three_lists", "三张清单", "int", "manual", ("三张清单落实情况", "三张清单落实")),
    Field("three_lists_done", "清单完成", "int", "manual"),
    Field("hygiene_checks", "卫生检查", "int", "manual", ("服务中心卫生检查",)),
    Field("hygiene_fixed", "整改问题", "int", "manual"),
    Field("other_work", "其他工作", "text", "manual", ("其他",)),
)
BY_KEY = {f.key: f for f in FIELDS}
BY_LABEL = {name: f for f in FIELDS for name in (f.label, *f.aliases)}


class UnknownItem(ValueError):
    """No item of the form has that name (`candidates` empty) or several do."""

    def __init__(self, name: str, candidates: tuple[Field, ...] = ()) -> None:
        super().__init__(name)
        self.name, self.candidates = name, candidates


def field_named(name: str) -> Field:
    """The form's item a cadre means: its short label (“党日主题”), the paper form's wording
    (“主题党日主题”, “协调解决问题”) or a part of either (“远程教育” is ambiguous: two items). The
    closest name wins (the longest shared stretch); UnknownItem when none or several tie."""
    name = name.strip()
    if name in BY_LABEL:
        return BY_LABEL[name]
    best: dict[str, int] = {}
    for f in FIELDS:
        for known in (f.label, *f.aliases):
            if len(name) >= 2 and (known in name or name in known):
                best[f.key] = max(best.get(f.key, 0), min(len(known), len(name)))
    if not best:
        raise UnknownItem(name)
    top = max(best.values())
    winners = tuple(BY_KEY[k] for k, v in best.items() if v == top)
    if len(winners) > 1:
        raise UnknownItem(name, winners)
    return winners[0]

# (项目, 序号, sentence of the paper form with {field} blanks)
ITEMS: tuple[tuple[str, int, str], ...] = (
    ("组织生活", 1, "本月党日活动主题{party_day_theme}，党员到会人数{party_attendance}，到会率{attendance_rate}。"
                "无故缺席党员{absent_members}"),
    ("组织生活", 2, "参加支委会{branch_committee}次，参加两委联席会议(议事协调机制){joint_committee}次，"
                "参加居民代表会议{residents_meeting}次。"),
    ("组织生活", 3, "给党员上党课{party_lectures}次，给社区干部讲解基层组织应知应会{know_how_lectures}次。"),
    ("联系群众", 4, "在社区工作时间{hours}小时，开展夜访夜谈活动{night_visits}次。"),
    ("联系群众", 5, "开展民情走访{visits}次，走访{households}户，发放联系卡{contact_cards}张；"
                "民情信息{info_raised}条，已上报或处理{info_handled}条。"),
    ("联系群众", 6, "为群众办理(代办)事项{matters_done}件，协调解决群众困难和问题{problems_solved}个。"),
    ("党员管理", 7, "入党积极分子人数{activists}，发展对象人数{candidates}，预备党员人数{probationary}，"
                "正式党员人数{full_members}，上次发展党员时间是{last_recruit_year}年。"),
    ("党员管理", 8, "开展志愿服务活动{volunteer_events}次，党员参加人数{volunteer_members}。"),
    ("党员管理", 9, "掌握社区后备干部{reserve_cadres}名。"),
    ("党员管理", 10, "不合格党员处理人数{unqualified_handled}。"),
    ("党员管理", 11, "开展远程教育学习{remote_sessions}次，共{remote_hours}小时。"),
    ("督促指导", 12, "检查坐值班情况{duty_checks}次，发现问题{duty_problems}个，不在岗社区干部总数{absent_staff}，"
                "姓名{absent_staff_names}。"),
    ("督促指导", 13, "主职干部请假：{leave_cadres}，请假{leave_days}天。"),
    ("督促指导", 14, "检查两栏(公开栏、宣传栏)卫生{board_checks}次，公开栏更新内容{board_updates}项，"
                 "其中党务{board_party}项，居务{board_residents}项，财务{board_finance}项，其他{board_other}项。"),
    ("督促指导", 15, "社区干部三张清单落实情况{three_lists}次，已完成{three_lists_done}个。"),
    ("督促指导", 16, "开展社区各服务中心卫生检查{hygiene_checks}次，整改问题{hygiene_fixed}个。"),
    ("其他工作", 17, "{other_work}"),
)
SOURCE_REMARK = {"records": "据签到、走访记录", "tickets": "据网格工单", "manual": ""}


@dataclass
class MonthlyForm:
    street: str
    community: str
    cadre: str
    year: int
    month: int
    values: dict[str, object] = field(default_factory=dict)
    corrected: set[str] = field(default_factory=set)  # derived values the cadre changed in chat
    confirmed_on: str | None = None

    def missing(self) -> list[Field]:
        return [f for f in FIELDS if self.values.get(f.key) in (None, "")]

    def sentence(self, template: str) -> str:
        return template.format(**{f.key: _show(self.values.get(f.key)) for f in FIELDS})

    def remarks(self, template: str) -> str:
        keys = [f for f in FIELDS if "{" + f.key + "}" in template]
        sources = {SOURCE_REMARK[f.source] for f in keys if f.key not in self.corrected} - {""}
        notes = sorted(sources)
        if any(f.key in self.corrected for f in keys):
            notes.append("本人更正")
        return "；".join(notes)


def _show(value: object) -> str:
    if value is None or value == "":
        return BLANK
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_monthly(form: MonthlyForm, path: Path) -> Path:
    """The form as an .xlsx: title, header line, the 17 items grouped, remarks, signature line."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "附件5"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 80
    ws.column_dimensions["D"].width = 22
    ws.merge_cells("A1:D1")
    ws["A1"] = "驻社区(网格)干部抓基层党建工作报表"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:D2")
    ws["A2"] = f"（{form.year}年{form.month}月）"
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A3:D3")
    put(ws, 3, 1, f"{form.street}　　{form.community}　　驻社区(网格)干部：{form.cadre}")
    for col, title in zip("ABCD", ("项目", "序号", "内容", "备注"), strict=True):
        cell = ws[f"{col}4"]
        cell.value, cell.font, cell.border = title, Font(bold=True), _BOX
        cell.alignment = Alignment(horizontal="center")
    row = 5
    group_start: dict[str, int] = {}
    for group, number, template in ITEMS:
        group_start.setdefault(group, row)
        put(ws, row, 1, group)
        put(ws, row, 2, number)
        put(ws, row, 3, form.sentence(template))
        put(ws, row, 4, form.remarks(template))
        for col in range(1, 5):
            ws.cell(row, col).border = _BOX
            ws.cell(row, col).alignment = Alignment(wrap_text=True, vertical="center")
        row += 1
    ends = [*list(group_start.values())[1:], row]
    for start, end in zip(group_start.values(), ends, strict=True):
        if end - 1 > start:
            ws.merge_cells(start_row=start, start_column=1, end_row=end - 1, end_column=1)
        ws.cell(start, 1).alignment = Alignment(horizontal="center", vertical="center")
    row += 1
    put(ws, row, 1, "驻社区(网格)干部(签名)：")
    put(ws, row, 3, f"{form.cadre}（{form.confirmed_on} 在网格通确认）" if form.confirmed_on else BLANK * 3)
    put(ws, row + 1, 1, "注：本表每月5日前上报街道党工委，并在居务公开栏公示。")
    data = wb.create_sheet("数据")
    data.append(["key", "项目", "value", "source"])
    for number, f in enumerate(FIELDS, start=2):
        source = "corrected" if f.key in form.corrected else f.source
        for column, value in enumerate((f.key, f.label, form.values.get(f.key), source), start=1):
            put(data, number, column, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
