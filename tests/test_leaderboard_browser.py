"""The leaderboard page in a real headless Chromium: no console errors, sorting works (by mouse and keyboard),
hostile names inert, operating points chosen from the keyboard, filters that select rows and tasks, a view
kept in the URL, a phone's width, downloads, and an accessibility check with axe-core."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest

from harness.leaderboard import write_leaderboard
from harness.results import ResultStore

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT_COPY = Path("/tmp/leaderboard.png")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


def _chromedriver() -> str | None:
    return shutil.which("chromedriver") or next(
        (str(p) for p in (Path("/usr/bin/chromedriver"), Path("/usr/lib/chromium/chromedriver")) if p.exists()), None
    )


@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    """A headless Chromium driven by selenium, with a fresh profile; skipped where either is missing."""
    webdriver = pytest.importorskip("selenium.webdriver")
    driver_path = _chromedriver()
    if not CHROMIUM.exists() or driver_path is None:
        pytest.skip("needs /usr/bin/chromium and chromedriver (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(tmp_path: Path) -> Path:
    from tests.test_leaderboard import sample_results

    store = ResultStore(tmp_path / "results")
    for result in sample_results():
        store.write(result)
    return write_leaderboard([store], tmp_path / "index.html")[0]


def _order(driver) -> list[str]:  # noqa: ANN001
    return [tr.get_attribute("data-row") for tr in driver.find_elements("css selector", "#main-table tbody tr")]


def _header(driver, label: str):  # noqa: ANN001, ANN202
    for th in driver.find_elements("css selector", "#main-table thead tr.cols th"):
        if th.text.split("\n")[0].strip() == label:
            return th
    raise AssertionError(f"no column {label!r}")


def test_page_renders_sorts_and_opens_details(browser, page: Path, tmp_path: Path):  # noqa: ANN001
    from tests.test_leaderboard import HOSTILE

    browser.get(page.as_uri())
    rows = _order(browser)
    assert len(rows) == 5 and HOSTILE in rows  # the hostile name is a row label, shown as text
    shown = browser.execute_script(
        "var name = arguments[0], tr = Array.from(document.querySelectorAll('#main-table tbody tr'))"
        ".find(function (r) { return r.dataset.row === name; });"
        "return [tr.querySelector('.first').textContent, document.querySelectorAll('script').length];",
        HOSTILE,
    )
    assert shown == [HOSTILE, 2]  # rendered as text; no element was created from it
    assert rows[0] == "enc-a"  # best complete mean first

    _header(browser, "r2").click()
    by_r2 = _order(browser)
    assert by_r2 != rows and by_r2[0] == "enc-b" and by_r2[-1] == "enc-c"  # 0.75 best; missing last
    _header(browser, "r2").click()
    assert _order(browser)[:-1] == list(reversed(by_r2[:-1])) and _order(browser)[-1] == "enc-c"

    browser.find_element("css selector", "#view-buttons button[data-config='hnsw']").click()
    _header(browser, "r1").click()
    assert _order(browser)[0] == "enc-b"  # 0.78 under hnsw
    assert browser.find_element("id", "compare-section").is_displayed()

    cell = browser.find_element("css selector", "#main-table td.score button")
    cell.click()
    detail = browser.find_element("id", "detail")
    assert detail.is_displayed() and "fingerprint" in detail.text
    assert browser.execute_script("return document.getElementById('detail').matches(':modal')")

    logs = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert logs == []

    browser.find_element("id", "detail-close").click()
    assert not detail.is_displayed()
    assert browser.switch_to.active_element == cell  # focus returns to the cell that opened it
    save_screenshot(browser, page, tmp_path / "leaderboard.png")


def _rows_with(driver, text: str) -> list[str]:  # noqa: ANN001
    """Rows of the rank table with a cell showing ``text``."""
    return driver.execute_script(
        "var text = arguments[0];"
        "return Array.from(document.querySelectorAll('#compare-table tbody tr')).filter(function (tr) {"
        "  return Array.from(tr.cells).some(function (td) { return td.textContent === text; });"
        "}).map(function (tr) { return tr.dataset.row; });",
        text,
    )


def _choose(driver, select_id: str, key: str) -> str:  # noqa: ANN001
    """Move a select's choice with the keyboard; its new value."""
    from selenium.webdriver.common.keys import Keys

    driver.find_element("id", select_id).send_keys(getattr(Keys, key))
    return driver.find_element("id", select_id).get_attribute("value")


def test_operating_points_from_the_keyboard(browser, tmp_path: Path):  # noqa: ANN001
    from tests.test_leaderboard import HOSTILE
    from tests.test_leaderboard_points import swap_results

    store = ResultStore(tmp_path / "results")
    for result in swap_results():
        store.write(result)
    page = write_leaderboard([store], tmp_path / "index.html")[0]
    browser.get(page.as_uri())
    labels = browser.execute_script(
        "return ['point-select', 'compare-point', 'curve-task'].map(function (id) {"
        "  return document.getElementById(id).labels[0].querySelector('.control-label').textContent; });"
    )
    assert labels == ["Operating point", "Operating point", "Task"]

    # the main table: the hnsw configuration opens at its cheapest point reaching recall 0.95 (ef 64)
    assert not browser.find_element("id", "point-control").is_displayed()
    browser.find_element("css selector", "#view-buttons button[data-config='hnsw']").click()
    assert browser.find_element("id", "point-select").get_attribute("value") == "hnsw?ef_search=64"
    assert _order(browser)[0] == "enc-a"
    assert _choose(browser, "point-select", "ARROW_UP") == "hnsw?ef_search=16"
    assert _order(browser)[0] == HOSTILE  # at ef 16 the second model leads
    assert browser.find_element("id", "compare-point").get_attribute("value") == "hnsw?ef_search=16"  # follows

    # the rank table at each point: the swap at ef 16, nothing moves at ef 64
    assert _rows_with(browser, "▼1") == ["enc-a"] and _rows_with(browser, "▲1") == [HOSTILE]
    assert browser.find_element("id", "compare-summary").text.startswith("2 of 3 ranked models change rank")
    assert _choose(browser, "compare-point", "ARROW_DOWN") == "hnsw?ef_search=64"
    assert _rows_with(browser, "▼1") == [] and _rows_with(browser, "▲1") == []
    assert browser.find_element("id", "compare-title").text == "exact → hnsw?ef_search=64"

    # the curves: one line per model through its two points, exact as one square each
    counts = browser.execute_script(
        "return Array.from(document.querySelectorAll('#curves svg')).map(function (s) {"
        "  return [s.querySelectorAll('polyline.curve').length, s.querySelectorAll('circle.mark').length,"
        "          s.querySelectorAll('rect.mark').length]; });"
    )
    assert counts == [[3, 6, 3], [3, 6, 0]]  # score plot; recall plot (exact has no recall against itself)
    legend = browser.find_elements("css selector", "#curve-legend button")
    assert [b.text for b in legend] == sorted(["enc-a", "enc-c", HOSTILE])
    assert browser.execute_script("return document.querySelectorAll('script').length") == 2
    _choose(browser, "curve-task", "TAB")  # the next stop is the first model in the legend
    assert browser.switch_to.active_element == legend[0]
    # focus brings that model's lines forward: its score line and square, and its recall line
    assert browser.execute_script(
        "return [document.getElementById('curves').classList.contains('dim'),"
        "        document.querySelectorAll('#curves .series.hl').length];"
    ) == [True, 3]
    assert _choose(browser, "curve-task", "ARROW_DOWN") == "r2"
    assert "r2" in browser.find_element("css selector", "#curves .plot h3").text

    browser.find_element("css selector", "#curves circle.mark").click()
    assert browser.find_element("id", "detail").is_displayed()
    assert browser.find_element("id", "detail-kicker").text.startswith("r2 · hnsw?ef_search=")
    logs = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert logs == []


def save_screenshot(driver, page: Path, shot: Path) -> None:  # noqa: ANN001
    """The page as first opened, full height at 1280 px wide; a copy goes to /tmp/leaderboard.png."""
    driver.get(page.as_uri())
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 140, 4000))  # + the window's chrome
    assert driver.save_screenshot(str(shot))
    shutil.copyfile(shot, SCREENSHOT_COPY)


# --- choosing a model: filters, the URL, phones, the keyboard, downloads, accessibility, speed -----------

AXE_DIR = Path(os.environ.get("AXE_CORE_DIR", Path.home() / ".cache" / "zoo-test-tools" / "axe"))


DNA_TASK = "dna-16s-genus-clustering"  # a long name, as real tasks have: its column must still fit a phone


def mixed_results() -> list:
    """Text rows on two search tasks and STS, DNA rows on a DNA task; parameter counts from 0 to 110M."""
    from tests.test_leaderboard import make_result

    results = []
    text = {
        "small": (0.5, 0.4, 0.3, 5_000_000),
        "big": (0.9, 0.5, 0.6, 110_000_000),
        "mid": (0.7, 0.7, 0.5, 22_000_000),
    }
    for encoder, (r1, r2, s1, params) in text.items():
        results += [
            make_result("r1", encoder, r1, n_parameters=params),
            make_result("r2", encoder, r2, n_parameters=params),
            make_result("s1", encoder, s1, None, n_parameters=params),
        ]
    results.append(
        make_result(
            "r1",
            "big",
            0.85,
            chain=("binary(rescore=4,rescore_with=int8)", "fit:corpus"),
            bytes_per_vector=48,
            n_parameters=110_000_000,
            backend_params={"rescore": 4, "rescore_bytes_per_vector": 384},
        )
    )
    for encoder, score in (("kmer-a", 0.6), ("kmer-b", 0.8)):
        results.append(make_result(DNA_TASK, encoder, score, None, n_parameters=0, task_type="clustering"))
    return results


@pytest.fixture
def mixed_page(tmp_path: Path) -> Path:
    store = ResultStore(tmp_path / "mixed")
    for result in mixed_results():
        store.write(result)
    return write_leaderboard(
        [store], tmp_path / "mixed.html", modalities={DNA_TASK: ("dna",)}, suites={SUITE: ("r1", "r2", "s1")}
    )[0]


SUITE = "mix@1"


def _count_text(driver) -> str:  # noqa: ANN001
    return driver.find_element("id", "row-count").text


def _cell(driver, row: str, key: str, table: str = "main-table") -> str:  # noqa: ANN001
    """The text of ``row``'s cell under the column ``key`` (data-key of its header)."""
    return driver.execute_script(
        "var row = arguments[0], key = arguments[1], table = arguments[2];"
        "var keys = Array.from(document.querySelectorAll('#' + table + ' thead tr.cols th')).map(function (th) {"
        "  return th.dataset.key; });"
        "var tr = Array.from(document.querySelectorAll('#' + table + ' tbody tr')).find(function (r) {"
        "  return r.dataset.row === row; });"
        "return tr.children[keys.indexOf(key)].textContent;",
        row,
        key,
        table,
    )


def _keys(driver, table: str = "main-table") -> list[str]:  # noqa: ANN001
    return [th.get_attribute("data-key") for th in driver.find_elements("css selector", f"#{table} thead tr.cols th")]


# --- means and ranks for the view, computed here from the page's own data --------------------------


def _payload(driver) -> dict:  # noqa: ANN001
    return json.loads(driver.execute_script("return document.getElementById('lb-data').textContent"))


def _rows(payload: dict, view: str) -> dict[str, dict]:
    """The rows of a view as {label: {key: value}}."""
    table = next(v for v in payload["views"] if v["name"] == view)
    return {r["label"]: dict(zip(table["keys"], r["values"])) for r in table["rows"]}


def _score(values: dict, task: str) -> float | None:
    return values.get(f"score:{task}")


def _shown_tasks(payload: dict, task_type: str = "", modality: str = "") -> list[str]:
    return [
        t["name"]
        for t in payload["tasks"]
        if (not task_type or t["type"] == task_type) and (not modality or t["modality"] == modality)
    ]


def _modality(payload: dict, values: dict, modality: str) -> str:
    return modality or values["modality"]


def _mean(values: dict, tasks: list[str]) -> float | None:
    scores = [_score(values, t) for t in tasks]
    return sum(scores) / len(scores) if scores and None not in scores else None


def _ranks(means: dict[str, float | None], groups: dict[str, str]) -> dict[str, int | None]:
    """1 + the rows of the same group with a higher mean; ties share the better rank; no mean, no rank."""
    return {
        row: None
        if m is None
        else 1 + sum(o is not None and o > m and groups[other] == groups[row] for other, o in means.items())
        for row, m in means.items()
    }


def _by_hand(payload: dict, view: str, task_type: str = "", modality: str = "") -> dict:
    """What the main table should show for a view: rows, per-row mean and rank, float kept, suites shown."""
    rows, tasks = _rows(payload, view), _shown_tasks(payload, task_type, modality)
    kinds = {t["name"]: t["modality"] for t in payload["tasks"]}
    shown = {label: v for label, v in rows.items() if any(_score(v, t) is not None for t in tasks)}
    home = {label: _modality(payload, v, modality) for label, v in shown.items()}
    means = {label: _mean(v, [t for t in tasks if kinds[t] == home[label]]) for label, v in shown.items()}
    kept = {}
    for label, base in payload["plain_rows"].items():
        if label in shown:
            common = [t for t in tasks if _score(shown[label], t) is not None and _score(rows[base], t) is not None]
            of = sum(_score(rows[base], t) is not None for t in tasks)
            share = _mean(shown[label], common) / _mean(rows[base], common) if common else None
            kept[label] = (share, len(common), of)
    suites = [s["name"] for s in payload["suites"] if set(s["tasks"]) <= set(tasks)]
    return {"rows": shown, "means": means, "ranks": _ranks(means, home), "kept": kept, "suites": suites}


def _pct(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{100 * value:.{digits}f}"


@pytest.mark.parametrize(
    "filters",
    [{}, {"type": "retrieval"}, {"type": "sts"}, {"modality": "dna"}, {"pmin": "10", "pmax": "200"}],
    ids=["all", "retrieval", "sts", "dna", "params"],
)
def test_means_ranks_float_kept_and_suites_follow_the_view(browser, mixed_page: Path, filters: dict):  # noqa: ANN001
    browser.get(mixed_page.as_uri() + "#" + urllib.parse.urlencode(filters))
    payload = _payload(browser)
    want = _by_hand(payload, payload["reference"], filters.get("type", ""), filters.get("modality", ""))
    if "pmin" in filters:  # 10M to 200M parameters: "small" (5M) and the DNA rows (0) leave
        want["rows"] = {k: v for k, v in want["rows"].items() if 10e6 <= (v["n_parameters"] or 0) <= 200e6}
        assert set(want["rows"]) == {"big", "mid", "big + binary(rescore=4,rescore_with=int8)+fit:corpus"}
    assert sorted(r for r in _order(browser) if r) == sorted(want["rows"])
    for row in want["rows"]:
        mean, rank = want["means"][row], want["ranks"][row]
        shown_mean = _cell(browser, row, "mean:all tasks")
        if "pmin" not in filters:  # a row filter removes rows, not tasks: ranks are among the rows left
            assert _cell(browser, row, "rank") == ("" if rank is None else str(rank)), row
        assert shown_mean == _pct(mean) if mean is not None else "/" in shown_mean, row
    if "pmin" in filters:
        assert _cell(browser, "big", "rank") == "1" and _cell(browser, "mid", "rank") == "2"

    # float kept: the chain's mean over its plain encoder's, over the shown tasks both have
    for row, (share, common, of) in want["kept"].items():
        if row in want["rows"]:
            text = _pct(share, 1) + "%" + ("" if common == of else f" {common}/{of}")
            assert _cell(browser, row, "retained") == text, row

    # the suite: its fixed mean while every one of its tasks is in view; hidden, and said so, when not
    suite_key = f"mean:suite {SUITE}"
    if want["suites"]:
        assert suite_key in _keys(browser) and SUITE not in _count_text(browser)
        for row, values in want["rows"].items():
            fixed = values[suite_key]
            assert _cell(browser, row, suite_key) == (
                _pct(fixed) if fixed is not None else values[f"tasks:suite {SUITE}"]
            )
    else:
        assert suite_key not in _keys(browser)
        assert f"suite {SUITE} not shown: its mean is over its 3 fixed tasks" in _count_text(browser)
    assert browser.get_log("browser") == []


def _shift(value: int) -> str:
    return f"▲{value}" if value > 0 else f"▼{-value}" if value < 0 else "="


@pytest.mark.parametrize("task_type", ["", "retrieval", "sts"])
def test_rank_table_follows_the_view(browser, page: Path, task_type: str):  # noqa: ANN001
    """Exact and approximate ranks, per shown search task and overall, among the rows the view shows."""
    point = "hnsw?ef_search=64"
    browser.get(page.as_uri() + "#" + urllib.parse.urlencode({"backend": point, "type": task_type}))
    payload = _payload(browser)
    ref, approx = _rows(payload, payload["reference"]), _rows(payload, point)
    tasks = _shown_tasks(payload, task_type)
    shown = [label for label, v in approx.items() if any(_score(v, t) is not None for t in tasks)]
    searched = [t["name"] for t in payload["tasks"] if t["search"] and t["name"] in tasks]
    figures = {t: ({r: _score(ref[r], t) for r in shown}, {r: _score(approx[r], t) for r in shown}) for t in searched}
    own = {r: [t for t in tasks] for r in shown}  # one modality on this board
    figures["all tasks"] = ({r: _mean(ref[r], own[r]) for r in shown}, {r: _mean(approx[r], own[r]) for r in shown})
    assert [k.split("|")[0] for k in _keys(browser, "compare-table") if k.endswith("|rank")] == [
        "all tasks",
        *searched,
    ]
    for task, (exact, other) in figures.items():
        both = {r for r in shown if exact[r] is not None and other[r] is not None}
        groups = dict.fromkeys(shown, "")
        exact_rank = _ranks({r: exact[r] if r in both else None for r in shown}, groups)
        rank = _ranks({r: other[r] if r in both else None for r in shown}, groups)
        for row in shown:
            cells = [_cell(browser, row, f"{task}|{f}", "compare-table") for f in ("exact_rank", "rank", "shift")]
            if row in both:
                assert cells == [f"#{exact_rank[row]}", f"#{rank[row]}", _shift(exact_rank[row] - rank[row])], (
                    task,
                    row,
                )
            else:
                assert cells == ["—", "—", "—"], (task, row)
    assert browser.get_log("browser") == []


def test_modality_filter_selects_rows_tasks_and_ranks(browser, mixed_page: Path):  # noqa: ANN001
    from selenium.webdriver.support.ui import Select

    browser.get(mixed_page.as_uri())
    # best complete mean first within each modality (text has more tasks: first), incomplete rows after
    assert _order(browser) == [
        "big",
        "mid",
        "small",
        "big + binary(rescore=4,rescore_with=int8)+fit:corpus",
        "kmer-b",
        "kmer-a",
    ]
    assert _count_text(browser).startswith("6 of 6 rows shown")
    Select(browser.find_element("id", "filter-modality")).select_by_value("dna")
    assert _order(browser) == ["kmer-b", "kmer-a"]  # the DNA rows, not 4 text rows with no score
    assert _count_text(browser).startswith("2 of 6 rows shown (modality dna) · 1 of 4 tasks")
    heads = [
        th.get_attribute("data-key") for th in browser.find_elements("css selector", "#main-table thead tr.cols th")
    ]
    assert f"score:{DNA_TASK}" in heads and "score:r1" not in heads
    assert _cell(browser, "kmer-b", "rank") == "1" and _cell(browser, "kmer-b", "mean:all tasks") == "80.00"

    # a task type picks tasks within text: means and ranks are taken again over the shown tasks
    Select(browser.find_element("id", "filter-modality")).select_by_value("")
    Select(browser.find_element("id", "filter-type")).select_by_value("sts")
    assert _order(browser) == ["big", "mid", "small"]
    assert _cell(browser, "big", "mean:all tasks") == "60.00" and _cell(browser, "mid", "rank") == "2"
    mean_head = browser.find_element("css selector", "#main-table th[data-key='mean:all tasks']")
    assert mean_head.text.startswith("mean (shown)") and mean_head.get_attribute("aria-sort") == "descending"

    # no task is both sts and dna: an empty state that says so, with a way out
    Select(browser.find_element("id", "filter-modality")).select_by_value("dna")
    assert _order(browser) == [None]
    empty = browser.find_element("css selector", "#main-table tr.empty")
    assert "No task matches" in empty.text
    browser.find_element("id", "clear-filters").click()
    assert len(_order(browser)) == 6

    # parameter range: 10M to 50M leaves the one model in it; rows without a count are left out
    browser.find_element("id", "params-min").send_keys("10")
    browser.find_element("id", "params-max").send_keys("50\n")
    browser.find_element("id", "filter-text").click()  # leaving the field commits the change
    assert _order(browser) == ["mid"] and "parameters 10M–50M" in _count_text(browser)
    assert browser.get_log("browser") == []


def test_url_hash_reproduces_the_view_after_reload(browser, page: Path):  # noqa: ANN001
    from selenium.webdriver.support.ui import Select

    browser.get(page.as_uri())
    browser.find_element("css selector", "#view-buttons button[data-config='hnsw']").click()
    Select(browser.find_element("id", "filter-type")).select_by_value("retrieval")
    _header(browser, "r2").find_element("tag name", "button").click()
    browser.find_element("id", "filter-text").send_keys("enc")
    browser.find_element("id", "show-cost").click()
    state = {"order": _order(browser), "count": _count_text(browser)}
    url = browser.current_url
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).fragment))
    assert params == {
        "backend": "hnsw?ef_search=64",
        "type": "retrieval",
        "q": "enc",
        "cost": "hide",
        "sort": "score:r2",
        "dir": "desc",
    }

    browser.get("about:blank")
    browser.get(url)  # a shared link
    assert {"order": _order(browser), "count": _count_text(browser)} == state
    assert browser.find_element("id", "filter-text").get_attribute("value") == "enc"
    assert browser.find_element("id", "filter-type").get_attribute("value") == "retrieval"
    assert not browser.find_element("id", "show-cost").is_selected()
    assert _header(browser, "r2").get_attribute("aria-sort") == "descending"
    browser.refresh()
    assert {"order": _order(browser), "count": _count_text(browser)} == state
    browser.get(page.as_uri() + "#sort=nonsense&backend=nowhere&modality=%3Cscript%3E")  # a bad link falls back
    assert _order(browser)[0] == "enc-a" and browser.get_log("browser") == []


def test_sorting_and_details_from_the_keyboard(browser, page: Path):  # noqa: ANN001
    from selenium.webdriver.common.keys import Keys

    browser.get(page.as_uri())
    button = _header(browser, "r2").find_element("tag name", "button")
    button.send_keys(Keys.ENTER)
    by_r2 = _order(browser)
    assert by_r2[0] == "enc-b" and _header(browser, "r2").get_attribute("aria-sort") == "descending"
    assert browser.switch_to.active_element.text.startswith("r2")  # focus stays on the header
    browser.switch_to.active_element.send_keys(Keys.SPACE)
    assert _order(browser)[:-1] == list(reversed(by_r2[:-1]))
    assert _header(browser, "r2").get_attribute("aria-sort") == "ascending"
    assert [
        th.get_attribute("aria-sort") for th in browser.find_elements("css selector", "#main-table th[aria-sort]")
    ] == ["ascending"]

    cell = browser.find_element("css selector", "#main-table td.score button")
    cell.send_keys(Keys.ENTER)
    assert browser.find_element("id", "detail").is_displayed()
    assert browser.switch_to.active_element.get_attribute("id") == "detail-close"
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not browser.find_element("id", "detail").is_displayed()
    assert browser.switch_to.active_element == cell


def _fits(driver) -> dict:  # noqa: ANN001
    """Where the first score column ends against the table's visible box, and the page's overflow."""
    return driver.execute_script(
        "var scroll = document.getElementById('main-scroll').getBoundingClientRect();"
        "var cell = document.querySelector('#main-table tbody td.score').getBoundingClientRect();"
        "var first = document.querySelector('#main-table tbody .first');"
        "return {cell_right: cell.right, visible_right: Math.min(scroll.right, window.innerWidth),"
        "  page_overflow: document.documentElement.scrollWidth - window.innerWidth,"
        "  first_clipped: first.scrollWidth > first.clientWidth};"
    )


@pytest.mark.parametrize("width", [1600, 390])
def test_layout_at_desktop_and_phone_width(browser, mixed_page: Path, tmp_path: Path, width: int):  # noqa: ANN001
    browser.set_window_size(width, 900)
    for view in ("#modality=dna", ""):  # a long task name first; then every column
        browser.get("about:blank")
        browser.get(mixed_page.as_uri() + view)
        if browser.execute_script("return window.innerWidth") > width:
            pytest.skip("the window could not be made this narrow")
        fit = _fits(browser)
        assert fit["cell_right"] <= fit["visible_right"], view  # a score in view without scrolling sideways
        assert fit["page_overflow"] <= 0  # only the table scrolls, never the page
        assert not fit["first_clipped"]  # the chain label wraps, it is not cut
    chain_row = browser.find_element("css selector", "#main-table tbody tr[data-row^='big + binary'] .first")
    assert "binary(rescore=4,rescore_with=int8)+fit:corpus" in chain_row.text
    assert browser.save_screenshot(str(tmp_path / f"leaderboard-{width}.png"))
    shutil.copyfile(tmp_path / f"leaderboard-{width}.png", SCREENSHOT_COPY.with_name(f"leaderboard-{width}.png"))


def test_download_the_view_as_csv_and_json(browser, mixed_page: Path):  # noqa: ANN001
    from selenium.webdriver.support.ui import Select

    browser.get(mixed_page.as_uri())
    Select(browser.find_element("id", "filter-modality")).select_by_value("text")
    browser.find_element("id", "filter-text").send_keys("i")  # big, mid, big + binary...; not small
    browser.execute_script(
        "window.downloads = []; HTMLAnchorElement.prototype.click = function () {"
        "  window.downloads.push([this.download, this.href]); };"
    )
    browser.find_element("id", "download-csv").click()
    browser.find_element("id", "download-json").click()
    (csv_name, csv_href), (json_name, json_href) = browser.execute_script("return window.downloads")
    assert csv_name == "leaderboard-exact.csv" and json_name == "leaderboard-exact.json"
    csv_text = urllib.parse.unquote(csv_href.split(",", 1)[1])
    lines = list(csv.reader(io.StringIO(csv_text)))
    assert lines[0][:6] == ["backend", "row", "encoder", "chain", "#", "mean (all)"]
    assert [line[1] for line in lines[1:]] == [r for r in _order(browser) if "i" in r]
    data = json.loads(urllib.parse.unquote(json_href.split(",", 1)[1]))
    assert [r["row"] for r in data["rows"]] == [line[1] for line in lines[1:]]
    big = next(r for r in data["rows"] if r["row"] == "big")
    assert big["r1"] == 0.9 and big["bytes/vec"] == 32 and big["mean (all)"] == pytest.approx((0.9 + 0.5 + 0.6) / 3)
    chain = next(r for r in data["rows"] if r["row"].startswith("big + binary"))
    assert chain["bytes/vec"] == 48 + 384  # what a deployment keeps: codes and the int8 rescoring copy
    assert "modality=text" in data["view"]


def _axe_source() -> str:
    """axe-core's script, from AXE_CORE_DIR (default ~/.cache/zoo-test-tools/axe), installed there by npm if
    missing; the test is skipped with the reason when neither works."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"accessibility check needs axe-core: no npm to install it into {AXE_DIR}")
        try:
            subprocess.run(
                [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "axe-core@4"],
                check=True,
                capture_output=True,
                timeout=180,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"accessibility check needs axe-core: `npm install --prefix {AXE_DIR} axe-core` failed ({exc})")
    return script.read_text(encoding="utf-8")


def _axe(driver, source: str) -> list[dict]:  # noqa: ANN001
    driver.execute_script(source)  # webdriver's own evaluation: the page's script policy does not apply to it
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations.map(function (v) {"
        "  return {id: v.id, impact: v.impact, nodes: v.nodes.length,"
        "          targets: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); })}; })); },"
        "  function (e) { done([{id: 'axe-error', impact: 'critical', nodes: 0, targets: [String(e)]}]); });"
    )
    return result


@pytest.mark.parametrize("width", [1600, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_with_axe(browser, mixed_page: Path, capsys, scheme: str, width: int):  # noqa: ANN001
    source = _axe_source()
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )
    browser.set_window_size(width, 900)
    browser.get(mixed_page.as_uri())
    found = {"table": _axe(browser, source)}
    browser.find_element("css selector", "#main-table td.score button").click()
    found["detail open"] = _axe(browser, source)
    with capsys.disabled():
        for state, violations in found.items():
            print(
                f"\naxe-core ({scheme}, {width} px, {state}): {len(violations)} violation(s)",
                *(f"\n  {v['impact']}: {v['id']} ({v['nodes']} nodes, e.g. {v['targets']})" for v in violations),
            )
    serious = [v for violations in found.values() for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []


def hundred_rows() -> list:
    """100 encoders on three search tasks (exact and two HNSW points) and an STS task, for timing."""
    from tests.test_leaderboard import make_result

    results = []
    for i in range(100):
        encoder = f"model-{i:03d}"
        for j, task in enumerate(("r1", "r2", "r3")):
            score = 0.3 + 0.6 * ((i * 37 + j * 11) % 100) / 100
            results.append(make_result(task, encoder, score, n_parameters=i * 1_000_000))
            for ef, loss in ((16, 0.05), (64, 0.01)):
                results.append(
                    make_result(
                        task,
                        encoder,
                        score - loss,
                        "hnsw",
                        backend_params={"M": 16, "ef_search": ef},
                        vs_exact={"recall_at_10": 1 - loss, "main_score_delta": -loss},
                    )
                )
        results.append(make_result("s1", encoder, 0.2 + 0.7 * (i * 53 % 100) / 100, None))
    return results


@pytest.fixture
def hundred_page(tmp_path: Path) -> Path:
    store = ResultStore(tmp_path / "hundred")
    for result in hundred_rows():
        store.write(result)
    return write_leaderboard([store], tmp_path / "hundred.html")[0]


def _displayed(driver, table: str = "main-table") -> list[str]:  # noqa: ANN001
    """The rows of ``table`` that are laid out (not hidden by the search, nor waiting below the box)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
        ".filter(function (tr) { return tr.getClientRects().length; }).map(function (tr) { return tr.dataset.row; });",
        table,
    )


def test_long_table_lays_out_rows_as_they_are_scrolled_to(browser, hundred_page: Path):  # noqa: ANN001
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(hundred_page.as_uri())
    order, first = _order(browser), _displayed(browser)
    assert len(order) == 100 and 20 <= len(first) < 100 and first == order[: len(first)]  # the best first
    assert _count_text(browser).startswith("100 of 100 rows shown")
    spacer = browser.find_element("id", "main-spacer")
    assert spacer.is_displayed() and spacer.size["height"] > 0  # the scroll bar stands for every row

    def scrolled_to_end(driver) -> bool:  # noqa: ANN001
        driver.execute_script("var box = document.getElementById('main-scroll'); box.scrollTop = box.scrollHeight;")
        return len(_displayed(driver)) == 100

    WebDriverWait(browser, 10, poll_frequency=0.2).until(scrolled_to_end)
    assert _displayed(browser) == order and not spacer.is_displayed()

    # a search starts again from its best matches; the rank table follows it the same way
    browser.find_element("id", "filter-text").send_keys("model-09")
    assert _displayed(browser) == [row for row in order if row.startswith("model-09")]
    assert len(_displayed(browser, "compare-table")) == 10
    browser.find_element("id", "filter-text").clear()
    browser.find_element("id", "filter-text").send_keys(" ")  # a blank search matches every row
    assert _displayed(browser) == first
    assert browser.get_log("browser") == []


def test_render_and_search_timings_for_100_rows(browser, hundred_page: Path, capsys):  # noqa: ANN001
    """Logs the first render and a search keystroke's work at 100 rows; times are never asserted.

    Each figure is measured five times: the least is the work itself, the median what a busy machine adds.
    """
    page = hundred_page
    renders = []
    for _ in range(5):
        browser.get(page.as_uri())
        renders.append(browser.execute_script("return performance.getEntriesByName('leaderboard render')[0].duration"))
    assert len(_order(browser)) == 100
    queries = ("m", "mo", "model-0", "model-04", "model-042", "")  # the last shows every row again
    keystrokes = {query: [] for query in queries}
    for _ in range(5):
        for query in queries:
            keystrokes[query].append(
                browser.execute_script(
                    "var input = document.getElementById('filter-text'), t = performance.now();"
                    "input.value = arguments[0]; input.dispatchEvent(new Event('input'));"
                    "document.body.offsetHeight;"  # the layout the keystroke causes counts too
                    "return performance.now() - t;",
                    query,
                )
            )
    assert _count_text(browser).startswith("100 of 100 rows shown") and len(_displayed(browser)) < 100
    with capsys.disabled():
        print(
            f"\nleaderboard, 100 rows, {page.stat().st_size / 1e6:.2f} MB page, least / median of 5 "
            f"(targets: render 300 ms, keystroke 50 ms):\n  first render (parse, draw, layout) "
            f"{min(renders):.0f} / {statistics.median(renders):.0f} ms"
        )
        for query, times in keystrokes.items():
            print(f"  keystroke to {query!r}: {min(times):.1f} / {statistics.median(times):.1f} ms")
