"""The CLI as the docs show it: every `zoo ...` line names real commands and options, and the help quoted in
the docs is the help the CLI prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zoo.cli.main import build_cli, plugin_manager, registry

ROOT = Path(__file__).parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])  # the zoo's own; plugins document theirs
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
QUOTED_HELP = re.compile(r"^\$ (zoo[^\n]*--help)\n(.*)", re.S)


def fenced(kinds: tuple[str, ...]) -> list[tuple[Path, str]]:
    return [(path, body) for path in DOCS for kind, body in FENCE.findall(path.read_text()) if kind in kinds]


def zoo_lines() -> list[tuple[str, str]]:
    """(where, the command line) of every `zoo ...` line in the docs' shell blocks."""
    found = []
    for path, body in fenced(("bash", "sh", "")):
        for line in body.replace("\\\n", " ").splitlines():
            command = line.split(" #")[0].strip()
            for part in re.split(r"&&|\|\||;", command):
                part = part.strip()
                if part.startswith("zoo ") and "<" not in part:
                    found.append((path.relative_to(ROOT).as_posix(), part))
    return found


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The (sub)command the words name, and the words left for it."""
    command: click.Command = build_cli()
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        command, words = command.commands[words[0]], words[1:]
    return command, words


def option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names |= set(param.opts) | set(param.secondary_opts)
    return names


@pytest.fixture(autouse=True)
def builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs describe the zoo itself: plugin commands (zoo-example's char-sim) are not theirs to show."""
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "")


def test_the_docs_show_zoo_commands():
    assert len(zoo_lines()) > 20


@pytest.mark.parametrize(("where", "line"), zoo_lines())
def test_every_documented_option_exists(where: str, line: str):
    command, words = resolve(shlex.split(line)[1:])
    assert not isinstance(command, click.Group) or not words or words[0].startswith("-"), (
        f"{where}: `{line}` names no command of `zoo`"
    )
    unknown = [
        word.split("=")[0]
        for word in words
        if word.startswith("-") and word != "-" and word.split("=")[0] not in option_names(command)
    ]
    assert not unknown, f"{where}: `{line}` uses options `zoo {command.name}` does not have: {unknown}"


def quoted_help() -> list[tuple[str, str, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), *match.groups())
        for path, body in fenced(("text", "console"))
        if (match := QUOTED_HELP.match(body))
    ]


def test_the_docs_quote_the_help():
    assert quoted_help(), "README.md quotes `zoo --help`"


@pytest.mark.parametrize(("where", "line", "text"), quoted_help())
def test_quoted_help_is_the_real_help(where: str, line: str, text: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "")  # the zoo's own help, whatever other plugins are installed
    plugin_manager.cache_clear()
    registry.cache_clear()
    try:
        result = CliRunner().invoke(build_cli(), shlex.split(line)[1:], prog_name="zoo", terminal_width=100)
    finally:
        plugin_manager.cache_clear()
        registry.cache_clear()
    assert result.exit_code == 0
    assert text.rstrip() == result.output.rstrip(), f"{where}: the help quoted for `{line}` is out of date"
