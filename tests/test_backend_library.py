"""``hnsw?library=NAME``: the core hnsw backend hands over to the backend a plugin registers as hnsw-NAME."""

from __future__ import annotations

from typing import Callable

import pytest

from harness.backends.hnsw import HnswBackend
from harness.plugin import hnsw_backend
from zoo.errors import ZooError
from zoo.registry import Registry

FAKE_LIBRARY = """
    from zoo import hookimpl

    class FakeHnsw:
        name = "hnsw-fake"

        def __init__(self, *, M=16, ef_search=64):
            self.M, self.ef_search = M, ef_search

        def params(self):
            return {"library": "fake", "M": self.M, "ef_search": self.ef_search}

    @hookimpl
    def register_search_backends(register):
        register("hnsw-fake", FakeHnsw, description="an HNSW stand-in")
"""


def test_hnswlib_is_the_default_library() -> None:
    assert isinstance(hnsw_backend(M=8), HnswBackend)
    assert hnsw_backend(library="hnswlib", M=8).params()["library"] == "hnswlib"


def test_library_option_reaches_the_plugin_backend(fake_distribution: Callable[[str, str], object]) -> None:
    fake_distribution("zoo_fake_hnsw", FAKE_LIBRARY)
    backend = Registry.from_plugins().backend("hnsw").factory(library="fake", M=8)
    assert type(backend).__name__ == "FakeHnsw"
    assert backend.params() == {"library": "fake", "M": 8, "ef_search": 64}


def test_missing_library_names_the_plugin_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "")  # as if zoo-faiss were not installed
    with pytest.raises(
        ZooError,
        match=r"hnsw\?library=faiss needs the backend 'hnsw-faiss'.*pip install -e "
        r"plugins/zoo-faiss.*ZOO_LOAD_PLUGINS.*library=hnswlib",
    ):
        hnsw_backend(library="faiss")


def test_unknown_library_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOO_LOAD_PLUGINS", raising=False)
    with pytest.raises(ZooError, match="needs the backend 'hnsw-annoy'.*install the plugin that adds it, or use"):
        hnsw_backend(library="annoy")
