"""The ``zoo`` command: a click group whose commands live one per module; plugins add more."""

from __future__ import annotations

import functools
from typing import Any

import click

from zoo import __version__
from zoo.errors import ZooError


class CliError(click.ClickException):
    """One line on stderr and exit code 2, for problems the user can fix."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"zoo: error: {self.message}", err=True)


class ZooGroup(click.Group):
    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except ZooError as exc:
            raise CliError(str(exc)) from None
        except KeyboardInterrupt:
            raise CliError("interrupted; results already written are kept") from None


@functools.cache
def plugin_manager():  # noqa: ANN201
    from zoo.plugins import get_plugin_manager

    return get_plugin_manager()


@functools.cache
def registry():  # noqa: ANN201
    """The registry, collected once per process so a broken plugin is reported once."""
    from zoo.registry import Registry

    return Registry.from_plugins(plugin_manager())


def build_cli() -> click.Group:
    from zoo.cli.cache import cache
    from zoo.cli.listing import list_command
    from zoo.cli.plugin import plugin_command

    @click.group(cls=ZooGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="zoo")
    def cli() -> None:
        """embedding-zoo: benchmark embedding models, every part a plugin.

        Start with `zoo bench` (the offline default run) or `zoo list`.
        """

    for command in (list_command, cache, plugin_command):  # the harness adds bench, eval-run, leaderboard, ...
        cli.add_command(command)
    add_plugin_commands(cli, plugin_manager())
    return cli


def add_plugin_commands(cli: click.Group, pm: Any) -> None:
    """Each plugin's ``register_commands``, in pluggy's order; on a name clash the command of the plugin
    registered earlier is kept (zoo's own commands first), as for every other registered name."""
    from zoo.plugins import call_safely, hook_impls, plugin_ranks, warn

    ranks = plugin_ranks(pm)
    owners = dict.fromkeys(cli.commands, ("zoo", -1))
    for impl in hook_impls(pm, "register_commands"):
        before = dict(cli.commands)
        call_safely(impl, "register_commands", cli=cli)
        mine = (impl.plugin_name, ranks.get(impl.plugin_name, len(ranks)))
        for name, command in list(cli.commands.items()):
            if before.get(name) is command:
                continue
            if name in before and owners[name][1] < mine[1]:
                cli.commands[name] = before[name]  # click would silently replace it
                kept, lost = owners[name][0], mine[0]
            else:
                kept, lost = mine[0], owners[name][0] if name in before else None
                owners[name] = mine
            if lost is not None:
                warn(
                    f"command {name!r} from plugin {lost!r} clashes with the one from plugin {kept!r}; "
                    f"keeping {kept!r}'s"
                )


def main() -> None:
    build_cli()(prog_name="zoo")
