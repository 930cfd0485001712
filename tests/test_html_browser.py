"""The HTML reports in a real browser: headless Chromium, driven by selenium,
opens each file from disk and the tests look at the rendered page: the
figures, a violation's place highlighted and visible, the filters hiding
rows, no markup injected, and no request leaving the page. One browser
serves the whole test session; a screenshot of each page is saved with the
test's files.

Skipped, saying why, when selenium, Chromium or its driver is missing
(``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Project
from .html_cases import html_project
from .test_html_report import registry_page


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for every browser test of the session."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')"
    )
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    binary = next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
    )
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.skip(
            "no browser to drive: install Chromium and its driver "
            "(apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1300,1600",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        # The driver's path is given: selenium looks for nothing on the network.
        chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    except WebDriverException as exc:
        pytest.skip(f"Chromium could not be started: {exc.msg}")
    yield chrome
    chrome.quit()


def _open(browser: Any, path: Path) -> None:
    browser.get(path.resolve().as_uri())
    assert browser.execute_script("return document.readyState") == "complete"


def _nothing_left_the_page(browser: Any) -> None:
    """No resource was requested, the policy forbids any, and the console is clean
    (a blocked request or script would be a console error)."""
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    policy = browser.execute_script(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')"
        ".getAttribute('content')"
    )
    assert policy.startswith("default-src 'none';")
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def _screenshot(browser: Any, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page as the browser drew it, saved beside the test's files."""
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 0
    with capsys.disabled():
        print(f"\nscreenshot: {path}")


def _visible_rows(browser: Any) -> int:
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, "#checks tbody tr")
    return sum(row.is_displayed() for row in rows)


def test_the_session_report_in_a_browser(
    project: Project, browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    html_project(project)
    project.run("--contracts-gate", "--contracts-html", "report.html")
    _open(browser, project.path / "report.html")

    # The figures, and the gate's verdict with its reason.
    figures = {
        item.find_element(By.TAG_NAME, "span").text: item.find_element(By.TAG_NAME, "b").text
        for item in browser.find_elements(By.CSS_SELECTOR, "#figures .figure")
    }
    assert {k: figures[k] for k in ("checks", "passed", "failed", "would fail")} == {
        "checks": "5", "passed": "1", "failed": "3", "would fail": "1",
    }  # fmt: skip
    assert browser.find_element(By.ID, "gate-verdict").text == "gate FAILED"
    assert "3 check(s) found contract violations" in browser.find_element(By.ID, "gate").text

    # The pipeline: the failing boundary's arrow, and the shadow one's.
    edge = browser.find_element(By.CSS_SELECTOR, '.edge[data-boundary="requirements -> design"]')
    assert edge.get_attribute("data-outcome") == "failed"
    assert edge.text.split("\n")[-1] == "1 passed, 1 failed"
    shadow_edge = '.edge[data-boundary="design -> implementation"]'
    assert browser.find_element(By.CSS_SELECTOR, shadow_edge).text.endswith("1 would fail")

    # A violation's place is highlighted in the output, visible, beside the violation.
    mark = browser.find_element(By.CSS_SELECTOR, '#failures mark.hit[data-pointer="/project"]')
    assert mark.is_displayed()
    assert mark.text == '""'
    assert mark.size["width"] > 0
    outline = mark.value_of_css_property("outline-style")
    assert outline == "solid"
    link = browser.find_element(By.CSS_SELECTOR, f'a[href="#{mark.get_attribute("id")}"]')
    assert link.text == "/project"
    shadow = browser.find_element(
        By.CSS_SELECTOR, '#shadow mark.hit[data-pointer="/components/0/name"]'
    )
    assert shadow.is_displayed()
    assert shadow.text == '"Bad Name"'

    # The hostile name and output are text: no image, no script of theirs ran.
    assert browser.execute_script("return document.images.length") == 0
    assert browser.title == "pytest-contracts report"
    hostile_row = browser.find_element(By.CSS_SELECTOR, "#checks tbody tr:nth-child(4)")
    assert "</script><img src=x onerror=" in hostile_row.text

    # The filters hide rows.
    assert _visible_rows(browser) == 5
    Select(browser.find_element(By.ID, "filter-outcome")).select_by_value("failed")
    assert _visible_rows(browser) == 3
    assert browser.find_element(By.ID, "shown").text == "3"
    Select(browser.find_element(By.ID, "filter-boundary")).select_by_value("requirements -> design")
    assert _visible_rows(browser) == 1
    Select(browser.find_element(By.ID, "filter-outcome")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-boundary")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-contract")).select_by_value("Events")
    assert _visible_rows(browser) == 1
    assert browser.find_element(By.ID, "shown").text == "1"
    Select(browser.find_element(By.ID, "filter-contract")).select_by_value("")
    assert _visible_rows(browser) == 5

    _nothing_left_the_page(browser)
    _screenshot(browser, project.path / "session-report.png", capsys)


def test_the_registry_page_in_a_browser(
    project: Project, browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from selenium.webdriver.common.by import By

    page = registry_page(project, capsys, Path("registry.html"))
    _open(browser, page)
    sections = browser.find_elements(By.CSS_SELECTOR, "section.contract")
    assert len(sections) == 4
    events = browser.find_element(By.CSS_SELECTOR, 'section.contract[data-contract="Events"]')
    versions = [
        row.text.split()[:2] for row in events.find_elements(By.CSS_SELECTOR, "table tbody tr")
    ][:2]
    assert versions == [["v1.0", "deprecated"], ["v2.0", "active"]]
    assert "billing" in events.text
    assert "What v2.0 breaks" in events.text
    assert browser.execute_script("return document.images.length") == 0
    _nothing_left_the_page(browser)
    _screenshot(browser, project.path / "registry-page.png", capsys)


def test_a_report_without_checks_runs_its_script_without_an_error(
    browser: Any, tmp_path: Path
) -> None:
    from pytest_contracts.htmlreport.session import render_session

    from .test_html_report import _report

    path = tmp_path / "empty.html"
    path.write_text(render_session(_report([]), [], ()), encoding="utf-8")
    _open(browser, path)
    _nothing_left_the_page(browser)  # a script error is a SEVERE console entry
