"""Configuration: file, environment overrides, validation naming the key, secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import WECOM_API, ConfigError, load_settings

pytestmark = pytest.mark.usefixtures("no_env")
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gridbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file() -> None:
    settings = load_settings(None)
    assert settings.database.url == "sqlite+aiosqlite:///var/gridbot.db"
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8080)
    assert settings.wecom.api_base == WECOM_API == "https://qyapi.weixin.qq.com"
    assert (settings.timezone, settings.locale) == ("Asia/Shanghai", "zh_CN")
    assert not settings.wecom.configured and not settings.bridge.configured


def test_file_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, f"""
timezone = "Asia/Urumqi"
[database]
url = "postgresql://u:p@db/gridbot"
[server]
port = 9000
[wecom]
corp_id = "wx5823bf96d3bd56c7"
agent_id = 1000002
token = "QDG6eK"
encoding_aes_key = "{AES}"
""")
    monkeypatch.setenv("GRIDBOT_SERVER__PORT", "9100")
    monkeypatch.setenv("GRIDBOT_WECOM__CORP_ID", "ww-from-env")
    monkeypatch.setenv("GRIDBOT_LOCALE", "en")
    settings = load_settings(path, database__url="sqlite:///var/x.db")
    assert settings.database.url == "sqlite+aiosqlite:///var/x.db"  # flag wins, driver made async
    assert settings.server.port == 9100  # environment beats the file
    assert settings.wecom.corp_id == "ww-from-env"
    assert settings.wecom.agent_id == 1000002  # file value kept
    assert (settings.timezone, settings.locale) == ("Asia/Urumqi", "en")
    assert settings.wecom.configured


def test_gridbot_config_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDBOT_CONFIG", str(write(tmp_path, "[server]\nport = 8123\n")))
    assert load_settings(None).server.port == 8123


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        ("[server]\nport = 70000\n", {}, "server.port (env GRIDBOT_SERVER__PORT)"),
        ('[wecom]\nencoding_aes_key = "short"\n', {}, "wecom.encoding_aes_key"),
        ('timezone = "Mars/Olympus"\n', {}, "timezone (env GRIDBOT_TIMEZONE): unknown time zone"),
        ('locale = "fr"\n', {}, "locale (env GRIDBOT_LOCALE): must be one of zh_CN, en"),
        ("[databse]\nurl = 'x'\n", {}, "databse (env GRIDBOT_DATABSE): unknown key (typo?)"),
        ("[wecom]\ncorpid = 'x'\n", {}, "wecom.corpid"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
        ("", {"GRIDBOT_SERVER__PORT": "eighty"}, "server.port"),
    ],
)
def test_bad_values_are_reported_with_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, env: dict[str, str], expected: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, toml))
    assert expected in str(err.value)
    assert str(tmp_path) in str(err.value)  # and the file


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[server\n"))


def test_holidays_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"calendar\.holidays_file.*file not found"):
        load_settings(write(tmp_path, '[calendar]\nholidays_file = "/nowhere.toml"\n'))


def test_secrets_never_appear_in_reprs_or_config_show(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
[wecom]
corp_id = "wx5823bf96d3bd56c7"
secret = "s3cr3t-corp-secret-value"
token = "QDG6eK-token"
encoding_aes_key = "{AES}"
[bridge]
secret = "bridge-shared-secret"
[database]
url = "postgresql://gridbot:db-pass-w0rd@127.0.0.1/gridbot"
""")
    settings = load_settings(path)
    assert settings.wecom.secret is not None
    assert settings.wecom.secret.get_secret_value() == "s3cr3t-corp-secret-value"
    shown = repr(settings) + str(settings) + json.dumps(settings.redacted())
    result = CliRunner().invoke(app, ["config", "show", "--config", str(path)])
    assert result.exit_code == 0
    for secret in ("s3cr3t-corp-secret-value", "QDG6eK-token", AES, "bridge-shared-secret", "db-pass-w0rd"):
        assert secret not in shown
        assert secret not in result.output
    assert "wx5823bf96d3bd56c7" in result.output  # ids are not secrets
    assert "postgresql+asyncpg://gridbot:***@127.0.0.1/gridbot" in result.output


def test_cli_reports_config_errors_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, "[server]\nport = 0\n")
    result = CliRunner().invoke(app, ["config", "show", "--config", str(path)])
    assert result.exit_code == 2
    assert "server.port" in result.output


def test_the_shipped_example_config_is_valid_and_holds_no_secret(repo_root: Path, no_env: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    example = repo_root / "deploy" / "gridbot.example.toml"
    assert not load_settings(example).wecom.configured  # nothing secret in the file itself
    for key, value in {"DATABASE__URL": "postgresql://gridbot:pw@127.0.0.1/gridbot", "WECOM__CORP_ID": "wwcorp",
                       "WECOM__SECRET": "s", "WECOM__TOKEN": "t", "WECOM__ENCODING_AES_KEY": AES}.items():
        monkeypatch.setenv(f"GRIDBOT_{key}", value)  # what secrets.env provides
    settings = load_settings(example)
    assert settings.wecom.configured and settings.database.url.startswith("postgresql+asyncpg://")
