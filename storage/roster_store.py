"""Roster persistence and the look-ups the pipeline needs (who is this sender, where is this chat)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, delete, text, update
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.areas import AreaBook
from bot.roster import IM_USER_PLATFORMS, Chat, PersonRole, Roster, Unit, parents_first
from storage.models import ChatBinding, KfCustomer, OrgUnit, Person, PersonOtherId, Platform, RoleGrant


async def replace_roster(session: AsyncSession, roster: Roster) -> None:
    """Make the stored roster equal to `roster` (caller owns the transaction).

    Units and people missing from the new roster are deactivated, not deleted: tickets and
    check-ins keep pointing at them. Role grants and chat bindings are replaced outright."""
    existing_units = {u.id: u for u in (await session.exec(select(OrgUnit))).all()}
    for unit in parents_first(roster.units):
        row = existing_units.get(unit.id) or OrgUnit(id=unit.id, name=unit.name, level=unit.level)
        row.name, row.level, row.parent_id = unit.name, unit.level, unit.parent_id
        row.households, row.active = unit.households, True
        session.add(row)
    keep_units = {u.id for u in roster.units}
    for uid, row in existing_units.items():
        if uid not in keep_units:
            row.active = False
            session.add(row)
    await session.flush()

    await session.exec(delete(RoleGrant))
    await session.exec(delete(ChatBinding))
    await session.exec(delete(PersonOtherId))
    # Free every im_user first, so an id moving from one person to another cannot collide.
    await session.exec(update(Person).values(im_user=None))
    await session.flush()
    existing_people = {p.id: p for p in (await session.exec(select(Person))).all()}
    seen: set[str] = set()
    for pr in roster.people:
        if pr.id not in seen:
            seen.add(pr.id)
            row = existing_people.get(pr.id) or Person(id=pr.id, name=pr.name)
            row.name, row.phone, row.im_user, row.active = pr.name, pr.phone, pr.im_user, True
            session.add(row)
    for pid, row in existing_people.items():
        if pid not in seen:
            row.active = False
            session.add(row)
    await session.flush()
    session.add_all(RoleGrant(person_id=p.id, role=p.role, unit_id=p.unit_id) for p in roster.people)
    other_ids = {(platform, user_id): p.id for p in roster.people for platform, user_id in p.other_ids}
    session.add_all(PersonOtherId(platform=platform, user_id=user_id, person_id=person_id)
                    for (platform, user_id), person_id in other_ids.items())
    session.add_all(
        ChatBinding(platform=c.platform, chat_id=c.chat_id, unit_id=c.unit_id, name=c.name)
        for c in roster.chats
    )
    await session.flush()


async def load_roster(session: AsyncSession) -> Roster:
    """The active roster in canonical order, in the shape of a file (for `gridbot roster export`)."""
    units = (await session.exec(select(OrgUnit).where(OrgUnit.active))).all()
    rows = (
        await session.exec(
            select(RoleGrant, Person).join(Person, Person.id == RoleGrant.person_id).where(Person.active)
        )
    ).all()
    chats = (await session.exec(select(ChatBinding))).all()
    others: dict[str, list[tuple[str, str]]] = {}
    for row in (await session.exec(select(PersonOtherId).order_by(PersonOtherId.platform,
                                                                   PersonOtherId.user_id))).all():
        others.setdefault(row.person_id, []).append((row.platform, row.user_id))
    return Roster(
        units=[Unit(u.id, u.name, u.level, u.parent_id, u.households) for u in units],
        people=[PersonRole(p.id, p.name, g.role, g.unit_id, p.phone, p.im_user, tuple(others.get(p.id, ())))
                for g, p in rows],
        chats=[Chat(c.chat_id, c.unit_id, c.platform, c.name) for c in chats],
    ).canonical()


async def roster_is_empty(session: AsyncSession) -> bool:
    return (await session.exec(select(OrgUnit.id).limit(1))).first() is None


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: str
    unit_name: str
    unit_level: str
    covers: frozenset[str] = frozenset()  # the unit and every unit under it: where the role reaches

    def reaches(self, *unit_ids: str | None) -> bool:
        """Any of `unit_ids` (a ticket's grid, community …) is inside this grant's area."""
        return any(u is not None and (u == self.unit_id or u in self.covers) for u in unit_ids)


@dataclass(frozen=True)
class Member:
    """A roster person as seen by the pipeline."""

    person_id: str
    name: str
    grants: tuple[Grant, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)


async def find_member(session: AsyncSession, user_id: str, platform: str | None = None) -> Member | None:
    """Resolve a sender to a roster person with all their roles; None means a resident.

    Identity is per platform: on WeCom (app, smart robot), the demo and replay (`platform` None
    means these) the id is matched against `im_user`; on the bridge and the 公众号 only against
    the person's `other_ids` for that platform, so an id there that equals a WeCom userid is a
    resident's."""
    query = (
        select(Person, RoleGrant, OrgUnit)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(Person.active)
        .order_by(RoleGrant.id)
    )
    if platform is None or platform in IM_USER_PLATFORMS:
        query = query.where(Person.im_user == user_id)
    else:
        query = query.join(PersonOtherId, PersonOtherId.person_id == Person.id).where(
            PersonOtherId.platform == platform, PersonOtherId.user_id == user_id)
    rows = (await session.exec(query)).all()
    if not rows:
        return None
    person = rows[0][0]
    below = await units_below(session, {u.id for _, _, u in rows})
    grants = tuple(Grant(g.role, u.id, u.name, u.level, frozenset(below.get(u.id, {u.id}))) for _, g, u in rows)
    return Member(person.id, person.name, grants)


_UNITS_BELOW = text("""
WITH RECURSIVE below(root, id) AS (
    SELECT id, id FROM org_unit WHERE id IN :roots
    UNION ALL
    SELECT below.root, org_unit.id FROM org_unit JOIN below ON org_unit.parent_id = below.id
)
SELECT root, id FROM below
""").bindparams(bindparam("roots", expanding=True))


async def units_below(session: AsyncSession, roots: set[str]) -> dict[str, set[str]]:
    """For each root unit, itself and every unit under it (a street: its communities and grids)."""
    if not roots:
        return {}
    out: dict[str, set[str]] = {}
    for root, unit_id in (await session.exec(_UNITS_BELOW.bindparams(roots=sorted(roots)))).all():  # type: ignore[call-overload]
        out.setdefault(root, set()).add(unit_id)
    return out


@dataclass(frozen=True)
class ChatPlace:
    """Where a group chat sits: its unit and, for a grid, the community above it."""

    chat_id: str
    name: str
    unit_id: str
    unit_level: str
    grid_id: str | None
    community_id: str | None


async def chat_platforms(session: AsyncSession, chat_id: str) -> list[str]:
    """The platforms a chat id is bound on (usually one), sorted."""
    rows = await session.exec(select(ChatBinding.platform).where(ChatBinding.chat_id == chat_id)
                              .order_by(ChatBinding.platform))
    return list(rows.all())


async def find_chat(session: AsyncSession, platform: str, chat_id: str) -> ChatPlace | None:
    binding = await session.get(ChatBinding, (platform, chat_id))
    if binding is None:
        return None
    unit = await session.get(OrgUnit, binding.unit_id)
    assert unit is not None
    grid_id = unit.id if unit.level == "grid" else None
    community_id = unit.parent_id if unit.level == "grid" else unit.id
    return ChatPlace(chat_id, binding.name, unit.id, unit.level, grid_id, community_id)


async def find_private_place(session: AsyncSession, platform: str, user_id: str) -> ChatPlace | None:
    """Where a private conversation was opened from, for channels whose links carry one: a
    微信客服 customer's entry scene, bound like a chat in the roster (`chats`, platform wecom_kf).
    None for every other private message."""
    if platform != Platform.wecom_kf:
        return None
    customer = await session.get(KfCustomer, user_id)
    if customer is None or not customer.scene:
        return None
    return await find_chat(session, platform, customer.scene)


async def chats_on(session: AsyncSession, platform: str) -> list[tuple[ChatBinding, OrgUnit]]:
    """Every chat bound on `platform` with its unit, by chat id (the 微信客服 scenes for `kf link`)."""
    rows = await session.exec(
        select(ChatBinding, OrgUnit).join(OrgUnit, OrgUnit.id == ChatBinding.unit_id)
        .where(ChatBinding.platform == platform).order_by(ChatBinding.chat_id)
    )
    return [(c, u) for c, u in rows.all()]


async def people_with_role(session: AsyncSession, role: str) -> list[Person]:
    """Active people holding `role` anywhere, each once."""
    rows = await session.exec(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == role, Person.active)
        .distinct()
        .order_by(Person.id)
    )
    return list(rows.all())


async def active_names(session: AsyncSession) -> list[str]:
    """The names of everyone in the roster (masked in whatever the bot says in a group)."""
    return list((await session.exec(select(Person.name).where(Person.active))).all())


async def communities(session: AsyncSession) -> list[tuple[str, str]]:
    """(id, name) of every active community, longest name first (so 黎明西路 beats 黎明)."""
    rows = (await session.exec(
        select(OrgUnit.id, OrgUnit.name).where(OrgUnit.level == "community", OrgUnit.active)
    )).all()
    return sorted(((i, n) for i, n in rows), key=lambda row: -len(row[1]))


async def holders(session: AsyncSession, role: str) -> list[tuple[Person, OrgUnit, OrgUnit | None]]:
    """(person, unit, parent unit) for each active grant of `role`: where each cadre is stationed."""
    parent = aliased(OrgUnit)
    rows = await session.exec(
        select(Person, OrgUnit, parent)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .where(RoleGrant.role == role, Person.active)
        .order_by(Person.id, RoleGrant.id)
    )
    return [(p, u, up) for p, u, up in rows.all()]


async def children_by_parent(session: AsyncSession, level: str) -> dict[str, list[str]]:
    """Ids of the active units of `level` under each parent (the communities of each street)."""
    rows = await session.exec(select(OrgUnit.parent_id, OrgUnit.id).where(OrgUnit.level == level, OrgUnit.active))
    out: dict[str, list[str]] = {}
    for parent_id, unit_id in rows.all():
        if parent_id is not None:
            out.setdefault(parent_id, []).append(unit_id)
    return out


async def chats_of_role(session: AsyncSession, person_id: str, role: str) -> list[ChatBinding]:
    """The chats bound to the units where `person_id` holds `role` (an admin's street or district
    group, on whatever platform it is bound): another way to reach them."""
    rows = await session.exec(
        select(ChatBinding)
        .join(RoleGrant, RoleGrant.unit_id == ChatBinding.unit_id)
        .where(RoleGrant.person_id == person_id, RoleGrant.role == role)
        .order_by(ChatBinding.platform, ChatBinding.chat_id)
    )
    return list(rows.all())


async def area_book(session: AsyncSession) -> AreaBook:
    """The unit tree and every active grant, for checking who reaches whom (reminders, red lines)."""
    parents = dict((await session.exec(select(OrgUnit.id, OrgUnit.parent_id))).all())
    grants: dict[tuple[str, str], set[str]] = {}
    rows = await session.exec(select(RoleGrant.person_id, RoleGrant.role, RoleGrant.unit_id)
                              .join(Person, Person.id == RoleGrant.person_id).where(Person.active))
    for person_id, role, unit_id in rows.all():
        grants.setdefault((person_id, role), set()).add(unit_id)
    return AreaBook(parents, {key: frozenset(units) for key, units in grants.items()})
