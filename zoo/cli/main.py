"""The ``zoo`` command: a click group whose commands live one per module; plugins add more."""

from __future__ import annotations

import functools

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
    from zoo.plugins import call_safely, hook_impls, warn

    @click.group(cls=ZooGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="zoo")
    def cli() -> None:
        """embedding-zoo: benchmark embedding models, every part a plugin.

        Start with `zoo bench` (the offline default run) or `zoo list`.
        """

    for command in (list_command, cache):  # the harness adds bench, eval-run, leaderboard, mteb, compare
        cli.add_command(command)
    for impl in hook_impls(plugin_manager(), "register_commands"):
        before = dict(cli.commands)
        call_safely(impl, "register_commands", cli=cli)
        for name, command in before.items():
            if cli.commands.get(name) is not command:  # click would silently replace it
                cli.commands[name] = command
                warn(f"command {name!r} from plugin {impl.plugin_name!r} clashes with an existing "
                     "command; keeping the existing one")
    return cli


def main() -> None:
    build_cli()(prog_name="zoo")
