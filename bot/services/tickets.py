"""Ticket use-cases: file (or join a duplicate), and every lifecycle action. Each one loads the
ticket, asks the domain whether the action is allowed, stores the change with an audit event and
queues the notices, all inside the caller's unit of work. Errors meant for the user are raised as
TransitionError with a translated message."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import deadlines, points
from bot.domain.categories import category
from bot.domain.emergency import emergency_numbers, hazard
from bot.domain.photos import AWAITING_PHOTO, PhotoRole
from bot.domain.problem import problem_of
from bot.domain.similarity import same_problem
from bot.domain.tickets import (
    OPEN,
    Action,
    Resolution,
    State,
    TransitionError,
    is_staff,
    resolution_label,
    state_label,
    transition,
)
from bot.events import NORMAL, URGENT, OutboundKind, OutboundMessage
from bot.i18n import Text, _
from bot.nlp.pii import mask
from bot.roles import role_label
from bot.services.work import Work
from storage import ticket_store
from storage.models import Escalation, OrgUnit, Person, Photo, Ticket, TicketReporter
from storage.roster_store import Member, people_with_role

_NUMBER = re.compile(r"^(\d{6})-?(\d{1,4})$")
MANAGERS = frozenset({"community_secretary", "street_secretary", "admin"})
HANDLERS = frozenset({"grid_worker", "cadre", "sunk_cadre"}) | MANAGERS
DEPARTMENT_ROLES = frozenset({"department_liaison"})
TICKET_WORKERS = frozenset({"grid_worker", "cadre"})  # the roles of 受理 / 办结 / 吹哨 in chat


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the pipeline resolved them (member None: a resident)."""

    im_user: str
    name: str | None
    member: Member | None
    platform: str
    chat_id: str | None = None

    @property
    def roles(self) -> frozenset[str]:
        return self.member.roles if self.member else frozenset()

    @property
    def label(self) -> str:
        if self.member:
            return self.member.name
        return self.name or _("a resident")

    @property
    def is_staff(self) -> bool:
        """Roster staff: never a reporter or rater of a ticket (domain `is_staff`)."""
        return is_staff(self.roles)

    @property
    def person_id(self) -> str | None:
        return self.member.person_id if self.member else None

    @property
    def main_role(self) -> str | None:
        return self.member.grants[0].role if self.member else None

    def units(self, roles: frozenset[str]) -> set[str]:
        return {g.unit_id for g in self.member.grants if g.role in roles} if self.member else set()


@dataclass(frozen=True)
class Report:
    """A message the parser called a request, with where it came from."""

    text: str
    category: str
    urgency: str
    department: str | None
    nature: str | None
    location: dict[str, str | None] | None
    keywords: list[str]


def normalise_no(value: str) -> str | None:
    """“261122-001”, “261122001” and “261122-1” all name ticket 261122-001."""
    match = _NUMBER.match(value.strip())
    return f"{match[1]}-{int(match[2]):03d}" if match else None


def fmt_due(work: Work, when: datetime | None) -> str:
    return due_text(when, work.tz)


def due_text(when: datetime | None, tz: ZoneInfo) -> str:
    """A deadline as people read it: “11/30” for the end of a day, else “11/30 17:30”."""
    if when is None:
        return "—"
    local = when.astimezone(tz)
    text = _("{month}/{day}").format(month=local.month, day=local.day)
    if local.time().hour != 23:  # deadlines at the end of a day show the day only
        text += f" {local:%H:%M}"
    return text


JOINED_NOTICE_WINDOW = timedelta(minutes=1)  # at most one "another report" notice per ticket and person


def _priority(ticket: Ticket) -> int:
    """What a P0 ticket causes overtakes everything else in the outbox."""
    return URGENT if ticket.urgency == "P0" else NORMAL


def _place_key(location: dict[str, str | None] | None) -> str | None:
    if not location:
        return None
    parts = [location.get(k) for k in ("community", "building", "unit")]
    return "/".join(p or "" for p in parts) if any(parts) else (location.get("text") or None)


# ------------------------------------------------------------------ filing


class Filed(StrEnum):
    """What became of a report."""

    opened = "opened"  # a new ticket
    joined = "joined"  # a resident added to an open ticket about the same problem
    staff_same = "staff_same"  # staff wrote about an open ticket's problem: not made a reporter


async def file_report(
    work: Work, *, actor: Actor, grid_id: str | None, community_id: str, report: Report,
    files: tuple[str, ...] = (),
) -> tuple[Ticket, Filed]:
    """Open a ticket, or join an open one about the same problem (the same object and fault, see
    `bot.domain.similarity`). Staff are never reporters: a staff member's words about an open
    ticket's problem join nothing (they are told which ticket it is and how to act on it)."""
    since = work.now - deadlines.DUPLICATE_WINDOW
    for candidate in await ticket_store.recent_open_in_area(
        work.session, grid_id=grid_id, community_id=community_id, since=since
    ):
        if same_problem(
            category_a=candidate.category, category_b=report.category,
            place_a=_place_key(candidate.location), place_b=_place_key(report.location),
            text_a=candidate.text, text_b=report.text,
            keywords_a=candidate.keywords or [], keywords_b=report.keywords,
        ):
            if actor.is_staff:
                return candidate, Filed.staff_same
            await _join(work, candidate, actor, report, files)
            return candidate, Filed.joined
    ticket = await _open(work, actor=actor, grid_id=grid_id, community_id=community_id, report=report,
                         files=files)
    return ticket, Filed.opened


# a building a group may be told: up to three digits or one letter (3号楼, B座); four digits are what
# a masked phone number shows (139****5678), and a ticket filed before the place reader learnt to
# keep out of numbers may hold one
_SHOWN_BUILDING = re.compile(r"\d{1,3}|[A-Z]")


def problem_label(ticket: Ticket) -> str | None:
    """What the ticket is about, from fields (building number, object, fault), never typed words:
    “3号楼楼道灯不亮”. None when the words name no object we know."""
    building = str((ticket.location or {}).get("building") or "")
    return problem_of(ticket.text).label(building if _SHOWN_BUILDING.fullmatch(building) else None)


async def _join(work: Work, ticket: Ticket, actor: Actor, report: Report, files: tuple[str, ...] = ()) -> None:
    assert ticket.id is not None
    if not await ticket_store.is_reporter(work.session, ticket.id, actor.platform, actor.im_user):
        work.session.add(TicketReporter(
            ticket_id=ticket.id, platform=actor.platform, user_id=actor.im_user,
            user_name=actor.name, chat_id=actor.chat_id, text=report.text, joined_at=work.now))
        ticket.duplicate_count += 1
    ticket.updated_at = work.now
    work.session.add(ticket)
    await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                 actor_role=actor.main_role, action="duplicate_joined",
                                 from_state=ticket.state, to_state=ticket.state, note=report.text,
                                 inbound_id=work.inbound_id)
    assignee = await _person(work, ticket.assignee_id)
    if assignee and assignee.im_user:
        # Forty residents reporting one outage are one updated notice a minute, not forty.
        await work.notify(assignee.im_user, lambda: _(
            "Another report of the same problem joined ticket {no} ({count} reporters): {text}"
        ).format(no=ticket.no, count=ticket.duplicate_count + 1, text=report.text), ticket=ticket.no,
            priority=_priority(ticket), files=files,  # a notice with a photo is its own, never merged
            merge=None if files else f"joined|{ticket.no}", merge_window=JOINED_NOTICE_WINDOW)


async def _open(
    work: Work, *, actor: Actor, grid_id: str | None, community_id: str, report: Report,
    files: tuple[str, ...] = (),
) -> Ticket:
    cat = category(report.category)
    no = await ticket_store.next_ticket_no(work.session, work.local().date())
    handler = await _first_of(work, grid_id, "grid_worker") if grid_id else None
    handler = handler or await _first_of(work, community_id, "cadre")
    ticket = Ticket(
        no=no, state=State.reported, category=cat.id, department=report.department,
        urgency=report.urgency, nature=report.nature, grid_id=grid_id, community_id=community_id,
        assignee_id=handler.id if handler else None, reporter_platform=actor.platform,
        reporter_user=actor.im_user, reporter_name=actor.name, chat_id=actor.chat_id,
        text=report.text, location=report.location, keywords=report.keywords,
        requires_on_site=cat.requires_on_site, report_to_street=cat.report_to_street,
        created_at=work.now, updated_at=work.now,
        accept_due_at=deadlines.accept_due(work.calendar, work.now, report.urgency, work.tz),
        due_at=deadlines.resolve_due(work.calendar, work.now, report.urgency, work.tz),
    )
    work.session.add(ticket)
    await work.session.flush()
    assert ticket.id is not None
    if not actor.is_staff:  # staff who file what they saw on their rounds do not rate it
        work.session.add(TicketReporter(ticket_id=ticket.id, platform=actor.platform,
                                        user_id=actor.im_user, user_name=actor.name,
                                        chat_id=actor.chat_id, text=report.text, original=True,
                                        joined_at=work.now))
    await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                 actor_role=actor.main_role, action=Action.report, from_state=None,
                                 to_state=State.reported, note=report.text,
                                 data={"urgency": report.urgency, "category": cat.id},
                                 inbound_id=work.inbound_id)
    place = await _place_name(work, grid_id or community_id)

    def notice() -> str:  # in each recipient's language
        return _(
            "New ticket {no} ({category}, {urgency}) in {place} from {reporter}:\n{text}\n"
            "Reply “受理 {no}” to accept. Answer due by {due}."
        ).format(no=no, category=cat.name(), urgency=report.urgency, place=place,
                 reporter=actor.label, text=report.text, due=fmt_due(work, ticket.due_at))

    told = set()
    priority = _priority(ticket)
    for person in [handler, *await ticket_store.people_in_unit(work.session, community_id, "cadre")]:
        if person and person.im_user and person.im_user not in told:
            told.add(person.im_user)
            await work.notify(person.im_user, notice, ticket=no, priority=priority, files=files)
    if report.urgency == "P0":  # the secretary follows it up but does not accept tickets
        def urgent() -> str:  # in each secretary's language
            return _(
                "URGENT (P0): new ticket {no} ({category}) in {place} from {reporter}:\n{text}\n"
                "Handler: {handler}; it must be accepted within 30 minutes. Send “查询 {no}” to follow it."
            ).format(no=no, category=cat.name(), place=place, reporter=actor.label, text=report.text,
                     handler=handler.name if handler else "—")

        for secretary in await ticket_store.people_in_unit(work.session, community_id,
                                                           "community_secretary"):
            if secretary.im_user and secretary.im_user not in told:
                await work.notify(secretary.im_user, urgent, ticket=no, priority=priority, files=files)
    if cat.report_to_street:
        await _report_to_street(work, ticket, place)
    return ticket


async def _report_to_street(work: Work, ticket: Ticket, place: str) -> None:
    """五必报: the street is told automatically (and the item is on the monthly register)."""
    street_id = await _street_of(work, ticket.community_id)
    if street_id is None:
        return
    for secretary in await ticket_store.people_in_unit(work.session, street_id, "street_secretary"):
        if secretary.im_user:
            await work.notify(secretary.im_user, lambda: _(
                "Must-report item (五必报): ticket {no} ({category}, {urgency}) in {place}:\n{text}"
            ).format(no=ticket.no, category=category(ticket.category).name(), urgency=ticket.urgency,
                     place=place, text=ticket.text), ticket=ticket.no, priority=_priority(ticket))
    await ticket_store.add_event(work.session, ticket, at=work.now, actor="system",
                                 action="report_to_street", from_state=ticket.state,
                                 to_state=ticket.state)


def filing_reply(work: Work, ticket: Ticket, handler: Person | None, filed: Filed,
                 works_it: bool = False) -> str:
    """What the group sees: number, category or the problem's label, who, when. Never the
    resident's text. For staff writing about an open ticket's problem (`Filed.staff_same`, said to
    them privately), `works_it` (`may_work`) says whether to offer them 受理/办结."""
    about = problem_label(ticket) or category(ticket.category).name()
    if filed is Filed.joined:
        return _(
            "Joined to ticket {no} ({about}, {state}): you will be told when it is solved. If this is "
            "not the same problem, reply “不是同一问题 {no}”."
        ).format(no=ticket.no, about=about, state=state_label(ticket.state))
    if filed is Filed.staff_same and not works_it:
        return _(
            "This is the problem of ticket {no} ({about}, {state}); staff are not added as "
            "reporters. Send “查询 {no}” to follow it."
        ).format(no=ticket.no, about=about, state=state_label(ticket.state))
    if filed is Filed.staff_same:
        return _(
            "This is the problem of ticket {no} ({about}, {state}); staff are not added as "
            "reporters. To act on it, use a command, e.g. “受理 {no}” or “办结 {no} <what was done>”."
        ).format(no=ticket.no, about=about, state=state_label(ticket.state))
    # by role only: the group learns who is responsible, never a staff member's name
    who = role_label("grid_worker" if ticket.grid_id else "cadre") if handler else _("the community")
    text = _("Ticket {no} filed ({category}). {who} will handle it; expect an answer by {due}.").format(
        no=ticket.no, category=category(ticket.category).name(), who=who, due=fmt_due(work, ticket.due_at)
    )
    if ticket.urgency == "P0":  # what to do now comes first, the ticket after it
        return safety_first(ticket.text) + "\n" + text
    return text


def safety_first(text: str) -> str:
    """The first lines of a P0 answer: what to do this minute, for the danger the words describe."""
    match hazard(text):
        case "gas":
            advice = _("Gas: get everyone out now and keep others away. Do not switch lights or anything "
                       "electric on or off, no flames, no phone calls inside. Call 119 from outside.")
        case "fire":
            advice = _("Fire: call 119 now. Leave by the stairs, never the lift; close doors behind you; "
                       "stay low under smoke.")
        case _:
            return _("If anyone is in danger, call {numbers} now. The community secretary has been told.").format(
                numbers="/".join(emergency_numbers(text)))
    return advice + " " + _("The community secretary has been told.")


# ------------------------------------------------------------------ look-ups and guards


async def load(work: Work, raw_no: str) -> Ticket:
    if not raw_no.strip():
        raise TransitionError(_("Which ticket? Add its number, e.g. “查询 261122-001”."))
    no = normalise_no(raw_no)
    if no is None:
        raise TransitionError(_("“{value}” is not a ticket number (like 261122-001).").format(
            value=raw_no or "…"), public=_("That is not a ticket number (like 261122-001)."))
    ticket = await ticket_store.get_ticket(work.session, no)
    if ticket is None:
        raise TransitionError(_("There is no ticket {no}.").format(no=no))
    return ticket


def area_of(member: Member | None, roles: frozenset[str]) -> frozenset[str]:
    """The roster units where `member`'s grants of `roles` reach: each granted unit and every unit
    under it (Grant.covers). The one area rule: chat's guards, 工单 and the console's board use it."""
    if member is None:
        return frozenset()
    return frozenset(u for g in member.grants if g.role in roles for u in (g.unit_id, *g.covers))


def in_area(area: frozenset[str], ticket: Ticket) -> bool:
    """The ticket's grid or community lies in `area` (from `area_of`)."""
    return (ticket.grid_id is not None and ticket.grid_id in area) or (
        ticket.community_id is not None and ticket.community_id in area)


def may_act(actor: Actor, ticket: Ticket, escalated_to: Iterable[str]) -> bool:
    """Whether the actor may act on the ticket at all: as its handler or secretary by area, or as a
    department it was escalated to (`escalated_to`: department unit ids). Only they see a ticket's
    details: the resident's words, name and contact, in chat (查询) and in the console."""
    return (in_area(area_of(actor.member, HANDLERS), ticket)
            or bool(actor.units(DEPARTMENT_ROLES) & set(escalated_to)))


def may_work(actor: Actor, ticket: Ticket) -> bool:
    """Whether 受理, 办结 … on `ticket` would be taken from `actor`: a role holding those commands
    (`TICKET_WORKERS`) and the ticket inside their area (`check_handler`)."""
    return bool(actor.roles & TICKET_WORKERS) and in_area(area_of(actor.member, HANDLERS), ticket)


def check_handler(actor: Actor, ticket: Ticket) -> None:
    """Grid workers, cadres and secretaries act on tickets inside their own roster units: a grid
    worker their grid, a cadre or community secretary their community (and its grids), a street
    secretary or admin the communities under their street (or district)."""
    if actor.member is None:
        raise TransitionError(_("Only staff can do that."))
    if in_area(area_of(actor.member, HANDLERS), ticket):
        return
    raise TransitionError(_("Ticket {no} is not in your area.").format(no=ticket.no))


async def check_reporter(work: Work, actor: Actor, ticket: Ticket, *, original: bool = False) -> None:
    assert ticket.id is not None
    if actor.is_staff:
        raise TransitionError(_(
            "Only the residents who reported ticket {no} can do that; staff do not rate or withdraw "
            "reports."
        ).format(no=ticket.no))
    if original:
        ok = ticket.reporter_user == actor.im_user and ticket.reporter_platform == actor.platform
    else:
        ok = await ticket_store.is_reporter(work.session, ticket.id, actor.platform, actor.im_user)
    if not ok:
        raise TransitionError(_("Only the resident who reported ticket {no} can do that.").format(
            no=ticket.no))


async def _apply(
    work: Work, ticket: Ticket, actor: Actor, action: Action, *, note: str | None = None,
    data: dict[str, object] | None = None, **guards: object,
) -> str:
    """Run the domain transition, store it and its audit event; returns the previous state."""
    outcome = transition(ticket.state, action, on_site_done=ticket.on_site_at is not None,
                         requires_on_site=ticket.requires_on_site, **guards)  # type: ignore[arg-type]
    before = ticket.state
    ticket.state = outcome.state
    if outcome.resolution is not None:
        ticket.resolution = outcome.resolution
        ticket.closed_at = work.now
    ticket.updated_at = work.now
    work.session.add(ticket)
    await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                 actor_role=actor.main_role, action=action, from_state=before,
                                 to_state=ticket.state, note=note, data=data, inbound_id=work.inbound_id)
    return before


# ------------------------------------------------------------------ staff actions


async def accept(work: Work, actor: Actor, ticket: Ticket) -> str:
    check_handler(actor, ticket)
    await _apply(work, ticket, actor, Action.accept)
    _credit(ticket, actor, "accepted_by_id")
    await tell_reporters(work, ticket, lambda: _(
        "Your report (ticket {no}) has been accepted by {name}."
    ).format(no=ticket.no, name=actor.label))
    return _("Ticket {no} accepted. Answer due by {due}.").format(
        no=ticket.no, due=fmt_due(work, ticket.due_at))


async def on_site(work: Work, actor: Actor, ticket: Ticket) -> str:
    check_handler(actor, ticket)
    await _apply(work, ticket, actor, Action.on_site)
    ticket.on_site_at = ticket.on_site_at or work.now
    return _("Ticket {no}: on-site visit recorded at {time}.").format(
        no=ticket.no, time=f"{work.local():%H:%M}")


async def resolve(work: Work, actor: Actor, ticket: Ticket, note: str) -> str:
    """办结. The handler's pictures from just before (same chat, `PAIR_WINDOW`) are the evidence of
    the work and go to the reporters with the notice; a picture just after joins it then
    (bot.services.photos). A category in `[tickets] resolve_photo_required` needs one first."""
    check_handler(actor, ticket)
    if not note:
        raise TransitionError(_("Say what was done: “办结 {no} <what was done>”.").format(no=ticket.no))
    evidence = await _waiting_photos(work, actor)
    if work.photos is not None and work.photos.required(ticket.category) and not evidence \
            and not await work.photos.of_ticket(work, ticket, [PhotoRole.evidence]):
        raise TransitionError(_(
            "Ticket {no} ({category}) needs a photo of the work done: send the photo, then "
            "“办结 {no} <what was done>” again.").format(no=ticket.no, category=category(ticket.category).name()))
    await _apply(work, ticket, actor, Action.resolve, note=note)
    ticket.resolved_at = work.now
    _credit(ticket, actor, "resolved_by_id")
    files = await _keep_photos(work, evidence, ticket, PhotoRole.evidence)
    await tell_reporters(work, ticket, lambda: _(
        "Your report (ticket {no}) has been dealt with: {note}\n"
        "Please rate it: “评价 {no} 满意”, “评价 {no} 基本满意” or “评价 {no} 不满意”."
    ).format(no=ticket.no, note=note), files=files, joined=lambda: _(
        "The problem you reported (ticket {no}, {category}) was dealt with on {when}.\n"
        "Please rate it: “评价 {no} 满意”, “评价 {no} 基本满意” or “评价 {no} 不满意”."
    ).format(no=ticket.no, category=category(ticket.category).name(), when=due_text(work.now, work.tz)))
    answer = _("Ticket {no} resolved. The reporter has been asked to rate it.").format(no=ticket.no)
    if files:
        answer += "\n" + _("The photo of the work goes to the reporter with the notice.")
    return answer


async def photo_added(work: Work, actor: Actor, ticket: Ticket, photo: Photo, role: PhotoRole) -> str:
    """A picture placed on a ticket after its words (bot.services.photos.place): the handler's
    evidence goes to the reporters, a reporter's picture to the handler and the community's
    cadres, each privately. The answer to the sender (fields only: it may be said in a group)."""
    files = await work.photos.files([photo]) if work.photos is not None else ()
    if role == PhotoRole.evidence:
        await tell_reporters(work, ticket, lambda: _("Photo of the work done on ticket {no}.").format(
            no=ticket.no), files=files)
        return _("Photo added to ticket {no} as the evidence of the work; the reporter gets it.").format(no=ticket.no)
    await _tell_of_reporters_photos(work, actor, ticket, lambda: _("Photo from the reporter of ticket {no}.").format(
        no=ticket.no), files)
    return _("Photo added to ticket {no}.").format(no=ticket.no)


async def _tell_of_reporters_photos(work: Work, actor: Actor, ticket: Ticket, text: Text,
                                    files: tuple[str, ...]) -> None:
    """A reporter's pictures go to the handler and the community's stationed cadres, privately,
    whichever came first, the picture or its words (`补充`, a picture after a report)."""
    told: set[str] = set()
    cadres = await ticket_store.people_in_unit(work.session, ticket.community_id, "cadre") \
        if ticket.community_id else []
    for person in [await _person(work, ticket.assignee_id), *cadres]:
        if person and person.im_user and person.im_user not in told and person.im_user != actor.im_user:
            told.add(person.im_user)
            await work.notify(person.im_user, text, ticket=ticket.no, files=files)


async def _waiting_photos(work: Work, actor: Actor) -> list[Photo]:
    """The actor's pictures in this chat from the last minutes that are on no ticket yet."""
    if work.photos is None:
        return []
    return await work.photos.waiting(work, platform=actor.platform, user_id=actor.im_user, chat_id=actor.chat_id)


async def _keep_photos(work: Work, photos: Sequence[Photo], ticket: Ticket, role: PhotoRole) -> tuple[str, ...]:
    """Put the pictures on the ticket; the paths of the copies notices carry."""
    if work.photos is None or not photos:
        return ()
    files = await work.photos.files(photos)
    await work.photos.attach(work, photos, ticket, role)
    return files


async def escalate(work: Work, actor: Actor, ticket: Ticket, names: Sequence[str]) -> str:
    """吹哨: call one or more departments (the first named leads); 3 working days to answer."""
    check_handler(actor, ticket)
    if not names:
        raise TransitionError(_("Name the department: “吹哨 {no} 住建”.").format(no=ticket.no))
    departments: list[OrgUnit] = []
    for name in names:
        department = await ticket_store.department_by_name(work.session, name)
        if department is None:
            known = "、".join(d.name for d in await ticket_store.departments(work.session))
            raise TransitionError(_("There is no department “{name}” in the roster. Departments: {known}.").format(
                name=name, known=known), public=_("There is no such department in the roster."))
        if department not in departments:
            departments.append(department)
    assert ticket.id is not None
    existing = {e.department_id for e in await ticket_store.escalations(work.session, ticket.id)}
    due = deadlines.feedback_due(work.calendar, work.now, work.tz)
    await _apply(work, ticket, actor, Action.escalate,
                 data={"departments": [d.id for d in departments],
                       "own_due": ticket.due_at.isoformat() if ticket.due_at else None})
    _credit(ticket, actor, "escalated_by_id")
    ticket.due_at = deadlines.escalated_due(ticket.due_at, due)  # the department's clock now runs
    ticket.supervised = False
    place = await _place_name(work, ticket.grid_id or ticket.community_id)
    for index, department in enumerate(departments):
        if department.id in existing:
            continue
        work.session.add(Escalation(ticket_id=ticket.id, department_id=department.id,
                                    lead=index == 0 and not existing, whistled_at=work.now,
                                    feedback_due=due))
        for liaison in await ticket_store.people_in_unit(work.session, department.id,
                                                         "department_liaison"):
            if liaison.im_user:
                await work.notify(liaison.im_user, lambda department=department: _(
                    "Whistle (吹哨报到): ticket {no} ({category}) in {place} needs {department}:\n"
                    "{text}\nReply “报到 {no}” now and “反馈 {no} <what was done>” by {due}."
                ).format(no=ticket.no, category=category(ticket.category).name(),
                         place=place,
                         department=department.name, text=ticket.text, due=fmt_due(work, due)),
                    ticket=ticket.no)
    return _("Whistle blown on ticket {no} to {departments}; feedback due by {due}.").format(
        no=ticket.no, departments="、".join(d.name for d in departments), due=fmt_due(work, due))


async def _my_escalation(work: Work, actor: Actor, ticket: Ticket) -> Escalation:
    assert ticket.id is not None
    mine = actor.units(DEPARTMENT_ROLES)
    for escalation in await ticket_store.escalations(work.session, ticket.id):
        if escalation.department_id in mine:
            return escalation
    raise TransitionError(_("Ticket {no} has not been escalated to your department.").format(
        no=ticket.no))


async def dept_report(work: Work, actor: Actor, ticket: Ticket) -> str:
    escalation = await _my_escalation(work, actor, ticket)
    await _apply(work, ticket, actor, Action.dept_report,
                 data={"department": escalation.department_id})
    escalation.reported_at = escalation.reported_at or work.now
    work.session.add(escalation)
    department = await work.session.get(OrgUnit, escalation.department_id)
    await _tell_workers(work, ticket, lambda: _("{department} has reported in on ticket {no}.").format(
        department=department.name if department else "", no=ticket.no))
    return _("Reported in on ticket {no}. Feedback due by {due}.").format(
        no=ticket.no, due=fmt_due(work, escalation.feedback_due))


async def dept_feedback(work: Work, actor: Actor, ticket: Ticket, note: str) -> str:
    escalation = await _my_escalation(work, actor, ticket)
    if not note:
        raise TransitionError(_("Say what was done: “反馈 {no} <what was done>”.").format(no=ticket.no))
    if escalation.feedback_at is not None:
        raise TransitionError(_("Your department has already fed back on ticket {no}.").format(
            no=ticket.no))
    assert ticket.id is not None
    pending = [e for e in await ticket_store.escalations(work.session, ticket.id)
               if e.feedback_at is None and e.id != escalation.id]
    escalation.feedback_at, escalation.feedback = work.now, note
    escalation.reported_at = escalation.reported_at or work.now
    work.session.add(escalation)
    await _apply(work, ticket, actor, Action.dept_feedback, note=note,
                 data={"department": escalation.department_id}, pending_departments=len(pending))
    department = await work.session.get(OrgUnit, escalation.department_id)
    name = department.name if department else ""
    def message() -> str:  # in each recipient's language
        said = _("{department} fed back on ticket {no}: {note}").format(department=name, no=ticket.no, note=note)
        if pending:
            return said
        return said + "\n" + _("All departments have answered; close it with “办结 {no} <result>”.").format(
            no=ticket.no)

    await _tell_workers(work, ticket, message)
    return _("Feedback on ticket {no} recorded.").format(no=ticket.no)


async def reassign(work: Work, actor: Actor, ticket: Ticket, name: str) -> str:
    check_handler(actor, ticket)
    grids = await ticket_store.grids_of(work.session, ticket.community_id) if ticket.community_id else []
    units = [u for u in (ticket.grid_id, ticket.community_id, *grids) if u]
    staff = await ticket_store.staff_named(work.session, name, units, sorted(HANDLERS))
    if not staff:
        raise TransitionError(_("{name} is not staff of this ticket's grid or community.").format(
            name=name or "…"), public=_("That person is not staff of this ticket's grid or community."))
    target, unit, role = staff[0]
    await _apply(work, ticket, actor, Action.reassign, data={"to": target.id})
    ticket.assignee_id = target.id
    if unit in grids:  # passed to the worker of another grid of the community: the ticket moves with it
        ticket.grid_id = unit
    if target.im_user:
        await work.notify(target.im_user, lambda: _(
            "Ticket {no} ({category}) has been passed to you by {by}:\n{text}"
        ).format(no=ticket.no, category=category(ticket.category).name(), by=actor.label,
                 text=ticket.text), ticket=ticket.no)
    # said where the command was given (a group, too): the colleague by role, never by name
    return _("Ticket {no} passed to the {role}.").format(no=ticket.no, role=role_label(role))


async def extend(work: Work, actor: Actor, ticket: Ticket, days: int, reason: str) -> str:
    check_handler(actor, ticket)
    if not reason:
        raise TransitionError(_("Give a reason: “延期 {no} {days}天 <reason>”.").format(no=ticket.no, days=days))
    if days < 1 or ticket.extension_days + days > deadlines.MAX_EXTENSION_DAYS:
        raise TransitionError(_("A ticket can be extended by at most {max} working days in all.").format(
            max=deadlines.MAX_EXTENSION_DAYS))
    await _apply(work, ticket, actor, Action.extend, note=reason, data={"days": days})
    base = max(ticket.due_at or work.now, work.now)
    ticket.due_at = deadlines.working_deadline(work.calendar, base, days, work.tz)
    ticket.extension_days += days
    ticket.supervised = False
    await tell_managers(work, ticket, lambda: _(
        "Ticket {no} extended by {days} working days by {by} (new due {due}): {reason}"
    ).format(no=ticket.no, days=days, by=actor.label, due=fmt_due(work, ticket.due_at), reason=reason))
    return _("Ticket {no} extended; new due {due}.").format(no=ticket.no, due=fmt_due(work, ticket.due_at))


async def verify(work: Work, actor: Actor, ticket: Ticket, passed: bool, reason: str) -> str:
    check_manager(actor, ticket)
    if passed:
        await _apply(work, ticket, actor, Action.verify_pass)
        await award_points(work, ticket)
        await tell_reporters(work, ticket, lambda: _("Your report (ticket {no}) has been checked and closed.").format(
            no=ticket.no))
        return _("Ticket {no} checked and closed.").format(no=ticket.no)
    if not reason:
        raise TransitionError(_("Give a reason: “核查 {no} 退回 <reason>”.").format(no=ticket.no))
    await _apply(work, ticket, actor, Action.verify_fail, note=reason)
    ticket.rework_count += 1
    await _tell_assignee(work, ticket, lambda: _("Ticket {no} was sent back by {by}: {reason}").format(
        no=ticket.no, by=actor.label, reason=reason))
    return _("Ticket {no} sent back for more work.").format(no=ticket.no)


async def close(work: Work, actor: Actor, ticket: Ticket, note: str = "") -> str:
    """结案 by a secretary. A resolved ticket closes as solved; any other needs the reason (the
    note), which is what the reporter is told: nobody is told "answered" unless somebody was."""
    check_manager(actor, ticket)
    if not note and ticket.state != State.resolved:
        raise TransitionError(_(
            "Ticket {no} has not been resolved; say why it is closed, and the reporter will be told: "
            "“结案 {no} <reason>”."
        ).format(no=ticket.no))
    await _apply(work, ticket, actor, Action.close, note=note or None)
    if ticket.resolution == Resolution.fixed:
        await award_points(work, ticket)
    def told() -> str:  # in each reporter's language
        if note:
            return _("Your report (ticket {no}) has been closed by the community secretary: {note}").format(
                no=ticket.no, note=note)
        return _("Your report (ticket {no}) was resolved and has been closed by the community secretary.").format(
            no=ticket.no)

    await tell_reporters(work, ticket, told, joined=lambda: _(
        "The problem you reported (ticket {no}, {category}) was closed by the community secretary on "
        "{when} ({resolution})."
    ).format(no=ticket.no, category=category(ticket.category).name(), when=due_text(work.now, work.tz),
             resolution=resolution_label(ticket.resolution or Resolution.fixed)))
    return _("Ticket {no} closed ({resolution}).").format(
        no=ticket.no, resolution=resolution_label(ticket.resolution or "fixed"))


def check_manager(actor: Actor, ticket: Ticket) -> None:
    """Secretaries (and admins) close and check tickets of the communities under their unit."""
    if actor.member is None:
        raise TransitionError(_("Only staff can do that."))
    if in_area(area_of(actor.member, MANAGERS), ticket):
        return
    raise TransitionError(_("Ticket {no} is not in your area.").format(no=ticket.no))


# ------------------------------------------------------------------ reporters' actions


async def supplement(work: Work, actor: Actor, ticket: Ticket, text: str) -> str:
    """补充 <no> [details]: words, the reporter's pictures from just before, or (neither) a picture
    expected next: the next picture within `PAIR_WINDOW` joins the ticket (bot.services.photos)."""
    await check_reporter(work, actor, ticket)
    photos = await _waiting_photos(work, actor)
    if not text and not photos:
        if work.photos is None:
            raise TransitionError(_("Add the details: “补充 {no} <details>”.").format(no=ticket.no))
        await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                     actor_role=actor.main_role, action=AWAITING_PHOTO,
                                     from_state=ticket.state, to_state=ticket.state)
        return _("Send the photo now: it will be added to ticket {no}.").format(no=ticket.no)
    await _apply(work, ticket, actor, Action.supplement, note=text or None)
    files = await _keep_photos(work, photos, ticket, PhotoRole.supplement)

    def more() -> str:
        return _("More on ticket {no} from the reporter: {text}").format(no=ticket.no, text=text or _("a photo"))

    if files:
        await _tell_of_reporters_photos(work, actor, ticket, more, files)
    else:
        await _tell_assignee(work, ticket, more)
    return _("Added to ticket {no}.").format(no=ticket.no)


async def withdraw(work: Work, actor: Actor, ticket: Ticket) -> str:
    await check_reporter(work, actor, ticket, original=True)
    await _apply(work, ticket, actor, Action.withdraw)
    await _tell_assignee(work, ticket, lambda: _("Ticket {no} was withdrawn by the reporter.").format(no=ticket.no))
    return _("Ticket {no} withdrawn.").format(no=ticket.no)


async def rate(work: Work, actor: Actor, ticket: Ticket, satisfaction: str) -> str:
    """满意/基本满意 closes a resolved ticket; 不满意 reopens it (also one closed as solved or
    answered). Only the ticket's residents rate, and only a resolved ticket or one closed as fixed
    or explained (TransitionError saying why otherwise)."""
    await check_reporter(work, actor, ticket)
    was_closed = ticket.state == State.closed
    transition(ticket.state, Action.rate, satisfaction=satisfaction, resolution=ticket.resolution)
    if satisfaction == "不满意":
        await _apply(work, ticket, actor, Action.rate, satisfaction=satisfaction,
                     resolution=ticket.resolution)
        ticket.satisfaction, ticket.resolution, ticket.closed_at = satisfaction, None, None
        ticket.reopen_count += 1
        ticket.due_at = deadlines.resolve_due(work.calendar, work.now, ticket.urgency, work.tz)
        def message() -> str:  # in each recipient's language
            return _("Ticket {no} reopened: the reporter is not satisfied. New due {due}.").format(
                no=ticket.no, due=fmt_due(work, ticket.due_at))

        await _tell_assignee(work, ticket, message)
        await tell_managers(work, ticket, message)
        return _("Sorry it is not solved yet. Ticket {no} has been reopened and will be followed up.").format(
            no=ticket.no)
    if was_closed:  # a rating after closing: recorded, state unchanged
        ticket.satisfaction = satisfaction
        work.session.add(ticket)
        await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                     actor_role=actor.main_role, action=Action.rate,
                                     from_state=ticket.state, to_state=ticket.state, note=satisfaction)
    else:
        await _apply(work, ticket, actor, Action.rate, note=satisfaction, satisfaction=satisfaction)
        ticket.satisfaction = satisfaction
        await award_points(work, ticket)
    return _("Thank you. Ticket {no} is closed ({satisfaction}).").format(
        no=ticket.no, satisfaction=satisfaction)


async def split(
    work: Work, actor: Actor, ticket: Ticket, make_report: Callable[[str], Report],
) -> Ticket:
    """不是同一问题: a reporter joined to `ticket` as a duplicate says it is another problem; their
    report leaves the ticket and is filed as a new one (no duplicate check: they just said so).
    `make_report` reads their words again (the parser). Returns the new ticket."""
    assert ticket.id is not None
    if actor.is_staff:
        raise TransitionError(_("Only a resident whose report was joined to ticket {no} can split it off.").format(
            no=ticket.no))
    row = await ticket_store.reporter_row(work.session, ticket.id, actor.platform, actor.im_user)
    if row is None or row.original:
        raise TransitionError(
            _("Your report is ticket {no} itself, not one joined to it; to report another problem, "
              "just describe it.").format(no=ticket.no) if row is not None else
            _("Only a resident whose report was joined to ticket {no} can split it off.").format(no=ticket.no))
    await work.session.delete(row)
    ticket.duplicate_count = max(ticket.duplicate_count - 1, 0)
    ticket.updated_at = work.now
    work.session.add(ticket)
    await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                 actor_role=actor.main_role, action="duplicate_split",
                                 from_state=ticket.state, to_state=ticket.state, note=row.text)
    report = make_report(row.text or "")
    split_actor = Actor(actor.im_user, row.user_name or actor.name, actor.member, actor.platform,
                        row.chat_id or actor.chat_id)
    assert ticket.community_id is not None
    new = await _open(work, actor=split_actor, grid_id=ticket.grid_id, community_id=ticket.community_id,
                      report=report)
    await ticket_store.add_event(work.session, new, at=work.now, actor=actor.im_user,
                                 actor_role=actor.main_role, action="split_from", from_state=new.state,
                                 to_state=new.state, data={"ticket": ticket.no})
    return new


# ------------------------------------------------------------------ side effects


async def award_points(work: Work, ticket: Ticket) -> None:
    """Points for the departments of a solved 吹哨 item (once per department and kind)."""
    assert ticket.id is not None
    escalations = await ticket_store.escalations(work.session, ticket.id)
    ordered = sorted(escalations, key=lambda e: (not e.lead, e.id or 0))
    for department_id, kind, value in points.solved_awards([e.department_id for e in ordered]):
        await ticket_store.add_points(work.session, department_id=department_id, ticket_id=ticket.id,
                                      kind=kind, points=value, at=work.now, year=work.local().year)


async def tell_reporters(work: Work, ticket: Ticket, text: Text, *, joined: Text | None = None,
                         files: tuple[str, ...] = ()) -> None:
    """Private word to everyone who reported it (original and joined duplicates), each in their
    language, masked (phones, IDs, rooms, doors, the reporters' names). When `text` carries a
    handler's free note, which is the answer to the original report and may name that household
    and its neighbours, a resident whose report only joined the ticket gets `joined` instead: the
    outcome built from fields (state, category, resolution, time), since no masking can find every
    name a handler may write. `files`: pictures it carries (the handler's evidence): privately, and
    like the free note only to the original reporter, since a photo of the work may show that
    household as no field does; a notice that only captions such a picture (`files` and no
    `joined`) is not sent to the others at all."""
    assert ticket.id is not None
    reporters = await ticket_store.reporters(work.session, ticket.id)
    names = [r.user_name or "" for r in reporters] + [ticket.reporter_name or ""]
    for reporter in reporters:
        if reporter.original:
            told, pictures = text, files
        elif joined is not None:
            told, pictures = joined, ()
        elif files:
            continue
        else:
            told, pictures = text, ()
        words = mask(await work.text_for(reporter.user_id, told), rooms=True, names=names)
        await work.send(OutboundMessage(platform=reporter.platform, kind=OutboundKind.notice, text=words,
                                        user_id=reporter.user_id, ticket=ticket.no, files=pictures))


async def _tell_assignee(work: Work, ticket: Ticket, text: Text, *, files: tuple[str, ...] = ()) -> None:
    assignee = await _person(work, ticket.assignee_id)
    if assignee and assignee.im_user:
        await work.notify(assignee.im_user, text, ticket=ticket.no, files=files)


async def _tell_workers(work: Work, ticket: Ticket, text: Text) -> None:
    """The handler, whoever blew the whistle (吹哨) and whoever accepted it, once each: the
    departments' answers are for the people who called them and work the ticket."""
    told: set[str] = set()
    for person_id in (ticket.assignee_id, ticket.escalated_by_id, ticket.accepted_by_id):
        person = await _person(work, person_id)
        if person and person.im_user and person.im_user not in told:
            told.add(person.im_user)
            await work.notify(person.im_user, text, ticket=ticket.no)


def _credit(ticket: Ticket, actor: Actor, column: str) -> None:
    """Record who did this part of the work; the handler follows the person who did it."""
    if actor.person_id is None:
        return
    setattr(ticket, column, actor.person_id)
    ticket.assignee_id = actor.person_id


async def tell_managers(
    work: Work, ticket: Ticket, text: Text, *, duty: str | None = None, period: str | None = None
) -> None:
    """The community secretary; with `duty` and `period`, at most once each (reminders)."""
    if not ticket.community_id:
        return
    for secretary in await ticket_store.people_in_unit(work.session, ticket.community_id,
                                                       "community_secretary"):
        if not secretary.im_user:
            continue
        if duty and period:
            await work.notify_once(secretary.im_user, text, duty=duty, period=period, ticket=ticket.no)
        else:
            await work.notify(secretary.im_user, text, ticket=ticket.no)


async def tell_admins_of_unbound_chat(work: Work, platform: str, chat_id: str) -> None:
    """A resident's report came from a group chat bound to no grid or community: it cannot be
    routed, and nobody may be left unaware. Admins hear of each such chat once a day (the chat's
    id and platform only, never the words)."""
    key = hashlib.sha1(f"{platform}|{chat_id}".encode()).hexdigest()[:12]
    period = f"{work.local():%Y%m%d}:{key}"
    def text() -> str:  # in each admin's language (the resident who wrote may use another)
        return _(
            "A resident reported a problem in chat {chat} ({platform}), which is not bound to any grid "
            "or community, so no ticket could be filed. Add the chat to the roster's chats sheet "
            "(gridbot roster import)."
        ).format(chat=chat_id, platform=platform)

    for admin in await people_with_role(work.session, "admin"):
        if admin.im_user:
            await work.notify_once(admin.im_user, text, duty="unbound_chat", period=period,
                                   kind=OutboundKind.notice)


async def _person(work: Work, person_id: str | None) -> Person | None:
    return await work.session.get(Person, person_id) if person_id else None


async def _first_of(work: Work, unit_id: str, role: str) -> Person | None:
    people = await ticket_store.people_in_unit(work.session, unit_id, role)
    return people[0] if people else None


async def _place_name(work: Work, unit_id: str | None) -> str:
    unit = await work.session.get(OrgUnit, unit_id) if unit_id else None
    return unit.name if unit else "—"


async def _street_of(work: Work, community_id: str | None) -> str | None:
    unit = await work.session.get(OrgUnit, community_id) if community_id else None
    return unit.parent_id if unit else None


def describe(work: Work, ticket: Ticket, *, staff: bool) -> str:
    """One ticket for 查询: residents see state and category only (no names, no text)."""
    line = _("Ticket {no}: {category}, {state}").format(
        no=ticket.no, category=category(ticket.category).name(), state=state_label(ticket.state))
    if ticket.state == State.closed and ticket.resolution:
        line += _(" ({resolution})").format(resolution=resolution_label(ticket.resolution))
    if ticket.state in OPEN:
        line += _(", due {due}").format(due=fmt_due(work, ticket.due_at))
    if staff:
        line += "\n" + ticket.text
    return line

