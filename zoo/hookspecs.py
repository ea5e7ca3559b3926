"""The hooks a zoo plugin can implement. Hooks only ever gain arguments, never lose them."""

from __future__ import annotations

from typing import Any, Callable

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("zoo")
hookimpl = HookimplMarker("zoo")


@hookspec
def register_encoders(register: Callable[..., None]) -> None:
    """Register encoders: call ``register(EncoderSpec(...))`` once per model."""


@hookspec
def register_postprocessors(register: Callable[..., None]) -> None:
    """Register post-processors: call ``register(name, factory, description=...)``."""


@hookspec
def register_tasks(register: Callable[..., None]) -> None:
    """Register benchmark tasks: call ``register(TaskSpec(...))`` once per task."""


@hookspec
def register_suites(register: Callable[..., None]) -> None:
    """Register benchmark suites: call ``register(SuiteSpec(...))`` once per suite version."""


@hookspec
def register_search_backends(register: Callable[..., None]) -> None:
    """Register search backends: call ``register(name, factory, description=...)``."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``zoo`` click group."""


@hookspec(firstresult=True)
def resolve_encoder(name: str) -> Any:
    """Return an EncoderSpec for an open name such as ``hf:BAAI/bge-small-en-v1.5``, or None."""
