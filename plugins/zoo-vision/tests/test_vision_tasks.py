"""The three task types against hand-computed answers, with encoders whose vectors the test chooses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.backends.exact import ExactBackend
from harness.backends.hnsw import HnswBackend
from vision_fakes import KeyedEncoder
from zoo.errors import DataError, ZooError
from zoo_vision.image_text import ImageTextData, ImageTextRetrievalTask, Instructions
from zoo_vision.metrics import hit_rate, similarity_matrix, topk_accuracy
from zoo_vision.mmeb import MMEBTask, parse_item, read_subset
from zoo_vision.tasks_catalogue import DIGITS, SKIMAGE_CAPTIONS, mmeb_specs
from zoo_vision.zero_shot import (
    ZeroShotClassificationTask,
    ZeroShotData,
    class_prompts,
    class_vectors,
    zero_shot_scores,
)

# --- metrics -----------------------------------------------------------------------------------------


def test_topk_accuracy_and_hit_rate_by_hand() -> None:
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.3, 0.8], [0.4, 0.4, 0.1]])
    # truth 0, 1, 1: row 0 right at top-1; row 1 second; row 2 tied 0/1: the lower index wins the tie
    assert topk_accuracy(scores, [0, 1, 1], 1) == pytest.approx(1 / 3)
    assert topk_accuracy(scores, [0, 1, 1], 2) == pytest.approx(1.0)
    hits = {"q1": ["a", "b"], "q2": ["c", "a"]}
    assert hit_rate(hits, {"q1": {"b"}, "q2": {"x"}}, 1) == 0.0
    assert hit_rate(hits, {"q1": {"b"}, "q2": {"x"}}, 2) == 0.5


def test_similarities() -> None:
    q, d = np.array([[3.0, 4.0]]), np.array([[6.0, 8.0], [0.0, 1.0]])
    np.testing.assert_allclose(similarity_matrix(q, d, "cosine"), [[1.0, 0.8]])
    np.testing.assert_allclose(similarity_matrix(q, d, "dot"), [[50.0, 4.0]])
    np.testing.assert_allclose(similarity_matrix(q, d, "euclidean"), [[-5.0, -np.sqrt(18.0)]])


# --- zero-shot classification ------------------------------------------------------------------------


def test_prompt_ensembling_by_hand() -> None:
    assert class_prompts(["cat", "dog"], ["a {}.", "the {}"]) == ["a cat.", "the cat", "a dog.", "the dog"]
    vectors = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0], [1.0, 0.0]])  # cat: x and y; dog: x twice
    np.testing.assert_allclose(class_vectors(vectors, 2), [[np.sqrt(0.5), np.sqrt(0.5)], [1.0, 0.0]])


def test_zero_shot_scores_by_hand() -> None:
    scores = np.array(
        [
            [0.9, 0.1, 0.0, 0.0, 0.0, 0.0],  # label 0: top-1
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.9],  # label 0: last of six, outside the top 5
            [0.0, 0.5, 0.9, 0.1, 0.1, 0.1],
        ]
    )  # label 1: second
    out = zero_shot_scores(scores, [0, 0, 1])
    assert out == pytest.approx(
        {"top1_accuracy": 1 / 3, "top5_accuracy": 2 / 3, "mean_per_class_accuracy": (0.5 + 0.0) / 2}
    )
    assert "top5_accuracy" not in zero_shot_scores(scores[:, :5], [0, 0, 1])  # 5 classes: always 1


def digit_key(item) -> int:
    """Images are b"<digit>" bytes; prompts end with the class name: they meet on that digit."""
    return int(item.image.decode()) if item.has_image else int(item.text.rstrip(".").split()[-1])


def test_zero_shot_task_with_known_vectors() -> None:
    data = ZeroShotData([b"0", b"1", b"2", b"1"], [0, 1, 2, 2], ["0", "1", "2"])
    task = ZeroShotClassificationTask(DIGITS, lambda: data, ["a photo of {}."], image_instruction="Classify")
    encoder = KeyedEncoder(digit_key)
    result = task.evaluate(encoder, None)
    assert result.main_score == pytest.approx(0.75)  # the last image shows 1 but is labelled 2
    assert encoder.calls == [("document", None, 3), ("query", "Classify", 4)]


def test_labels_must_name_classes() -> None:
    with pytest.raises(DataError, match="label 3 is not a class index"):
        ZeroShotData([b"0"], [3], ["0", "1"])


def test_text_only_encoders_are_told_what_to_pass() -> None:
    task = ZeroShotClassificationTask(DIGITS, lambda: ZeroShotData([b"0"], [0], ["0"]), ["{}"])
    with pytest.raises(ZooError, match="needs an encoder of image and text.*clip:openai/clip-vit-base-patch32"):
        task.evaluate(KeyedEncoder(digit_key, modalities=("text",)), None)


# --- image-text retrieval ----------------------------------------------------------------------------

CAPTIONS = {"c-cat": "cat", "c-cat2": "kitten", "c-dog": "dog", "c-car": "car"}
IMAGE_OF = {"c-cat": "cat", "c-cat2": "cat", "c-dog": "dog", "c-car": "car"}
TOPIC = {"cat": 0, "kitten": 0, "dog": 1, "car": 1}  # the encoder confuses dogs and cars


def topic_key(item) -> int:
    return TOPIC[item.image.decode() if item.has_image else item.text]


def retrieval_task() -> ImageTextRetrievalTask:
    data = ImageTextData({"cat": b"cat", "dog": b"dog", "car": b"car"}, CAPTIONS, IMAGE_OF)
    return ImageTextRetrievalTask(SKIMAGE_CAPTIONS, lambda: data, instructions=Instructions(text_query="Find"))


@pytest.mark.parametrize("backend", [ExactBackend, HnswBackend])
def test_image_text_recall_both_ways_by_hand(backend: type) -> None:
    encoder = KeyedEncoder(topic_key)
    result = retrieval_task().evaluate(encoder, backend())
    s = result.scores
    # image->text: cat finds its captions first; dog and car tie on {dog, car} captions, ranked by
    # corpus order (c-dog before c-car): dog hits at 1, car at 2
    assert s["i2t_recall_at_1"] == pytest.approx(2 / 3) and s["i2t_recall_at_5"] == 1.0
    # text->image: cat captions hit at 1; "dog" and "car" both rank dog (built first) above car
    assert s["t2i_recall_at_1"] == pytest.approx(3 / 4) and s["t2i_recall_at_5"] == 1.0
    assert result.main_score == pytest.approx(np.mean([2 / 3, 1, 1, 3 / 4, 1, 1]))
    assert result.search.n_queries == 7 and result.search.n_documents == 7
    assert set(result.ranking) == {"i2t:cat", "i2t:dog", "i2t:car", *(f"t2i:{c}" for c in CAPTIONS)}
    assert ("query", "Find", 4) in encoder.calls  # the text-to-image queries got their instruction


def test_retrieval_needs_a_backend() -> None:
    with pytest.raises(ZooError, match="--backend exact"):
        retrieval_task().evaluate(KeyedEncoder(topic_key), None)


def test_captions_must_point_at_images() -> None:
    with pytest.raises(DataError, match="unknown image id 'cow'"):
        ImageTextData({"cat": b"cat"}, {"c": "a cow"}, {"c": "cow"})


# --- MMEB ----------------------------------------------------------------------------------------------


def write_subset(root: Path, rows: list[dict]) -> None:
    (root / "Toy").mkdir(parents=True)
    (root / "Toy" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_mmeb_rows_parse_like_mmeb_eval(tmp_path: Path) -> None:
    assert parse_item("<|image_1|>\nRepresent the given image for classification", "a/b.jpg", tmp_path) == (
        parse_item(" Represent the given image for classification", "a/b.jpg", tmp_path)
    )
    item = parse_item("<|image_1|>\nRepresent the given image.", "x.jpg", tmp_path)
    assert item.image == tmp_path / "x.jpg" and item.text == "Represent the given image."
    assert parse_item("cat", "", tmp_path).image is None
    assert parse_item("<|image_1|>", "x.jpg", tmp_path).text is None


def test_mmeb_precision_at_1_by_hand(tmp_path: Path) -> None:
    write_subset(
        tmp_path,
        [
            {
                "qry_text": "<|image_1|>\nRepresent the given image for classification",
                "qry_img_path": "cat.jpg",
                "tgt_text": ["cat", "dog", "car"],
                "tgt_img_path": ["", "", ""],
            },
            {
                "qry_text": "<|image_1|>\nRepresent the given image for classification",
                "qry_img_path": "dog.jpg",
                "tgt_text": ["dog", "cat", "car"],
                "tgt_img_path": ["", "", ""],
            },
            {
                "qry_text": "<|image_1|>\nRepresent the given image for classification",
                "qry_img_path": "car.jpg",
                "tgt_text": ["dog", "car"],
                "tgt_img_path": ["", ""],
            },  # wrong label first: the encoder says car
        ],
    )
    examples = read_subset(tmp_path, "Toy")
    task = MMEBTask(mmeb_specs()[0], lambda: examples)
    words = {"cat": 0, "dog": 1, "car": 2}
    encoder = KeyedEncoder(lambda item: words[item.image.stem] if item.has_image else words[item.text])
    assert task.evaluate(encoder, None).main_score == pytest.approx(2 / 3)
    assert [c.text for c in task.candidates] == ["cat", "dog", "car"]  # each encoded once
    assert encoder.calls == [("query", None, 3), ("document", None, 3)]


def test_mmeb_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    write_subset(
        tmp_path,
        [
            {"qry_text": "q", "qry_img_path": "", "tgt_text": ["a"], "tgt_img_path": [""]},
            {"qry_text": "q", "qry_img_path": ""},
        ],
    )
    with pytest.raises(DataError, match=r"test.jsonl:2: needs qry_text"):
        read_subset(tmp_path, "Toy")


def test_mmeb_lists_the_36_datasets_in_four_meta_tasks() -> None:
    specs = mmeb_specs()
    assert len(specs) == 36 == len({s.name for s in specs})
    assert {s.type for s in specs} == {"mmeb-classification", "mmeb-vqa", "mmeb-retrieval", "mmeb-grounding"}
    assert {"mmeb-imagenet-1k", "mmeb-mscoco-t2i", "mmeb-visual7w-pointing"} <= {s.name for s in specs}


def test_mmeb_subset_from_the_local_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_MMEB_HOME", str(tmp_path))
    write_subset(tmp_path, [{"qry_text": "a", "qry_img_path": "", "tgt_text": ["b"], "tgt_img_path": [""]}])
    from zoo_vision.mmeb import locate_subset

    [example] = locate_subset("Toy")
    assert example.query.text == "a" and example.candidates[0].text == "b"


def test_missing_mmeb_subset_offline_says_where_to_put_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_MMEB_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    from zoo_vision.mmeb import locate_subset

    with pytest.raises(ZooError, match=r"MMEB subset 'N24News' is not in .* set ZOO_MMEB_HOME"):
        locate_subset("N24News")


def test_hub_loader_writes_the_local_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub calls replaced by fakes: rows become test.jsonl, images.zip is unpacked under images/."""
    import sys
    import types
    import zipfile

    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eval_images/Toy/cat.jpg", b"jpeg bytes")
    rows = [
        {
            "qry_text": "<|image_1|>\nRepresent the given image for classification",
            "qry_img_path": "Toy/cat.jpg",
            "tgt_text": ["cat", "dog"],
            "tgt_img_path": ["", ""],
            "extra": 1,
        }
    ]
    asked: list[tuple] = []
    datasets = types.SimpleNamespace(load_dataset=lambda *a, **k: asked.append(a) or rows)
    hub = types.SimpleNamespace(hf_hub_download=lambda *a, **k: str(archive))
    monkeypatch.setitem(sys.modules, "datasets", datasets)
    monkeypatch.setitem(sys.modules, "huggingface_hub", hub)
    monkeypatch.setenv("ZOO_MMEB_HOME", str(tmp_path / "mmeb"))
    from zoo_vision.mmeb import locate_subset

    [example] = locate_subset("Toy")
    assert asked == [("TIGER-Lab/MMEB-eval", "Toy")]
    assert example.query.image == tmp_path / "mmeb" / "images" / "Toy" / "cat.jpg"
    assert example.query.image.read_bytes() == b"jpeg bytes"  # the archive's top folder is dropped
    assert [c.text for c in example.candidates] == ["cat", "dog"]
    assert "extra" not in (tmp_path / "mmeb" / "Toy" / "test.jsonl").read_text()
