"""BM25 through bm25s: an inverted index of stemmed word ids, scored exhaustively (every document that
shares a term with the query), the top k taken exactly.

Tokenization, stated because BM25 scores depend on it as much as on k1 and b: lower-cased, split on the
regular expression ``(?u)\\b\\w\\w+\\b`` (runs of two or more word characters, scikit-learn's default),
English stopwords removed (bm25s's list), each word stemmed with the Snowball English stemmer (PyStemmer).
Query words the corpus never holds are dropped: they score nothing.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.ranking import top_k

METHODS = ("robertson", "atire", "bm25l", "bm25+", "lucene")
SPLITTER = r"(?u)\b\w\w+\b"
STOPWORDS = "en"
STEMMER = "english"  # Snowball, through PyStemmer; "none" keeps words whole


class BM25Retriever:
    """Okapi BM25 (``method`` picks the variant: Lucene's by default) over a tokenized corpus.

    ``index`` builds bm25s's sparse matrix of per-term document scores; ``search`` sums the query terms'
    columns, so a query costs the postings of its terms, not the corpus.
    """

    modalities = ("text",)
    similarity = "bm25"
    n_parameters = 0  # term statistics are counted, not learned

    def __init__(
        self,
        k1: float = 1.5,
        b: float = 0.75,
        method: str = "lucene",
        delta: float = 0.5,
        stemmer: str = STEMMER,
        *,
        name: str = "bm25",
    ) -> None:
        if method not in METHODS:
            raise ZooError(f"unknown BM25 method {method!r}: choose one of {', '.join(METHODS)}")
        if k1 < 0 or not 0 <= b <= 1:
            raise ZooError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.name = name
        self.k1, self.b, self.method, self.delta, self.stemmer = float(k1), float(b), method, float(delta), stemmer
        self._tokenizer: Any = None
        self._model: Any = None
        self._ids: list[str] = []

    def params(self) -> dict[str, Any]:
        delta = {"delta": self.delta} if self.method in ("bm25l", "bm25+") else {}
        return {
            "k1": self.k1,
            "b": self.b,
            "method": self.method,
            **delta,
            "library": "bm25s",
            "tokenizer": {"lower": True, "splitter": SPLITTER, "stopwords": STOPWORDS, "stemmer": self.stemmer},
        }

    def fingerprint(self) -> str:
        return fingerprint("bm25", 1, self.params())

    @property
    def dim(self) -> int:
        """The vocabulary: distinct terms of the indexed corpus (0 before ``index``)."""
        if self._tokenizer is None:
            return 0
        vocab = self._tokenizer.get_vocab_dict()
        return len(vocab) - ("" in vocab)  # the tokenizer's empty token stands for no word

    @property
    def bytes_per_document(self) -> int:
        """The score matrix (a float and an int32 row per posting, an int per column) per document."""
        return round(self.nbytes() / len(self._ids)) if self._ids else 0

    def nbytes(self) -> int:
        if self._model is None:
            return 0
        return int(sum(getattr(part, "nbytes", 0) for part in self._model.scores.values()))

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = _tokenizer(self.stemmer)
        return self._tokenizer

    def prepare(self, inputs: Sequence[Any], *, role: str = "document") -> list[list[int]]:
        """Token ids per text; documents grow the vocabulary, queries only use it. Documents come first."""
        texts = [_text(item) for item in inputs]
        if role == "document":
            self._tokenizer = None  # a fresh vocabulary per corpus
            return self.tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        if self._tokenizer is None:
            raise ZooError("BM25 tokenizes the corpus before its queries: prepare the documents first")
        ids = self.tokenizer.tokenize(texts, update_vocab=False, return_as="ids", show_progress=False)
        unknown = self.tokenizer.get_vocab_dict().get("")  # words outside the corpus map to the empty token
        return [[t for t in row if t != unknown] for row in ids]

    def index(self, documents: Sequence[list[int]], ids: Sequence[str]) -> None:
        import bm25s

        if len(documents) != len(ids):
            raise ZooError(f"BM25 index: {len(documents)} documents for {len(ids)} ids")
        vocab = self.tokenizer.get_vocab_dict()
        self._model = bm25s.BM25(k1=self.k1, b=self.b, delta=self.delta, method=self.method)
        self._model.index((list(documents), vocab), create_empty_token=False, show_progress=False)
        self._ids = list(ids)

    def search(self, queries: Sequence[list[int]], k: int) -> tuple[list[list[str]], np.ndarray]:
        if self._model is None:
            raise ZooError("BM25 searched before it was indexed: call index() first")
        k = min(k, len(self._ids))
        scores = np.zeros((len(queries), k), dtype=np.float32)
        hits: list[list[str]] = []
        for row, query in enumerate(queries):
            doc_scores = np.asarray(
                self._model.get_scores(list(query)) if query else np.zeros(len(self._ids)), dtype=np.float32
            )
            top = _top_sparse(doc_scores, k)
            scores[row] = doc_scores[top]
            hits.append([self._ids[i] for i in top])
        return hits, scores


def _top_sparse(scores: np.ndarray, k: int) -> np.ndarray:
    """``top_k`` for scores that are mostly 0 (documents sharing no query term): the positive ones ranked,
    then zeros in corpus order, then negative ones (an idf below 0, Robertson's, can make them). A
    partition of a mostly-zero array is slow (50 ms over 98k documents), the non-zeros few."""
    nonzero = np.flatnonzero(scores)
    parts = []
    for rows in (nonzero[scores[nonzero] > 0], None, nonzero[scores[nonzero] < 0]):
        need = k - sum(len(p) for p in parts)
        if need <= 0:
            break
        parts.append(np.flatnonzero(scores == 0)[:need] if rows is None else rows[top_k(scores[rows], need)])
    return np.concatenate(parts)[:k]


def _text(item: Any) -> str:
    if not isinstance(item, str):
        raise ZooError(f"BM25 ranks text; got {type(item).__name__}")
    return item


def _tokenizer(stemmer: str) -> Any:
    from bm25s.tokenization import Tokenizer

    if stemmer == "none":
        return Tokenizer(lower=True, splitter=SPLITTER, stopwords=STOPWORDS, stemmer=None)
    import Stemmer

    try:
        stem = Stemmer.Stemmer(stemmer)
    except KeyError:
        raise ZooError(f"unknown stemmer {stemmer!r}: use a Snowball language (english) or none") from None
    return Tokenizer(lower=True, splitter=SPLITTER, stopwords=STOPWORDS, stemmer=stem)
