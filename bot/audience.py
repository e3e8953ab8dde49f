"""Who may read what the bot says: the one audience rule, applied in one place.

A group chat is public (hundreds of neighbours). Every answer says what it is, and `route` alone
decides where it goes:

- `public`: a short status line built from fields (ticket number, category, state, who handles
  it by role, the deadline, 119/110/120 for P0). It may be said in the group, and is masked there
  (phones, IDs, rooms, doors, every roster name and the residents' display names).
- `sender`: an answer for the sender (a refusal, an error, a list, a ticket's details). Asked in
  a group, it goes privately, with one pointer line in the group ("已私信回复您"); where the
  platform cannot reach the sender privately, the group gets its `public` form (what kind of
  thing was wrong, never what was typed) or nothing.
- `staff`: staff business (签到, 报表, 请假, 不在岗, a cadre's 帮助 …). Privately to the sender,
  never a word in the group.

A public line about a ticket belongs to the groups of the ticket's area only: in a group whose
bound unit does not cover the ticket's grid or community (another grid, community or street, or a
chat bound to none), it is a `sender` answer (`route(…, held=False)`), so neighbours elsewhere
never learn a ticket's number, state or deadline.

Each command declares its audience with its roles (`CommandSpec.audience`), each free-text
handler with its registration; a handler may narrow it for one answer (a public command's error
is `sender`), never widen it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.events import InboundMessage, OutboundKind, OutboundMessage
from bot.i18n import _
from bot.nlp.pii import mask


class Audience(StrEnum):
    public = "public"
    sender = "sender"
    staff = "staff"


_NARROWNESS = {Audience.public: 0, Audience.sender: 1, Audience.staff: 2}

# Platforms on which the bot can write to a group member privately. The smart robot answers only
# the message it was sent (a response_url per chat), and a 公众号 has no groups.
PRIVATE_REACH = frozenset({"demo", "wecom_app", "bridge"})
# Platforms whose user ids are WeCom userids, so a roster person there is reached on the people
# platform (the self-built app) by the same id.
WECOM_IDS = frozenset({"wecom_app", "wecom_robot", "demo"})


def narrowest(*audiences: Audience | str | None) -> Audience:
    """The strictest of the audiences given (None ignored)."""
    found = [Audience(a) for a in audiences if a is not None]
    return max(found, key=_NARROWNESS.__getitem__) if found else Audience.sender


@dataclass(frozen=True)
class Answer:
    """What a handler says: the text for its audience, and for a `sender` answer optionally the
    line the group may see when the sender cannot be reached privately."""

    text: str
    audience: Audience
    public: str | None = None
    ticket: str | None = None


def private_target(origin: InboundMessage, *, is_member: bool, people_platform: str) -> tuple[str, str] | None:
    """(platform, user id) to answer the sender of `origin` privately, or None if there is no way."""
    if origin.platform in PRIVATE_REACH:
        return origin.platform, origin.user_id
    if is_member and origin.platform in WECOM_IDS:
        return people_platform, origin.user_id
    return None


def route(answer: Answer, origin: InboundMessage, *, is_member: bool, people_platform: str,
          names: Iterable[str] = (), pointed: bool = False, held: bool = True) -> list[OutboundMessage]:
    """The messages `answer` becomes, given where the message it answers came from.

    `names` are masked in anything said to a group; `pointed` says the group was already told
    "已私信回复您" for this message (said once, however many private answers follow); `held` says
    the group's bound unit covers the area of the ticket `answer` is about (False: neither its
    public line nor its public form is for this group)."""
    if not held and (answer.audience == Audience.public or answer.public):
        answer = replace(answer, audience=narrowest(answer.audience, Audience.sender),
                         public=_("That ticket is not of this group's area; ask in its own group."))
    def reply(text: str, *, platform: str, chat_id: str | None, user_id: str) -> OutboundMessage:
        return OutboundMessage(platform=platform, kind=OutboundKind.reply, text=text, chat_id=chat_id,
                               user_id=user_id, ticket=answer.ticket)

    if origin.is_private:
        return [reply(answer.text, platform=origin.platform, chat_id=None, user_id=origin.user_id)]
    to_group = [n for n in names if n]
    if answer.audience == Audience.public:
        return [reply(mask(answer.text, rooms=True, names=to_group), platform=origin.platform,
                      chat_id=origin.chat_id, user_id=origin.user_id)]
    target = private_target(origin, is_member=is_member, people_platform=people_platform)
    if target is None:
        if answer.audience == Audience.sender and answer.public:
            return [reply(mask(answer.public, rooms=True, names=to_group), platform=origin.platform,
                          chat_id=origin.chat_id, user_id=origin.user_id)]
        return []
    out = [reply(answer.text, platform=target[0], chat_id=None, user_id=target[1])]
    if answer.audience == Audience.sender and not pointed:
        out.insert(0, reply(_("Replied to you privately."), platform=origin.platform,
                            chat_id=origin.chat_id, user_id=origin.user_id))
    return out
