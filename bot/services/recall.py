"""A resident takes a message back (WeChat's 撤回: 微信客服's `user_recall_msg`, the bridge's
`kind: "recall"`). The street office's rule: recalled words are not shown on, anywhere the bot
keeps them; what the message filed is undone only while nobody has acted on it.

- The message's words leave the inbound log (its row reads as a system line, `recalled`), the
  ticket, the reporter's entry, the events it wrote, and the bot's notices about it (queued or
  sent), each replaced by a marker. A message not handled yet is never handled.
- A ticket it opened that is still only `reported` is withdrawn as if the resident had sent
  “撤回 <number>” (the handler is told); the resident is told so.
- A ticket staff already accepted (or more) stays: the work is real, and the category, place,
  deadlines and history are fields. Its handler is told the words were taken back, and the
  resident that it stays open and how to withdraw it.
- A report that joined someone else's ticket, a supplement, a command: only the words go.
- A picture taken back leaves the ticket and the media store.

In a group, a recall the gateway passes on is the same; recalls by a group owner of another's
message find nothing of the owner's and change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.tickets import Action, State
from bot.events import MessageKind
from bot.i18n import _
from bot.services import tickets
from bot.services.tickets import Actor
from bot.services.work import Work
from storage import inbound_store, outbox_store, ticket_store
from storage.models import InboundStatus, Person, Ticket

RECALLED = "recalled"  # inbound_log.shape_detail of a message taken back


@dataclass
class Recalled:
    """What a recall changed: tickets withdrawn (nobody had acted), tickets kept without the words."""

    withdrawn: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def marker() -> str:
    return _("(recalled by the resident)")


async def recall(work: Work, actor: Actor, msg_id: str) -> Recalled | None:
    """Take back `actor`'s message `msg_id` on their platform. None when there is no such message
    of theirs (never received, someone else's, or taken back already)."""
    target = await inbound_store.recorded(work.session, actor.platform, actor.im_user, msg_id)
    if target is None or target.id is None or target.kind == MessageKind.recall or target.shape_detail == RECALLED:
        return None
    words, hidden = target.text, marker()
    target.text, target.shape, target.shape_detail = "", "system", RECALLED
    target.media = None
    work.session.add(target)
    if work.photos is not None:  # a picture taken back goes with it (bot.services.photos)
        await work.photos.forget(work, target.id)
    outcome = Recalled()
    if target.status == InboundStatus.received:  # not handled yet: it never will be
        target.status, target.processed_at = InboundStatus.done, work.now
        return outcome
    events = await ticket_store.events_from(work.session, target.id)
    filed = {e.note for e in events if e.note}  # the words as the report read them (a quote stripped)
    for said in sorted({words, *filed}, key=len, reverse=True):
        await outbox_store.redact(work.session, target.id, said, hidden)
    for ticket_id in dict.fromkeys(e.ticket_id for e in events):
        ticket = await work.session.get(Ticket, ticket_id)
        assert ticket is not None
        mine = [e for e in events if e.ticket_id == ticket_id]
        for event in mine:
            if event.note:
                event.note = hidden
                work.session.add(event)
        reporter = await ticket_store.reporter_row(work.session, ticket_id, actor.platform, actor.im_user)
        if reporter is not None and reporter.text in filed | {words}:
            reporter.text = hidden
            work.session.add(reporter)
        if not any(e.action == Action.report for e in mine):
            continue
        ticket.text = hidden
        work.session.add(ticket)
        if ticket.state == State.reported and not actor.is_staff and ticket.reporter_user == actor.im_user:
            await tickets.withdraw(work, actor, ticket)
            outcome.withdrawn.append(ticket.no)
        else:
            await ticket_store.add_event(work.session, ticket, at=work.now, actor=actor.im_user,
                                         actor_role=actor.main_role, action=RECALLED, from_state=ticket.state,
                                         to_state=ticket.state, inbound_id=work.inbound_id)
            await _tell_handler(work, ticket)
            outcome.kept.append(ticket.no)
    return outcome


async def _tell_handler(work: Work, ticket: Ticket) -> None:
    handler = await work.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    if handler is not None and handler.im_user:
        await work.notify(handler.im_user, lambda: _(
            "The resident took back (撤回) the message behind ticket {no}. Work on it has begun, so it stays "
            "open; their words are no longer shown."
        ).format(no=ticket.no), ticket=ticket.no)
