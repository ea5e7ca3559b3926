"""Runs (encoder, task, backend) combinations: encodes each input once, times it, writes each result."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from harness.approximate import compare_with_exact, held_out_sample
from harness.chain import ChainEncoder, ChainStep
from harness.chance import ChanceLevel, ChanceStore, measure_chance
from harness.quantized import QuantizedSearch
from harness.encoding import MeasuredEncoder
from harness.operating_points import SharedIndex
from harness.engines import Engine
from harness.fitting import FitSource, parse_fit_source, save_states
from harness.environment import code_fingerprint, hardware, package_versions
from harness.results import ResultStore, TaskResult
from harness.multivector import MultiVectorView, maxsim_backends
from harness.retrievers import RetrieverBackend, RetrieverEncoder, StageContext, is_retriever, searches_text
from harness.significance import bootstrap_interval, statistic_of
from harness.significance import compare as compare_items
from zoo.errors import ZooError
from zoo.plugins import OWN_DISTRIBUTION, warn
from zoo.cache import EmbeddingCache
from zoo.protocols import (
    BackendSpec,
    Encoder,
    EncoderSpec,
    ItemScores,
    MultiVectorEncoder,
    Retriever,
    SearchStats,
    Task,
    TaskScores,
    TaskSpec,
)


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
    chance: bool = True  # measure each task's chance level (kept in the store's chance/ folder) and test against it
    # (kind, name) -> the plugin that supplied the part (zoo.registry.Registry.source); None records none
    sources: Callable[[str, str], dict[str, Any] | None] | None = None
    results: list[TaskResult] = field(default_factory=list)
    _chances: dict[str, ChanceLevel | None] = field(default_factory=dict, repr=False)
    _loaded: dict[str, Task] = field(default_factory=dict, repr=False)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False)

    def run(self) -> list[TaskResult]:
        pairs = [(e, [t for t in self.tasks if encodes(e, t)]) for e in self.encoders]
        if self.encoders and self.tasks and not any(tasks for _, tasks in pairs):
            task = self.tasks[0]
            raise ZooError(
                f"no encoder here encodes what {task.name} needs ({'+'.join(task.modalities)}; "
                f"{self.encoders[0].name} encodes {'+'.join(self.encoders[0].modalities)}): "
                f"pass a --model that does (`zoo list encoders` shows modalities)"
            )
        for encoder_spec, tasks in pairs:
            for task_spec in self.tasks:
                if task_spec not in tasks:
                    warn(
                        f"skipping {task_spec.name} for {encoder_spec.name}: it does not encode "
                        f"{'+'.join(task_spec.modalities)}"
                    )
            if tasks:
                encoder = encoder_spec.load()
                for task_spec in tasks:
                    if isinstance(encoder, MultiVectorEncoder) and not is_retriever(encoder):
                        self._run_multivector(encoder, task_spec, encoder_spec.name)
                    elif is_retriever(encoder):
                        self._run_retriever(encoder, task_spec)
                    else:
                        self._run_task(encoder, task_spec, encoder_spec.name)
        return self.results

    def _task(self, spec: TaskSpec) -> Task:
        if spec.name not in self._loaded:  # load data once, share it across encoders
            self._loaded[spec.name] = spec.load()
        return self._loaded[spec.name]

    def _data_fingerprint(self, spec: TaskSpec, task: Task) -> str:
        """Once per task: it hashes the task's files, and every operating point's result carries it."""
        if spec.name not in self._fingerprints:
            self._fingerprints[spec.name] = task.data_fingerprint()
        return self._fingerprints[spec.name]

    def _run_task(self, encoder: Encoder, task_spec: TaskSpec, spec_name: str | None = None) -> None:
        task = self._task(task_spec)
        measured = MeasuredEncoder(
            encoder, cache=self.cache, progress=self.progress, engine=self.engine, spec_name=spec_name
        )
        plain = self._run_view(task_spec, task, measured, measured, {})
        for chain in self.chains:
            view = fit_chain(task_spec, task, measured, chain, self.fit_on, self.store.folder / "states")
            if view is not None:
                self._run_view(task_spec, task, measured, view, plain)

    def _run_view(
        self,
        task_spec: TaskSpec,
        task: Task,
        measured: Any,
        view: Any,
        plain: dict[Any, TaskScores],
        backends: list[BackendSpec] | None = None,
    ) -> dict[Any, TaskScores]:
        """Evaluate one view of the encoder (plain or through a chain) with every backend (default: the
        run's) at every point; returns the scores by (backend, operating point), for the chains' ``vs_float``."""
        fingerprint = self._data_fingerprint(task_spec, task)
        # exact backends first: they are the reference the approximate ones are measured against
        ordered = sorted(backends or self.backends, key=lambda spec: not spec.exact)
        reference = next((spec for spec in ordered if spec.exact), None)
        chance = self._chance(task_spec, task, fingerprint, next((s for s in self.backends if s.exact), None))
        if not task_spec.uses_search:
            scores = task.evaluate(view, None)
            before = plain.get(None)
            vs_float = {**retained(before, scores), **significance(before, scores)} if before else {}
            self._emit(
                make_result(
                    task_spec,
                    fingerprint,
                    measured,
                    view,
                    None,
                    scores,
                    vs_float=vs_float,
                    chance=chance.against(scores) if chance else {},
                    plugins=self._plugins(task_spec, measured, view, None),
                )
            )
            return {None: scores}
        by_point: dict[Any, TaskScores] = {}
        exact: TaskScores | None = None
        for spec in ordered:
            index = self._index(task_spec, task, view, spec, reference)
            for point in operating_points(spec) if index is not None else ():
                if point is not None:
                    index.set_option(spec.points.option, point)  # type: ignore[union-attr]
                scores = evaluate(task, view, index, self._depth(task_spec, spec), explicit=self.depth is not None)
                by_point[(spec.name, point)] = scores
                exact = exact or (scores if spec.exact else None)
                vs_exact = (
                    {**compare_with_exact(exact, scores), **significance(exact, scores)}
                    if exact is not None and not spec.exact
                    else {}
                )
                before = plain.get((spec.name, point))
                vs_float = {**retained(before, scores), **significance(before, scores)} if before else {}
                self._emit(
                    make_result(
                        task_spec,
                        fingerprint,
                        measured,
                        view,
                        index,
                        scores,
                        vs_exact,
                        vs_float,
                        label=spec.label or index.name,
                        chance=chance.against(scores) if chance else {},
                        plugins=self._plugins(task_spec, measured, view, spec),
                    )
                )
        return by_point

    def _run_multivector(self, encoder: MultiVectorEncoder, task_spec: TaskSpec, spec_name: str) -> None:
        """A multi-vector encoder on a retrieval task: its sets searched by exact MaxSim (for the run's exact
        backend) and by the run's backends that search sets (muvera), measured against it."""
        task = self._task(task_spec)
        if not searches_text(task):
            warn(
                f"skipping {task_spec.name} for {encoder.name}: its sets of vectors are searched by MaxSim, "
                f"and {task_spec.name} is a {task_spec.type} task"
            )
            return
        if self.chains:
            warn(f"{encoder.name} gives sets of vectors, which post-processors do not take: it runs without the chains")
        view = MultiVectorView(encoder, spec_name)
        self._run_view(task_spec, task, view, view, {}, backends=maxsim_backends(self.backends))

    def _run_retriever(self, retriever: Retriever, task_spec: TaskSpec) -> None:
        """A model that ranks documents itself (BM25, a fusion, a reranked run): once per retrieval task, as
        its own exhaustive search, filed beside the exact backend's results (``harness.retrievers``)."""
        task = self._task(task_spec)
        if not searches_text(task):
            warn(
                f"skipping {task_spec.name} for {retriever.name}: it ranks documents, and "
                f"{task_spec.name} is a {task_spec.type} task"
            )
            return
        if self.chains:
            warn(f"{retriever.name} has no vectors for post-processors: it runs without the chains")
        attach = getattr(retriever, "attach", None)
        if callable(attach):
            attach(StageContext(self.cache, self.engine, self.progress, task))
        view = RetrieverEncoder(retriever)
        fingerprint = self._data_fingerprint(task_spec, task)
        reference = next((spec for spec in self.backends if spec.exact), None)
        chance = self._chance(task_spec, task, fingerprint, reference)
        backend = RetrieverBackend(retriever)
        scores = evaluate(task, view, backend, self.depth, explicit=self.depth is not None)
        self._emit(
            make_result(
                task_spec,
                fingerprint,
                view,
                view,
                backend,
                scores,  # type: ignore[arg-type]
                chance=chance.against(scores) if chance else {},
            )
        )

    def _plugins(
        self, task_spec: TaskSpec, measured: MeasuredEncoder, view: Any, backend: BackendSpec | None
    ) -> dict[str, Any]:
        """The plugin behind each part of a result, as the registry resolved it."""
        if self.sources is None:
            return {}
        parts: dict[str, Any] = {
            "encoder": self.sources("encoder", measured.spec_name),
            "task": self.sources("task", task_spec.name),
        }
        if backend is not None:
            parts["backend"] = self.sources("backend", backend.name)
        if isinstance(view, ChainEncoder):
            parts["postprocessors"] = [self.sources("postprocessor", label.split("(")[0]) for label in view.labels]
        return {kind: part for kind, part in parts.items() if part}

    def _chance(
        self, task_spec: TaskSpec, task: Task, fingerprint: str, reference: BackendSpec | None
    ) -> ChanceLevel | None:
        """The task's chance level: from the store's chance/ folder, else measured once and kept there.
        None where it is not measured (``chance=False``, or a search task with no exact backend)."""
        if not self.chance or (task_spec.uses_search and reference is None):
            return None
        if task_spec.name not in self._chances:
            store = ChanceStore(self.store.folder / "chance")
            level = store.get(task_spec.name, fingerprint)
            if level is None:
                backend = make_backend(reference, None, self.engine) if task_spec.uses_search else None
                depth = self._depth(task_spec, reference) if reference is not None else None
                level = measure_chance(task, backend, depth)
                store.put(task_spec.name, fingerprint, level)
            self._chances[task_spec.name] = level
        return self._chances[task_spec.name]

    def _index(
        self, task_spec: TaskSpec, task: Task, view: Any, spec: BackendSpec, reference: BackendSpec | None
    ) -> SharedIndex | None:
        """The backend for every operating point of ``spec`` on this view, a recall target tuned on the task's
        held-out queries as the view encodes them; None (with a warning) where it cannot search the view's
        vectors."""
        index = SharedIndex(
            functools.partial(make_backend, spec, view, self.engine),
            points=spec.points,
            reference=functools.partial(make_backend, reference, view, self.engine) if reference else None,
            tuning=functools.partial(held_out_sample, task, view),
            keep=len(operating_points(spec)) > 1,
        )
        if searches(index, view.similarity):
            return index
        chain = "".join(f" +{label}" for label in getattr(view, "labels", ()))
        warn(
            f"skipping {spec.name} for {view.name}{chain} on {task_spec.name}: "
            f"it cannot search {view.similarity!r} vectors"
        )
        return None

    def _depth(self, task_spec: TaskSpec, spec: BackendSpec) -> int | None:
        """--depth where given; else approximate backends search as deep as the main metric's cutoff (what
        a deployment asks for) and exact ones to the task's deepest cutoff, the reference for recall."""
        if self.depth is not None or spec.exact:
            return self.depth
        return main_cutoff(task_spec)

    def _emit(self, result: TaskResult) -> None:
        path = self.store.write(result)
        self.results.append(result)
        if self.on_result:
            self.on_result(result, path)


def encodes(encoder: EncoderSpec, task: TaskSpec) -> bool:
    """Whether the encoder takes every modality the task's inputs come in (a text task suits CLIP too)."""
    return set(task.modalities) <= set(encoder.modalities)


def fit_chain(
    task_spec: TaskSpec,
    task: Task,
    measured: MeasuredEncoder,
    chain: tuple[ChainStep, ...],
    fit_on: FitSource | str = "corpus",
    state_dir: Path | None = None,
) -> ChainEncoder | None:
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


def evaluate(task: Task, view: Any, backend: Any, depth: int | None, *, explicit: bool = True) -> TaskScores:
    """``task.evaluate`` at ``depth`` hits per query, saying so where the user set a depth and the task
    searched at a depth of its own."""
    scores = task.evaluate(view, backend, depth=depth)
    searched = scores.search.depth if scores.search is not None else None
    if explicit and backend is not None and depth is not None and searched not in (None, depth):
        warn(f"{task.spec.name} searches at its own depth, {searched} (--depth {depth} ignored)")
    return scores


def plugin_code(plugins: dict[str, Any]) -> tuple[str, ...]:
    """The code hashes of the plugins outside this distribution that supplied a part of a result."""
    parts = [part for kind, part in plugins.items() if kind != "postprocessors"] + plugins.get("postprocessors", [])
    return tuple(sorted({part["code"] for part in parts if part and part.get("distribution") != OWN_DISTRIBUTION}))


def main_cutoff(task_spec: TaskSpec) -> int | None:
    """The cutoff of a task's main metric (10 for ndcg_at_10); None when it has none."""
    cutoff = re.search(r"_at_(\d+)$", task_spec.main_metric)
    return int(cutoff[1]) if cutoff else None


def operating_points(spec: BackendSpec) -> tuple[Any, ...]:
    """The values of the search option to evaluate at: a sweep's, or (None,) for the backend's own."""
    return spec.points.values if spec.points is not None and spec.points.values else (None,)


def make_backend(spec: BackendSpec | None, view: Any, engine: Engine | None = None) -> Any:
    """The backend ``spec`` makes, run where the engine runs its search (the Ray engine shards exact search
    over its workers), behind the view's quantizer if it has one."""
    if spec is None:
        return None
    try:
        backend = spec.factory()
    except TypeError as exc:  # options the user wrote into the backend's name
        raise ZooError(f"backend {spec.name!r}: {exc}") from None
    on_engine = getattr(engine, "search_backend", None)  # an optional Engine method
    backend = on_engine(backend) if callable(on_engine) else backend
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


def significance(reference: TaskScores, run: TaskScores) -> dict[str, float]:
    """Whether ``run`` differs from ``reference`` (exact search, the float encoder) beyond chance: the
    paired randomization test's p-value and the bootstrap interval of the main-score difference."""
    if reference.items is None or run.items is None:
        return {}
    return compare_items(reference.items, run.items).summary()


def checked_items(task_spec: TaskSpec, scores: TaskScores) -> ItemScores | None:
    """The task's per-item scores where they give its main score back; else None, with a warning."""
    items = scores.items
    if items is None:
        return None
    again = statistic_of(items)
    if not abs(again - scores.main_score) <= 1e-9 * max(1.0, abs(scores.main_score)):
        warn(
            f"{task_spec.name}: its {len(items)} per-{items.unit} scores give {again!r}, not the main score "
            f"{scores.main_score!r}; keeping no interval (a bug in the task's evaluate)"
        )
        return None
    return items


def search_params(backend: Any, search: SearchStats | None) -> dict[str, Any]:
    """The backend's settings and the search depth: both shape what an approximate search returns."""
    if backend is None:
        return {}
    depth = {"depth": search.depth} if search is not None and search.depth is not None else {}
    return {**backend.params(), **depth}


def encoder_params(encoder: Any) -> dict[str, Any]:
    """The model's own settings where it reports them (a retriever's k1 and b, its tokenizer)."""
    params = getattr(encoder, "params", None)
    return dict(params()) if callable(params) else {}


def make_result(
    task_spec: TaskSpec,
    data_fingerprint: str,
    encoder: MeasuredEncoder,
    view: Any,
    backend: Any,
    scores: TaskScores,
    vs_exact: dict[str, float] | None = None,
    vs_float: dict[str, float] | None = None,
    *,
    label: str | None = None,
    chance: dict[str, Any] | None = None,
    plugins: dict[str, Any] | None = None,
) -> TaskResult:
    """A result for ``encoder`` seen through ``view`` (the encoder itself, or a ChainEncoder over it);
    ``label`` names the backend (default: its own name)."""
    search = scores.search
    chained = isinstance(view, ChainEncoder)
    items = checked_items(task_spec, scores)
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
        backend=label or backend.name if backend is not None else None,
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
        api_tokens=encoder.api_tokens,
        api_cost_usd=encoder.api_cost_usd,
        encoder_params=encoder_params(encoder),
        bytes_per_vector=getattr(view, "bytes_per_vector", 4 * view.dim),
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
        plugins=plugins or {},
        code_fingerprint=code_fingerprint(plugin_code(plugins or {})),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        interval=bootstrap_interval(items).to_dict() if items is not None else {},
        item_scores=items,
        chance=chance or {},
        untrained=getattr(getattr(encoder, "encoder", encoder), "trained", True) is False,
    )
