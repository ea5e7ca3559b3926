"""Encode speed of the zoo's engines against one sentence-transformers call, on long and on short texts.

Texts:
- long: Debian package descriptions that have a long part (synopsis and long description, paragraphs
  joined): from /var/lib/dpkg/status (the installed packages), then from apt's English translation lists
  where ``apt-get update -o Acquire::Languages=en`` fetched them (``apt-cache dumpavail`` holds synopses
  only); the first --n distinct ones in that order. The sources and counts are printed; with fewer than
  --n available, all of them are used.
- short: ICD-10-CM code titles, the first --n of the icd10cm task's corpus in id order.

Methods, each on the same --n texts with the same model (all-MiniLM-L6-v2 on CPU unless --model says):
- raw: ``SentenceTransformer.encode(texts, batch_size=B)`` over the whole list (it sorts by length), B the
  batch size of the zoo's encoder, so that only the engine differs;
- local: the zoo's local engine as ``zoo bench`` runs it, ``MeasuredEncoder(...).encode(texts)`` into a
  fresh embedding cache (so the commits count), wall time;
- ray-N: the Ray engine with N workers (the machine's CPUs divided among them), into a fresh cache, encode
  time as the result reports it (first worker encoding to last vectors committed) and wall time with
  Ray's start-up and model loads.
And the cost of committing every 256 items and 0.25 s (on the writer thread): --fast-model (WordLlama,
10-50k items/s: the worst case, as commits are the largest share of its time) on the local engine over the
first --commit-n ICD-10-CM titles (enough for a run of seconds, so that start-up does not pass for commit
cost), committing as usual against once at the end.
Models are loaded before timing and warmed up on other texts; repeats interleave the methods, so background
load hits all alike, and each figure is the median over --repeats. Ratios are against raw in the same run.

    PYTHONPATH=. python3 benchmarks/encode_speed.py --n 2000 --repeats 3
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

DPKG_STATUS = Path("/var/lib/dpkg/status")
APT_LISTS = Path("/var/lib/apt/lists")


def debian_descriptions(n: int) -> tuple[list[str], str]:
    """Up to n distinct long package descriptions (a synopsis and at least one more line), and their source."""
    found: dict[str, None] = {}
    used = []
    for name, text in _description_sources():
        before = len(found)
        for stanza in text.split("\n\n"):
            description = _long_description(stanza)
            if description:
                found.setdefault(description)
                if len(found) == n:
                    break
        if len(found) > before:
            used.append(f"{name} ({len(found) - before})")
        if len(found) == n:
            break
    return list(found), ", ".join(used) or "nothing: no dpkg status or apt Translation-en lists here"


def _description_sources() -> list[tuple[str, str]]:
    """dpkg's status file (installed packages), then apt's English translations where `apt-get update`
    fetched them (``-o Acquire::Languages=en``); apt's Packages lists hold synopses only."""
    sources = (
        [(str(DPKG_STATUS), DPKG_STATUS.read_text(encoding="utf-8", errors="replace"))] if DPKG_STATUS.exists() else []
    )
    helper = Path("/usr/lib/apt/apt-helper")  # decompresses whatever apt stored (lz4, xz, gz)
    for path in sorted(APT_LISTS.glob("*_i18n_Translation-en*")) if helper.exists() else []:
        text = subprocess.run([str(helper), "cat-file", str(path)], capture_output=True, text=True).stdout
        sources.append((path.name, text))
    return sources


def _long_description(stanza: str) -> str:
    """A stanza's description, paragraphs joined, if it has more than the synopsis line; else ""."""
    lines: list[str] = []
    for line in stanza.splitlines():
        if line.startswith(("Description:", "Description-en:")):
            lines = [line.partition(":")[2].strip()]
        elif lines and line.startswith(" "):
            lines.append("" if line.strip() == "." else line.strip())
        elif lines:
            break
    return " ".join(part for part in lines if part) if len(lines) > 1 else ""


def icd_titles(n: int) -> list[str]:
    from harness.data.beir import load_beir
    from harness.data.icd10cm import build_icd10cm

    corpus = load_beir(build_icd10cm("icd10cm")).corpus
    return [corpus[key] for key in sorted(corpus)[:n]]


Method = Callable[[list[str]], tuple[float, float]]  # texts -> (seconds behind items/s, wall seconds)


def methods(model: str, workers: list[int]) -> tuple[dict[str, Method], list[str]]:
    """raw, local and ray-N for one sentence-transformers model; and notes on what was skipped."""
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder
    from zoo.registry import Registry

    spec = Registry.from_plugins().encoder(model)
    encoder = spec.load()
    if not isinstance(encoder, SentenceTransformerEncoder):
        raise SystemExit(f"--model {model!r} is not a sentence-transformers model: raw needs one")
    encoder.load()
    raw_model = encoder.model  # the same loaded SentenceTransformer the zoo's encoder calls

    def raw(texts: list[str]) -> tuple[float, float]:
        began = time.perf_counter()
        raw_model.encode(
            texts,
            batch_size=encoder.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        took = time.perf_counter() - began
        return took, took

    found: dict[str, Method] = {"raw": raw, "local": local_method(encoder)}
    notes = []
    if importlib.util.find_spec("ray") is None:
        notes.append("ray: skipped, Ray is not installed (pip install 'embedding-zoo[ray]')")
        return found, notes
    for count in workers:
        found[f"ray-{count}"] = ray_method(encoder, spec.name, count)
    return found, notes


def local_method(encoder: Any, policy: Any = None) -> Method:
    """The local engine as `zoo bench` runs it, into a fresh cache (so commits count): wall time."""
    from harness.encoding import MeasuredEncoder
    from harness.engines.commit import CommitPolicy
    from zoo.cache import EmbeddingCache

    def run(texts: list[str]) -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as folder:
            measured = MeasuredEncoder(
                encoder, cache=EmbeddingCache(Path(folder)), progress=False, commit=policy or CommitPolicy()
            )
            began = time.perf_counter()
            measured.encode(texts)
            took = time.perf_counter() - began
        return took, took

    return run


def ray_method(encoder: Any, name: str, workers: int) -> Method:
    """The Ray engine on an instance of its own, into a fresh cache: encode time as results report it."""
    from harness.encoding import MeasuredEncoder
    from harness.engines.ray import RayEngine
    from zoo.cache import EmbeddingCache

    def run(texts: list[str]) -> tuple[float, float]:
        engine = RayEngine(workers=workers)
        try:
            with tempfile.TemporaryDirectory() as folder:
                measured = MeasuredEncoder(
                    encoder, cache=EmbeddingCache(Path(folder)), progress=False, engine=engine, spec_name=name
                )
                began = time.perf_counter()
                measured.encode(texts)
                return measured.encode_seconds, time.perf_counter() - began
        finally:
            engine.close()

    return run


def commit_methods(model: str) -> dict[str, Method]:
    """The local engine with a fast encoder, committing as usual or once at the end: the cost of commits."""
    from harness.engines.commit import CommitPolicy
    from zoo.registry import Registry

    encoder = Registry.from_plugins().encoder(model).load()
    encoder.load()
    return {"once": local_method(encoder, CommitPolicy(items=sys.maxsize, seconds=0.0)), "usual": local_method(encoder)}


def measure(
    runs: dict[str, Callable[[list[str]], tuple[float, float]]], texts: list[str], repeats: int
) -> dict[str, tuple[float, float]]:
    """Median (reported, wall) seconds per method, repeats interleaved."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(run(texts))
    return {
        name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts)) for name, ts in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="texts per set")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="all-minilm-l6-v2", help="a sentence-transformers model")
    parser.add_argument("--fast-model", default="wordllama-l2-256", help="the encoder for the commit cost")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts, comma-separated")
    parser.add_argument("--commit-n", type=int, default=60_000, help="ICD titles of the commit cost")
    args = parser.parse_args()

    long_texts, source = debian_descriptions(args.n)
    sets = {"long (Debian descriptions)": long_texts, "short (ICD-10-CM titles)": icd_titles(args.n)}
    runs, notes = methods(args.model, [int(w) for w in args.workers.split(",") if w])
    commits = commit_methods(args.fast_model)
    for run in (runs["raw"], runs["local"], *commits.values()):
        run(["warm-up: a text", "another one"] * 8)
    print(f"model {args.model}; long texts from {source}; {args.repeats} repeats, medians")
    for label, texts in sets.items():
        chars = np.mean([len(text) for text in texts])
        print(f"\n{label}: {len(texts)} texts, {chars:.0f} characters on average")
        report(measure(runs, texts, args.repeats), len(texts), "raw")
    titles = icd_titles(args.commit_n)
    print(
        f"\ncommit cost: {args.fast_model} on the local engine over {len(titles)} ICD-10-CM titles, committing "
        "every 256 items and 0.25 s (usual) against once at the end (once)"
    )
    report(measure(commits, titles, args.repeats), len(titles), "once")
    for note in notes:
        print(note)


def report(figures: dict[str, tuple[float, float]], n: int, reference: str) -> None:
    """items/s, the ratio to the reference method, and wall seconds (ray: with Ray's start-up)."""
    base = n / figures[reference][0]
    print(f"{'method':<8} {'items/s':>9} {'x ' + reference:>7} {'wall s':>8}")
    for name, (seconds, wall) in figures.items():
        rate = n / seconds
        print(f"{name:<8} {rate:>9.1f} {rate / base:>7.3f} {wall:>8.2f}")


if __name__ == "__main__":
    main()
