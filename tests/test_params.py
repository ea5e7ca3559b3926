"""Declared options (zoo.protocols.Param): names written with options are checked when parsed, before any
data is loaded or encoded; undeclared plugin factories keep working as before."""

from __future__ import annotations

import inspect

import pytest

from harness.chain import parse_chain
from zoo.errors import ZooError
from zoo.options import bind_backend_options, parse_spec_options
from zoo.protocols import BackendSpec, Param, PostProcessorSpec
from zoo.registry import Registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_plugins()


def test_a_param_checks_kind_bounds_and_choices():
    m = Param("M", int, 2, 10_000)
    assert m.check("hnsw", 16) == 16 and m.describe() == "M: an integer in [2, 10000]"
    for bad, words in [
        (1, "out of range"),
        (10_001, "out of range"),
        (2.5, "not an integer"),
        (True, "not an integer"),
        ("16", "not an integer"),
    ]:
        with pytest.raises(ZooError, match=f"hnsw: M={bad!r} is {words}; it takes M: an integer in"):
            m.check("hnsw", bad)
    share = Param("percentile", float, 50, 100, above=True)
    assert share.describe() == "percentile: a finite number in (50, 100]" and share.check("x", 100) == 100
    with pytest.raises(ZooError, match="out of range"):
        share.check("x", 50)
    with pytest.raises(ZooError, match="rescore_with: one of sign, int8"):
        Param("rescore_with", str, choices=("sign", "int8")).check("binary", "float16")


def test_core_backends_and_post_processors_declare_what_their_classes_take(registry: Registry):
    from harness.backends.exact import ExactBackend
    from harness.backends.hnsw import HnswBackend
    from zoo.postprocess.matryoshka import Matryoshka
    from zoo.postprocess.quantize import BinaryQuantizer, Int8Quantizer
    from zoo.postprocess.whiten import Whiten

    classes = {
        "exact": ExactBackend,
        "hnsw": HnswBackend,
        "binary": BinaryQuantizer,
        "int8": Int8Quantizer,
        "matryoshka": Matryoshka,
        "whiten": Whiten,
    }
    for name, cls in classes.items():
        spec = registry.backends.find(name) or registry.postprocessor(name)
        declared = {param.name for param in spec.params}
        takes = set(inspect.signature(cls.__init__).parameters) - {"self"}
        assert declared - {"library"} == takes, name


@pytest.mark.parametrize(
    "text, message",
    [
        ("binary?rescor=4", "unknown option 'rescor' for post-processor 'binary': it takes rescore, rescore_with"),
        ("int8?rescore_with=int8", "unknown option 'rescore_with' for post-processor 'int8'"),
        ("matryoshka?dim=0", r"dim=0 is out of range; it takes dim: an integer in \[1, 1048576\]"),
        ("binary?rescore=-1", "rescore=-1 is out of range"),
        (
            "binary?rescore_with=bogus",
            "rescore_with='bogus' is out of range; it takes rescore_with: one of sign, int8, float",
        ),
        ("whiten?eps=0", r"eps=0.0 is out of range; it takes eps: a finite number in \(0, 1\]"),
        ("int8?percentile=nan", "percentile=nan is not a finite number"),
        ("whiten?eps=inf", "eps=inf is not a finite number"),
    ],
)
def test_post_processor_options_fail_when_the_chain_is_parsed(registry: Registry, text: str, message: str):
    with pytest.raises(ZooError, match=message):
        parse_chain(text, registry.postprocessor)


@pytest.mark.parametrize(
    "text, message",
    [
        ("M=100000", r"M=100000 is out of range; it takes M: an integer in \[2, 10000\]"),
        ("ef_search=16,0", "ef_search=0 is out of range"),  # every operating point is checked
        ("ef_construction=1000000000000", "ef_construction=1000000000000 is out of range"),
        ("insertion_order=random", "insertion_order: one of given, shuffled"),
        ("efsearch=64", "unknown option 'efsearch' for backend 'hnsw'"),
    ],
)
def test_backend_options_fail_when_the_name_is_parsed(registry: Registry, text: str, message: str):
    with pytest.raises(ZooError, match=message):
        bind_backend_options(registry.backend("hnsw"), text)


def test_valid_options_bind_as_before(registry: Registry):
    spec = bind_backend_options(registry.backend("hnsw"), "M=32&ef_search=16,64")
    assert spec.label == "hnsw?M=32" and spec.points.values == (16, 64)
    (step,) = parse_chain("binary?rescore=4&rescore_with=int8", registry.postprocessor)
    assert step.options == {"rescore": 4, "rescore_with": "int8"}


def test_an_undeclared_factory_is_typed_by_its_signature_and_checked_when_built():
    class Scale:
        def __init__(self, factor: float = 1.0) -> None:
            self.factor = factor

    spec = PostProcessorSpec("scale", Scale)
    assert parse_spec_options("post-processor 'scale'", "factor=2", spec) == {"factor": 2.0}
    with pytest.raises(ZooError, match="unknown option 'power'"):
        parse_spec_options("post-processor 'scale'", "power=2", spec)

    def lazy(**params):  # noqa: ANN003, ANN202 - a lazy factory forwards to the class
        return Scale(**params)

    with pytest.raises(ZooError, match="post-processor 'scale': .*unexpected keyword argument 'power'"):
        parse_chain("scale?power=2", lambda name: PostProcessorSpec("scale", lazy))
    backend = BackendSpec("third-party", lambda *, nprobe=1: object())
    assert bind_backend_options(backend, "nprobe=4").label == "third-party?nprobe=4"
