"""Whitening on our tasks: each offline model on STS and retrieval, without and with ``whiten`` for a few k,
fit transductively (the task's own corpus) and on data held out from the evaluation.

Fit sources per task (``--fit-on`` values, recorded in every result's chain):

- ``lee-sts``: ``corpus`` (its 50 documents: transductive), ``file:lee_background.cor`` (gensim's 300
  background documents from the same news source, none of them evaluated), ``task:icd10cm-small``
  (another domain);
- ``icd10cm-small``: ``corpus`` (transductive), and, with ``--icd-held-out``, the inclusion terms of the
  ICD-10-CM training split that ``benchmarks/finetune_merge.py train`` writes (disjoint from the queries).

Anisotropy is the mean cosine similarity of 2,000 seeded random pairs of the task's corpus vectors: near 0
for isotropic embeddings, large for anisotropic ones. Results go to a result store, the fitted states to
its ``states/`` folder, the table to stdout.

    nice -n 10 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=. python3 benchmarks/whitening.py \
        --out /work/scratch/whitening-results --icd-held-out /work/scratch/minilm-icd/train-terms.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from harness.chain import parse_chain
from harness.encoding import MeasuredEncoder
from harness.fitting import parse_fit_source
from harness.results import ResultStore
from harness.runner import fit_chain, make_backend, make_result, retained
from zoo.cache import EmbeddingCache
from zoo.registry import Registry

MODELS = ("all-minilm-l6-v2", "wordllama-l2-256", "hashing-bow-256")
K_VALUES = (0, 256, 128, 32)
PAIRS = 2000


def lee_background() -> Path:
    """gensim's Lee background corpus, checked to share no document with the 50 evaluated ones."""
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    assert spec is not None and spec.origin is not None, "pip install gensim"
    folder = Path(spec.origin).parent / "test" / "test_data"
    background = set((folder / "lee_background.cor").read_text(encoding="utf-8", errors="replace").splitlines())
    evaluated = set((folder / "lee.cor").read_text(encoding="utf-8", errors="replace").splitlines())
    assert not background & evaluated, "the background corpus overlaps the evaluated documents"
    return folder / "lee_background.cor"


def fit_sources(icd_held_out: Path | None) -> dict[str, list[str]]:
    icd = ["corpus"] + ([f"file:{icd_held_out}"] if icd_held_out else [])
    return {"lee-sts": ["corpus", f"file:{lee_background()}", "task:icd10cm-small"], "icd10cm-small": icd}


def anisotropy(vectors: np.ndarray, seed: int = 0) -> float:
    """Mean cosine similarity of seeded random pairs of distinct rows."""
    rng = np.random.default_rng(seed)
    left, right = rng.integers(0, len(vectors), size=(2, PAIRS))
    keep = left != right
    a, b = vectors[left[keep]].astype(np.float64), vectors[right[keep]].astype(np.float64)
    cos = np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
    return float(cos.mean())


def run_task(
    registry: Registry,
    model: str,
    task_name: str,
    sources: list[str],
    eps_values: list[float],
    store: ResultStore,
    cache: EmbeddingCache,
) -> list[dict[str, Any]]:
    """The plain model and every (fit source, eps, k) whitening of it on one task: one row each."""
    spec = registry.task(task_name)
    task = spec.load()
    measured = MeasuredEncoder(registry.encoder(model).load(), cache=cache, progress=False)
    backend_spec = registry.backend("exact") if spec.uses_search else None
    plain = task.evaluate(measured, make_backend(backend_spec, measured))
    store.write(
        make_result(spec, task.data_fingerprint(), measured, measured, make_backend(backend_spec, measured), plain)
    )
    corpus = measured.encode(task.fit_inputs(), role="document")
    rows = [row_of(model, task_name, "-", "-", "-", plain.main_score, anisotropy(corpus))]
    settings = [(eps, k) for eps in eps_values for k in K_VALUES if k < measured.dim]
    for source_text in sources:
        source = parse_fit_source(source_text)
        for eps, k in settings:
            chain = parse_chain(f"whiten?k={k}&eps={eps}", registry.postprocessor)
            view = fit_chain(spec, task, measured, chain, source, state_dir=store.folder / "states")
            backend = make_backend(backend_spec, view)
            scores = task.evaluate(view, backend)
            result = make_result(
                spec, task.data_fingerprint(), measured, view, backend, scores, vs_float=retained(plain, scores)
            )
            store.write(result)
            rows.append(
                row_of(
                    model,
                    task_name,
                    source.label,
                    eps,
                    k or measured.dim,
                    scores.main_score,
                    anisotropy(view.encode(task.fit_inputs(), role="document")),
                    plain.main_score,
                )
            )
    return rows


def row_of(
    model: str, task: str, source: str, eps: Any, k: Any, score: float, aniso: float, plain: float | None = None
) -> dict[str, Any]:
    delta = "" if plain is None else f"{100 * (score - plain):+.2f}"
    return {
        "model": model,
        "task": task,
        "fit on": source,
        "eps": eps,
        "k": k,
        "main score": f"{100 * score:.2f}",
        "vs plain": delta,
        "anisotropy": f"{aniso:.3f}",
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[key]) for key in header) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parse.add_argument("--out", type=Path, required=True, help="result store folder")
    parse.add_argument("--models", nargs="+", default=list(MODELS))
    parse.add_argument(
        "--eps",
        type=float,
        nargs="+",
        default=[1e-6],
        help="whitening eps values; 1e-6 whitens fully, larger values shrink towards centring",
    )
    parse.add_argument("--icd-held-out", type=Path, help="ICD-10-CM training terms, one per line")
    args = parse.parse_args()
    registry = Registry.from_plugins()
    store, cache = ResultStore(args.out), EmbeddingCache()
    rows: list[dict[str, Any]] = []
    for model in args.models:
        for task_name, sources in fit_sources(args.icd_held_out).items():
            rows += run_task(registry, model, task_name, sources, args.eps, store, cache)
            print(f"done: {model} on {task_name}", file=sys.stderr, flush=True)
    print(markdown(rows))


if __name__ == "__main__":
    main()
