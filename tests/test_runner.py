"""The runner: each input encoded once, backends share embeddings, results carry provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.results import ResultStore
from harness.runner import BenchmarkRun, MeasuredEncoder
from tests.conftest import TINY_BEIR
from zoo.encoders.hashing import HashingEncoder
from zoo.errors import ZooError
from zoo.registry import Registry


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__(32, name="counting")
        self.calls: list[int] = []

    def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
        self.calls.append(len(inputs))
        return super().encode(inputs, role=role, instruction=instruction)


def test_measured_encoder_encodes_each_distinct_input_once():
    inner = CountingEncoder()
    measured = MeasuredEncoder(inner, progress=False)
    first = measured.encode(["a b", "c", "a b"], role="document")
    again = measured.encode(["c", "a b"], role="document")
    assert inner.calls == [2]
    np.testing.assert_array_equal(first[0], again[1])
    measured.encode(["c"], role="query")  # another role is another input
    assert inner.calls == [2, 1] and measured.items_encoded == 3


def test_measured_encoder_rejects_a_wrong_shape():
    class Broken(HashingEncoder):
        def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
            return np.zeros((len(inputs) + 1, self.dim), dtype=np.float32)

    with pytest.raises(ZooError, match=r"returned shape \(3, 8\) for 2 inputs"):
        MeasuredEncoder(Broken(8), progress=False).encode(["a", "b"])


def test_run_writes_one_result_per_backend_with_provenance(tmp_path: Path):
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    results = BenchmarkRun(
        [registry.encoder("hashing-bow-256")], [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")], ResultStore(tmp_path), progress=False,
    ).run()
    (result,) = results
    assert result.items_encoded == 13 and result.n_queries == 5
    assert result.versions["numpy"] == np.__version__
    assert len(result.code_fingerprint) == 16 and len(result.data_fingerprint) == 16
    assert result.bytes_per_vector == 256 * 4
    assert result.hardware["cores"]
