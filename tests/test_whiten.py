"""Whitening (fit/transform rules, known answers) and where chains are fit (recorded in the labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.chain import ChainEncoder, parse_chain
from harness.encoding import MeasuredEncoder
from harness.fitting import FitSource, parse_fit_source, read_fit_file
from harness.runner import fit_chain
from zoo.encoders.hashing import HashingEncoder
from zoo.errors import ZooError
from zoo.postprocess.whiten import Whiten
from zoo.registry import Registry

REPO = Path(__file__).resolve().parents[1]
TINY_BEIR = REPO / "tests" / "data" / "tiny-beir"
# four points around (1, 2): variance 4 along x, 1 along y, no correlation
CROSS = np.array([[3.0, 3.0], [3.0, 1.0], [-1.0, 3.0], [-1.0, 1.0]], dtype=np.float32)


def correlated(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) * np.linspace(3.0, 0.1, dim)  # anisotropic, as embeddings are
    return (rng.normal(size=(n, dim)) @ mixing + rng.normal(size=dim) * 5).astype(np.float32)


def covariance(X: np.ndarray) -> np.ndarray:
    centred = X.astype(np.float64) - X.mean(axis=0)
    return centred.T @ centred / len(X)


def test_whitened_training_data_has_zero_mean_and_identity_covariance():
    X = correlated(2000, 12, seed=0)
    Z = Whiten(eps=0.0).fit(X).transform(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-3)
    np.testing.assert_allclose(covariance(Z), np.eye(12), atol=1e-3)


def test_k_keeps_the_first_whitened_dimensions():
    X = correlated(1000, 10, seed=1)
    full = Whiten(eps=0.0).fit(X)
    kept = Whiten(k=3, eps=0.0).fit(X)
    Z = kept.transform(X)
    assert Z.shape == (1000, 3)
    np.testing.assert_allclose(covariance(Z), np.eye(3), atol=1e-3)
    np.testing.assert_allclose(Z, full.transform(X)[:, :3], atol=1e-4)
    assert np.all(np.diff(full.explained_variance_) <= 0)  # kept in order of decreasing variance


def test_fit_on_one_set_transform_another_matches_hand_computed_values():
    whiten = Whiten(eps=0.0).fit(CROSS)
    np.testing.assert_allclose(whiten.mean_, [1.0, 2.0])
    np.testing.assert_allclose(whiten.explained_variance_, [4.0, 1.0], atol=1e-6)
    new = np.array([[3.0, 2.0], [1.0, 4.0], [1.0, 2.0]], dtype=np.float32)
    # x is scaled by 1/2 and y by 1 after centring; SVD may flip signs, so compare magnitudes
    np.testing.assert_allclose(np.abs(whiten.transform(new)), [[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], atol=1e-6)


def test_eps_shrinks_directions_the_fitting_data_does_not_span():
    flat = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]], dtype=np.float32)  # no variance along y
    Z = Whiten(eps=1e-2).fit(flat).transform(np.array([[2.0, 1.0]], dtype=np.float32))
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(np.abs(Z), [[0.0, 1.0 / np.sqrt(1e-2)]], atol=1e-4)


def test_transform_before_fit_is_refused():
    with pytest.raises(ZooError, match="not fitted yet"):
        Whiten().transform(CROSS)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k": 3}, r"k=3 must be an integer in \[0, 2\]"),
        ({"k": -1}, "must be an integer"),
        ({"k": 1.5}, "must be an integer"),
        ({"eps": -1.0}, "eps=-1.0 must be a number >= 0"),
    ],
)
def test_bad_parameters_are_named_at_fit(params: dict, message: str):
    with pytest.raises(ZooError, match=message):
        Whiten(**params).fit(CROSS)


def test_transform_checks_the_width():
    with pytest.raises(ZooError, match="dim 3 but was fitted on dim 2"):
        Whiten().fit(CROSS).transform(np.ones((2, 3), dtype=np.float32))


def test_fingerprint_covers_parameters_and_fitted_state():
    X = correlated(200, 4, seed=2)
    first = Whiten().fit(X).fingerprint()
    assert Whiten().fit(X).fingerprint() == first
    assert Whiten().fit(X[:100]).fingerprint() != first
    assert Whiten(k=2).fit(X).fingerprint() != first


def test_saved_state_loads_back_identical(tmp_path: Path):
    X = correlated(300, 6, seed=3)
    whiten = Whiten(k=4).fit(X)
    loaded = Whiten.load(whiten.save(tmp_path / "whiten.npz"))
    assert loaded.fingerprint() == whiten.fingerprint()
    np.testing.assert_array_equal(loaded.transform(X), whiten.transform(X))


def test_whiten_is_registered_with_typed_options():
    steps = parse_chain("whiten?k=2&eps=0.001", Registry.from_plugins().postprocessor)
    assert steps[0].label == "whiten(eps=0.001,k=2)"
    made = steps[0].make()
    assert isinstance(made, Whiten) and made.k == 2 and made.eps == 0.001


class FakeTask:
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def fit_inputs(self) -> list[str]:
        return self.texts


CORPUS = [
    "the cat sat on the mat",
    "a dog ran in the park",
    "stock markets fell",
    "rain in spain",
    "the kitten sleeps",
    "a dog barks at a cat",
]


def _spec():
    return Registry.from_plugins().task("lee-sts")  # any search-free spec: only its name and flags are read


def test_chains_fit_on_the_corpus_by_default_and_say_so():
    encoder = MeasuredEncoder(HashingEncoder(16))
    chain = parse_chain("whiten?k=4", Registry.from_plugins().postprocessor)
    view = fit_chain(_spec(), FakeTask(CORPUS), encoder, chain)
    assert view.labels == ("whiten(k=4)", "fit:corpus")
    expected = HashingEncoder(16).encode(CORPUS).mean(axis=0)
    np.testing.assert_allclose(view.steps[0].mean_, expected, atol=1e-6)


def test_chains_fit_on_a_file_record_its_name_and_hash(tmp_path: Path):
    texts = ["heart attack", "broken arm", "fever with cough", "chest pain", "sprained ankle", "flu"]
    path = tmp_path / "held-out.txt"
    path.write_text("\n".join(texts) + "\n\n", encoding="utf-8")
    encoder = MeasuredEncoder(HashingEncoder(16))
    chain = parse_chain("whiten?k=4", Registry.from_plugins().postprocessor)
    view = fit_chain(_spec(), FakeTask(CORPUS), encoder, chain, f"file:{path}")
    assert view.labels[-1].startswith("fit:file:held-out.txt#")
    np.testing.assert_allclose(view.steps[0].mean_, HashingEncoder(16).encode(texts).mean(axis=0), atol=1e-6)
    corpus_view = fit_chain(_spec(), FakeTask(CORPUS), encoder, chain)
    assert corpus_view.fingerprint() != view.fingerprint()


def test_chains_fit_on_another_task():
    encoder = MeasuredEncoder(HashingEncoder(16))
    chain = parse_chain("whiten?k=2", Registry.from_plugins().postprocessor)
    view = fit_chain(_spec(), FakeTask(CORPUS), encoder, chain, f"task:{TINY_BEIR}")
    assert view.labels[-1] == f"fit:task:{TINY_BEIR}"
    assert view.steps[0].n_samples_fit_ != len(CORPUS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("split", "unknown fit source 'split'"),
        ("task:", "unknown fit source"),
        ("file:/no/such/file.txt", "no such file"),
    ],
)
def test_bad_fit_sources_are_one_line_errors(text: str, message: str):
    with pytest.raises(ZooError, match=message):
        parse_fit_source(text)


def test_unknown_task_source_names_the_fix():
    with pytest.raises(ZooError, match="no such task"):
        FitSource("task", "no-such-task").inputs(FakeTask(CORPUS))


def test_jsonl_fit_files_need_a_text_field(tmp_path: Path):
    good = tmp_path / "fit.jsonl"
    good.write_text('{"text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    assert read_fit_file(good) == ["a", "b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": "a"}\n', encoding="utf-8")
    with pytest.raises(ZooError, match='bad.jsonl:1: .* needs a string "text" field'):
        read_fit_file(bad)


def test_chain_encoder_records_what_it_was_fit_on():
    encoder = MeasuredEncoder(HashingEncoder(16))
    chain = parse_chain("whiten", Registry.from_plugins().postprocessor)
    view = ChainEncoder.fit(encoder, chain, CORPUS, fitted_on="fit:task:elsewhere")
    assert view.labels == ("whiten", "fit:task:elsewhere")
    assert view.encode(CORPUS[:2], role="query").shape == (2, 16)


def test_fitted_state_is_saved_under_the_chain_fingerprint(tmp_path: Path):
    encoder = MeasuredEncoder(HashingEncoder(16))
    chain = parse_chain("whiten?k=4", Registry.from_plugins().postprocessor)
    view = fit_chain(_spec(), FakeTask(CORPUS), encoder, chain, state_dir=tmp_path / "states")
    saved = tmp_path / "states" / view.fingerprint() / "0-whiten.npz"
    assert saved.is_file()
    assert Whiten.load(saved).fingerprint() == view.steps[0].fingerprint()


def test_bench_fits_where_fit_on_says_and_keeps_the_states(tmp_path: Path):
    import json

    from click.testing import CliRunner

    from tests.conftest import TINY_BEIR
    from zoo.cli.main import build_cli

    texts = tmp_path / "held-out.txt"
    texts.write_text("\n".join(f"background sentence number {i} about cats and dogs" for i in range(40)))
    out = tmp_path / "out"
    args = [
        "bench",
        "-m",
        "hashing-bow-256",
        "-t",
        str(TINY_BEIR),
        "-p",
        "whiten?k=8",
        "--fit-on",
        f"file:{texts}",
        "-o",
        str(out),
        "--no-leaderboard",
        "--no-progress",
    ]
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 0, result.output
    chained = [json.loads(p.read_text()) for p in out.glob("*.json") if json.loads(p.read_text())["chain"]]
    assert len(chained) == 1 and chained[0]["chain"][-1].startswith("fit:file:held-out.txt#")
    assert chained[0]["dim"] == 8 and any((out / "states").iterdir())
    bad = CliRunner().invoke(build_cli(), [*args[:-4], "--fit-on", "nowhere", "-o", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "unknown fit source 'nowhere'" in bad.output
    assert not (tmp_path / "bad").exists()  # refused before anything ran
