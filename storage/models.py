"""SQLModel tables. Storage is the only layer that speaks SQL; these rows are what it stores.

Enumerations are kept as short strings (validated where they enter: roster import, domain code) so
that adding a role or a state needs no database migration of an enum type."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Naming convention so Alembic migrations are identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UnitLevel(StrEnum):
    district = "district"
    street = "street"
    community = "community"
    grid = "grid"
    department = "department"


class Role(StrEnum):
    street_secretary = "street_secretary"
    community_secretary = "community_secretary"
    cadre = "cadre"
    sunk_cadre = "sunk_cadre"  # 下沉/包联干部: street staff in a community part-time (≥ 2 working days a week)
    grid_worker = "grid_worker"
    department_liaison = "department_liaison"
    admin = "admin"


class Platform(StrEnum):
    wecom_app = "wecom_app"
    wecom_robot = "wecom_robot"
    mp = "mp"
    bridge = "bridge"
    wecom_kf = "wecom_kf"
    demo = "demo"


class InboundStatus(StrEnum):
    received = "received"
    done = "done"
    failed = "failed"


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class OrgUnit(SQLModel, table=True):
    """A district, street, community, grid or department (roster sheet `units`)."""

    __tablename__ = "org_unit"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    level: str = Field(max_length=16, index=True)
    parent_id: str | None = Field(default=None, foreign_key="org_unit.id", max_length=64, index=True)
    households: int | None = None
    active: bool = True


class Person(SQLModel, table=True):
    """Someone in the roster. Anyone writing to the bot who is not here is a resident."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    im_user: str | None = Field(default=None, max_length=128, unique=True)
    active: bool = True


class PersonOtherId(SQLModel, table=True):
    """A roster person's id on a platform other than WeCom (roster column `other_ids`): a sender
    is this person only on the platform the id is bound to."""

    __tablename__ = "person_other_id"

    platform: str = Field(primary_key=True, max_length=16)
    user_id: str = Field(primary_key=True, max_length=128)
    person_id: str = Field(foreign_key="person.id", max_length=64, index=True)


class RoleGrant(SQLModel, table=True):
    """One roster `people` row: a person holds a role in a unit (a person may have several)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", max_length=64, index=True)
    role: str = Field(max_length=32)
    unit_id: str = Field(foreign_key="org_unit.id", max_length=64, index=True)


class ChatBinding(SQLModel, table=True):
    """A group chat bound to a grid or community (roster sheet `chats`)."""

    __tablename__ = "chat_binding"

    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=128)
    unit_id: str = Field(foreign_key="org_unit.id", max_length=64, index=True)
    name: str = Field(default="", max_length=100)


class TicketSequence(SQLModel, table=True):
    """Daily counter behind ticket numbers YYMMDD-NNN."""

    __tablename__ = "ticket_sequence"

    day: str = Field(primary_key=True, max_length=6)
    last: int = 0


class Ticket(SQLModel, table=True):
    """A grid ticket (网格工单). `state` is the lifecycle; `resolution` says how a closed one ended."""

    __tablename__ = "ticket"

    id: int | None = Field(default=None, primary_key=True)
    no: str = Field(max_length=16, unique=True)
    state: str = Field(max_length=16, index=True)
    resolution: str | None = Field(default=None, max_length=16)
    category: str = Field(max_length=32, index=True)
    department: str | None = Field(default=None, max_length=16)
    urgency: str = Field(max_length=2)
    nature: str | None = Field(default=None, max_length=4)
    grid_id: str | None = Field(default=None, foreign_key="org_unit.id", max_length=64, index=True)
    community_id: str | None = Field(
        default=None, foreign_key="org_unit.id", max_length=64, index=True
    )
    assignee_id: str | None = Field(default=None, foreign_key="person.id", max_length=64, index=True)
    # who did the work (credit in 附件5, the ranking and digests): the last to accept, resolve, escalate
    accepted_by_id: str | None = Field(default=None, foreign_key="person.id", max_length=64)
    resolved_by_id: str | None = Field(default=None, foreign_key="person.id", max_length=64)
    escalated_by_id: str | None = Field(default=None, foreign_key="person.id", max_length=64)
    reporter_platform: str = Field(max_length=16)
    reporter_user: str = Field(max_length=128, index=True)
    reporter_name: str | None = Field(default=None, max_length=100)
    chat_id: str | None = Field(default=None, max_length=128)
    text: str
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    keywords: list[str] | None = Field(default=None, sa_column=Column(JSON))
    requires_on_site: bool = False
    report_to_street: bool = False
    duplicate_of_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    duplicate_count: int = 0
    satisfaction: str | None = Field(default=None, max_length=8)
    reopen_count: int = 0
    rework_count: int = 0
    extension_days: int = 0
    supervised: bool = False  # 督办: overdue and flagged to the secretary
    created_at: datetime = _ts(nullable=False, index=True)
    updated_at: datetime = _ts(nullable=False)
    accept_due_at: datetime | None = _ts()
    due_at: datetime | None = _ts(index=True)
    on_site_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts(index=True)  # reports count what was resolved or closed in a month
    closed_at: datetime | None = _ts(index=True)


class TicketEvent(SQLModel, table=True):
    """Audit trail: every transition and note, with actor and time."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = _ts(nullable=False)
    actor: str = Field(max_length=128)
    actor_role: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str | None = Field(default=None, max_length=16)
    note: str | None = None
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # the message this event came from (a report, a joined report, a supplement …): a message the
    # resident recalls later leads back to what it filed (bot.services.recall)
    inbound_id: int | None = Field(default=None, foreign_key="inbound_log.id", index=True)


class CheckIn(SQLModel, table=True):
    """A cadre's recorded duty: 签到/签退, 夜访, 走访, 党课, 会议, 请假, 谈话, 项目 …"""

    __tablename__ = "checkin"
    __table_args__ = (Index("ix_checkin_person_id_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", max_length=64)
    kind: str = Field(max_length=24, index=True)
    at: datetime = _ts(nullable=False)
    ended_at: datetime | None = _ts()
    count: int | None = None
    note: str | None = None
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class InboundLog(SQLModel, table=True):
    """Every message received, keyed by (platform, user_id, msg_id): a retried message is seen once, and a
    message interrupted by a crash is still here (status `received`) to be processed again."""

    __tablename__ = "inbound_log"
    # Unique per sender: two members' messages may carry the same MsgId (seen in the wild), and
    # neither may be taken for a retry of the other.
    __table_args__ = (UniqueConstraint("platform", "user_id", "msg_id"),
                      Index("ix_inbound_log_sender_received", "platform", "user_id", "received_at"))

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    msg_id: str = Field(max_length=128)
    chat_id: str | None = Field(default=None, max_length=128)
    user_id: str = Field(max_length=128)
    user_name: str | None = Field(default=None, max_length=100)
    text: str
    mentions_bot: bool = False
    kind: str = Field(default="text", max_length=16)  # bot.events.MessageKind
    media: str | None = None  # JSON of the bot.events.MediaRef it carries (a picture's MediaId, URL …)
    # how the normaliser read it (bot.nlp.shape), set when it is processed: text, quote, system, link,
    # notice, relay, chain; the kind of system line or card; addressed to the bot by an @<bot_name>
    shape: str | None = Field(default=None, max_length=16)
    shape_detail: str | None = Field(default=None, max_length=24)
    addressed: bool = False
    received_at: datetime = _ts(nullable=False)
    status: str = Field(default=InboundStatus.received, max_length=12, index=True)
    attempts: int = 0
    error: str | None = None
    processed_at: datetime | None = _ts()
    # Which process is handling a `received` row and until when (renewed while it is queued there);
    # once the lease runs out any live process takes the row over (bot.recovery).
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _ts()


class Outbox(SQLModel, table=True):
    """Outbound messages are written here in the same transaction as the change that caused them,
    then delivered; a crash or an outage delays them but cannot lose or double them."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
                      Index("ix_outbox_merge_key", "merge_key"))

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts(nullable=False)
    platform: str = Field(max_length=16)
    chat_id: str | None = Field(default=None, max_length=128)
    user_id: str | None = Field(default=None, max_length=128)
    kind: str = Field(max_length=16)
    text: str
    ticket_no: str | None = Field(default=None, max_length=16)
    files: list[str] | None = Field(default=None, sa_column=Column(JSON))
    inbound_id: int | None = Field(default=None, foreign_key="inbound_log.id")
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    # 0 = urgent (a P0 ticket: claimed first, may use the reserved rate-limit slots), 1 = normal.
    priority: int = Field(default=1)
    # Repeated notices with one key (a ticket, a person) are merged while the first is unsent.
    merge_key: str | None = Field(default=None, max_length=200)
    merge_window: int | None = None  # seconds: at most one message with this merge_key goes out per window
    # Who holds the lease (a sender's claim token, or "passive:…" for a callback's own answer):
    # a row whose lease was taken over is never marked or sent by its old holder (fencing).
    claimed_by: str | None = Field(default=None, max_length=64)
    status: str = Field(default=OutboxStatus.pending, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = _ts(nullable=False)
    last_error: str | None = None
    sent_at: datetime | None = _ts()


class CsSend(SQLModel, table=True):
    """Each 公众号 customer-service API call that went out (a text piece, a picture): WeChat counts
    every one against the messages a follower's last message (or subscribe) opened."""

    __tablename__ = "cs_send"
    __table_args__ = (Index("ix_cs_send_openid_sent_at", "openid", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=128)
    sent_at: datetime = _ts(nullable=False)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")


class SentNotice(SQLModel, table=True):
    """Reminders and digests already sent: one row per (duty, period, recipient), so a reminder is
    sent at most once, across restarts and with several bot processes."""

    __tablename__ = "sent_notice"
    __table_args__ = (UniqueConstraint("duty", "period", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    duty: str = Field(max_length=48)
    period: str = Field(max_length=32)  # 2026-11, 2026-W48, 2026-Q4, or a ticket's due day: 261201-001@20261201
    recipient: str = Field(max_length=128)
    sent_at: datetime = _ts(nullable=False)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")


class TicketReporter(SQLModel, table=True):
    """Everyone who reported a ticket (the first reporter and those whose report joined it as a
    duplicate); all of them are told when it is solved."""

    __tablename__ = "ticket_reporter"
    __table_args__ = (UniqueConstraint("ticket_id", "platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=128, index=True)
    user_name: str | None = Field(default=None, max_length=100)
    chat_id: str | None = Field(default=None, max_length=128)
    text: str
    original: bool = False
    joined_at: datetime = _ts(nullable=False)


class Escalation(SQLModel, table=True):
    """One department called by 吹哨 for a ticket, with its 3-working-day feedback clock."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("ticket_id", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    department_id: str = Field(foreign_key="org_unit.id", max_length=64, index=True)
    lead: bool = False
    whistled_at: datetime = _ts(nullable=False)
    feedback_due: datetime = _ts(nullable=False, index=True)
    reported_at: datetime | None = _ts()
    feedback_at: datetime | None = _ts()
    feedback: str | None = None
    late: bool = False


class PointsEntry(SQLModel, table=True):
    """The department points ledger (base 60 a year is added when totals are shown)."""

    __tablename__ = "points_entry"
    __table_args__ = (UniqueConstraint("department_id", "ticket_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: str = Field(foreign_key="org_unit.id", max_length=64, index=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    kind: str = Field(max_length=8)  # solo, lead, co, late
    points: float
    year: int = Field(index=True)
    at: datetime = _ts(nullable=False)


class Project(SQLModel, table=True):
    """A lead project (领办项目, 附件6): each cadre commits to 3 a year, at least one 党建."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("person_id", "year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", max_length=64, index=True)
    year: int
    seq: int
    name: str
    party_building: bool = False
    measures: str | None = None
    results: str | None = None
    committed_at: datetime = _ts(nullable=False)
    done_at: datetime | None = _ts()


class ConsoleAccount(SQLModel, table=True):
    """A local web-console login for a roster person (`gridbot console add-user IM_USER`): only the
    argon2 hash of the password is kept."""

    __tablename__ = "console_account"

    im_user: str = Field(primary_key=True, max_length=128)
    password_hash: str = Field(max_length=255)
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the token and its signature; only the token's hash is
    stored, so a copy of the database opens no session. Ended by logout, age or idleness."""

    __tablename__ = "console_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    im_user: str = Field(max_length=128, index=True)
    method: str = Field(max_length=16)  # password, wecom, demo
    created_at: datetime = _ts(nullable=False)
    last_seen_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False, index=True)
    flash: str | None = None  # one message for the next page (the answer to a form)


class ConsoleLoginFailure(SQLModel, table=True):
    """A refused login, by account and by address: the rate limit counts these (kept in the database
    so every process and a restart see the same count)."""

    __tablename__ = "console_login_failure"
    __table_args__ = (Index("ix_console_login_failure_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160)  # user:<im_user> or ip:<address>
    at: datetime = _ts(nullable=False)


class ConsoleKey(SQLModel, table=True):
    """The cookie-signing key when the config gives none: generated once, shared by every process."""

    __tablename__ = "console_key"

    id: int = Field(primary_key=True)
    key: str = Field(max_length=128)
    created_at: datetime = _ts(nullable=False)


class PersonalDataView(SQLModel, table=True):
    """Who saw a ticket's personal data (the resident's words, name, contact) in the console, and
    when: the access record PIPL expects."""

    __tablename__ = "personal_data_view"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False, index=True)
    viewer: str = Field(max_length=128, index=True)  # im_user of the staff member
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    what: str = Field(max_length=32)  # ticket_detail, export, ...


class KfCursor(SQLModel, table=True):
    """Where reading a 微信客服 account's messages (`kf/sync_msg`) goes on, and who reads now.

    `cursor` moves only after the messages before it are in the inbound log, so a crash re-reads a
    page (dropped there by msgid) and never skips one. One process reads at a time: it holds the
    row (`holder`, until `lease_until`); a callback arriving meanwhile sets `pending` (and leaves
    its `token`), and the holder reads again before letting go, so nothing announced is missed."""

    __tablename__ = "kf_cursor"

    open_kfid: str = Field(primary_key=True, max_length=64)
    cursor: str | None = Field(default=None, max_length=128)
    holder: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _ts()
    pending: bool = False
    token: str | None = Field(default=None, max_length=256)
    token_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()


class KfCustomer(SQLModel, table=True):
    """A resident talking to the bot through 微信客服: which link (scene) they came in by, which
    places their reports."""

    __tablename__ = "kf_customer"

    external_userid: str = Field(primary_key=True, max_length=128)
    open_kfid: str = Field(max_length=64)
    scene: str | None = Field(default=None, max_length=32)
    entered_at: datetime | None = _ts()
    entry_msgid: str | None = Field(default=None, max_length=128)
    # who holds the conversation, from `session_status_change`: a staff member's userid once one
    # took it from the queue or had it transferred, None while it is the bot's (or after it ended)
    servicer: str | None = Field(default=None, max_length=64)
    servicer_since: datetime | None = _ts()


class Preference(SQLModel, table=True):
    """A setting a person, a chat or the demo keeps between runs: a person's language
    (`user:<im_user>`, `language`), the demo clock (`demo`, `clock`)."""

    __tablename__ = "preference"

    subject: str = Field(primary_key=True, max_length=160)
    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=64)
    updated_at: datetime = _ts(nullable=False)


class Photo(SQLModel, table=True):
    """A picture someone sent the bot (bot.services.photos): kept in the media store under `key`
    (EXIF stripped) with a thumbnail under `thumb_key`. `ticket_id` None: not yet part of a ticket
    (a picture waiting for its words, purged soon if none come). `role`: the reporter's picture of
    the problem (`report`, `supplement`) or the handler's of the work done (`evidence`)."""

    __tablename__ = "photo"
    __table_args__ = (Index("ix_photo_sender_created", "platform", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    role: str | None = Field(default=None, max_length=12)
    inbound_id: int | None = Field(default=None, foreign_key="inbound_log.id", unique=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    chat_id: str | None = Field(default=None, max_length=128)
    key: str = Field(max_length=200, index=True)
    thumb_key: str = Field(max_length=200)
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    sha256: str = Field(max_length=64)
    created_at: datetime = _ts(nullable=False, index=True)
    attached_at: datetime | None = _ts()
