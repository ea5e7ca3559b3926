"""Names to specs for encoders, tasks, suites, search backends and post-processors, with aliases.

On a clash the plugin registered earlier wins (the built-ins, then this distribution's, then the others by
distribution name: ``zoo.plugins.plugin_ranks``), whatever order pluggy called the hooks in, and the loser
is reported; unknown names raise an error with suggestions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, TypeVar

import pluggy

from zoo.errors import UnknownNameError, ZooError
from zoo.plugins import call_safely, get_plugin_manager, hook_impls, plugin_ranks, warn
from zoo.protocols import BackendSpec, EncoderSpec, PostProcessorSpec, SuiteSpec, TaskSpec
from zoo.provenance import plugin_source

S = TypeVar("S", EncoderSpec, TaskSpec, SuiteSpec, BackendSpec, PostProcessorSpec)


@dataclass
class Catalogue(Generic[S]):
    """One kind of registered thing: specs by name, aliases to names, and who registered each."""

    kind: str
    specs: dict[str, S] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, spec: S, plugin: str) -> None:
        for key in (spec.name, *spec.aliases):
            taken = self.specs.get(key) or self.specs.get(self.aliases.get(key, ""))
            if taken is not None:
                owner = self.owners[taken.name]
                warn(
                    f"{self.kind} name {key!r} from plugin {plugin!r} clashes with {taken.name!r} "
                    f"from plugin {owner!r}; keeping {owner!r}'s"
                )
                if key == spec.name:
                    return
        self.specs[spec.name] = spec
        self.owners[spec.name] = plugin
        for alias in spec.aliases:
            self.aliases.setdefault(alias, spec.name)

    def aliases_of(self, name: str) -> tuple[str, ...]:
        """The aliases that find ``name``: its spec's, less those another spec held first."""
        return tuple(alias for alias in self.specs[name].aliases if self.aliases.get(alias) == name)

    def get(self, name: str) -> S:
        spec = self.find(name)
        if spec is None:
            raise UnknownNameError(self.unknown_message(name))
        return spec

    def find(self, name: str) -> S | None:
        """By name or alias; failing that, by the one name or alias equal to it ignoring case."""
        spec = self.specs.get(name) or self.specs.get(self.aliases.get(name, ""))
        if spec is not None:
            return spec
        folded = {
            self.aliases.get(key, key) for key in (*self.specs, *self.aliases) if key.casefold() == name.casefold()
        }
        return self.specs[folded.pop()] if len(folded) == 1 else None

    def unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, [*self.specs, *self.aliases], n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        return f"unknown {self.kind} {name!r}: {hint}see `zoo list {self.kind}s`"

    def __iter__(self) -> Iterator[S]:
        return iter(self.specs.values())

    def __len__(self) -> int:
        return len(self.specs)


@dataclass
class Registry:
    """Everything the installed plugins registered, collected once through the hooks."""

    pm: pluggy.PluginManager
    encoders: Catalogue[EncoderSpec] = field(default_factory=lambda: Catalogue("encoder"))
    tasks: Catalogue[TaskSpec] = field(default_factory=lambda: Catalogue("task"))
    suites: Catalogue[SuiteSpec] = field(default_factory=lambda: Catalogue("suite"))
    backends: Catalogue[BackendSpec] = field(default_factory=lambda: Catalogue("backend"))
    postprocessors: Catalogue[PostProcessorSpec] = field(default_factory=lambda: Catalogue("postprocessor"))
    resolved_by: dict[str, str] = field(default_factory=dict)  # encoder name -> the plugin that resolved it

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager | None = None) -> Registry:
        registry = cls(pm or get_plugin_manager())
        registry._collect("register_encoders", registry.encoders, _spec_of(EncoderSpec))
        registry._collect("register_tasks", registry.tasks, _spec_of(TaskSpec))
        registry._collect("register_suites", registry.suites, _spec_of(SuiteSpec))
        registry._collect("register_search_backends", registry.backends, _named(BackendSpec))
        registry._collect("register_postprocessors", registry.postprocessors, _named(PostProcessorSpec))
        return registry

    def _collect(self, hook: str, catalogue: Catalogue[Any], make: Callable[..., Any]) -> None:
        """Call every plugin's hook, then add what each registered in rank order, so clashes resolve the
        same way whichever order the hooks ran in (``tryfirst`` and ``trylast`` move calls, not winners)."""
        ranks = plugin_ranks(self.pm)
        registered: list[tuple[int, int, Any, str]] = []
        current = {"plugin": ""}

        def register(*args: Any, **kwargs: Any) -> None:
            plugin = current["plugin"]
            registered.append((ranks.get(plugin, len(ranks)), len(registered), make(*args, **kwargs), plugin))

        for impl in hook_impls(self.pm, hook):
            current["plugin"] = impl.plugin_name
            call_safely(impl, hook, register=register)
        for _, _, spec, plugin in sorted(registered, key=lambda entry: entry[:2]):
            catalogue.add(spec, plugin)

    def encoder(self, name: str) -> EncoderSpec:
        """A registered encoder by name or alias, else one a ``resolve_encoder`` hook opens."""
        spec = self.encoders.find(name)
        if spec is not None:
            return spec
        resolved = self._resolve(name)
        if resolved is None:
            raise UnknownNameError(
                self.encoders.unknown_message(name).replace(
                    "see `zoo list encoders`",
                    "see `zoo list encoders`, or use hf:<repo id> or a local model folder",
                )
            )
        return resolved

    def _resolve(self, name: str) -> EncoderSpec | None:
        """The first answer of a ``resolve_encoder`` implementation, in pluggy's order; the resolver that
        gave it is kept in ``resolved_by``. A ZooError is a resolver's answer for the user, so it passes."""
        for impl in hook_impls(self.pm, "resolve_encoder"):
            spec = call_safely(impl, "resolve_encoder", passes=(ZooError,), name=name)
            if spec is not None:
                self.resolved_by[spec.name] = impl.plugin_name
                return spec
        return None

    def owner(self, kind: str, name: str) -> str | None:
        """The plugin that supplied the ``kind`` ("encoder", "task", "backend", "postprocessor") ``name``."""
        catalogue: Catalogue[Any] = getattr(self, f"{kind}s")
        spec = catalogue.find(name)
        if spec is not None:
            return catalogue.owners[spec.name]
        return self.resolved_by.get(name) if kind == "encoder" else None

    def source(self, kind: str, name: str) -> dict[str, Any] | None:
        """What a result records of the part it used: the spec's name and where it came from
        (``zoo.provenance.PluginSource``); None for a name no plugin supplied."""
        owner = self.owner(kind, name)
        if owner is None or self.pm.get_plugin(owner) is None:
            return None
        catalogue: Catalogue[Any] = getattr(self, f"{kind}s")
        spec = catalogue.find(name)
        return {"name": spec.name if spec is not None else name, **plugin_source(self.pm, owner).as_dict()}

    def task(self, name: str) -> TaskSpec:
        return self.tasks.get(name)

    def suite(self, name: str) -> SuiteSpec:
        """A suite by name or alias; a name without ``@<version>`` means that family's latest version."""
        spec = self.suites.find(name)
        if spec is not None or "@" in name:
            return spec or self.suites.get(name)
        versions = [s for s in self.suites if s.family.casefold() == name.casefold()]
        if not versions:
            return self.suites.get(name)  # raises, with suggestions
        return max(versions, key=lambda s: _version_key(s.version))

    def backend(self, name: str) -> BackendSpec:
        return self.backends.get(name)

    def postprocessor(self, name: str) -> PostProcessorSpec:
        return self.postprocessors.get(name)


def _version_key(version: str) -> tuple[int, ...] | tuple[float, str]:
    """Orders "2" after "1" and "10" after "9"; versions that are not dotted numbers after all of those."""
    parts = version.split(".")
    if all(part.isdigit() for part in parts):
        return tuple(int(part) for part in parts)
    return (float("inf"), version)


def _spec_of(kind: type) -> Callable[..., Any]:
    def make(spec: Any) -> Any:
        if not isinstance(spec, kind):
            raise TypeError(f"register() takes a {kind.__name__}, got {type(spec).__name__}")
        return spec

    return make


def _named(kind: type) -> Callable[..., Any]:
    def make(name: str, factory: Callable[..., Any], **meta: Any) -> Any:
        return kind(name=name, factory=factory, **meta)

    return make


def find_encoder(name: str) -> EncoderSpec:
    """The encoder spec that ``name`` (a name, alias or open name) stands for, among the installed plugins."""
    return Registry.from_plugins().encoder(name)
