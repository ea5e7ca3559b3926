"""The leaderboard page in a real headless Chromium: no console errors, sorting works, hostile names inert."""

from __future__ import annotations

import shutil
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
        "return [tr.querySelector('td.first').textContent, document.querySelectorAll('script').length];", HOSTILE)
    assert shown == [HOSTILE, 2]  # rendered as text; no element was created from it
    assert rows[0] == "enc-a"  # best complete mean first

    _header(browser, "r2").click()
    by_r2 = _order(browser)
    assert by_r2 != rows and by_r2[0] == "enc-b" and by_r2[-1] == "enc-c"  # 0.75 best; missing last
    _header(browser, "r2").click()
    assert _order(browser)[:-1] == list(reversed(by_r2[:-1])) and _order(browser)[-1] == "enc-c"

    browser.find_element("css selector", "#view-buttons button[data-view='hnsw']").click()
    _header(browser, "r1").click()
    assert _order(browser)[0] == "enc-b"  # 0.78 under hnsw
    assert browser.find_element("id", "compare-section").is_displayed()

    browser.find_element("css selector", "#main-table td.score").click()
    detail = browser.find_element("id", "detail")
    assert detail.is_displayed() and "fingerprint" in detail.text

    logs = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert logs == []

    browser.find_element("id", "detail-close").click()
    assert not detail.is_displayed()
    save_screenshot(browser, page, tmp_path / "leaderboard.png")


def save_screenshot(driver, page: Path, shot: Path) -> None:  # noqa: ANN001
    """The page as first opened, full height at 1280 px wide; a copy goes to /tmp/leaderboard.png."""
    driver.get(page.as_uri())
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 140, 4000))  # + the window's chrome
    assert driver.save_screenshot(str(shot))
    shutil.copyfile(shot, SCREENSHOT_COPY)
