"""The roster street offices keep in Excel: units, people (with roles) and group chats.

Reads a folder of three UTF-8 CSV files or one .xlsx with three sheets of the same names, checks
every row, and reports each bad row as ``file:line: reason``. Nothing here touches the database:
a roster is validated whole before storage replaces the old one in one transaction."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.forms.inert import csv_unescape, csv_value, put
from storage.models import Platform, Role, UnitLevel

_KF_SCENE = re.compile(r"[0-9A-Za-z_-]{1,32}")  # what kf/add_contact_way takes as a scene

UNITS_COLUMNS = ("id", "name", "level", "parent_id", "households")
PEOPLE_COLUMNS = ("id", "name", "role", "unit_id", "phone", "im_user")
CHATS_COLUMNS = ("chat_id", "unit_id", "platform", "name")
SHEETS = {"units": UNITS_COLUMNS, "people": PEOPLE_COLUMNS, "chats": CHATS_COLUMNS}
# Columns a sheet may leave out (older rosters); exports always write them.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"people": ("other_ids",)}

# Identity is per platform: `im_user` is the person's id on WeCom (self-built app and smart robot,
# one corp userid), in the demo and in replay; `other_ids` binds the other platforms, as
# `platform:id` pairs separated by `;` (`bridge:wxid_ab12;mp:oX9k…`). A sender is a roster person
# only on a platform where their id is bound: a bridge or 公众号 user whose id merely equals a
# WeCom userid is a resident (a gateway's ids are chosen by whoever runs or joins it).
IM_USER_PLATFORMS = frozenset({"wecom_app", "wecom_robot", "demo"})
OTHER_ID_PLATFORMS = ("bridge", "mp", "wecom_kf")

# Which unit level each role may hold (admin may sit anywhere).
ROLE_LEVELS: dict[Role, frozenset[UnitLevel]] = {
    Role.street_secretary: frozenset({UnitLevel.street}),
    Role.community_secretary: frozenset({UnitLevel.community}),
    Role.cadre: frozenset({UnitLevel.community, UnitLevel.grid}),
    Role.sunk_cadre: frozenset({UnitLevel.community}),
    Role.grid_worker: frozenset({UnitLevel.grid, UnitLevel.community}),
    Role.department_liaison: frozenset({UnitLevel.department}),
    Role.admin: frozenset(UnitLevel),
}
PARENT_LEVELS: dict[UnitLevel, frozenset[UnitLevel | None]] = {
    UnitLevel.district: frozenset({None}),
    UnitLevel.street: frozenset({None, UnitLevel.district}),
    UnitLevel.community: frozenset({UnitLevel.street}),
    UnitLevel.grid: frozenset({UnitLevel.community}),
    UnitLevel.department: frozenset({None, UnitLevel.district, UnitLevel.street}),
}
CHAT_LEVELS = frozenset({UnitLevel.grid, UnitLevel.community})
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_PHONE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: str
    parent_id: str | None = None
    households: int | None = None
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class PersonRole:
    id: str
    name: str
    role: str
    unit_id: str
    phone: str | None = None
    im_user: str | None = None
    other_ids: tuple[tuple[str, str], ...] = ()  # (platform, id) on bridge / mp
    where: str = field(default="", compare=False)


def parse_other_ids(value: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """`bridge:wxid_ab12;mp:oX9k` → ((bridge, wxid_ab12), (mp, oX9k)), and the problems found
    (a pair that is not `platform:id`, a platform other than bridge or mp)."""
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for raw in re.split(r"[;；]", value):
        item = raw.strip()
        if not item:
            continue
        platform, sep, user_id = item.partition(":")
        platform, user_id = platform.strip(), user_id.strip()
        if not sep or not platform or not user_id:
            problems.append(f"other_ids {item!r} is not platform:id")
        elif platform not in OTHER_ID_PLATFORMS:
            problems.append(f"other_ids platform {platform!r} is not one of {', '.join(OTHER_ID_PLATFORMS)} "
                            "(the WeCom id goes in im_user)")
        elif len(user_id) > 128:
            problems.append(f"other_ids {platform} id is longer than 128 characters")
        else:
            pairs.append((platform, user_id))
    return tuple(pairs), problems


def format_other_ids(pairs: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{platform}:{user_id}" for platform, user_id in pairs)


@dataclass(frozen=True)
class Chat:
    chat_id: str
    unit_id: str
    platform: str
    name: str = ""
    where: str = field(default="", compare=False)


@dataclass
class Roster:
    units: list[Unit] = field(default_factory=list)
    people: list[PersonRole] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict, compare=False)  # CSV file → encoding read

    def canonical(self) -> Roster:
        """The same roster in a stable order (parents before children, then by id), as exported."""
        return Roster(
            units=parents_first(sorted(self.units, key=lambda u: u.id)),
            people=sorted(self.people, key=lambda p: (p.id, p.role, p.unit_id)),
            chats=sorted(self.chats, key=lambda c: (c.platform, c.chat_id)),
        )

    def summary(self) -> str:
        persons = len({p.id for p in self.people})
        return (
            f"{len(self.units)} units, {persons} people ({len(self.people)} roles), "
            f"{len(self.chats)} chats"
        )


class RosterError(Exception):
    """All problems found in a roster; nothing was imported."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def parents_first(units: list[Unit]) -> list[Unit]:
    """Order units so each parent comes before its children, keeping the given order otherwise."""
    by_id = {u.id: u for u in units}
    ordered: list[Unit] = []
    placed: set[str] = set()

    def place(unit: Unit, depth: int = 0) -> None:
        if unit.id in placed or depth > len(by_id):
            return
        if unit.parent_id in by_id:
            place(by_id[unit.parent_id], depth + 1)
        placed.add(unit.id)
        ordered.append(unit)

    for unit in units:
        place(unit)
    return ordered


# ---------------------------------------------------------------- reading


def read_roster(path: Path) -> Roster:
    """Read and validate a roster folder or workbook; raise RosterError listing every bad row (or,
    for a file that cannot be read at all, one line saying why). `Roster.encodings` says how each
    CSV file was decoded."""
    encodings: dict[str, str] = {}
    if path.is_dir():
        tables = {}
        for name in SHEETS:
            tables[name], encoding = _read_csv(path / f"{name}.csv")
            if encoding:
                encodings[f"{name}.csv"] = encoding
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        tables = _read_xlsx(path)
    else:
        raise RosterError([f"{path}: not a folder of CSV files or an .xlsx workbook"])
    problems: list[str] = []
    raw: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for name, (label, header, rows) in tables.items():
        if header is None:
            problems.append(f"{label}: missing")
            continue
        unreadable = [f"{where}: {row['__error__']}" for where, row in rows if where.endswith(":?")]
        if unreadable:  # the file as a whole (its encoding, a broken quote): its columns say nothing
            problems += unreadable
            continue
        missing = [c for c in SHEETS[name] if c not in header]
        if missing:
            problems.append(f"{label}:1: missing column(s) {', '.join(missing)}")
            continue
        raw[name] = rows
    if problems:
        raise RosterError(problems)
    roster, problems = _build(raw)
    problems += validate(roster)
    if problems:
        raise RosterError(problems)
    roster.encodings.update(encodings)
    return roster


_Table = tuple[str, list[str] | None, list[tuple[str, dict[str, str]]]]
MAX_FILE = 20 * 1024 * 1024  # bytes of one roster file: a street's roster is a few hundred KiB
MAX_CELL = 1000  # characters of a cell in a column the roster does not read (a remark)
# The stored columns' lengths (storage.models): checked here, so both databases take the same rows.
COLUMN_LIMITS = {"id": 64, "name": 100, "level": 16, "parent_id": 64, "households": 9, "role": 32,
                 "unit_id": 64, "phone": 32, "im_user": 128, "chat_id": 128, "platform": 16}
MAX_HOUSEHOLDS = 1_000_000  # in one unit; more is a typo


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file as street offices save it, and the encoding it was read in: UTF-8
    (with or without Excel's BOM), else GBK / GB18030 (Excel's “CSV” on Chinese Windows). ValueError
    naming the first byte that fits none of them."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise ValueError(f"marked UTF-8 but byte {exc.start + 3} is not UTF-8") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("saved as UTF-16 (Excel's “Unicode text”); save it as “CSV UTF-8” instead")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8:
        for encoding, name in (("gbk", "GBK"), ("gb18030", "GB18030")):
            try:
                return data.decode(encoding), name
            except UnicodeDecodeError:
                continue
        raise ValueError(f"neither UTF-8 nor GBK/GB18030 (byte {utf8.start} is 0x{data[utf8.start]:02x}); "
                         "save it as “CSV UTF-8”") from None


def _read_csv(file: Path) -> tuple[_Table, str | None]:
    """The table, and the encoding it was read in (None when the file is missing or unreadable)."""
    label = file.name
    if not file.is_file():
        return (label, None, []), None
    try:
        if file.stat().st_size > MAX_FILE:
            raise ValueError(f"{file.stat().st_size // (1024 * 1024)} MiB; a roster file is at most "
                             f"{MAX_FILE // (1024 * 1024)} MiB")
        content, encoding = decode(file.read_bytes())
    except (OSError, ValueError) as exc:
        return (label, [], [(f"{label}:?", {"__error__": str(exc)})]), None
    rows: list[tuple[str, dict[str, str]]] = []
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            rows.append((f"{label}:{reader.line_num}", _as_dict(header, [csv_unescape(c) for c in record])))
    except csv.Error as exc:  # a cell over the csv module's 128 KiB, a NUL byte, a broken quote
        return (label, [], [(f"{label}:?", {"__error__": f"line {reader.line_num}: {exc}"})]), None
    return (label, header, rows), encoding


def _read_xlsx(file: Path) -> dict[str, _Table]:
    """The three sheets; RosterError with one line when the file is not a workbook we can open."""
    from openpyxl import load_workbook

    _check_workbook(file)
    # our own handle, closed whatever openpyxl raises (a half-opened broken workbook leaked its file)
    with file.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file; one line for the office
            raise RosterError([f"{file.name}: not a readable .xlsx workbook ({type(exc).__name__}: "
                               f"{str(exc)[:200]})"]) from None
        try:
            return _sheets(file, workbook)
        finally:
            workbook.close()


def _sheets(file: Path, workbook: Any) -> dict[str, _Table]:
    """The three sheets of an open workbook (a missing sheet has no header)."""
    tables: dict[str, _Table] = {}
    try:
        for name in SHEETS:
            label = f"{file.name}[{name}]"
            if name not in workbook.sheetnames:
                tables[name] = (label, None, [])
                continue
            it = workbook[name].iter_rows(values_only=True)
            header = [_cell(v) for v in next(it, ())]
            rows = []
            for number, values in enumerate(it, start=2):
                record = [_cell(v) for v in values]
                if any(record):
                    rows.append((f"{label}:{number}", _as_dict(header, record)))
            tables[name] = (label, header, rows)
    except RosterError:
        raise
    except Exception as exc:
        raise RosterError([f"{file.name}: a sheet cannot be read ({type(exc).__name__}: {str(exc)[:200]})"]) from None
    return tables


def _check_workbook(file: Path) -> None:
    """Before openpyxl sees it: a zip (an .xlsx is one) within the size limit, with a workbook part,
    and no XML part declaring a DOCTYPE or entities (an entity bomb would expand in memory)."""
    if file.stat().st_size > MAX_FILE:
        raise RosterError([f"{file.name}: {file.stat().st_size // (1024 * 1024)} MiB; a roster file is at most "
                           f"{MAX_FILE // (1024 * 1024)} MiB"])
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            names = {p.filename for p in parts}
            if "xl/workbook.xml" not in names:
                raise RosterError([f"{file.name}: a zip file but not an .xlsx workbook (no xl/workbook.xml)"])
            if sum(p.file_size for p in parts) > 10 * MAX_FILE:
                raise RosterError([f"{file.name}: unpacks to more than {10 * MAX_FILE // (1024 * 1024)} MiB"])
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    with archive.open(part) as fh:
                        head = fh.read(4096)
                    if _declares_entities(head):
                        raise RosterError([f"{file.name}: {part.filename} declares a DOCTYPE or entities, "
                                           "which Excel never writes; refused"])
    except zipfile.BadZipFile:
        raise RosterError([f"{file.name}: not an .xlsx workbook (not a zip file; an old .xls? save it as .xlsx)"]) \
            from None
    except (OSError, EOFError, RuntimeError, NotImplementedError, ValueError, zlib.error) as exc:
        # encrypted, an unknown compression, a damaged part
        raise RosterError([f"{file.name}: cannot be unpacked ({type(exc).__name__}: {str(exc)[:200]})"]) from None


def _declares_entities(head: bytes) -> bool:
    """Whether the start of an XML part (where a DOCTYPE must be) has one, in UTF-8 or UTF-16."""
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        text = head.decode(encoding, errors="ignore").upper()
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            return True
    return False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_dict(header: list[str], record: list[str]) -> dict[str, str]:
    values = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header) if h}
    if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
        values["__error__"] = f"{len(record)} cells but {len(header)} columns in the header"
    for column, value in list(values.items()):
        most = COLUMN_LIMITS.get(column, MAX_CELL)
        if len(value) > most:
            values["__error__"] = f"{column}: {len(value)} characters; at most {most}"
        elif _CONTROL.search(value):
            values["__error__"] = f"{column}: contains control characters (NUL …); retype the cell"
    return values


def _build(raw: dict[str, list[tuple[str, dict[str, str]]]]) -> tuple[Roster, list[str]]:
    roster, problems = Roster(), []
    for where, row in raw["units"]:
        if "__error__" in row:
            problems.append(f"{where}: {row['__error__']}")
            continue
        households: int | None = None
        if row["households"]:
            try:
                households = int(row["households"])
            except ValueError:
                # Report it, but keep the unit so rows pointing at it are not reported twice.
                problems.append(f"{where}: households {row['households']!r} is not a whole number")
        roster.units.append(
            Unit(row["id"], row["name"], row["level"], row["parent_id"] or None, households, where)
        )
    for where, row in raw["people"]:
        if "__error__" in row:
            problems.append(f"{where}: {row['__error__']}")
            continue
        other_ids, bad = parse_other_ids(row.get("other_ids", ""))
        problems += [f"{where}: {reason}" for reason in bad]
        roster.people.append(
            PersonRole(
                row["id"], row["name"], row["role"], row["unit_id"],
                normalise_phone(row["phone"]) or None, row["im_user"] or None, other_ids, where,
            )
        )
    for where, row in raw["chats"]:
        if "__error__" in row:
            problems.append(f"{where}: {row['__error__']}")
            continue
        roster.chats.append(Chat(row["chat_id"], row["unit_id"], row["platform"], row["name"], where))
    return roster, problems


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value)


# ---------------------------------------------------------------- validation


def validate(roster: Roster) -> list[str]:
    """Every problem with the roster as ``where: reason``; empty when it can be imported."""
    problems: list[str] = []
    units: dict[str, Unit] = {}
    for u in roster.units:
        if u.id in units:
            problems.append(f"{u.where}: unit id {u.id!r} appears more than once")
        units.setdefault(u.id, u)
    levels = {lv.value for lv in UnitLevel}
    for u in roster.units:
        if not u.id:
            problems.append(f"{u.where}: id is empty")
        if not u.name:
            problems.append(f"{u.where}: name is empty")
        if u.level not in levels:
            problems.append(f"{u.where}: level {u.level!r} is not one of {', '.join(sorted(levels))}")
            continue
        if u.households is not None and not 0 <= u.households <= MAX_HOUSEHOLDS:
            problems.append(f"{u.where}: households must be 0 to {MAX_HOUSEHOLDS:,}")
        parent = units.get(u.parent_id) if u.parent_id else None
        if u.parent_id and parent is None:
            problems.append(f"{u.where}: parent_id {u.parent_id!r} is not a unit in this roster")
            continue
        allowed = PARENT_LEVELS[UnitLevel(u.level)]
        parent_level = UnitLevel(parent.level) if parent and parent.level in levels else None
        if parent is not None and parent.level not in levels:
            continue
        if parent_level not in allowed:
            want = " or ".join(sorted("none" if a is None else a.value for a in allowed))
            have = parent_level.value if parent_level else "none"
            problems.append(f"{u.where}: a {u.level} must have a parent of level {want}, not {have}")
    problems += _cycles(roster.units)

    roles = {r.value for r in Role}
    seen_grants: set[tuple[str, str, str]] = set()
    identity: dict[str, PersonRole] = {}
    owner_of_im: dict[str, str] = {}
    owner_of_other: dict[tuple[str, str], str] = {}
    for p in roster.people:
        if not p.id:
            problems.append(f"{p.where}: id is empty")
            continue
        if not p.name:
            problems.append(f"{p.where}: name is empty")
        first = identity.setdefault(p.id, p)
        if first is not p:
            for attr in ("name", "phone", "im_user", "other_ids"):
                if getattr(first, attr) != getattr(p, attr):
                    problems.append(
                        f"{p.where}: {attr} differs from {first.where} for the same person {p.id!r}"
                    )
        if p.role not in roles:
            problems.append(f"{p.where}: role {p.role!r} is not one of {', '.join(sorted(roles))}")
        unit = units.get(p.unit_id)
        if unit is None:
            problems.append(f"{p.where}: unit_id {p.unit_id!r} is not a unit in this roster")
        elif (
            p.role in roles
            and unit.level in levels
            and UnitLevel(unit.level) not in ROLE_LEVELS[Role(p.role)]
        ):
            problems.append(f"{p.where}: a {p.role} cannot belong to a {unit.level}")
        key = (p.id, p.role, p.unit_id)
        if key in seen_grants:
            problems.append(f"{p.where}: duplicate row for {p.id} as {p.role} in {p.unit_id}")
        seen_grants.add(key)
        if p.phone and not _PHONE.match(p.phone):
            problems.append(f"{p.where}: phone {p.phone!r} is not a mobile or landline number")
        if p.im_user:
            owner = owner_of_im.setdefault(p.im_user, p.id)
            if owner != p.id:
                problems.append(f"{p.where}: im_user {p.im_user!r} already belongs to {owner!r}")
        for platform, user_id in p.other_ids:
            owner = owner_of_other.setdefault((platform, user_id), p.id)
            if owner != p.id:
                problems.append(f"{p.where}: other_ids {platform}:{user_id} already belongs to {owner!r}")

    platforms = {pl.value for pl in Platform}
    seen_chats: set[tuple[str, str]] = set()
    for c in roster.chats:
        if not c.chat_id:
            problems.append(f"{c.where}: chat_id is empty")
        if c.platform not in platforms:
            problems.append(
                f"{c.where}: platform {c.platform!r} is not one of {', '.join(sorted(platforms))}"
            )
        elif c.platform == Platform.wecom_kf and c.chat_id and not _KF_SCENE.fullmatch(c.chat_id):
            problems.append(f"{c.where}: a wecom_kf chat_id is the scene of a 微信客服 link: 1-32 characters "
                            f"of 0-9, a-z, A-Z, _ and -, not {c.chat_id!r}")
        unit = units.get(c.unit_id)
        if unit is None:
            problems.append(f"{c.where}: unit_id {c.unit_id!r} is not a unit in this roster")
        elif unit.level not in CHAT_LEVELS:
            problems.append(f"{c.where}: a chat must be bound to a grid or community, not a {unit.level}")
        if (c.platform, c.chat_id) in seen_chats:
            problems.append(f"{c.where}: chat {c.chat_id!r} on {c.platform} appears more than once")
        seen_chats.add((c.platform, c.chat_id))
    return problems


def _cycles(units: Iterable[Unit]) -> list[str]:
    parent = {u.id: u.parent_id for u in units}
    where = {u.id: u.where for u in units}
    problems = []
    for start in parent:
        seen, node = set(), start
        while node is not None and node in parent:
            if node in seen:
                problems.append(f"{where[start]}: unit {start!r} is its own ancestor")
                break
            seen.add(node)
            node = parent[node]
    return problems


# ---------------------------------------------------------------- writing


def write_roster(roster: Roster, path: Path) -> None:
    """Write the same format back: a folder of CSVs, or a workbook when `path` ends in .xlsx."""
    tables = dict(_rows(roster))
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, rows in tables.items():
            sheet = workbook.create_sheet(name)
            sheet.append(list(SHEETS[name] + OPTIONAL_COLUMNS.get(name, ())))
            for number, row in enumerate(rows, start=2):
                for column, value in enumerate(row, start=1):
                    put(sheet, number, column, value).number_format = "@"  # phones and ids stay text
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(path)
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(SHEETS[name] + OPTIONAL_COLUMNS.get(name, ()))
            writer.writerows([csv_value(v) for v in row] for row in rows)


def _rows(roster: Roster) -> Iterator[tuple[str, list[list[str]]]]:
    yield "units", [
        [u.id, u.name, u.level, u.parent_id or "", "" if u.households is None else str(u.households)]
        for u in roster.units
    ]
    yield "people", [
        [p.id, p.name, p.role, p.unit_id, p.phone or "", p.im_user or "", format_other_ids(p.other_ids)]
        for p in roster.people
    ]
    yield "chats", [[c.chat_id, c.unit_id, c.platform, c.name] for c in roster.chats]
