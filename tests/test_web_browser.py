"""The web app in a real browser: Debian's chromium driven by Playwright against `warning serve`
on a loopback port. A reviewer logs in, reviews with the keyboard, opens and closes a case,
searches in Chinese; a person of another organisation sees none of it.

Without chromium these tests skip (saying why), except under WARNING_REQUIRE_CORPUS=1 (CI),
where they fail. WARNING_SCREENSHOTS=DIR writes the README's screenshots there.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from web_support import PASSWORD, build_world

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("WARNING_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        reason = "Debian's chromium is not installed (apt-get install chromium): the browser tests need it"
        if os.environ.get("WARNING_REQUIRE_CORPUS") == "1":
            pytest.fail(reason + "; WARNING_REQUIRE_CORPUS=1 makes this a failure")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`warning serve --port 0` on the test world; yields its base URL, stops it after."""
    root = tmp_path_factory.mktemp("browser")
    world = build_world(root)
    command = [
        sys.executable,
        "-c",
        "from warning.cli import main; main()",
        "--config",
        str(world.config_path),
        "--db",
        str(world.db_path),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root)
    try:
        yield _base_url(process), world
    finally:
        process.terminate()
        process.wait(timeout=15)


def _base_url(process: subprocess.Popen, timeout: float = 60.0) -> str:
    """The address the server prints once it listens (read as it comes, no sleeping)."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    seen = []
    while selector.select(timeout):
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return found.group(1)
    raise AssertionError("warning serve did not start: " + "".join(seen))


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _log_in(browser, base: str, login: str):
    page = browser.new_context(viewport={"width": 1100, "height": 760}).new_page()
    page.goto(base)
    assert "/login" in page.url
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def _shot(page, name: str) -> None:
    folder = os.environ.get("WARNING_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _selected(page) -> str:
    return page.locator("tr.row.selected a.open").inner_text()


def test_a_reviewer_reviews_with_the_keyboard_opens_and_closes_a_case_and_searches_chinese(server, browser):
    base, world = server
    page = _log_in(browser, base, "ana")
    assert page.locator("h1").inner_text() == "待审"
    _shot(page, "inbox")
    assert _selected(page) == "CN-1001-A"
    page.keyboard.press("j")
    assert _selected(page) == "EP-2002-A1"
    page.keyboard.press("k")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("n")  # EP-2002-A1 not relevant; the next row is selected after
    assert page.locator("#row-1 .tag.no").count() == 1
    assert _selected(page) == "US-3003-A1"
    page.keyboard.press("k")
    page.keyboard.press("k")
    with page.expect_navigation():
        page.keyboard.press("r")  # CN-1001-A relevant
    assert page.locator("#row-0 .tag.yes").count() == 1

    page.keyboard.press("k")
    with page.expect_navigation():
        page.keyboard.press("o")
    assert "/publications/CN-1001-A" in page.url
    assert page.locator("mark", has_text="电池").count() >= 1
    _shot(page, "publication")
    with page.expect_navigation():
        page.keyboard.press("c")  # open a case from the publication page
    assert re.search(r"/cases/\d+$", page.url)
    case_url = page.url
    page.fill("#close input[name=outcome]", "规避设计完成")
    with page.expect_navigation():
        page.click("#close button")
    assert page.locator("#case-status").inner_text() == "closed"

    page.goto(base + "search")
    page.fill("input[name=q]", "电池")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("a.open").all_inner_texts() == ["CN-1001-A"]
    _shot(page, "search")

    app = world.app()
    labels = {
        (r["publication_id"], r["label"]) for r in app.db.query("SELECT publication_id, label FROM labels")
    }
    app.close()
    assert labels == {("EP-2002-A1", 0), ("CN-1001-A", 1)}

    rival = _log_in(browser, base, "rita")
    assert rival.locator("a.open").all_inner_texts() == ["US-3003-A1"]
    assert rival.goto(case_url).status == 404
    assert rival.goto(base + "publications/CN-1001-A").status == 404
    rival.goto(base + "search?q=电池")
    assert rival.locator("a.open").count() == 0


def test_the_page_runs_no_inline_script_and_the_policy_is_enforced(server, browser):
    base, _world = server
    page = _log_in(browser, base, "ana")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.reload()
    assert errors == []  # no CSP violation on our own pages
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
