"""Configuration: one TOML file (``--config FILE`` or ``GRIDBOT_CONFIG``), every key overridable by
environment as ``GRIDBOT_<SECTION>__<KEY>``, validated at start-up with errors that name the key.

Secrets are ``SecretStr`` so they never show up in logs, reprs or ``gridbot config show``."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.domain.categories import CATEGORIES

DEFAULT_DB_URL = "sqlite+aiosqlite:///var/gridbot.db"
WECOM_API = "https://qyapi.weixin.qq.com"
MP_API = "https://api.weixin.qq.com"
SUPPORTED_LOCALES = ("zh_CN", "en")


class ConfigError(Exception):
    """Raised with a message that names the offending key (and the file, when there is one)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_aes_key(value: SecretStr | None) -> SecretStr | None:
    if value is not None and value.get_secret_value():
        raw = value.get_secret_value()
        if len(raw) != 43 or not raw.isalnum():
            raise ValueError("must be the 43-character EncodingAESKey from the admin console")
    return value


class DatabaseConfig(_Section):
    url: str = Field(default=DEFAULT_DB_URL, repr=False)  # may hold a password: shown only masked

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_db_url(value)


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class WeComConfig(_Section):
    corp_id: str = ""
    agent_id: int | None = None
    secret: SecretStr | None = None
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    api_base: str = WECOM_API

    _aes = field_validator("encoding_aes_key")(_check_aes_key)

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.token and self.encoding_aes_key)


class WeComRobotConfig(_Section):
    """智能机器人: callback mode (token + encoding_aes_key, needs a public URL) or long-connection
    mode (bot_id + secret, an outgoing WebSocket: no public URL). One mode runs at a time."""

    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    bot_id: str = ""
    secret: SecretStr | None = None  # 长连接 Secret of the bot
    ws_url: str = "wss://openws.work.weixin.qq.com"
    welcome: str | None = None  # answer to a user's first 1:1 visit of the day; None: the built-in one, "": none

    _aes = field_validator("encoding_aes_key")(_check_aes_key)

    @property
    def mode(self) -> str | None:
        """"websocket" when bot_id and secret are set (it wins: no public URL needed), "callback"
        when token and encoding_aes_key are, else None."""
        if self.bot_id and self.secret and self.secret.get_secret_value():
            return "websocket"
        if self.token and self.encoding_aes_key:
            return "callback"
        return None

    @property
    def configured(self) -> bool:
        return self.mode is not None


class MpConfig(_Section):
    app_id: str = ""
    app_secret: SecretStr | None = None
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    api_base: str = MP_API  # a proxy in front of api.weixin.qq.com, or the fake one in tests

    _aes = field_validator("encoding_aes_key")(_check_aes_key)

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.token)


class WeComKfConfig(_Section):
    """微信客服 (WeCom customer service): residents on personal WeChat open the community's KF link
    and talk to the bot 1:1. The callback only says "there is something new"; the messages are
    pulled with `kf/sync_msg` using the 微信客服 secret."""

    corp_id: str = ""
    secret: SecretStr | None = None  # the 微信客服 secret (微信客服 → API), not the app's
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    open_kfid: str = ""  # the KF account the bot answers for (wk…)
    api_base: str = WECOM_API
    welcome: str | None = None  # answer to `enter_session`; None: the built-in one, "": none

    _aes = field_validator("encoding_aes_key")(_check_aes_key)

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.token and self.encoding_aes_key and self.open_kfid)


class BridgeConfig(_Section):
    secret: SecretStr | None = None
    outbound_url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.secret and self.secret.get_secret_value())


class CalendarConfig(_Section):
    holidays_file: Path | None = None

    @field_validator("holidays_file")
    @classmethod
    def _exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value


class DutiesConfig(_Section):
    evening_hour: int = Field(default=18, ge=12, le=23)  # 夜访 counts only from this hour on
    calendar_file: Path | None = None  # duty cadences (TOML); default: the built-in calendar

    @field_validator("calendar_file")
    @classmethod
    def _exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value


ALERT_PLATFORMS = ("webhook", "bridge", "wecom_robot", "wecom_app", "mp")


class HealthConfig(_Section):
    """When `/healthz` says `degraded` (and admins are told of a failing channel)."""

    stalled_minutes: int = Field(default=5, ge=1, le=1440)  # no delivery for this long while messages wait
    pending_minutes: int = Field(default=15, ge=1, le=10080)  # the oldest message waiting for delivery
    inbound_seconds: int = Field(default=60, ge=10, le=86400)  # the oldest acknowledged message not handled
    channel_failures: int = Field(default=3, ge=1, le=1000)  # waiting messages a channel failed to send
    # Where admins are told when the channel that reaches them privately fails: "platform:chat_id",
    # e.g. "webhook:<robot key>" (a secret: shown masked) or "bridge:<group id>".
    alert_chats: list[SecretStr] = []

    @field_validator("alert_chats")
    @classmethod
    def _platform_and_chat(cls, value: list[SecretStr]) -> list[SecretStr]:
        for chat in value:
            platform, sep, chat_id = chat.get_secret_value().partition(":")
            if not sep or not chat_id or platform not in ALERT_PLATFORMS:
                raise ValueError(f"each must be platform:chat_id with platform one of {', '.join(ALERT_PLATFORMS)}")
        return value


class ConsoleConfig(_Section):
    """The web console (/console/): sessions, login limits, and WeCom web login."""

    secret_key: SecretStr | None = None  # signs cookies; empty: a key generated once and kept in the database
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30)  # a session ends this long after login
    idle_minutes: float = Field(default=60.0, gt=0, le=24 * 60)  # ... or after this long without a request
    login_attempts: int = Field(default=5, ge=1, le=100)  # failed passwords per account (and 4x per address)
    login_window_minutes: float = Field(default=15.0, gt=0, le=24 * 60)  # ... within this window
    secure_cookies: Literal["auto", "always", "never"] = "auto"  # auto: Secure when the request came over HTTPS
    wecom_login: bool = True  # offer WeCom web login (扫码登录) when [wecom] has corp_id, agent_id and secret
    public_url: str = ""  # https://host as browsers reach it, for the WeCom login's redirect_uri
    argon2_time_cost: int = Field(default=3, ge=1, le=20)  # password hashing (RFC 9106 low-memory profile)
    argon2_memory_kib: int = Field(default=65536, ge=1024, le=4 * 1024 * 1024)


class MediaConfig(_Section):
    """Where photos on tickets are kept (see README “Photos on tickets”): a folder on this machine
    (the default: `dir`, or beside the SQLite file, or beside `files_dir`), or an S3-compatible
    object store (MinIO, Tencent COS, Aliyun OSS) when `store = "s3"`."""

    store: Literal["local", "s3"] = "local"
    dir: Path | None = None  # the local store's folder; None: "media" beside the SQLite file (or files_dir)
    keep_days: int = Field(default=365, ge=1, le=36500)  # after a ticket is closed; never while it is open
    max_mb: float = Field(default=10.0, gt=0, le=50)  # a picture larger than this is refused (WeCom's own cap)
    max_pixels: int = Field(default=40_000_000, ge=1_000_000, le=200_000_000)  # decompression-bomb guard
    s3_endpoint: str = ""  # https://cos.ap-shanghai.myqcloud.com, http://minio:9000 …
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_prefix: str = "gridbot/"
    s3_path_style: bool = True  # endpoint/bucket/key (MinIO); False: bucket.endpoint/key (COS, OSS)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


class TicketsConfig(_Section):
    # categories (bot.domain.categories ids) whose 办结 needs a photo of the work; empty: none
    resolve_photo_required: list[str] = []

    @field_validator("resolve_photo_required")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {', '.join(unknown)}; one of {', '.join(CATEGORIES)}")
        return value


class Settings(BaseSettings):
    """All of gridbot's configuration. Sections mirror the TOML file."""

    model_config = SettingsConfigDict(
        env_prefix="GRIDBOT_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    database: DatabaseConfig = DatabaseConfig()
    server: ServerConfig = ServerConfig()
    wecom: WeComConfig = WeComConfig()
    wecom_robot: WeComRobotConfig = WeComRobotConfig()
    mp: MpConfig = MpConfig()
    wecom_kf: WeComKfConfig = WeComKfConfig()
    bridge: BridgeConfig = BridgeConfig()
    calendar: CalendarConfig = CalendarConfig()
    duties: DutiesConfig = DutiesConfig()
    health: HealthConfig = HealthConfig()
    console: ConsoleConfig = ConsoleConfig()
    media: MediaConfig = MediaConfig()
    tickets: TicketsConfig = TicketsConfig()
    files_dir: Path = Path("var/files")  # charts and forms the bot produces
    cache_dir: Path = Path("var/cache")  # caches the bot rebuilds when missing (jieba's dictionary)
    timezone: str = "Asia/Shanghai"
    locale: str = "zh_CN"
    bot_name: str = "网格通"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def media_dir(self) -> Path:
        """The local media store's folder: `[media] dir`, else "media" beside the SQLite file, else
        beside `files_dir` (PostgreSQL)."""
        if self.media.dir is not None:
            return self.media.dir
        url = make_url(self.database.url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).parent / "media"
        return self.files_dir.parent / "media"

    @property
    def sending_platforms(self) -> frozenset[str]:
        """The platforms the configured channels can send on (bot.transport.routes builds them):
        where an admin alert can go when one channel fails."""
        platforms = set()
        if self.wecom.configured:
            platforms.add("wecom_app")
        if self.wecom_robot.configured:
            platforms.add("wecom_robot")
        if self.wecom.configured or self.wecom_robot.configured:
            platforms.add("webhook")
        if self.mp.configured:
            platforms.add("mp")
        if self.bridge.configured:
            platforms.add("bridge")
        return frozenset(platforms)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file, which arrives as init kwargs.
        return (env_settings, init_settings)

    def redacted(self) -> dict[str, Any]:
        """The effective configuration with secrets masked, for `gridbot config show`: SecretStr
        fields dump as ********, and the database URL's password too."""
        data = self.model_dump(mode="json")
        data["database"]["url"] = make_url(self.database.url).render_as_string(hide_password=True)
        return data


def normalise_db_url(url: str) -> str:
    """Accept the URLs people paste (``sqlite:///x.db``, ``postgresql://``) and pick async drivers."""
    url = url.strip()
    for plain, asyncified in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return asyncified + url[len(plain) :]
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError("must be a sqlite:// or postgresql:// URL")
    return url


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"invalid configuration ({source}):"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"])
        env = "GRIDBOT_" + "__".join(str(part) for part in err["loc"]).upper()
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (typo?)"
        lines.append(f"  {key} (env {env}): {msg}")
    return "\n".join(lines)


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any), apply the environment, then explicit overrides such as ``--db``."""
    path = path or os.environ.get("GRIDBOT_CONFIG") or None
    data: dict[str, Any] = {}
    source = "defaults and environment"
    if path:
        file = Path(path)
        source = str(file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {file}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
    try:
        settings = Settings(**data)
        if overrides:
            merged = settings.model_dump()
            for dotted, value in overrides.items():
                if value is None:
                    continue
                section, _, key = dotted.partition("__")
                if key:
                    merged.setdefault(section, {})[key] = value
                else:
                    merged[section] = value
            settings = Settings.model_validate(_unwrap_secrets(merged))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    return settings


def _unwrap_secrets(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    return value
