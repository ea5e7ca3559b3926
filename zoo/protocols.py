"""The contracts between the zoo, the harness and plugins: protocols and the small specs that name them.

Specs are cheap to build and list: nothing here imports torch or loads data. The heavy object behind a
spec is made by its ``load`` (or ``factory``) callable, on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

Similarity = Literal["cosine", "dot", "euclidean"]
Role = Literal["query", "document"]
SIMILARITIES: tuple[str, ...] = ("cosine", "dot", "euclidean")


@runtime_checkable
class Encoder(Protocol):
    """Turns inputs (text, images, sequences, codes) into float32 vectors of shape (n, dim).

    Optional: ``n_parameters`` (int or None), the count of learned weights, shown beside quality as cost;
    ``load()``, which loads the model now rather than in the first ``encode``, so that the harness reports
    load time apart from encoding speed (without it, loading counts as encoding); ``api_usage()``, an
    ``ApiUsage`` of what a served model has cost this process so far (results record what each run spent).
    """

    name: str
    modalities: tuple[str, ...]
    similarity: Similarity

    @property
    def dim(self) -> int: ...

    def fingerprint(self) -> str:
        """A stable hash of everything that changes the vectors: weights, config, pooling, prompts."""
        ...

    def encode(
        self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class ApiUsage:
    """What a served model has cost so far: tokens the server counted (None where it does not say) and their
    price in USD (None without a price)."""

    tokens: int | None
    cost_usd: float | None = None


@runtime_checkable
class PostProcessor(Protocol):
    """scikit-learn rules: parameters in ``__init__``, ``fit`` learns trailing-underscore state.

    ``transform`` maps float32 (n, d) to (n, d') arrays: float32, or int8 codes, or uint8 packed bits.
    """

    def fit(self, X: np.ndarray) -> PostProcessor: ...

    def transform(self, X: np.ndarray) -> np.ndarray: ...

    def fingerprint(self) -> str:
        """A stable hash of the parameters and the fitted state."""
        ...


@runtime_checkable
class Quantizer(PostProcessor, Protocol):
    """A post-processor whose codes are searched in their own way and can be rescored with float queries.

    ``similarity``: how the codes are compared ("hamming" for packed bits; None keeps the encoder's).
    ``rescore``: candidates per wanted hit rescored with float queries (0: no rescoring); when it is
    positive, the candidates found with quantized queries are re-ranked by the float queries' similarity
    to each candidate's ``rescore_codes`` (asymmetric, as in BEBR), which are kept beside the index.
    """

    similarity: str | None
    rescore: int

    def rescore_codes(self, X: np.ndarray) -> np.ndarray:
        """What is kept per document for rescoring (n, width): the codes themselves or a finer copy."""
        ...

    def rescore_scores(self, queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Similarity of float queries (m, d) to their candidates' rescore codes (m, c, width), (m, c) float32."""
        ...

    def rescore_bytes_per_vector(self, dim: int) -> int:
        """Bytes per document that rescoring keeps beside the index; 0 when the index codes suffice."""
        ...


@runtime_checkable
class SearchBackend(Protocol):
    """A nearest-neighbour index. Scores are similarities, higher is better: cosine similarity, the inner
    product, or the negative (not squared) euclidean distance. Equal scores rank the earlier-built id first.

    Optional: ``search_options``, a tuple naming the constructor options that only change how a built index
    is searched (hnsw's ``ef_search``, IVF's ``nprobe``). The harness sets them between searches with
    ``setattr`` to measure several operating points on one index, and ``params()`` reports the current
    value. ``search_ladder(name)`` lists the values worth trying for a recall target, ascending (default:
    powers of two up to the corpus size).
    """

    name: str

    def params(self) -> dict[str, Any]:
        """Every setting of the index (M, ef_search, chunk size...), JSON-serialisable, stored with each result."""
        ...

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and scores per query; k is clipped to the corpus size."""
        ...


@runtime_checkable
class MultiVectorEncoder(Protocol):
    """Turns each input into a set of vectors, (n_i, dim) float32 each (token embeddings), compared by
    MaxSim (late interaction). A kind of encoder of its own: the harness searches its sets by exact MaxSim
    and by backends that take sets (``muvera``: fixed-dimensional encodings, MaxSim-rescored)."""

    name: str
    modalities: tuple[str, ...]

    @property
    def dim(self) -> int: ...

    def fingerprint(self) -> str: ...

    def encode_sets(self, inputs: Sequence[Any], *, role: Role = "document") -> list[np.ndarray]: ...


@runtime_checkable
class Retriever(Protocol):
    """A model that ranks documents for queries itself, with no vectors for a backend to search: BM25, a
    fusion of two runs, a first stage and a reranker. Registered as an encoder (``EncoderSpec.load`` may
    return one); the harness runs it on retrieval tasks as its own exhaustive search, in the same table
    and with the same cost columns as a dense encoder searched exactly.

    The work is split as a dense encoder's is, so the cost columns mean the same: ``prepare`` (timed as
    encoding) turns inputs into what ``index`` and ``search`` take (BM25: token ids); ``index`` is the
    build; ``search`` the query time. ``dim`` is the width of a document's representation (BM25: the
    vocabulary), ``bytes_per_document`` what the index holds per document, once indexed.
    Optional: ``attach(context)``, for retrievers built from other models (fusion, reranking), which open
    them through the harness's embedding cache and engine; ``prepares = False`` where ``prepare`` passes
    the texts through (their stages encode inside ``index`` and ``search``), so no encoding speed is shown.
    """

    name: str
    modalities: tuple[str, ...]
    similarity: str  # what its scores are ("bm25", "rrf", ...): not comparable with a dense similarity

    @property
    def dim(self) -> int: ...

    @property
    def bytes_per_document(self) -> int: ...

    def fingerprint(self) -> str:
        """A stable hash of everything that changes the ranking: parameters, tokenization, models."""
        ...

    def params(self) -> dict[str, Any]:
        """Every setting (JSON-serialisable), stored with each result."""
        ...

    def prepare(self, inputs: Sequence[Any], *, role: Role = "document") -> Sequence[Any]:
        """Inputs made ready to index (documents) or search (queries); sliceable, one entry per input."""
        ...

    def index(self, documents: Sequence[Any], ids: Sequence[str]) -> None: ...

    def search(self, queries: Sequence[Any], k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and scores per prepared query, at most k each; equal scores in corpus order."""
        ...


@dataclass(frozen=True)
class SearchStats:
    """What one build and one batch search cost."""

    build_seconds: float
    search_seconds: float
    n_queries: int
    n_documents: int
    latency_p50_ms: float | None = None  # one query at a time, on a seeded sample of queries
    latency_p99_ms: float | None = None
    index_bytes: int | None = None  # what the backend holds in memory, where it can say
    depth: int | None = None  # hits asked for per query (k of the search)

    @property
    def queries_per_second(self) -> float:
        return self.n_queries / self.search_seconds if self.search_seconds > 0 else float("inf")


ITEM_STATISTICS: tuple[str, ...] = ("mean", "spearman", "ap")


@dataclass(frozen=True, eq=False)
class ItemScores:
    """The main score item by item, so that it can be resampled: ``statistic`` over the items (axis 0)
    gives the main score back. The harness draws bootstrap intervals and paired tests from it.

    ``mean``: ``values`` is (n,), one score per item (a query's nDCG@10, whether a test item was right).
    ``spearman``: ``values`` is (n, 2), each pair's predicted similarity and its gold score.
    ``ap``: ``values`` is (n, 2), each pair's similarity (higher: more alike) and its 0/1 label; the
    statistic is the average precision of the similarities, as sklearn's ``average_precision_score``.
    ``unit`` names an item in words ("query", "pair"); ``ids`` pair two runs' items where the order may
    differ (query ids); None means the items of every run of the task come in one fixed order.
    """

    values: np.ndarray
    statistic: str = "mean"
    unit: str = "item"
    ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        import numpy as np

        values = np.asarray(self.values, dtype=np.float64)
        object.__setattr__(self, "values", values)
        if self.statistic not in ITEM_STATISTICS:
            raise ValueError(f"unknown item statistic {self.statistic!r}; expected one of {ITEM_STATISTICS}")
        width = 1 if self.statistic == "mean" else 2
        if values.ndim != (1 if width == 1 else 2) or (width == 2 and values.shape[1] != 2):
            raise ValueError(
                f"{self.statistic} items need shape {'(n,)' if width == 1 else '(n, 2)'}, got {values.shape}"
            )
        if self.ids is not None and len(self.ids) != len(values):
            raise ValueError(f"{len(self.ids)} ids for {len(values)} items")

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class TaskScores:
    """What a task's ``evaluate`` returns: every metric, the main one, and the search cost if any."""

    scores: dict[str, float]
    main_score: float
    split: str
    search: SearchStats | None = None
    # best-first document ids per query, for comparing an approximate backend's answers with exact search
    ranking: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    # the main score item by item, for intervals and significance; None where the task cannot say
    items: ItemScores | None = field(default=None, repr=False, compare=False)


@runtime_checkable
class Task(Protocol):
    """Loaded task data plus its evaluation protocol.

    Optional: ``tuning_queries(limit, seed) -> list``, up to ``limit`` inputs of real queries the task never
    scores (another split's), drawn with ``seed``; a recall target (``hnsw?recall=0.95``) is tuned on them,
    encoded as queries, and on indexed documents where a task offers none.
    """

    spec: TaskSpec

    def data_fingerprint(self) -> str: ...

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        """Score ``encoder``. ``depth``: hits per query for a search task (None: the task's own choice);
        a task that searches at a fixed depth of its own ignores it and reports the depth it searched in
        ``TaskScores.search.depth``, as every search task does; tasks without search ignore it."""
        ...


@dataclass(frozen=True)
class EncoderSpec:
    """A registered encoder: metadata to list and choose it, and ``load()`` to make it."""

    name: str
    load: Callable[[], Encoder] = field(repr=False, compare=False)
    family: str = "custom"
    modalities: tuple[str, ...] = ("text",)
    dim: int | None = None
    aliases: tuple[str, ...] = ()
    license: str | None = None
    description: str = ""
    default: bool = False  # part of the embedded default run: must load with no network


@dataclass(frozen=True)
class TaskSpec:
    """A registered task: versioned metadata that is cheap to list, and ``load()`` for the data."""

    name: str
    type: str
    load: Callable[[], Task] = field(repr=False, compare=False)
    main_metric: str = ""
    version: str = "1"
    modalities: tuple[str, ...] = ("text",)
    uses_search: bool = False  # True when evaluate() needs a SearchBackend
    aliases: tuple[str, ...] = ()
    description: str = ""
    source: str = ""
    license: str = ""
    citation: str = ""
    default: bool = False  # part of the embedded default run: must load with no network


@dataclass(frozen=True)
class SuiteSpec:
    """A named, versioned set of tasks: ``zoo bench --suite NAME`` runs them, leaderboards average them.

    ``name`` is ``<family>@<version>`` ("zoo-offline@1"): a version never changes its tasks, a new set is a
    new version. ``tasks`` are names ``zoo bench --task`` accepts (registered names, ``mteb:<Task>``).
    """

    name: str
    tasks: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        family, at, version = self.name.rpartition("@")
        if not (family and at and version):
            raise ValueError(f"suite name {self.name!r} must be <family>@<version>, e.g. zoo-offline@1")
        if not self.tasks:
            raise ValueError(f"suite {self.name!r} names no task")

    @property
    def family(self) -> str:
        return self.name.rpartition("@")[0]

    @property
    def version(self) -> str:
        return self.name.rpartition("@")[2]


@dataclass(frozen=True)
class SearchPoints:
    """How one built index is searched: at each of ``values`` of the search option ``option`` (a sweep),
    or at the smallest value of the backend's ladder whose recall reaches ``target_recall``."""

    option: str
    values: tuple[Any, ...] = ()
    target_recall: float | None = None


@dataclass(frozen=True)
class Param:
    """One option a search backend or post-processor takes, declared so that a bad value written into a
    name (``hnsw?M=100000``) is refused when the name is parsed, before any data is loaded or encoded.

    ``kind`` is int, float, bool or str; ``low``/``high`` bound numbers (inclusive; ``above`` makes the
    lower bound exclusive), ``choices`` lists the accepted strings. A library's own limits belong here
    (hnswlib caps M at 10,000 and would silently build with less than was asked and recorded).
    """

    name: str
    kind: type = int
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    above: bool = False  # the lower bound itself is excluded: (low, high]
    help: str = ""

    def check(self, owner: str, value: Any) -> Any:
        """``value`` if it is of the declared kind and within bounds; a one-line ZooError otherwise."""
        from zoo.errors import ZooError

        if self.kind in (int, float) and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != value
            or value in (float("inf"), float("-inf"))
            or (self.kind is int and not float(value).is_integer())
        ):
            raise ZooError(f"{owner}: {self.name}={value!r} is not {self._kind_words()}; it takes {self.describe()}")
        below = self.low is not None and (value <= self.low if self.above else value < self.low)
        if below or (self.high is not None and value > self.high) or (self.choices and value not in self.choices):
            raise ZooError(f"{owner}: {self.name}={value!r} is out of range; it takes {self.describe()}")
        return value

    def describe(self) -> str:
        """``M: an integer in [2, 10000]``, ``rescore_with: one of sign, int8, float``."""
        if self.choices:
            return f"{self.name}: one of {', '.join(self.choices)}"
        words = f"{self.name}: {self._kind_words()}"
        if self.low is not None and self.high is not None:
            return f"{words} in {'(' if self.above else '['}{_number(self.low)}, {_number(self.high)}]"
        if self.low is not None:
            return f"{words} {'>' if self.above else '>='} {_number(self.low)}"
        return f"{words} <= {_number(self.high)}" if self.high is not None else words

    def _kind_words(self) -> str:
        return {int: "an integer", float: "a finite number", bool: "true or false"}.get(self.kind, "a string")


def _number(value: float) -> str:
    return f"{int(value):,}".replace(",", "") if float(value).is_integer() else repr(value)


@dataclass(frozen=True)
class BackendSpec:
    name: str
    factory: Callable[..., SearchBackend] = field(repr=False, compare=False)
    aliases: tuple[str, ...] = ()
    description: str = ""
    exact: bool = False  # approximate backends' results are compared with the exact backend's
    # the options the factory takes, with types and bounds, checked when a name is parsed; None: not
    # declared, the factory's signature gives the names and types and the backend checks the values
    params: tuple[Param, ...] | None = None
    # set by options written into the name (zoo.options.bind_backend_options); plugins leave them be
    label: str = ""  # what results call it: the name and its fixed options as written, e.g. "hnsw?M=32"
    points: SearchPoints | None = None  # operating points searched on one index; None: one search


@dataclass(frozen=True)
class PostProcessorSpec:
    name: str
    factory: Callable[..., PostProcessor] = field(repr=False, compare=False)
    aliases: tuple[str, ...] = ()
    description: str = ""
    params: tuple[Param, ...] | None = None  # as BackendSpec.params
