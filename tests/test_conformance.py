"""zoo.testing's conformance checks: each one fails on a deliberately broken fake, and every built-in
component passes them (parametrized over the built-ins' own registry, whatever else is installed)."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import pytest

from zoo.encoders.hashing import HashingEncoder
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.plugins import get_plugin_manager
from zoo.protocols import ItemScores, TaskScores, TaskSpec
from zoo.registry import Registry
from zoo.testing import check_postprocessor, check_search_backend, check_task

SLOW_TASKS = {"icd10cm", "fortunes-clustering", "icd10cm-blocks", "icd10cm-chapters"}  # built from scratch: minutes


@functools.cache
def builtins() -> Registry:
    """The zoo's and the harness's own components only."""
    import harness.plugin

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(harness.plugin, name="harness")
    return Registry.from_plugins(pm)


# --- search backends ---------------------------------------------------------------------------------


class BruteForce:
    """A correct exact backend that the broken ones below change one thing of."""

    name = "brute-force-fake"

    def params(self) -> dict[str, Any]:
        return {}

    def build(self, vectors: Any, ids: Any, similarity: str) -> None:
        self.x, self.ids, self.similarity = np.asarray(vectors, np.float32), list(ids), similarity

    def scores(self, q: np.ndarray) -> np.ndarray:
        x = self.x
        if self.similarity == "cosine":
            x, q = _unit(x), _unit(q)
        if self.similarity == "euclidean":
            return -np.linalg.norm(q[:, None, :] - x[None, :, :], axis=2)
        return q @ x.T

    def order(self, scores: np.ndarray) -> np.ndarray:
        return np.argsort(-scores, axis=1, kind="stable")

    def search(self, queries: Any, k: int) -> tuple[list[list[str]], np.ndarray]:
        scores = self.scores(np.asarray(queries, np.float32))
        top = self.order(scores)[:, : min(k, len(self.ids))]
        return [[self.ids[j] for j in row] for row in top], np.take_along_axis(scores, top, axis=1)


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


class TiesReversed(BruteForce):
    """Breaks ties by the later-built document: arbitrary tie order, as a hash map's would be."""

    def order(self, scores: np.ndarray) -> np.ndarray:
        positions = np.arange(scores.shape[1])
        return np.lexsort((-positions[None, :].repeat(len(scores), 0), -scores), axis=1)


class NanForZeros(BruteForce):
    """Divides by the norm without guarding zero vectors."""

    def scores(self, q: np.ndarray) -> np.ndarray:
        if self.similarity != "cosine":
            return super().scores(q)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = self.x / np.linalg.norm(self.x, axis=1, keepdims=True)
            return (q / np.linalg.norm(q, axis=1, keepdims=True)) @ x.T


def test_a_correct_backend_passes():
    assert check_search_backend(BruteForce) == 1.0


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (TiesReversed, "build order"),
        (NanForZeros, "NaN"),
    ],
)
def test_check_search_backend_catches(broken: type, message: str):
    with pytest.raises(AssertionError, match=message):
        check_search_backend(broken)


BACKEND_RECALL = {"exact": 1.0, "hnsw": 0.9}
SET_BACKENDS = {"muvera"}  # searches multi-vector sets: measured against exact MaxSim in test_multivector


@pytest.mark.parametrize("name", sorted(BACKEND_RECALL))
def test_builtin_backends_pass(name: str):
    assert {spec.name for spec in builtins().backends} == set(BACKEND_RECALL) | SET_BACKENDS
    check_search_backend(builtins().backend(name).factory, min_recall=BACKEND_RECALL[name])


# --- post-processors ---------------------------------------------------------------------------------


class Center:
    """A correct post-processor: subtract the mean learnt by fit."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, X: np.ndarray) -> Any:
        self.mean_ = np.asarray(X, np.float64).mean(axis=0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise ZooError("Center: call fit() before transform()")
        return ((np.asarray(X, np.float32) - self.mean_) * self.scale).astype(np.float32)

    def fingerprint(self) -> str:
        return fingerprint("center", self.scale, self.mean_.tolist() if hasattr(self, "mean_") else None)


class FitReturnsNothing(Center):
    def fit(self, X: np.ndarray) -> Any:
        super().fit(X)


class TransformsUnfitted(Center):
    def transform(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, np.float32) - getattr(self, "mean_", 0.0)


class BlindFingerprint(Center):
    def fingerprint(self) -> str:
        return fingerprint("center", self.scale)


class LearnsInTransform(Center):
    def transform(self, X: np.ndarray) -> np.ndarray:
        out = super().transform(X)
        self.mean_ = self.mean_ + 1.0
        return out


class Float64Out(Center):
    def transform(self, X: np.ndarray) -> np.ndarray:
        return super().transform(X).astype(np.float64)


class Accumulates(Center):
    """Averages into what an earlier fit learnt instead of starting afresh."""

    def fit(self, X: np.ndarray) -> Any:
        mean = np.asarray(X, np.float64).mean(axis=0)
        self.mean_ = (self.mean_ + mean) / 2 if hasattr(self, "mean_") else mean
        return self


class RenamesParameter(Center):
    def __init__(self, scale: float = 1.0) -> None:
        self._scale = self.scale = scale
        del self.scale


def test_a_correct_postprocessor_passes():
    check_postprocessor(Center)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (FitReturnsNothing, "fit must return self"),
        (TransformsUnfitted, "transform before fit"),
        (BlindFingerprint, "fitted state must change the fingerprint"),
        (LearnsInTransform, "must not change the fitted state"),
        (Float64Out, "float64"),
        (Accumulates, "start afresh"),
        (RenamesParameter, "stored as the attribute 'scale'"),
    ],
)
def test_check_postprocessor_catches(broken: type, message: str):
    with pytest.raises(AssertionError, match=message):
        check_postprocessor(broken)


@pytest.mark.parametrize("name", ["binary", "int8", "matryoshka", "whiten"])
def test_builtin_postprocessors_pass(name: str):
    assert {spec.name for spec in builtins().postprocessors} == {"binary", "int8", "matryoshka", "whiten"}
    check_postprocessor(builtins().postprocessor(name).factory)


# --- tasks -------------------------------------------------------------------------------------------


class Mean:
    """A correct task: the main score is the mean of one score per text."""

    def __init__(self) -> None:
        self.spec = TaskSpec("mean-fake", "sts", load=lambda: self, main_metric="mean")

    def data_fingerprint(self) -> str:
        return fingerprint("mean-fake", 1)

    def per_item(self, encoder: Any) -> np.ndarray:
        return encoder.encode(["a b", "b c", "c d"]).sum(axis=1).astype(np.float64)

    def evaluate(self, encoder: Any, backend: Any = None, *, depth: int | None = None) -> TaskScores:
        values = self.per_item(encoder)
        return TaskScores({"mean": float(values.mean())}, float(values.mean()), "test", items=ItemScores(values))


class MainIsNotAScore(Mean):
    def evaluate(self, encoder: Any, backend: Any = None, *, depth: int | None = None) -> TaskScores:
        scores = super().evaluate(encoder, backend)
        return TaskScores(scores.scores, scores.main_score + 1.0, "test")


class Drifts(Mean):
    counter = itertools.count()

    def evaluate(self, encoder: Any, backend: Any = None, *, depth: int | None = None) -> TaskScores:
        shift = float(next(self.counter))
        return TaskScores({"mean": shift}, shift, "test")


class ItemsDisagree(Mean):
    def evaluate(self, encoder: Any, backend: Any = None, *, depth: int | None = None) -> TaskScores:
        scores = super().evaluate(encoder, backend)
        return TaskScores(scores.scores, scores.main_score, "test", items=ItemScores(self.per_item(encoder) + 1))


class NoDepth(Mean):
    def evaluate(self, encoder: Any, backend: Any = None) -> TaskScores:  # type: ignore[override]
        return super().evaluate(encoder, backend)


def test_a_correct_task_passes():
    assert check_task(Mean(), HashingEncoder(16)).split == "test"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (MainIsNotAScore, "main_score must equal"),
        (Drifts, "same scores every time"),
        (ItemsDisagree, "give the main score back"),
    ],
)
def test_check_task_catches(broken: type, message: str):
    with pytest.raises(AssertionError, match=message):
        check_task(broken(), HashingEncoder(16))


def test_check_task_needs_depth_in_evaluate():
    with pytest.raises(TypeError, match="depth"):
        check_task(NoDepth(), HashingEncoder(16))


def task_params() -> list[Any]:
    return [
        pytest.param(spec.name, marks=[pytest.mark.slow] if spec.name in SLOW_TASKS else [])
        for spec in builtins().tasks
    ]


@pytest.mark.parametrize("name", task_params())
def test_builtin_tasks_pass(name: str):
    spec = builtins().task(name)
    backend = builtins().backend("exact").factory
    check_task(spec.load(), HashingEncoder(64), backend if spec.uses_search else None)
