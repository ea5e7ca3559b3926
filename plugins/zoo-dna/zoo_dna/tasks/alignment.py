"""Read-to-reference alignment by embedding search (Embed-Search-Align).

References: one sequence from each of ``n_references`` evaluation-side genera, drawn with a seed. Each is
cut into fragments of ``fragment_length`` bases every ``stride`` bases (plus one flush with its end).
Reads: ``reads_per_reference`` reads of ``read_length`` bases from uniform starts, with seeded
substitutions, insertions and deletions, and a ``reverse_fraction`` share from the reverse strand.
A fragment is a correct hit for a read when it comes from the read's reference and its start lies less
than ``tolerance`` bases from the read's true start (default: one stride, so the fragment overlaps more
than 80% of the read). Reads and fragments are embedded and searched with the backend passed in, so
exact and approximate (HNSW) search are both measured.

Scores: ``top1`` (main) and ``hit_at_k``: the share of reads with a correct fragment among the first k;
``top1_reference``: the first hit at least comes from the right reference; trec ``mrr_at_10`` and
``ndcg_at_10`` from the harness's metrics.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from harness.api import retrieval_scores, timed_search
from zoo.api import Encoder, SearchBackend, TaskScores, TaskSpec, ZooError, fingerprint
from zoo_dna.data import Record, by_genus, data_fingerprint, split_records
from zoo_dna.reads import ErrorRates, Fragment, Read, fragments, simulate_reads

HIT_K = (1, 5, 10, 50)
SEARCH_K = 100  # also the depth at which an approximate backend's ranking is compared with exact search


@dataclass(frozen=True)
class AlignmentSetup:
    """Every parameter of the simulation; all of it goes into the data fingerprint."""

    n_references: int = 300
    reads_per_reference: int = 4
    read_length: int = 250
    fragment_length: int = 250
    stride: int = 50
    tolerance: int = 50
    rates: ErrorRates = field(default_factory=ErrorRates)
    reverse_fraction: float = 0.5
    seed: int = 7


@dataclass(frozen=True, eq=False)
class AlignmentData:
    reads: list[Read]
    fragments: list[Fragment]
    qrels: dict[str, dict[str, int]]


def pick_references(records: list[Record], n: int, seed: int) -> dict[str, str]:
    """One sequence from each of ``n`` genera drawn with ``seed`` (all genera if fewer), keyed by id."""
    groups = sorted(by_genus(records).items())
    rng = random.Random(seed)
    chosen = rng.sample(groups, min(n, len(groups)))
    return {record.id: record.sequence for record in (rng.choice(group) for _, group in chosen)}


def relevant(read: Read, candidates: list[Fragment], tolerance: int) -> dict[str, int]:
    return {f.id: 1 for f in candidates if f.reference == read.reference and abs(f.start - read.start) < tolerance}


def alignment_data(records: list[Record], setup: AlignmentSetup) -> AlignmentData:
    """Reads, fragments and the correct fragments of each read (see the module docstring)."""
    references = pick_references(records, setup.n_references, setup.seed)
    cut = {ref: fragments(ref, seq, setup.fragment_length, setup.stride) for ref, seq in references.items()}
    reads = simulate_reads(
        references, setup.reads_per_reference, setup.read_length, setup.rates, setup.reverse_fraction, setup.seed
    )
    qrels = {read.id: relevant(read, cut[read.reference], setup.tolerance) for read in reads}
    return AlignmentData(reads, [f for ref in references for f in cut[ref]], qrels)


def hit_rates(
    hits: list[list[str]], reads: list[Read], qrels: dict[str, dict[str, int]], k_values: tuple[int, ...] = HIT_K
) -> dict[str, float]:
    """Share of reads with a correct fragment in the first k hits; and with the right reference first."""
    scores = {
        f"hit_at_{k}": sum(any(h in qrels[r.id] for h in row[:k]) for row, r in zip(hits, reads)) / len(reads)
        for k in k_values
    }
    scores["top1"] = scores["hit_at_1"]
    scores["top1_reference"] = sum(
        bool(row) and row[0].rsplit(":", 1)[0] == r.reference for row, r in zip(hits, reads)
    ) / len(reads)
    return scores


class ReadAlignmentTask:
    """Embed-Search-Align on simulated 16S reads; main score: top-1 accuracy."""

    def __init__(self, spec: TaskSpec, setup: AlignmentSetup = AlignmentSetup()) -> None:
        self.spec = spec
        self.setup = setup

    @functools.cached_property
    def data(self) -> AlignmentData:
        return alignment_data(split_records("eval"), self.setup)

    def fit_inputs(self) -> list[str]:
        return [f.sequence for f in self.data.fragments]

    def data_fingerprint(self) -> str:
        return fingerprint("dna-read-alignment", data_fingerprint(), self.setup)

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        if backend is None:
            raise ZooError(f"task {self.spec.name!r} searches fragments: pass --backend exact (or hnsw)")
        data = self.data
        fragment_ids = [f.id for f in data.fragments]
        fragment_vectors = encoder.encode([f.sequence for f in data.fragments], role="document")
        read_vectors = encoder.encode([r.sequence for r in data.reads], role="query")
        hits, scores, stats = timed_search(
            backend,
            fragment_vectors,
            fragment_ids,
            read_vectors,
            encoder.similarity,
            SEARCH_K,
            label=f"{encoder.name}: align",
        )
        run = {r.id: dict(zip(hits[i], scores[i].tolist())) for i, r in enumerate(data.reads)}
        metrics = retrieval_scores(data.qrels, run, (10,))
        metrics = {
            "mrr_at_10": metrics["mrr_at_10"],
            "ndcg_at_10": metrics["ndcg_at_10"],
            **hit_rates(hits, data.reads, data.qrels),
        }
        ranking = {r.id: list(hits[i]) for i, r in enumerate(data.reads)}
        return TaskScores(metrics, metrics[self.spec.main_metric], "eval-genera", stats, ranking)
