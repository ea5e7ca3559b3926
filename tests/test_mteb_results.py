"""MTEB-compatible results: export layout and schema, import of MTEB folders, round trips, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

mteb = pytest.importorskip("mteb")

from harness.mteb.export import experiment_name, export_results  # noqa: E402
from harness.mteb.importer import import_results  # noqa: E402
from harness.results import ResultStore, TaskResult  # noqa: E402
from zoo.cli.main import build_cli  # noqa: E402
from zoo.errors import DataError  # noqa: E402

NFCORPUS_REVISION = mteb.get_task("NFCorpus").metadata.dataset["revision"]  # what an export must write


def result(**overrides: Any) -> TaskResult:
    values: dict[str, Any] = dict(
        task="mteb:NFCorpus",
        task_type="retrieval",
        task_version=NFCORPUS_REVISION[:12],
        split="test",
        data_fingerprint="d" * 16,
        encoder="hashing-bow-256",
        encoder_fingerprint="abcdef0123456789",
        dim=256,
        similarity="cosine",
        backend="exact",
        backend_params={},
        main_metric="ndcg_at_10",
        main_score=0.25,
        scores={"ndcg_at_10": 0.25, "recall_at_100": 0.5},
        encode_seconds=2.0,
        items_encoded=10,
        bytes_per_vector=1024,
        search_seconds=0.5,
        versions={"mteb": "2.26.24"},
        date="2026-11-27T08:00:00+00:00",
    )
    return TaskResult(**{**values, **overrides})


def test_export_layout_and_schema(tmp_path: Path) -> None:
    from mteb.results.task_result import TaskResult as MtebTaskResult

    plain = result()
    binary = result(chain=("binary?rescore=4",), main_score=0.2, scores={"ndcg_at_10": 0.2})
    hnsw = result(backend="hnsw", backend_params={"ef_search": 64}, main_score=0.24, scores={"ndcg_at_10": 0.24})
    own = result(task="icd10cm-small", main_score=0.7, scores={"ndcg_at_10": 0.7})
    paths = export_results([plain, binary, hnsw, own], tmp_path)
    base = tmp_path / "embedding-zoo__hashing-bow-256" / "abcdef012345"
    assert paths == sorted(
        [
            base / "NFCorpus.json",
            base / "icd10cm-small.json",
            base / "experiments" / "binary_rescore=4" / "NFCorpus.json",
            base / "experiments" / "backend=hnsw" / "NFCorpus.json",
        ]
    )
    meta = json.loads((base / "model_meta.json").read_text())
    assert (meta["name"], meta["revision"], meta["embed_dim"], meta["similarity_fn_name"], meta["license"]) == (
        "embedding-zoo/hashing-bow-256",
        "abcdef012345",
        256,
        "cosine",
        None,
    )
    loaded = MtebTaskResult.from_disk(base / "NFCorpus.json")
    assert (loaded.task_name, loaded.dataset_revision, loaded.mteb_version) == (
        "NFCorpus",
        NFCORPUS_REVISION,
        "2.26.24",
    )
    assert loaded.get_score() == pytest.approx(0.25)  # languages come from mteb's metadata: eng-Latn
    assert loaded.evaluation_time == pytest.approx(2.5)
    assert json.loads((base / "icd10cm-small.json").read_text())["dataset_revision"] == "d" * 16


def test_experiment_names() -> None:
    assert experiment_name(result()) is None
    assert experiment_name(result(backend=None)) is None
    assert experiment_name(result(chain=("matryoshka?dim=64", "binary"))) == "matryoshka_dim=64+binary"


def test_latest_run_per_file_wins(tmp_path: Path) -> None:
    older = result(main_score=0.1, date="2026-11-01T00:00:00+00:00")
    newer = result(main_score=0.3, date="2026-11-02T00:00:00+00:00")
    (path,) = export_results([newer, older], tmp_path)
    assert json.loads(path.read_text())["scores"]["test"][0]["main_score"] == 0.3


def test_round_trip_keeps_identity_and_marks_import(tmp_path: Path) -> None:
    runs = [result(), result(chain=("binary",), chain_fingerprint="c" * 16, main_score=0.2)]
    export_results(runs, tmp_path)
    back = sorted(import_results(tmp_path), key=lambda r: r.chain)
    for original, imported in zip(runs, back):
        assert imported.run_id == original.run_id
        assert (imported.task, imported.main_score, imported.scores) == (
            original.task,
            original.main_score,
            original.scores,
        )
        assert imported.provenance["imported_from"] == "mteb"
        assert (imported.encode_seconds, imported.items_encoded) == (0.0, 0)  # cost was not exported


def write_mteb_folder(root: Path) -> Path:
    """A published-style MTEB result: model_meta.json, a main-slot file and an experiment."""
    revision = root / "sentence-transformers__all-MiniLM-L6-v2" / "8b3219a92973c328a8e22fadcfa821b5dc75636a"
    (revision / "experiments" / "int8").mkdir(parents=True)
    (revision / "model_meta.json").write_text(
        json.dumps(
            {
                "name": "sentence-transformers/all-MiniLM-L6-v2",
                "revision": revision.name,
                "embed_dim": 384,
                "similarity_fn_name": "cosine",
                "n_parameters": 22713216,
            }
        )
    )
    document = {
        "dataset_revision": NFCORPUS_REVISION,
        "task_name": "NFCorpus",
        "mteb_version": "1.12.0",
        "evaluation_time": 30.0,
        "kg_co2_emissions": None,
        "scores": {
            "test": [
                {
                    "ndcg_at_10": 0.3159,
                    "map_at_10": 0.11,
                    "main_score": 0.3159,
                    "hf_subset": "default",
                    "languages": ["eng-Latn"],
                }
            ],
            "train": [{"ndcg_at_10": 0.5, "main_score": 0.5, "hf_subset": "default", "languages": ["eng-Latn"]}],
        },
    }
    (revision / "NFCorpus.json").write_text(json.dumps(document))
    (revision / "experiments" / "int8" / "NFCorpus.json").write_text(json.dumps(document))
    return root


def test_import_published_results(tmp_path: Path) -> None:
    imported = import_results(write_mteb_folder(tmp_path))
    assert len(imported) == 2  # the train split is not what zoo evaluates: left out
    main, experiment = sorted(imported, key=lambda r: r.chain)
    assert (main.task, main.task_type, main.split, main.main_metric, main.main_score) == (
        "mteb:NFCorpus",
        "retrieval",
        "test",
        "ndcg_at_10",
        0.3159,
    )
    assert (main.encoder, main.dim, main.similarity, main.n_parameters) == (
        "sentence-transformers/all-MiniLM-L6-v2",
        384,
        "cosine",
        22713216,
    )
    assert (main.encoder_fingerprint, main.data_fingerprint, main.code_fingerprint) == ("", "", "")
    assert main.backend == "exact" and main.scores == {"ndcg_at_10": 0.3159, "map_at_10": 0.11}
    assert main.hardware == {}
    revision = "8b3219a92973c328a8e22fadcfa821b5dc75636a"
    assert main.provenance == {
        "imported_from": "mteb",
        "mteb_model_revision": revision,
        "mteb_result_file": f"sentence-transformers__all-MiniLM-L6-v2/{revision}/NFCorpus.json",
    }
    assert experiment.chain == ("int8",) and main.versions == {"mteb": "1.12.0"}


def test_import_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no MTEB result files"):
        import_results(tmp_path)
    bad = tmp_path / "org__model" / "rev" / "Broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    with pytest.raises(DataError, match=f"{bad}:1: invalid JSON"):
        import_results(tmp_path)
    bad.write_text('{"task_name": "Broken"}')
    with pytest.raises(DataError, match=f"{bad}: not an MTEB result file"):
        import_results(tmp_path)


def test_cli_export_then_import(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "results")
    store.write(result())
    runner = CliRunner()
    exported = runner.invoke(build_cli(), ["mteb", "export", "-r", str(store.folder), "-o", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert "1 results as 1 MTEB result files" in exported.output
    again = runner.invoke(build_cli(), ["mteb", "import", str(tmp_path / "out"), "-o", str(store.folder)])
    assert "imported 0 results" in again.output and "1 already there" in again.output
    published = runner.invoke(
        build_cli(), ["mteb", "import", str(write_mteb_folder(tmp_path / "pub")), "-o", str(store.folder)]
    )
    assert "imported 2 results" in published.output
    assert len(list(store)) == 3
    missing = runner.invoke(build_cli(), ["mteb", "export", "-r", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no result folder" in missing.output


def test_imported_results_reach_the_leaderboard(tmp_path: Path) -> None:
    from harness.leaderboard.load import keep_latest, read_stores

    store = ResultStore(tmp_path / "results")
    for imported in import_results(write_mteb_folder(tmp_path / "pub")):
        store.write(imported)
    store.write(replace(result(), encoder="all-minilm-l6-v2"))
    rows = {entry.row: entry.result.main_score for entry in keep_latest(read_stores([store]))}
    assert rows == {
        "all-minilm-l6-v2": 0.25,
        "sentence-transformers/all-MiniLM-L6-v2": 0.3159,
        "sentence-transformers/all-MiniLM-L6-v2 + int8": 0.3159,
    }
