"""Runs (encoder, task, backend) combinations: encodes each input once, times it, writes each result."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from harness.approximate import compare_with_exact
from harness.chain import ChainEncoder, ChainStep
from harness.quantized import QuantizedSearch
from harness.encoding import MeasuredEncoder
from harness.engines import Engine
from harness.fitting import FitSource, parse_fit_source, save_states
from harness.environment import code_fingerprint, hardware, package_versions
from harness.results import ResultStore, TaskResult
from zoo.errors import ZooError
from zoo.plugins import warn
from zoo.cache import EmbeddingCache
from zoo.protocols import BackendSpec, Encoder, EncoderSpec, SearchStats, Task, TaskScores, TaskSpec

@dataclass
class BenchmarkRun:
    """What to run and where to write it. The plain encoder always runs; each chain runs beside it."""

    encoders: list[EncoderSpec]
    tasks: list[TaskSpec]
    backends: list[BackendSpec]
    store: ResultStore
    chains: list[tuple[ChainStep, ...]] = field(default_factory=list)
    cache: EmbeddingCache | None = None
    progress: bool = True
    depth: int | None = None  # hits per query for search tasks; None: each task's deepest cutoff
    fit_on: str = "corpus"  # where chains are fit: corpus, task:<name> or file:<path> (harness.fitting)
    on_result: Callable[[TaskResult, Any], None] | None = None
    engine: Engine | None = None  # where encoding runs; None: this process (harness.engines.local)
    results: list[TaskResult] = field(default_factory=list)
    _loaded: dict[str, Task] = field(default_factory=dict, repr=False)

    def run(self) -> list[TaskResult]:
        pairs = [(e, [t for t in self.tasks if encodes(e, t)]) for e in self.encoders]
        if self.encoders and self.tasks and not any(tasks for _, tasks in pairs):
            task = self.tasks[0]
            raise ZooError(f"no encoder here encodes what {task.name} needs ({'+'.join(task.modalities)}; "
                           f"{self.encoders[0].name} encodes {'+'.join(self.encoders[0].modalities)}): "
                           f"pass a --model that does (`zoo list encoders` shows modalities)")
        for encoder_spec, tasks in pairs:
            for task_spec in self.tasks:
                if task_spec not in tasks:
                    warn(f"skipping {task_spec.name} for {encoder_spec.name}: it does not encode "
                         f"{'+'.join(task_spec.modalities)}")
            if tasks:
                encoder = encoder_spec.load()
                for task_spec in tasks:
                    self._run_task(encoder, task_spec, encoder_spec.name)
        return self.results

    def _task(self, spec: TaskSpec) -> Task:
        if spec.name not in self._loaded:  # load data once, share it across encoders
            self._loaded[spec.name] = spec.load()
        return self._loaded[spec.name]

    def _run_task(self, encoder: Encoder, task_spec: TaskSpec, spec_name: str | None = None) -> None:
        task = self._task(task_spec)
        measured = MeasuredEncoder(encoder, cache=self.cache, progress=self.progress, engine=self.engine,
                                   spec_name=spec_name)
        plain = self._run_view(task_spec, task, measured, measured, {})
        for chain in self.chains:
            view = fit_chain(task_spec, task, measured, chain, self.fit_on, self.store.folder / "states")
            if view is not None:
                self._run_view(task_spec, task, measured, view, plain)

    def _run_view(self, task_spec: TaskSpec, task: Task, measured: MeasuredEncoder, view: Any,
                  plain: dict[str | None, TaskScores]) -> dict[str | None, TaskScores]:
        """Evaluate one view of the encoder (plain or through a chain) with every backend."""
        # exact backends first: they are the reference the approximate ones are measured against
        ordered = sorted(self.backends, key=lambda spec: not spec.exact)
        backend_specs: list[BackendSpec | None] = list(ordered) if task_spec.uses_search else [None]
        by_backend: dict[str | None, TaskScores] = {}
        exact: TaskScores | None = None
        for backend_spec in backend_specs:
            backend = make_backend(backend_spec, view)
            if not searches(backend, view.similarity):
                chain = "".join(f" +{label}" for label in getattr(view, "labels", ()))
                warn(f"skipping {backend_spec.name} for {view.name}{chain} on {task_spec.name}: "
                     f"it cannot search {view.similarity!r} vectors")
                continue
            scores = evaluate(task, view, backend, self.depth)
            key = backend_spec.name if backend_spec else None
            by_backend[key] = scores
            vs_exact: dict[str, float] = {}
            if backend_spec is not None and backend_spec.exact:
                exact = exact or scores
            elif backend_spec is not None and exact is not None:
                vs_exact = compare_with_exact(exact, scores)
            vs_float = retained(plain[key], scores) if key in plain else {}
            result = make_result(task_spec, task.data_fingerprint(), measured, view, backend, scores,
                                 vs_exact, vs_float)
            self._emit(result)
        return by_backend

    def _emit(self, result: TaskResult) -> None:
        path = self.store.write(result)
        self.results.append(result)
        if self.on_result:
            self.on_result(result, path)


def encodes(encoder: EncoderSpec, task: TaskSpec) -> bool:
    """Whether the encoder takes every modality the task's inputs come in (a text task suits CLIP too)."""
    return set(task.modalities) <= set(encoder.modalities)


def fit_chain(task_spec: TaskSpec, task: Task, measured: MeasuredEncoder, chain: tuple[ChainStep, ...],
              fit_on: FitSource | str = "corpus", state_dir: Path | None = None) -> ChainEncoder | None:
    """The encoder through the chain, fitted where ``fit_on`` says (recorded in the chain's labels), its
    fitted state saved under ``state_dir`` if given; None where it cannot apply."""
    source = parse_fit_source(fit_on) if isinstance(fit_on, str) else fit_on
    view = ChainEncoder.fit(measured, chain, source.inputs(task), fitted_on=source.label)
    if view.quantizer is not None and not task_spec.uses_search:
        warn(f"skipping {'+'.join(view.labels)} on {task_spec.name}: quantizers are measured on search tasks")
        return None
    if state_dir is not None:
        save_states(view, state_dir)
    return view


def evaluate(task: Task, view: Any, backend: Any, depth: int | None) -> TaskScores:
    """``task.evaluate``, passing ``depth`` to search tasks that take it (and saying so when one does not)."""
    if depth is None or backend is None:
        return task.evaluate(view, backend)
    if "depth" not in inspect.signature(task.evaluate).parameters:
        warn(f"{task.spec.name} searches at its own depth: it takes no depth (--depth {depth} ignored)")
        return task.evaluate(view, backend)
    return task.evaluate(view, backend, depth=depth)  # type: ignore[call-arg]


def make_backend(spec: BackendSpec | None, view: Any) -> Any:
    if spec is None:
        return None
    try:
        backend = spec.factory()
    except TypeError as exc:  # options the user wrote into the backend's name
        raise ZooError(f"backend {spec.name!r}: {exc}") from None
    quantizer = getattr(view, "quantizer", None)
    return QuantizedSearch(backend, quantizer) if quantizer is not None else backend


def searches(backend: Any, similarity: str) -> bool:
    """Whether a backend handles a similarity; backends without a ``similarities`` list are trusted."""
    inner = getattr(backend, "backend", backend)  # QuantizedSearch wraps the real backend
    supported = getattr(inner, "similarities", None)
    return backend is None or supported is None or similarity in supported


def retained(plain: TaskScores, processed: TaskScores) -> dict[str, float]:
    """The main score without the chain, and the share of it the chain keeps."""
    share = processed.main_score / plain.main_score if plain.main_score else float("nan")
    return {"float_main_score": plain.main_score, "retained": share}


def search_params(backend: Any, search: SearchStats | None) -> dict[str, Any]:
    """The backend's settings and the search depth: both shape what an approximate search returns."""
    if backend is None:
        return {}
    depth = {"depth": search.depth} if search is not None and search.depth is not None else {}
    return {**backend.params(), **depth}


def make_result(
    task_spec: TaskSpec,
    data_fingerprint: str,
    encoder: MeasuredEncoder,
    view: Any,
    backend: Any,
    scores: TaskScores,
    vs_exact: dict[str, float] | None = None,
    vs_float: dict[str, float] | None = None,
) -> TaskResult:
    """A result for ``encoder`` seen through ``view`` (the encoder itself, or a ChainEncoder over it)."""
    search = scores.search
    chained = isinstance(view, ChainEncoder)
    return TaskResult(
        task=task_spec.name,
        task_type=task_spec.type,
        task_version=task_spec.version,
        split=scores.split,
        data_fingerprint=data_fingerprint,
        encoder=encoder.name,
        encoder_fingerprint=encoder.fingerprint(),
        dim=view.dim,
        similarity=view.similarity,
        backend=backend.name if backend is not None else None,
        backend_params=search_params(backend, search),
        main_metric=task_spec.main_metric,
        main_score=float(scores.main_score),
        scores={name: float(value) for name, value in scores.scores.items()},
        encode_seconds=encoder.encode_seconds,
        items_encoded=encoder.items_encoded,
        items_cached=encoder.items_cached,
        load_seconds=encoder.load_seconds,
        engine=encoder.engine.name,
        engine_params=encoder.engine_params(),
        n_parameters=encoder.n_parameters,
        bytes_per_vector=view.bytes_per_vector if chained else 4 * view.dim,
        build_seconds=search.build_seconds if search else None,
        search_seconds=search.search_seconds if search else None,
        n_queries=search.n_queries if search else None,
        n_documents=search.n_documents if search else None,
        latency_p50_ms=search.latency_p50_ms if search else None,
        latency_p99_ms=search.latency_p99_ms if search else None,
        index_bytes=search.index_bytes if search else None,
        vs_exact=vs_exact or {},
        vs_float=vs_float or {},
        chain=view.labels if chained else (),
        chain_fingerprint=view.fingerprint() if chained else "",
        versions=package_versions(),
        hardware=hardware(),
        code_fingerprint=code_fingerprint(),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
