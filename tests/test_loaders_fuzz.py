"""Property tests: every loader and parser, given any bytes (or any text for names and options), either
parses or raises one ZooError of one line; never another exception. Inputs are arbitrary bytes and
mutations of a valid file (see tests/fuzzing.py); examples are derandomized, so runs are repeatable."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TINY_BEIR
from tests.fuzzing import FUZZ, hostile_bytes
from zoo.errors import ZooError

GOOD_RESULT = Path(__file__).parent / "hostile" / "good-result.json"


def parses_or_fails_cleanly(call: Callable[[], Any]) -> None:
    try:
        call()
    except ZooError as exc:
        assert str(exc) and "\n" not in str(exc), repr(str(exc))


def in_folder(files: dict[str, bytes], base: Path | None = None) -> Callable[[Callable[[Path], Any]], None]:
    """Run ``check(folder)`` on a fresh folder holding ``base``'s files and then ``files``."""

    def run(check: Callable[[Path], Any]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "task"
            if base is not None:
                shutil.copytree(base, folder)
            for name, data in files.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
            parses_or_fails_cleanly(lambda: check(folder))

    return run


def beir_file(name: str) -> bytes:
    return (TINY_BEIR / name).read_bytes()


@FUZZ
@given(st.sampled_from(["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"]), st.data())
def test_beir_folders(name: str, data: st.DataObject):
    from harness.data.beir import load_beir

    content = data.draw(hostile_bytes(beir_file(name)))
    in_folder({name: content}, TINY_BEIR)(load_beir)


STS = b'{"sentence1": "a cat", "sentence2": "a dog", "score": 3.5}\n{"sentence1": "x", "sentence2": "y", "score": 1}\n'
CLUSTER = b'{"text": "a cat", "label": "animal"}\n{"text": "a car", "label": 2}\n'
PAIRS = b'{"sentence1": "a", "sentence2": "b", "label": 1}\n{"sentence1": "c", "sentence2": "d", "label": 0}\n'
RERANK = b'{"query": "q", "positive": ["p"], "negative": ["n", "m"]}\n'


@FUZZ
@given(
    st.sampled_from(
        [
            ("sts", STS),
            ("clustering", CLUSTER),
            ("pair_classification", PAIRS),
            ("reranking", RERANK),
            ("classification", CLUSTER),
        ]
    ),
    st.data(),
)
def test_task_folder_splits(kind_and_valid: tuple[str, bytes], data: st.DataObject):
    from harness.data import folders

    kind, valid = kind_and_valid
    content = data.draw(hostile_bytes(valid))
    loader = getattr(folders, f"load_{kind}")
    in_folder({"test.jsonl": content, "train.jsonl": valid})(loader)


@FUZZ
@given(
    hostile_bytes(
        b'{"type": "clustering", "n_experiments": 3, "seed": 1, "name": "x"}',
        b'{"type": "classification", "samples_per_label": 2, "main_metric": "f1"}',
    )
)
def test_task_json(content: bytes):
    from harness.data.folders import folder_task_spec

    in_folder({"task.json": content, "test.jsonl": CLUSTER, "train.jsonl": CLUSTER})(folder_task_spec)


QRELS = b"q1 0 d1 1\nq1 0 d2 0\nq2 0 d3 2\n"
BEIR_QRELS = b"query-id\tcorpus-id\tscore\nq1\td1\t1\n"
RUN = b"q1 Q0 d1 1 2.5 tag\nq1 Q0 d2 2 1.0 tag\nq2 Q0 d3 1 -0.5 tag\n"


@FUZZ
@given(hostile_bytes(QRELS, BEIR_QRELS), hostile_bytes(RUN))
def test_trec_qrels_and_run_files(qrels: bytes, run: bytes):
    from harness.metrics import retrieval_scores
    from harness.trec import read_qrels, read_run

    def score(folder: Path) -> None:
        judged, ranked = read_qrels(folder / "qrels"), read_run(folder / "run")
        retrieval_scores(judged, ranked, (1, 10))

    in_folder({"qrels": qrels, "run": run})(score)


@FUZZ
@given(
    st.sampled_from(["fit.txt", "fit.jsonl"]), hostile_bytes(b"a text\nanother\n", b'{"text": "a"}\n{"text": "b"}\n')
)
def test_fit_files(name: str, content: bytes):
    from harness.fitting import read_fit_file

    in_folder({name: content})(lambda folder: read_fit_file(folder / name))


@FUZZ
@given(hostile_bytes(GOOD_RESULT.read_bytes()[:400] + b"}", GOOD_RESULT.read_bytes()))
def test_result_files(content: bytes):
    from harness.leaderboard.load import read_stores
    from harness.results import read_result

    in_folder({"r.json": content})(lambda folder: read_result(folder / "r.json"))
    in_folder({"r.json": content})(lambda folder: read_stores([folder]))  # skips, never raises


@FUZZ
@given(hostile_bytes(b'{"method": "linear", "models": ["a", "b"], "weights": [0.5, 0.5]}'))
def test_merge_recipes(content: bytes):
    from zoo.merge.recipe import read_recipe

    in_folder({"recipe.json": content})(lambda folder: read_recipe(folder / "recipe.json"))


@pytest.mark.slow  # imports mteb
@FUZZ
@given(
    hostile_bytes(
        b'{"task_name": "NFCorpus", "dataset_revision": "x", "mteb_version": "1.12.0", '
        b'"scores": {"test": [{"main_score": 0.3, "hf_subset": "default", "languages": ["eng-Latn"]}]}, '
        b'"evaluation_time": 1.0}'
    )
)
def test_mteb_result_files(content: bytes):
    from harness.mteb.importer import import_results

    in_folder({"org__model/rev/NFCorpus.json": content})(import_results)


NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "hnsw?M=32&ef_search=16,64",
            "hnsw?recall=0.95",
            "exact?chunk_size=0",
            "hnsw?M=1e9",
            "hnsw?ef_search=",
            "binary?rescore=4&rescore_with=int8",
            "matryoshka?dim=64+binary",
            "whiten?k=nan",
            "int8?percentile=inf",
        ]
    ),
)


@FUZZ
@given(NAMES)
def test_backend_and_chain_names(text: str):
    from harness.chain import parse_chain
    from harness.commands.bench import _backend, _backend_names
    from zoo.registry import Registry

    registry = Registry.from_plugins()
    parses_or_fails_cleanly(lambda: [_backend(registry, name) for name in _backend_names([text])])
    parses_or_fails_cleanly(lambda: parse_chain(text, registry.postprocessor))


@FUZZ
@given(st.one_of(st.text(max_size=30), st.sampled_from(["1,10,100", "0", "-1", "10" * 20, "1,,2", " 5"])))
def test_fit_sources_and_cutoffs(text: str):
    from harness.fitting import parse_fit_source
    from harness.trec import parse_cutoffs

    parses_or_fails_cleanly(lambda: parse_fit_source(text))
    parses_or_fails_cleanly(lambda: parse_cutoffs(text))


ENCODER_NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "hf:BAAI/bge-small-en-v1.5?max_seq_length=-1",
            "tf:x?pooling=nope",
            "onnx:minilm?quantize=int4",
            "merge:slerp?models=minilm+minilm&t=2",
            "merge:ties?models=&density=nan",
            "clip:?dtype=x",
            "vlm2vec-full?trust_remote_code=maybe",
            "dna:x?max_length=0",
            "minilm?x=1",
            "hf:",
            "merge:",
        ]
    ),
)


@FUZZ
@given(ENCODER_NAMES, st.text(max_size=40))
def test_encoder_and_dataset_names(name: str, dataset: str):
    from harness.data.hf_source import hf_task_spec
    from zoo.merge.recipe import recipe_from_name
    from zoo.registry import Registry

    parses_or_fails_cleanly(lambda: Registry.from_plugins().encoder(name))  # the spec only: nothing loads
    parses_or_fails_cleanly(lambda: hf_task_spec(f"hf:{dataset}"))
    if not dataset.endswith((".json", ".toml")):
        parses_or_fails_cleanly(lambda: recipe_from_name(dataset))


@FUZZ
@given(hostile_bytes(b"PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00\x12\x00\x00PAR1"))
def test_parquet_splits(content: bytes):
    from harness.data.folders import load_sts

    in_folder({"test.parquet": content})(load_sts)
