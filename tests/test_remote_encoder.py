"""openai: and tei: encoders against a scripted server on 127.0.0.1: batching, retries, errors, keys, usage."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("httpx")

from remote_fakes import FakeServer, reference

from harness.encoding import MeasuredEncoder
from zoo.cache import CacheNamespace, EmbeddingCache
from zoo.encoders.remote import OpenAIEncoder, TeiEncoder, token_batches
from zoo.errors import ZooError
from zoo.registry import Registry

TEXTS = [f"text number {i} about {'heart' if i % 2 else 'lung'} disease" for i in range(40)]
FAST = {"backoff": 0.001, "retries": 3, "timeout": 5.0}


def client(server: FakeServer, **options) -> OpenAIEncoder:
    encoder = OpenAIEncoder("fake-embed-1", base_url=f"{server.url}/v1", **{**FAST, **options})
    encoder.endpoint.sleep = lambda seconds: slept.append(seconds)  # record, do not wait
    return encoder


slept: list[float] = []


@pytest.fixture(autouse=True)
def _no_sleep():
    slept.clear()
    yield


def test_vectors_come_back_in_input_order_across_batches_and_threads():
    with FakeServer() as server:
        encoder = client(server, batch_size=7, concurrency=3)
        vectors = encoder.encode(TEXTS)
    np.testing.assert_array_equal(vectors, reference(TEXTS))  # the server answers rows in reverse order
    sizes = [len(call["body"]["input"]) for call in server.embedding_calls()]
    assert sorted(sizes) == [5, 7, 7, 7, 7, 7]


def test_base64_answers_decode_to_the_same_vectors():
    with FakeServer() as server:
        plain = client(server).encode(TEXTS[:5])
    np.testing.assert_array_equal(plain, reference(TEXTS[:5]))


def test_empty_texts_are_zero_vectors_and_never_sent():
    texts = ["", TEXTS[0], "", TEXTS[1]]
    with FakeServer() as server:
        vectors = client(server).encode(texts)
    assert not vectors[[0, 2]].any()
    np.testing.assert_array_equal(vectors[[1, 3]], reference(TEXTS[:2]))
    assert all("" not in call["body"]["input"] for call in server.embedding_calls())


def test_token_budget_cuts_batches():
    texts = ["a" * 30, "b" * 30, "c" * 300, "d" * 3]  # 10, 10, 100 and 1 estimated tokens
    assert token_batches(texts, batch_size=10, batch_tokens=25) == [[0, 1], [2], [3]]
    assert token_batches(texts, batch_size=1, batch_tokens=10_000) == [[0], [1], [2], [3]]
    assert token_batches(texts, batch_size=10, batch_tokens=10_000) == [[0, 1, 2, 3]]


def test_429_is_retried_after_the_time_the_server_asks_for():
    with FakeServer(["429", "ok"]) as server:
        vectors = client(server).encode(TEXTS[:3])
    np.testing.assert_array_equal(vectors, reference(TEXTS[:3]))
    assert len(server.embedding_calls()) == 2
    assert len(slept) == 1 and 7.0 <= slept[0] <= 7.0 + FAST["backoff"]


@pytest.mark.parametrize("failure", ["500", "truncated", "cut-json", "short", "slow:1.5"])
def test_transient_failures_are_retried(failure: str):
    with FakeServer([failure, failure, "ok"]) as server:
        vectors = client(server, timeout=0.5).encode(TEXTS[:4])
    np.testing.assert_array_equal(vectors, reference(TEXTS[:4]))
    assert len(slept) == 2
    assert slept[1] <= 2 * FAST["backoff"]  # full jitter under backoff * 2**attempt


def test_persistent_failure_is_one_line_and_nothing_of_the_batch_is_cached(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache")
    texts = [*TEXTS[:6], "poison", *TEXTS[6:12]]
    with FakeServer() as server:
        encoder = client(server, batch_size=4, concurrency=2)
        measured = MeasuredEncoder(encoder, cache=cache, progress=False)
        with pytest.raises(ZooError) as caught:
            measured.encode(texts)
        namespace = CacheNamespace(encoder.fingerprint(), "document")
    message = str(caught.value)
    assert "gave up after 4 tries" in message and "500" in message and "the model fell over" in message
    assert "\n" not in message
    assert cache.lookup(namespace, texts).hits == []  # neither the failed batch nor its siblings


def test_a_4xx_is_not_retried_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("ZOO_TEST_KEY", "sk-very-secret-123")
    with FakeServer(["400"]) as server:
        encoder = client(server, api_key_env="ZOO_TEST_KEY")
        with pytest.raises(ZooError) as caught:
            encoder.encode(TEXTS[:2])
    message = str(caught.value)
    assert "400" in message and "bad request" in message and "\n" not in message
    assert "sk-very-secret-123" not in message and "***" in message
    assert len(server.embedding_calls()) == 1
    assert server.received[0]["headers"]["Authorization"] == "Bearer sk-very-secret-123"
    assert "sk-very-secret" not in repr(encoder)


def test_the_key_is_sent_only_where_asked(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-key")
    with FakeServer() as server:
        client(server).encode(TEXTS[:1])  # a third party's URL: OpenAI's key stays home
    assert "Authorization" not in server.received[0]["headers"]
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ZooError, match="OPENAI_API_KEY"):
        OpenAIEncoder("text-embedding-3-small").encode(["x"])  # OpenAI's URL needs it; nothing is sent


def test_the_fingerprint_follows_the_server_not_the_key_or_url(monkeypatch):
    with (
        FakeServer(model="fake-embed-1") as a,
        FakeServer(model="fake-embed-1") as b,
        FakeServer(model="fake-embed-2") as c,
    ):
        monkeypatch.setenv("ZOO_TEST_KEY", "one")
        first = client(a, api_key_env="ZOO_TEST_KEY").fingerprint()
        monkeypatch.setenv("ZOO_TEST_KEY", "two")
        assert client(b, api_key_env="ZOO_TEST_KEY").fingerprint() == first
        assert client(c).fingerprint() != first  # the server says it runs another model
        assert client(a, dimensions=16).fingerprint() != first
        assert client(a, query_prompt="query: ").fingerprint() != first


def test_replicas_share_the_work_and_cover_for_one_that_is_down():
    with FakeServer() as a, FakeServer() as b:
        encoder = OpenAIEncoder("fake-embed-1", base_url=f"{a.url}/v1,{b.url}/v1", batch_size=5, **FAST)
        np.testing.assert_array_equal(encoder.encode(TEXTS), reference(TEXTS))
        assert a.embedding_calls() and b.embedding_calls()
        down = FakeServer()
        down.server_close()  # its port now refuses connections
        encoder = OpenAIEncoder("fake-embed-1", base_url=f"{down.url}/v1,{a.url}/v1", batch_size=5, **FAST)
        encoder.endpoint.sleep = lambda seconds: None
        np.testing.assert_array_equal(encoder.encode(TEXTS), reference(TEXTS))


def test_roles_map_to_prompts_and_input_types():
    with FakeServer() as server:
        encoder = client(
            server, query_prompt="query: ", query_input_type="search_query", document_input_type="search_document"
        )
        encoder.encode(["chest pain"], role="query")
        encoder.encode(["angina"], role="document")
    query, document = server.embedding_calls()[-2:]
    assert query["body"]["input"] == ["query: chest pain"] and query["body"]["input_type"] == "search_query"
    assert document["body"]["input"] == ["angina"] and document["body"]["input_type"] == "search_document"


def test_usage_and_cost_are_counted_and_a_cached_run_costs_nothing(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache")
    with FakeServer() as server:
        encoder = client(server, price=0.5, batch_size=8)
        first = MeasuredEncoder(encoder, cache=cache, progress=False)
        first.encode(TEXTS)
        words = sum(len(text.split()) for text in TEXTS)
        assert first.api_tokens == words  # the fingerprint's probe is not counted
        assert first.api_cost_usd == pytest.approx(words * 0.5 / 1e6)
        again = MeasuredEncoder(encoder, cache=cache, progress=False)
        again.encode(TEXTS)
        assert again.api_tokens == 0 and again.api_cost_usd == 0.0 and again.items_cached == len(TEXTS)


def test_a_server_without_usage_leaves_tokens_unknown():
    with FakeServer(usage=False) as server:
        measured = MeasuredEncoder(client(server, price=0.5), progress=False)
        measured.encode(TEXTS[:3])
    assert measured.api_tokens is None and measured.api_cost_usd is None


def test_tei_native_route_reads_info_and_respects_its_batch_limit():
    with FakeServer(info={"model_id": "fake/embed", "model_sha": "rev-1", "max_client_batch_size": 4}) as server:
        encoder = TeiEncoder("fake/embed", base_url=server.url, query_input_type="query", **FAST)
        encoder.load()
        np.testing.assert_array_equal(encoder.encode(TEXTS[:10], role="query"), reference(TEXTS[:10]))
        first = encoder.fingerprint()
        server.info = {**server.info, "model_sha": "rev-2"}
        moved = TeiEncoder("fake/embed", base_url=server.url, **FAST).fingerprint()
    calls = [call["body"] for call in server.embedding_calls()]
    assert all(len(body["inputs"]) <= 4 for body in calls)
    queries = [body for body in calls if "prompt_name" in body]
    assert len(queries) == 3 and all(body["prompt_name"] == "query" and body["truncate"] for body in queries)
    assert moved != first  # a new revision behind the same name
    assert encoder.api_usage().tokens is None  # /embed counts no tokens


@pytest.mark.parametrize(
    "name, message",
    [
        ("openai:m?batch_size=0", "batch_size"),
        ("openai:m?encoding_format=int8", "encoding_format"),
        ("openai:m?price=-1", "price"),
        ("openai:m?colour=red", "unknown option 'colour'"),
        ("tei:m", "base_url"),
    ],
)
def test_bad_names_fail_before_anything_connects(name: str, message: str):
    with pytest.raises(ZooError, match=message):
        Registry.from_plugins().encoder(name)


def test_names_resolve_to_served_specs():
    spec = Registry.from_plugins().encoder("openai:text-embedding-3-small?dimensions=256&price=0.02")
    assert spec.family == "served" and spec.dim == 256
    assert "api.openai.com" in spec.description
