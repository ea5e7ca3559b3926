"""The ``openai:`` and ``tei:`` names: their options, and specs that check them without connecting.

Kept apart from ``zoo.encoders.remote`` so that listing and resolving names imports neither numpy nor httpx.
"""

from __future__ import annotations

from typing import Any

from zoo.protocols import EncoderSpec

REMOTE_OPTIONS: dict[str, type] = {
    "base_url": str,  # one URL, or several (comma-separated) replicas of one model
    "api_key_env": str,
    "dimensions": int,
    "query_prompt": str,
    "document_prompt": str,
    "query_input_type": str,
    "document_input_type": str,
    "batch_size": int,
    "batch_tokens": int,
    "concurrency": int,
    "retries": int,
    "timeout": float,
    "backoff": float,
    "price": float,  # USD per million tokens
}
OPENAI_OPTIONS: dict[str, type] = {**REMOTE_OPTIONS, "encoding_format": str}
TEI_OPTIONS: dict[str, type] = {**REMOTE_OPTIONS, "truncate": bool}


def remote_spec(kind_name: str, name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    """The spec of ``openai:MODEL?...`` or ``tei:MODEL?...``: options checked now, nothing connects until used."""
    from zoo.encoders import remote

    kind = getattr(remote, kind_name)
    kind(target, name=name, **options)  # bad options fail here, before a run starts

    def load() -> Any:
        from zoo.encoders.builtin import _need

        _need("httpx", "'embedding-zoo[serve]'")
        return kind(target, name=name, **options)

    urls = options.get("base_url") or kind.default_base_url
    return EncoderSpec(
        name=name,
        load=load,
        family="served",
        dim=options.get("dimensions"),
        description=f"{target} served at {urls} ({kind.kind} API)",
    )


def openai_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    return remote_spec("OpenAIEncoder", name, target, options)


def tei_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    return remote_spec("TeiEncoder", name, target, options)
