"""Multi-vector search: exact MaxSim against brute force, MUVERA's encodings against their definition, and
MUVERA approaching exact MaxSim's answers as repetitions grow, on a synthetic set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.multivector import MaxSimBackend, MultiVectorView, MuveraBackend
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.multivector.maxsim import VectorSets, maxsim, maxsim_top_k
from zoo.multivector.muvera import FDEConfig, FixedDimensionalEncoder


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def random_sets(rng: np.random.Generator, n: int, dim: int, low: int = 1, high: int = 6) -> VectorSets:
    return VectorSets.of([unit(rng.standard_normal((rng.integers(low, high), dim))) for _ in range(n)])


def test_maxsim_equals_brute_force_and_slices_keep_sets():
    rng = np.random.default_rng(0)
    docs, queries = random_sets(rng, 30, 8), random_sets(rng, 4, 8)
    brute = np.array(
        [
            [(q @ docs[j].T).max(axis=1).sum() for j in range(len(docs))]
            for q in (queries[i] for i in range(len(queries)))
        ]
    )
    np.testing.assert_allclose(np.stack([maxsim(queries[i], docs, block=7) for i in range(4)]), brute, rtol=1e-5)
    positions, scores = maxsim_top_k(queries, docs, 5)
    np.testing.assert_array_equal(positions, np.argsort(-brute, axis=1, kind="stable")[:, :5])
    np.testing.assert_allclose(scores, np.take_along_axis(brute, positions, axis=1), rtol=1e-5)
    part = queries[1:3]
    assert isinstance(part, VectorSets) and len(part) == 2
    np.testing.assert_array_equal(part[0], queries[1])
    with pytest.raises(ValueError, match="empty"):
        VectorSets.of([np.zeros((0, 8), np.float32)])


def test_one_partition_and_no_projection_give_query_sums_and_document_means():
    rng = np.random.default_rng(1)
    sets = random_sets(rng, 5, 6, 2, 5)
    fde = FixedDimensionalEncoder(FDEConfig(6, repetitions=1, k_sim=0, d_proj=None))
    np.testing.assert_allclose(fde.queries(sets), [sets[i].sum(axis=0) for i in range(5)], rtol=1e-6)
    np.testing.assert_allclose(fde.documents(sets), [sets[i].mean(axis=0) for i in range(5)], rtol=1e-6)


@pytest.mark.parametrize("repetitions", [1, 3])
def test_single_vector_documents_make_fde_products_exactly_maxsim(repetitions: int):
    """A one-vector document fills every partition with its vector, so <FDE(q), FDE(d)> sums each query
    vector's product with it: MaxSim exactly, once per repetition."""
    rng = np.random.default_rng(2)
    docs, queries = random_sets(rng, 20, 8, 1, 2), random_sets(rng, 5, 8, 2, 6)
    fde = FixedDimensionalEncoder(FDEConfig(8, repetitions=repetitions, k_sim=3, d_proj=None))
    products = fde.queries(queries) @ fde.documents(docs).T
    exact = np.stack([maxsim(queries[i], docs) for i in range(len(queries))])
    np.testing.assert_allclose(products, repetitions * exact, rtol=1e-5, atol=1e-6)


def test_empty_document_blocks_take_the_hamming_nearest_vector():
    """Checked against the definition, vector by vector: sign bits, partitions, centroids, filling."""
    rng = np.random.default_rng(3)
    dim, k_sim = 6, 3
    docs = random_sets(rng, 8, dim, 2, 4)  # few vectors: most of the 8 partitions are empty
    config = FDEConfig(dim, repetitions=2, k_sim=k_sim, d_proj=4, seed=7)
    fde = FixedDimensionalEncoder(config)
    got = fde.documents(docs).reshape(len(docs), 2, 1 << k_sim, 4)
    for r, (planes, projection) in enumerate(fde._randomness):
        for i in range(len(docs)):
            bits = (docs[i] @ planes) > 0
            parts = [int("".join("1" if b else "0" for b in row), 2) for row in bits]
            projected = docs[i] @ projection
            for p in range(1 << k_sim):
                members = [j for j, q in enumerate(parts) if q == p]
                if members:
                    expected = projected[members].mean(axis=0)
                else:
                    target = [(p >> (k_sim - 1 - b)) & 1 for b in range(k_sim)]
                    distances = [int(np.sum(row != np.array(target, bool))) for row in bits]
                    expected = projected[int(np.argmin(distances))]
                np.testing.assert_allclose(got[i, r, p], expected, rtol=1e-5, atol=1e-6)


def test_projection_settings_shape_and_seed():
    rng = np.random.default_rng(4)
    sets = random_sets(rng, 6, 16)
    config = FDEConfig(16, repetitions=4, k_sim=3, d_proj=8, d_final=50, seed=5)
    first = FixedDimensionalEncoder(config).documents(sets)
    assert first.shape == (6, 50) and FDEConfig(16, 4, 3, 8).output_dim == 4 * 8 * 8
    np.testing.assert_array_equal(first, FixedDimensionalEncoder(config).documents(sets))
    other = FixedDimensionalEncoder(FDEConfig(16, 4, 3, 8, 50, seed=6))
    assert (
        not np.allclose(first, other.documents(sets))
        and other.fingerprint() != FixedDimensionalEncoder(config).fingerprint()
    )
    with pytest.raises(ValueError, match="k_sim"):
        FDEConfig(16, k_sim=40)


def clustered(rng: np.random.Generator, n: int, dim: int, topics: int = 60) -> tuple[VectorSets, VectorSets]:
    """Documents of 6-15 vectors around 3 of ``topics`` directions; each query 4 noisy copies of one
    document's vectors: a set where near neighbours are close but not trivially separated."""
    centres = unit(rng.standard_normal((topics, dim)))
    docs = []
    for _ in range(n):
        picks = rng.choice(topics, 3, replace=False)
        m = int(rng.integers(6, 16))
        docs.append(unit(centres[rng.choice(picks, m)] + 0.3 * rng.standard_normal((m, dim))))
    documents = VectorSets.of(docs)
    queries = VectorSets.of(
        [
            unit(documents[i][rng.choice(len(documents[i]), 4)] + 0.3 * rng.standard_normal((4, dim)))
            for i in rng.choice(n, 60, replace=False)
        ]
    )
    return documents, queries


def test_muvera_approaches_exact_maxsim_as_repetitions_grow():
    """MUVERA's answer (FDE candidates rescored by MaxSim) finds exact MaxSim's best document for more
    queries as repetitions grow, nearly all of them at 20 (the paper's 1-NN recall)."""
    rng = np.random.default_rng(5)
    documents, queries = clustered(rng, 800, 24)
    exact, _ = maxsim_top_k(queries, documents, 1)
    ids = [f"d{i}" for i in range(len(documents))]
    recall = {}
    for repetitions in (1, 4, 20):
        muvera = MuveraBackend(repetitions=repetitions, k_sim=3, d_proj=0, candidates=40)
        muvera.build(documents, ids, "maxsim")
        hits, _ = muvera.search(queries, 1)
        recall[repetitions] = np.mean([row[0] == ids[best] for row, best in zip(hits, exact[:, 0])])
    assert recall[1] < recall[4] < recall[20] and recall[20] >= 0.9, recall


def test_muvera_with_every_document_a_candidate_is_exact_maxsim():
    rng = np.random.default_rng(6)
    documents, queries = random_sets(rng, 25, 8), random_sets(rng, 5, 8)
    ids = [f"d{i}" for i in range(25)]
    exact, muvera = MaxSimBackend(), MuveraBackend(repetitions=2, k_sim=2, candidates=25, index="hnsw")
    for backend in (exact, muvera):
        backend.build(documents, ids, "maxsim")
    (exact_hits, exact_scores), (hits, scores) = exact.search(queries, 10), muvera.search(queries, 10)
    assert hits == exact_hits
    np.testing.assert_array_equal(scores, exact_scores)
    assert muvera.params()["fde_dim"] == 2 * 4 * 16 and muvera.nbytes() > exact.nbytes()
    with pytest.raises(ZooError, match="candidates must be positive"):
        MuveraBackend(candidates=0)
    with pytest.raises(ZooError, match="k_sim"):
        MuveraBackend(k_sim=40)
    with pytest.raises(ZooError, match="multi-vector encoder's sets"):
        MaxSimBackend().build(np.zeros((2, 8), np.float32), ["a", "b"], "cosine")


class FakeTokens:
    """A multi-vector encoder over texts: one seeded unit vector per word."""

    modalities = ("text",)
    name = "fake-tokens"

    def __init__(self, dim: int = 16) -> None:
        self.dim = dim

    def fingerprint(self) -> str:
        return fingerprint("fake-tokens", self.dim)

    def encode_sets(self, inputs, *, role="document"):  # noqa: ANN001, ANN201
        def word(w: str) -> np.ndarray:
            seed = int(fingerprint(w), 16) % (1 << 32)
            return unit(np.random.default_rng(seed).standard_normal(self.dim))

        return [np.stack([word(w) for w in str(text).split()]) for text in inputs]


def test_a_multi_vector_view_encodes_each_call_once():
    view = MultiVectorView(FakeTokens())  # type: ignore[arg-type]
    sets = view.encode(["red apple", "green pear", "blue sky"])
    assert view.encode(["red apple", "green pear", "blue sky"]) is sets and view.items_encoded == 3
    assert view.bytes_per_vector == 2 * 16 * 4 and view.similarity == "maxsim"
    backend = MaxSimBackend()
    backend.build(sets, ["a", "b", "c"], view.similarity)
    hits, scores = backend.search(view.encode(["pear"], role="query"), 2)
    assert hits[0][0] == "b" and scores[0, 0] == pytest.approx(1.0, abs=1e-6)


def test_runner_measures_muvera_against_exact_maxsim(tmp_path: Path):
    """A multi-vector encoder's row: exact MaxSim for the exact backend, MUVERA compared with it as any
    approximate backend is; HNSW, which cannot search sets, is skipped."""
    from harness.results import ResultStore
    from harness.runner import BenchmarkRun
    from harness.tasks.builtin import beir_folder_spec
    from tests.conftest import TINY_BEIR
    from zoo.options import bind_backend_options
    from zoo.plugins import OWN_DISTRIBUTION
    from zoo.protocols import EncoderSpec
    from zoo.registry import Registry

    registry = Registry.from_plugins()
    spec = EncoderSpec("fake-tokens", load=lambda: FakeTokens(), family="multi-vector")
    muvera = bind_backend_options(registry.backend("muvera"), "repetitions=4&k_sim=2&candidates=3")
    run = BenchmarkRun(
        [spec],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact"), registry.backend("hnsw"), muvera],
        ResultStore(tmp_path),
        progress=False,
        sources=lambda kind, name: {"distribution": OWN_DISTRIBUTION, "name": name},  # as zoo bench looks up
    )
    results = {r.backend: r for r in run.run()}
    assert set(results) == {"exact", "muvera?repetitions=4&k_sim=2&candidates=3"}
    exact, approx = results["exact"], results["muvera?repetitions=4&k_sim=2&candidates=3"]
    assert exact.similarity == "maxsim" and exact.backend_params["search"] == "exact MaxSim"
    assert 0 <= approx.vs_exact["recall_at_10"] <= 1 and approx.backend_params["fde_dim"] == 4 * 4 * 16
    assert approx.vs_exact["exact_main_score"] == exact.main_score and exact.bytes_per_vector > 0
    assert approx.plugins["encoder"] == {"distribution": OWN_DISTRIBUTION, "name": "fake-tokens"}
