"""BM25 registered as a built-in model: ``bm25``, and ``bm25?k1=0.9&b=0.4&method=robertson`` for others."""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

from zoo import hookimpl
from zoo.errors import ZooError
from zoo.options import parse_options
from zoo.protocols import EncoderSpec

NAME = "bm25"
OPTIONS: dict[str, type] = {"k1": float, "b": float, "method": str, "delta": float, "stemmer": str}


def bm25_spec(name: str = NAME, options: dict[str, Any] | None = None) -> EncoderSpec:
    options = dict(options or {})

    def load() -> Any:
        for module, pip_name in (("bm25s", "bm25s"), ("Stemmer", "PyStemmer")):
            if importlib.util.find_spec(module) is None:
                raise ZooError(f"BM25 needs {module!r}: pip install 'embedding-zoo[lexical]' (or {pip_name})")
        from zoo.lexical.bm25 import BM25Retriever

        return BM25Retriever(**options, name=name)

    settings = ", ".join(f"{key}={value}" for key, value in sorted(options.items())) or "k1=1.5, b=0.75, lucene"
    return EncoderSpec(
        name=name,
        load=load,
        family="lexical",
        license="apache-2.0",
        description=f"BM25 through bm25s ({settings}); Snowball-stemmed words, English stopwords",
    )


@hookimpl
def register_encoders(register: Callable[[EncoderSpec], None]) -> None:
    register(bm25_spec())


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    base, sep, query = name.partition("?")
    if base.lower() != NAME or not sep:
        return None
    options = parse_options(f"encoder {name!r}", query, OPTIONS)
    if not options:
        raise ZooError(f"encoder {name!r} sets no option: write bm25, or bm25?k1=1.2&b=0.75")
    return bm25_spec(name, options)
