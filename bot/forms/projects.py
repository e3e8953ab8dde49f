"""附件6 驻社区(网格)干部领办项目: one block per cadre, rows 1-3 (项目, 具体措施, 工作成效)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from bot.forms.inert import put

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class ProjectRow:
    seq: int
    name: str
    party_building: bool
    measures: str | None
    results: str | None


@dataclass(frozen=True)
class CadreProjects:
    community: str
    cadre: str
    filed_on: str | None  # the day the first project was committed
    rows: tuple[ProjectRow, ...]


def write_projects(year: int, cadres: list[CadreProjects], path: Path) -> Path:
    """One sheet per year: a titled block per cadre, laid out like the paper form."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"附件6 {year}"
    for col, width in zip("ABCDE", (6, 36, 10, 40, 40), strict=True):
        ws.column_dimensions[col].width = width
    row = 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
    put(ws, row, 1, f"驻社区(网格)干部领办项目（{year}年）").font = Font(size=16, bold=True)
    ws.cell(row, 1).alignment = Alignment(horizontal="center")
    row += 2
    for block in cadres:
        put(ws, row, 1, f"所驻社区：{block.community}")
        put(ws, row, 4, f"驻社区干部(签名)：{block.cadre}")
        put(ws, row, 5, f"填报时间：{block.filed_on or '____'}")
        row += 1
        for col, title in enumerate(("序号", "领办项目", "党建项目", "具体措施", "工作成效"), start=1):
            cell = put(ws, row, col, title)
            cell.font, cell.border = Font(bold=True), _BOX
        row += 1
        by_seq = {r.seq: r for r in block.rows}
        for seq in (1, 2, 3):
            item = by_seq.get(seq)
            values = (seq, item.name if item else "", "是" if item and item.party_building else "",
                      (item.measures or "") if item else "", (item.results or "") if item else "")
            for col, value in enumerate(values, start=1):
                cell = put(ws, row, col, value)
                cell.border = _BOX
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            row += 1
        row += 1
    put(ws, row, 1, "备注：年初公开承诺3个项目（至少有1个基层党建项目），并在居务公开栏公示；年底公示完成情况。")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
