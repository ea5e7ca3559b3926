"""Plugin discovery, isolation of broken plugins, clashes and the load switch."""

from __future__ import annotations

import pytest

from zoo.errors import UnknownNameError
from zoo.plugins import get_plugin_manager, plugin_names
from zoo.registry import Registry

GOOD_PLUGIN = """
    from zoo import EncoderSpec, hookimpl
    from zoo.encoders.hashing import HashingEncoder

    @hookimpl
    def register_encoders(register):
        register(EncoderSpec(name="fake-bow", load=lambda: HashingEncoder(16, name="fake-bow"),
                             family="test", dim=16, aliases=("fb",)))
"""


def test_builtins_register_through_hooks():
    registry = Registry.from_plugins()
    assert "all-minilm-l6-v2" in registry.encoders.specs
    assert {"icd10cm-small", "icd10cm", "lee-sts"} <= set(registry.tasks.specs)
    assert "exact" in registry.backends.specs
    assert registry.backends.owners["exact"] == "harness"  # the harness plugs in by entry point


def test_entry_point_plugin_is_discovered(fake_distribution):
    fake_distribution("zoo_fake_good", GOOD_PLUGIN)
    registry = Registry.from_plugins()
    assert registry.encoders.owners["fake-bow"] == "zoo_fake_good"
    assert registry.encoder("fb").name == "fake-bow"
    encoder = registry.encoder("fake-bow").load()
    assert encoder.encode(["hello world"]).shape == (1, 16)


def test_plugin_that_fails_to_import_is_reported_and_skipped(fake_distribution, capsys):
    fake_distribution("zoo_fake_broken", "raise ImportError('no such thing')\n")
    fake_distribution("zoo_fake_good", GOOD_PLUGIN)
    registry = Registry.from_plugins()
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if "zoo_fake_broken" in line]) == 1
    assert "failed to import" in err
    assert "fake-bow" in registry.encoders.specs  # the rest still works


def test_plugin_that_raises_in_a_hook_is_skipped(fake_distribution, capsys):
    fake_distribution(
        "zoo_fake_raises",
        """
        from zoo import hookimpl

        @hookimpl
        def register_encoders(register):
            raise RuntimeError("boom")
    """,
    )
    registry = Registry.from_plugins()
    err = capsys.readouterr().err
    assert "zoo_fake_raises" in err and "boom" in err and "register_encoders" in err
    assert "all-minilm-l6-v2" in registry.encoders.specs


def test_registering_a_wrong_type_is_reported(fake_distribution, capsys):
    fake_distribution(
        "zoo_fake_wrongtype",
        """
        from zoo import hookimpl

        @hookimpl
        def register_tasks(register):
            register("not a spec")
    """,
    )
    Registry.from_plugins()
    assert "TaskSpec" in capsys.readouterr().err


def test_name_clash_is_reported_and_first_kept(fake_distribution, capsys):
    fake_distribution(
        "zoo_fake_clash",
        """
        from zoo import BackendSpec, hookimpl

        @hookimpl
        def register_search_backends(register):
            register("exact", lambda: None, description="an impostor")
    """,
    )
    registry = Registry.from_plugins()
    err = capsys.readouterr().err
    assert "'exact'" in err and "zoo_fake_clash" in err and "clashes" in err
    assert registry.backends.owners["exact"] == "harness"


def test_load_switch_limits_entry_point_plugins(fake_distribution, monkeypatch):
    fake_distribution("zoo_fake_good", GOOD_PLUGIN)
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "")
    pm = get_plugin_manager()
    assert "zoo_fake_good" not in plugin_names(pm)
    assert "harness" in plugin_names(pm)  # our own distribution always loads
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "zoo_fake_good")
    assert "zoo_fake_good" in plugin_names(get_plugin_manager())


def test_unknown_names_suggest_close_ones():
    registry = Registry.from_plugins()
    with pytest.raises(UnknownNameError, match="did you mean 'icd10cm-small'"):
        registry.task("icd10cm-smal")
    with pytest.raises(UnknownNameError, match="zoo list encoders"):
        registry.encoder("no-such-model-anywhere")


def test_names_match_ignoring_case_when_only_one_does():
    from zoo.protocols import TaskSpec
    from zoo.registry import Catalogue

    registry = Registry.from_plugins()
    assert registry.encoder("all-MiniLM-L6-v2").name == "all-minilm-l6-v2"  # the model card's spelling
    assert registry.task("ICD10CM-Small").name == "icd10cm-small"
    tasks = Catalogue("task")
    for name in ("Mixed", "mixed"):
        tasks.add(TaskSpec(name, "retrieval", load=lambda: None), "test")
    assert tasks.find("MIXED") is None  # two spellings: no guessing
    assert tasks.find("Mixed").name == "Mixed"


def test_resolve_encoder_hook_is_first_result(fake_distribution):
    fake_distribution(
        "zoo_fake_resolver",
        """
        from zoo import EncoderSpec, hookimpl
        from zoo.encoders.hashing import HashingEncoder

        @hookimpl
        def resolve_encoder(name):
            if name.startswith("bow:"):
                dim = int(name.split(":")[1])
                return EncoderSpec(name=name, load=lambda: HashingEncoder(dim), dim=dim)
            return None
    """,
    )
    registry = Registry.from_plugins()
    assert registry.encoder("bow:32").load().dim == 32


def test_builtin_encoder_wins_a_clash_with_a_plugin(fake_distribution, capsys):
    fake_distribution(
        "aaa_zoo_fake_first",
        """
        from zoo import EncoderSpec, hookimpl
        from zoo.encoders.hashing import HashingEncoder

        @hookimpl
        def register_encoders(register):
            register(EncoderSpec(name="hashing-bow-256", load=lambda: HashingEncoder(8)))
    """,
    )
    registry = Registry.from_plugins()
    assert registry.encoders.owners["hashing-bow-256"] == "zoo.encoders.builtin"
    assert "aaa_zoo_fake_first" in capsys.readouterr().err


def test_a_resolver_that_raises_does_not_break_the_others(fake_distribution, capsys):
    fake_distribution(
        "zoo_fake_bad_resolver",
        """
        from zoo import hookimpl

        @hookimpl
        def resolve_encoder(name):
            raise RuntimeError("resolver bug")
    """,
    )
    registry = Registry.from_plugins()
    with pytest.raises(UnknownNameError):
        registry.encoder("nothing-resolves-this")
    assert "resolver bug" in capsys.readouterr().err


def test_a_resolvers_zoo_error_reaches_the_user(fake_distribution):
    fake_distribution(
        "zoo_fake_strict_resolver",
        """
        from zoo import hookimpl
        from zoo.errors import ZooError

        @hookimpl
        def resolve_encoder(name):
            if name.startswith("strict:"):
                raise ZooError("strict: takes a folder; strict:/path/to/model")
    """,
    )
    from zoo.errors import ZooError

    registry = Registry.from_plugins()
    with pytest.raises(ZooError, match="strict: takes a folder"):
        registry.encoder("strict:")


def test_a_plugin_cannot_replace_a_builtin_command(fake_distribution, capsys):
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    fake_distribution(
        "zoo_fake_hijack",
        """
        import click
        from zoo import hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command("list")
            def hijack():
                click.echo("hijacked")
    """,
    )
    result = CliRunner().invoke(build_cli(), ["list", "backends"])
    assert "hijacked" not in result.output and "exact" in result.output
    assert "clashes" in capsys.readouterr().err


def test_postprocessors_register_by_name_and_factory(fake_distribution):
    fake_distribution(
        "zoo_fake_post",
        """
        import numpy as np
        from zoo import hookimpl
        from zoo.fingerprint import fingerprint

        class Center:
            def fit(self, X):
                self.mean_ = X.mean(axis=0)
                return self

            def transform(self, X):
                return X - self.mean_

            def fingerprint(self):
                return fingerprint("center", self.mean_.tolist())

        @hookimpl
        def register_postprocessors(register):
            register("center", Center, aliases=("centre",), description="subtract the corpus mean")
    """,
    )
    import numpy as np

    from zoo.protocols import PostProcessor

    registry = Registry.from_plugins()
    spec = registry.postprocessor("centre")
    assert spec.name == "center" and registry.postprocessors.owners["center"] == "zoo_fake_post"
    post = spec.factory().fit(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    assert isinstance(post, PostProcessor)
    np.testing.assert_allclose(post.transform(np.array([[2.0, 3.0]])), [[0.0, 0.0]])


ORDER_PLUGIN = """
    from zoo import hookimpl

    CALLS = []

    class First:
        @hookimpl(tryfirst=True)
        def register_encoders(self, register):
            CALLS.append("first")

    class Plain:
        @hookimpl
        def register_encoders(self, register):
            CALLS.append("plain")

    class Last:
        @hookimpl(trylast=True)
        def register_encoders(self, register):
            CALLS.append("last")
"""


def test_hooks_are_called_in_pluggys_order(fake_distribution):
    """tryfirst before everything, trylast after, and otherwise the plugin registered last first."""
    import importlib

    from zoo.plugins import hook_impls

    fake_distribution("zoo_fake_order", ORDER_PLUGIN)
    module = importlib.import_module("zoo_fake_order")
    pm = get_plugin_manager(load_entry_points=False)
    for name in ("Last", "Plain", "First"):
        pm.register(getattr(module, name)(), name=name)
    Registry.from_plugins(pm)
    assert module.CALLS == ["first", "plain", "last"]
    names = [impl.plugin_name for impl in hook_impls(pm, "register_encoders")]
    assert names[0] == "First" and names[-1] == "Last"
    assert names.index("Plain") < names.index("zoo.encoders.builtin")  # LIFO: registered later, called earlier
    assert [impl.plugin_name for impl in pm.hook.register_encoders.get_hookimpls()][::-1] == names


def test_firstresult_stops_at_the_first_answer_in_pluggys_order():
    from zoo import EncoderSpec, hookimpl
    from zoo.plugins import call_hook

    asked = []

    class Resolver:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def answer(self, name: str) -> EncoderSpec:
            asked.append(self.tag)
            return EncoderSpec(name=f"{self.tag}:{name}", load=lambda: None)

    class Late(Resolver):
        @hookimpl(trylast=True)
        def resolve_encoder(self, name: str) -> EncoderSpec:
            return self.answer(name)

    class Early(Resolver):
        @hookimpl(tryfirst=True)
        def resolve_encoder(self, name: str) -> EncoderSpec:
            return self.answer(name)

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(Early("early"), name="early")
    pm.register(Late("late"), name="late")
    assert call_hook(pm, "resolve_encoder", name="x").name == "early:x" and asked == ["early"]
    assert pm.hook.resolve_encoder(name="y").name == "early:y"  # what pluggy itself answers
    registry = Registry.from_plugins(pm)
    assert registry.encoder("z").name == "early:z" and registry.owner("encoder", "early:z") == "early"
    assert call_hook(pm, "register_tasks", register=lambda spec: None) == []  # not firstresult: a list


def test_a_clash_is_won_by_rank_not_by_call_order(capsys):
    """A tryfirst plugin registered after the built-ins is called first but still loses the clash."""
    from zoo import EncoderSpec, hookimpl
    from zoo.encoders.hashing import HashingEncoder

    class Pushy:
        @hookimpl(tryfirst=True)
        def register_encoders(self, register):
            register(EncoderSpec(name="hashing-bow-256", load=lambda: HashingEncoder(8)))
            register(EncoderSpec(name="pushy", load=lambda: HashingEncoder(8), aliases=("minilm",)))

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(Pushy(), name="pushy")
    registry = Registry.from_plugins(pm)
    assert registry.encoders.owners["hashing-bow-256"] == "zoo.encoders.builtin"
    assert "pushy" in registry.encoders.specs and registry.encoders.aliases_of("pushy") == ()
    assert "'hashing-bow-256' from plugin 'pushy'" in capsys.readouterr().err


def test_zoo_list_leaves_out_an_alias_a_plugin_lost(fake_distribution):
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    fake_distribution(
        "zoo_fake_alias",
        """
        from zoo import EncoderSpec, hookimpl
        from zoo.encoders.hashing import HashingEncoder

        @hookimpl
        def register_encoders(register):
            register(EncoderSpec(name="alias-loser", load=lambda: HashingEncoder(8), aliases=("minilm", "al")))
    """,
    )
    lines = CliRunner().invoke(build_cli(), ["list", "encoders"]).output.splitlines()
    row = next(line for line in lines if line.startswith("alias-loser"))
    assert " al " in row and "minilm" not in row


def test_hook_wrappers_are_reported_and_skipped(capsys):
    from zoo import hookimpl
    from zoo.plugins import hook_impls

    class Wrapper:
        @hookimpl(wrapper=True)
        def register_tasks(self, register):
            return (yield)

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(Wrapper(), name="wrapper")
    assert "wrapper" not in [impl.plugin_name for impl in hook_impls(pm, "register_tasks")]
    assert "wraps register_tasks" in capsys.readouterr().err
