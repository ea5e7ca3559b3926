"""``mteb:<Task>`` sources: names, subsets, conversion to task folders, offline reuse, clear refusals."""

from __future__ import annotations

import json

import pytest

mteb = pytest.importorskip("mteb")

from mteb.mocks import mock_tasks  # noqa: E402

from harness.data.paths import TASK_FILE  # noqa: E402
from harness.mteb.source import (  # noqa: E402
    converted_folder,
    main_metric,
    mteb_task_spec,
    parse_name,
    spec_for_task,
)
from zoo.errors import DataError, ZooError  # noqa: E402


def test_names_and_subsets() -> None:
    assert parse_name("mteb:STS17/en-en") == ("STS17", "en-en")
    assert parse_name("mteb:NFCorpus") == ("NFCorpus", None)
    with pytest.raises(ZooError, match="name an mteb task"):
        parse_name("mteb:")
    with pytest.raises(ZooError, match="has subsets eng, fra; name one: mteb:MockMultilingualSTSTask/eng"):
        spec_for_task(mock_tasks.MockMultilingualSTSTask())
    assert spec_for_task(mock_tasks.MockMultilingualSTSTask(), "fra").name == "mteb:MockMultilingualSTSTask/fra"


def test_registered_task_metadata_without_loading_data() -> None:
    spec = mteb_task_spec("mteb:NFCorpus")
    assert (spec.name, spec.type, spec.main_metric, spec.uses_search) == (
        "mteb:NFCorpus",
        "retrieval",
        "ndcg_at_10",
        True,
    )
    revision = mteb.get_task("NFCorpus").metadata.dataset["revision"]
    assert f"mteb/nfcorpus at revision {revision}" in spec.source and spec.version == revision[:12]
    with pytest.raises(ZooError, match="unknown mteb task 'NFCorpuss'.*Did you mean: 'NFCorpus'"):
        mteb_task_spec("mteb:NFCorpuss")


def test_main_metric_kept_where_zoo_computes_it() -> None:
    assert main_metric("pair_classification", "similarity_ap") == "similarity_ap"
    assert main_metric("retrieval", "ndcg_at_10") == "ndcg_at_10"
    assert main_metric("retrieval", "cv_recall_at_5") == "ndcg_at_10"  # not a metric zoo computes
    assert main_metric("sts", "cosine_spearman") == "cosine_spearman"


class OfflineClassification(mock_tasks.MockClassificationTask):
    """The mock classification task, with the hub out of reach."""

    def load_data(self, num_proc: int | None = None, **kwargs: object) -> None:
        raise ConnectionError("the hub is unreachable")


def test_converted_once_then_read_offline() -> None:
    task = mock_tasks.MockClassificationTask()
    spec = spec_for_task(task)
    online = spec.load().data
    folder = converted_folder(spec, task, "test")
    config = json.loads((folder / TASK_FILE).read_text())
    assert config == {
        "type": "classification",
        "split": "test",
        "train_split": "train",
        "samples_per_label": 8,
        "n_experiments": 10,
        "seed": 42,
    }
    assert sorted(p.name for p in folder.iterdir()) == [TASK_FILE, "test.jsonl", "train.jsonl"]
    offline = spec_for_task(OfflineClassification()).load().data
    assert (offline.train_texts, offline.test_labels) == (online.train_texts, online.test_labels)


def test_unreachable_data_is_one_clear_error() -> None:
    class Renamed(OfflineClassification):
        metadata = OfflineClassification.metadata.model_copy(update={"name": "NeverConverted"})

    with pytest.raises(
        ZooError, match="mteb could not load 'NeverConverted' .*ConnectionError.*needs the Hugging Face hub"
    ):
        spec_for_task(Renamed()).load()


def test_bad_rows_name_the_mteb_row() -> None:
    from datasets import Dataset, DatasetDict

    class Unlabelled(mock_tasks.MockSTSTask):
        metadata = mock_tasks.MockSTSTask.metadata.model_copy(update={"name": "Unlabelled"})

        def load_data(self, num_proc: int | None = None, **kwargs: object) -> None:
            rows = [
                {"sentence1": "a", "sentence2": "b", "score": 1.0},
                {"sentence1": "c", "sentence2": "d", "score": None},
            ]
            self.dataset = DatasetDict({"test": Dataset.from_list(rows)})
            self.data_loaded = True

    with pytest.raises(DataError, match=r"mteb:Unlabelled default/test row 2: missing \"score\""):
        spec_for_task(Unlabelled()).load()


def test_unsupported_tasks_say_what_runs() -> None:
    with pytest.raises(ZooError, match="BitextMining.*not mirrored; zoo runs mteb's Retrieval"):
        spec_for_task(mock_tasks.MockBitextMiningTask())
    with pytest.raises(ZooError, match=r"modalities \['audio'\] are not text only"):
        spec_for_task(mock_tasks.MockAudioClusteringTask())


def test_zoo_bench_reports_unknown_mteb_tasks_in_one_line() -> None:
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    args = ["bench", "-m", "hashing-bow-256", "-t", "mteb:NFCorpuss", "--no-leaderboard"]
    run = CliRunner().invoke(build_cli(), args)
    assert run.exit_code == 2
    assert "zoo: error: unknown mteb task 'NFCorpuss'" in run.output and "Traceback" not in run.output


def test_duplicate_document_ids_are_named() -> None:
    from datasets import Dataset

    class Doubled(mock_tasks.MockRetrievalTask):
        metadata = mock_tasks.MockRetrievalTask.metadata.model_copy(update={"name": "Doubled"})

        def load_data(self, num_proc: int | None = None, **kwargs: object) -> None:
            super().load_data()
            split = self.dataset["default"]["test"]
            split["corpus"] = Dataset.from_list(
                [{"id": "d1", "title": "", "text": "a"}, {"id": "d1", "title": "", "text": "b"}]
            )

    with pytest.raises(
        DataError,
        match="mteb:Doubled default/test corpus row 2: duplicate id 'd1' "
        r"\(first in row 1\)",
    ):
        spec_for_task(Doubled()).load()
