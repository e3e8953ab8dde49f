"""The command line lists its commands."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "replay", "db", "roster", "parse", "config"):
        assert command in result.output
    roster = CliRunner().invoke(app, ["roster", "--help"]).output
    assert "import" in roster and "export" in roster
