"""The leaderboard page in a real headless Chromium: no console errors, sorting works (by mouse and keyboard),
hostile names inert, operating points chosen from the keyboard, filters that select rows and tasks, a view
kept in the URL, a phone's width, downloads, and an accessibility check with axe-core."""

from __future__ import annotations

import base64
import json
import os
import shutil
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
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--disable-dev-shm-usage", "--window-size=1280,1000")


def _chromedriver() -> str | None:
    return shutil.which("chromedriver") or next(
        (str(p) for p in (Path("/usr/bin/chromedriver"), Path("/usr/lib/chromium/chromedriver")) if p.exists()),
        None)


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
        "return [tr.querySelector('.first').textContent, document.querySelectorAll('script').length];", HOSTILE)
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
        "}).map(function (tr) { return tr.dataset.row; });", text)


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
        "  return document.getElementById(id).labels[0].querySelector('.control-label').textContent; });")
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
        "          s.querySelectorAll('rect.mark').length]; });")
    assert counts == [[3, 6, 3], [3, 6, 0]]  # score plot; recall plot (exact has no recall against itself)
    legend = browser.find_elements("css selector", "#curve-legend button")
    assert [b.text for b in legend] == sorted(["enc-a", "enc-c", HOSTILE])
    assert browser.execute_script("return document.querySelectorAll('script').length") == 2
    _choose(browser, "curve-task", "TAB")  # the next stop is the first model in the legend
    assert browser.switch_to.active_element == legend[0]
    # focus brings that model's lines forward: its score line and square, and its recall line
    assert browser.execute_script(
        "return [document.getElementById('curves').classList.contains('dim'),"
        "        document.querySelectorAll('#curves .series.hl').length];") == [True, 3]
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
