"""The result-file JSON Schema (harness/schema/result.v1.json): every committed result follows it, extra
keys are welcome, wrong shapes are refused with a reason, and every reader skips what it refuses."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from harness.results import ResultStore, read_result
from harness.schema import RESULT_SCHEMA, result_problem, schema_text
from tests.test_results import RESULT
from zoo.errors import DataError

ROOT = Path(__file__).parent.parent
COMMITTED = sorted((ROOT / "leaderboards" / "results").glob("*.json"))
GOOD = json.loads((Path(__file__).parent / "hostile" / "good-result.json").read_text())


def test_the_schema_in_docs_is_the_one_shipped():
    shipped = json.loads(schema_text())
    assert json.loads((ROOT / "docs" / RESULT_SCHEMA).read_text()) == shipped
    assert shipped["additionalProperties"] is True and shipped["properties"]["schema"]["const"] == 1
    assert RESULT_SCHEMA in (ROOT / "docs" / "results.md").read_text()


def test_every_committed_result_follows_the_schema():
    assert len(COMMITTED) > 50
    problems = {path.name: result_problem(json.loads(path.read_text())) for path in COMMITTED}
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_key_a_result_writes_is_described():
    written = RESULT.to_dict()
    described = json.loads(schema_text())["properties"]
    assert set(written) <= set(described)
    assert result_problem(json.loads(json.dumps(written))) is None


def test_unknown_and_optional_keys_are_accepted():
    assert result_problem({**GOOD, "api_tokens": 1234, "api_cost_usd": 0.02, "a_future_key": {"x": [1]}}) is None
    assert result_problem({**GOOD, "api_tokens": None, "api_cost_usd": None}) is None


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"main_score": "0.72"}, "main_score: '0.72' is not of type 'number'"),
        ({"main_score": None}, "main_score: None is not of type 'number'"),
        ({"date": None}, "date: None is not of type 'string'"),
        ({"scores": {"ndcg_at_10": "high"}}, "scores.ndcg_at_10: 'high' is not of type 'number', 'null'"),
        ({"chain": "binary"}, "chain: 'binary' is not of type 'array'"),
        ({"dim": -1}, "dim: -1 is less than the minimum of 0"),
        ({"untrained": "no"}, "untrained: 'no' is not of type 'boolean'"),
        ({"schema": 2}, "schema: 1 was expected"),
        ({"api_tokens": "many"}, "api_tokens: 'many' is not of type 'integer', 'null'"),
    ],
)
def test_wrong_shapes_are_refused_with_a_reason(change: dict, reason: str):
    assert result_problem({**GOOD, **change}) == reason


def test_wrong_documents_are_refused():
    assert result_problem([1]) == "[1] is not of type 'object'"
    missing = {key: value for key, value in GOOD.items() if key != "main_score"}
    assert result_problem(missing) == "'main_score' is a required property"


def test_nan_is_written_as_null_with_a_warning_and_the_reader_skips_it(tmp_path: Path, capsys: pytest.CaptureFixture):
    nan = replace(
        RESULT,
        main_score=math.nan,
        scores={"ndcg_at_10": math.nan, "recall_at_10": 0.75},
        vs_float={"retained": math.inf},
    )
    path = ResultStore(tmp_path).write(nan)
    data = json.loads(path.read_text())  # strict JSON: no bare NaN
    assert data["main_score"] is None and data["scores"] == {"ndcg_at_10": None, "recall_at_10": 0.75}
    assert data["vs_float"]["retained"] is None
    assert (
        "main_score, scores.ndcg_at_10, vs_float.retained are NaN or infinite; written as null"
        in capsys.readouterr().err
    )
    with pytest.raises(DataError, match="main_score: None is not of type 'number'"):
        read_result(path)
    assert list(ResultStore(tmp_path)) == []
    assert "skipping" in capsys.readouterr().err
