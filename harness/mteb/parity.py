"""Parity with mteb on real data: a zoo task run by mteb's own evaluators on the very vectors zoo used.

``mteb_task(task)`` makes an mteb custom task (a subclass of mteb's ``AbsTask<Type>``) holding a loaded zoo
task's data and protocol options (seed, experiments, samples per label, k-means sample size and batch);
mteb's own code then draws the samples, trains the classifiers, clusters, thresholds and ranks. Reranking
data goes through mteb's own conversion of query/positive/negative rows (``AbsTaskReranking``).

``parity(task, encoder)`` runs zoo first through ``RecordedVectors``, which keeps every vector it hands
out, then freezes it and runs ``mteb.evaluate`` through ``harness.mteb.encoder.MtebEncoder`` on it: mteb
gets exactly zoo's vectors, and a text that zoo never encoded fails loudly instead of being encoded anew,
so both sides provably saw the same inputs. Importing this module imports mteb.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import mteb
import numpy as np
from datasets import Dataset, DatasetDict
from mteb.abstasks.classification import AbsTaskClassification
from mteb.abstasks.clustering import AbsTaskClustering
from mteb.abstasks.pair_classification import AbsTaskPairClassification
from mteb.abstasks.sts import AbsTaskSTS
from mteb.abstasks.task_metadata import TaskMetadata
from sklearn.linear_model import LogisticRegression

from harness.mteb.encoder import MtebEncoder
from zoo.errors import ZooError
from zoo.protocols import Encoder, EncoderSpec, ItemScores, Role, Task, TaskSpec

SPLIT = "test"
OFFLINE_TASKS = ("icd10cm-chapters", "icd10cm-blocks", "lee-sts", "icd10cm-pairs", "icd10cm-rerank")
MTEB_TYPES = {
    "classification": "Classification",
    "clustering": "Clustering",
    "sts": "STS",
    "pair_classification": "PairClassification",
    "reranking": "Reranking",
}


class RecordedVectors:
    """An Encoder that hands out ``encoder``'s vectors and keeps them; once ``frozen``, it only replays.

    Keys are (role, text), so a text encoded as a query and as a document keeps both vectors.
    """

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.modalities = encoder.modalities
        self.similarity = encoder.similarity
        self.frozen = False
        self.vectors: dict[tuple[str, str], np.ndarray] = {}

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def fingerprint(self) -> str:
        return self.encoder.fingerprint()

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in inputs if (role, t) not in self.vectors))
        if missing and self.frozen:
            raise ZooError(
                f"mteb asked for {len(missing)} {role} texts zoo never encoded, e.g. {missing[0]!r}: "
                "the two do not evaluate the same inputs"
            )
        if missing:
            fresh = self.encoder.encode(missing, role=role, instruction=instruction)
            self.vectors.update(((role, text), vector) for text, vector in zip(missing, fresh))
        out = np.empty((len(inputs), self.dim), dtype=np.float32)
        for row, text in enumerate(inputs):
            out[row] = self.vectors[(role, text)]
        return out


@dataclass(frozen=True)
class Parity:
    """Every metric both zoo and mteb report for one task, side by side."""

    task: str
    zoo: dict[str, float]
    mteb: dict[str, float]
    main_metric: str
    zoo_items: ItemScores | None = field(default=None, repr=False)
    mteb_raw: dict[str, Any] = field(default_factory=dict, repr=False)  # all mteb returned, per-experiment lists too
    # what mteb saves to its prediction folder for the split: labels per experiment (classification),
    # assignments per experiment (clustering), similarities per pair (STS, pair classification), runs (reranking)
    mteb_predictions: Any = field(default=None, repr=False)

    @property
    def shared(self) -> list[str]:
        return sorted(set(self.zoo) & set(self.mteb))

    def differences(self) -> dict[str, float]:
        return {key: abs(self.zoo[key] - self.mteb[key]) for key in self.shared}

    @property
    def max_difference(self) -> float:
        return max(self.differences().values())


def parity(task: Task, encoder: Encoder) -> Parity:
    """Score ``task`` with zoo, then with mteb's evaluators on the same recorded vectors."""
    recorded = RecordedVectors(encoder)
    ours = task.evaluate(recorded, None)
    recorded.frozen = True
    theirs, predictions = _mteb_scores(MtebEncoder(recorded), mteb_task(task))
    return Parity(
        task.spec.name,
        dict(ours.scores),
        {k: float(v) for k, v in theirs.items() if isinstance(v, float)},
        task.spec.main_metric,
        ours.items,
        dict(theirs),
        predictions,
    )


def _mteb_scores(model: MtebEncoder, task: Any) -> tuple[dict[str, Any], Any]:
    """mteb's scores of the split and the predictions it saved for it."""
    with tempfile.TemporaryDirectory(prefix="zoo-parity-") as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # mteb's own (AbsTaskReranking), not the user's
        result = mteb.evaluate(model, task, cache=None, show_progress_bar=False, prediction_folder=folder)
        saved = json.loads((Path(folder) / task.prediction_file_name).read_text(encoding="utf-8"))
    scores = result.task_results[0].scores[SPLIT][0]
    return scores, saved[scores["hf_subset"]][SPLIT]


def parity_table(encoder_spec: EncoderSpec, task_specs: list[TaskSpec]) -> tuple[list[str], list[list[object]], float]:
    """``zoo mteb parity``'s table (header, rows) and the largest difference over every task.

    The encoder runs through the embedding cache, so vectors encoded before are not encoded again.
    """
    from harness.encoding import MeasuredEncoder
    from zoo.cache import EmbeddingCache

    encoder = MeasuredEncoder(encoder_spec.load(), cache=EmbeddingCache(), progress=False)
    header = ["task", "type", "shared metrics", "main metric", "zoo", "mteb", "max |difference|", "on"]
    rows: list[list[object]] = []
    worst = 0.0
    for spec in task_specs:
        found = parity(spec.load(), encoder)
        differences = found.differences()
        on = max(differences, key=differences.get)
        rows.append(
            [
                spec.name,
                spec.type,
                len(differences),
                found.main_metric,
                f"{found.zoo[found.main_metric]:.6f}",
                f"{found.mteb[found.main_metric]:.6f}",
                f"{differences[on]:.2g}",
                on,
            ]
        )
        worst = max(worst, differences[on])
    return header, rows, worst


def mteb_task(task: Task) -> Any:
    """An mteb custom task with ``task``'s loaded data and protocol options; the evaluated data is its
    split "test" whatever the zoo task calls it."""
    kind = task.spec.type
    makers = {
        "classification": _classification,
        "clustering": _clustering,
        "sts": _sts,
        "pair_classification": _pair_classification,
        "reranking": _reranking,
    }
    if kind not in makers:
        raise ZooError(f"no mteb parity for {kind} tasks; parity covers {', '.join(makers)}")
    return makers[kind](task, _metadata(task))


def _metadata(task: Task) -> TaskMetadata:
    spec = task.spec
    return TaskMetadata(
        name=f"Zoo{''.join(part.title() for part in spec.name.split('-'))}",
        type=MTEB_TYPES[spec.type],
        description=spec.description or spec.name,
        reference=None,
        dataset={"path": f"embedding-zoo/{spec.name}", "revision": task.data_fingerprint()[:12]},
        category="t2t",
        eval_splits=[SPLIT],
        eval_langs=["eng-Latn"],
        main_score=spec.main_metric,
        date=None,
        domains=[],
        task_subtypes=[],
        license=None,
        annotations_creators=None,
        dialect=[],
        modalities=["text"],
        sample_creation=None,
        bibtex_citation="",
    )


def _loaded(instance: Any, dataset: Any) -> Any:
    instance.dataset = dataset
    instance.data_loaded = True
    return instance


def _classification(task: Any, metadata: TaskMetadata) -> Any:
    data = task.data

    class Classification(AbsTaskClassification):
        samples_per_label = task.samples_per_label
        n_experiments = task.n_experiments
        evaluator_model = LogisticRegression(max_iter=task.max_iter)

        def load_data(self, **kwargs: Any) -> None:  # the data is given, not loaded
            pass

    Classification.metadata = metadata
    return _loaded(
        Classification(seed=task.seed),
        DatasetDict(
            {
                "train": Dataset.from_dict({"text": data.train_texts, "label": data.train_labels}),
                SPLIT: Dataset.from_dict({"text": data.test_texts, "label": data.test_labels}),
            }
        ),
    )


def _clustering(task: Any, metadata: TaskMetadata) -> Any:
    class Clustering(AbsTaskClustering):
        max_fraction_of_documents_to_embed = None  # zoo's tasks embed every text
        n_clusters = task.n_experiments
        max_documents_per_cluster = task.cluster_size
        k_mean_batch_size = task.batch_size

        def load_data(self, **kwargs: Any) -> None:
            pass

    Clustering.metadata = metadata
    data = task.data
    return _loaded(
        Clustering(seed=task.seed),
        DatasetDict({SPLIT: Dataset.from_dict({"sentences": data.texts, "labels": data.labels})}),
    )


def _sts(task: Any, metadata: TaskMetadata) -> Any:
    data = task.data
    gold = np.asarray(data.scores, dtype=np.float64)

    class STS(AbsTaskSTS):
        min_score = float(gold.min())  # mteb rescales gold scores linearly: correlations do not change
        max_score = float(gold.max())

        def load_data(self, **kwargs: Any) -> None:
            pass

    STS.metadata = metadata
    return _loaded(
        STS(),
        DatasetDict(
            {
                SPLIT: Dataset.from_dict(
                    {"sentence1": list(data.sentences1), "sentence2": list(data.sentences2), "score": gold.tolist()}
                )
            }
        ),
    )


def _pair_classification(task: Any, metadata: TaskMetadata) -> Any:
    class PairClassification(AbsTaskPairClassification):
        def load_data(self, **kwargs: Any) -> None:
            pass

    PairClassification.metadata = metadata
    data = task.data
    return _loaded(
        PairClassification(),
        DatasetDict(
            {
                SPLIT: Dataset.from_dict(
                    {"sentence1": data.sentences1, "sentence2": data.sentences2, "labels": data.labels}
                )
            }
        ),
    )


def _reranking(task: Any, metadata: TaskMetadata) -> Any:
    """Through mteb's own conversion of query/positive/negative rows (ids, candidate order, filtering)."""
    from mteb.abstasks.text import reranking

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)

        class Reranking(reranking.AbsTaskReranking):
            pass

        Reranking.metadata = metadata
        instance = Reranking()
    data = task.data
    rows = DatasetDict(
        {SPLIT: Dataset.from_dict({"query": data.queries, "positive": data.positives, "negative": data.negatives})}
    )
    reranking.OLD_FORMAT_RERANKING_TASKS.append(metadata.name)
    try:
        instance.transform_old_dataset_format(rows)
    finally:
        reranking.OLD_FORMAT_RERANKING_TASKS.remove(metadata.name)
    return instance
