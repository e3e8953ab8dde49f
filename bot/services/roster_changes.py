"""What a new roster file would change, before it is applied: units, people and chats added,
changed and deactivated (the preview the console shows), and applying it in one transaction
(the same `replace_roster` as `gridbot roster import`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.roster import Chat, PersonRole, Roster, Unit
from storage.roster_store import load_roster, replace_roster


@dataclass(frozen=True)
class Change:
    kind: str  # unit, person, chat
    key: str  # the id
    name: str
    before: str = ""  # what it was (changed, deactivated)
    after: str = ""  # what it becomes (added, changed)


@dataclass
class RosterDiff:
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    deactivated: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deactivated)


def _unit_text(unit: Unit) -> str:
    households = f" · {unit.households}户" if unit.households is not None else ""
    return f"{unit.name} ({unit.level}{' ← ' + unit.parent_id if unit.parent_id else ''}){households}"


def _person_text(rows: Iterable[PersonRole]) -> str:
    rows = sorted(rows, key=lambda p: (p.role, p.unit_id))
    first = rows[0]
    roles = ", ".join(f"{p.role}@{p.unit_id}" for p in rows)
    contact = " · ".join(v for v in (first.phone or "", first.im_user or "") if v)
    return f"{first.name}: {roles}" + (f" · {contact}" if contact else "")


def _chat_text(chat: Chat) -> str:
    return f"{chat.name or chat.chat_id} → {chat.unit_id} ({chat.platform})"


def diff(old: Roster, new: Roster) -> RosterDiff:
    """Compare the stored roster with a file. People are compared as a whole (name, phone, ids and
    every role they hold); a chat is identified by platform and chat id."""
    out = RosterDiff()
    old_units, new_units = {u.id: u for u in old.units}, {u.id: u for u in new.units}
    for uid, unit in sorted(new_units.items()):
        before = old_units.get(uid)
        if before is None:
            out.added.append(Change("unit", uid, unit.name, after=_unit_text(unit)))
        elif _unit_text(before) != _unit_text(unit):
            out.changed.append(Change("unit", uid, unit.name, _unit_text(before), _unit_text(unit)))
    out.deactivated += [Change("unit", uid, u.name, before=_unit_text(u))
                        for uid, u in sorted(old_units.items()) if uid not in new_units]

    def people(roster: Roster) -> dict[str, list[PersonRole]]:
        grouped: dict[str, list[PersonRole]] = {}
        for row in roster.people:
            grouped.setdefault(row.id, []).append(row)
        return grouped

    old_people, new_people = people(old), people(new)
    for pid, rows in sorted(new_people.items()):
        before_rows = old_people.get(pid)
        if before_rows is None:
            out.added.append(Change("person", pid, rows[0].name, after=_person_text(rows)))
        elif _person_text(before_rows) != _person_text(rows):
            out.changed.append(Change("person", pid, rows[0].name, _person_text(before_rows), _person_text(rows)))
    out.deactivated += [Change("person", pid, rows[0].name, before=_person_text(rows))
                        for pid, rows in sorted(old_people.items()) if pid not in new_people]

    old_chats = {(c.platform, c.chat_id): c for c in old.chats}
    new_chats = {(c.platform, c.chat_id): c for c in new.chats}
    for key, chat in sorted(new_chats.items()):
        before_chat = old_chats.get(key)
        if before_chat is None:
            out.added.append(Change("chat", chat.chat_id, chat.name, after=_chat_text(chat)))
        elif _chat_text(before_chat) != _chat_text(chat):
            out.changed.append(Change("chat", chat.chat_id, chat.name, _chat_text(before_chat), _chat_text(chat)))
    out.deactivated += [Change("chat", c.chat_id, c.name, before=_chat_text(c))
                        for key, c in sorted(old_chats.items()) if key not in new_chats]
    return out


async def current(session: AsyncSession) -> Roster:
    """The stored roster, as a file would hold it."""
    return await load_roster(session)


async def preview(session: AsyncSession, new: Roster) -> RosterDiff:
    return diff(await load_roster(session), new.canonical())


async def apply(session: AsyncSession, new: Roster) -> RosterDiff:
    """Replace the stored roster (caller's transaction); returns what changed."""
    changes = await preview(session, new)
    await replace_roster(session, new)
    return changes
