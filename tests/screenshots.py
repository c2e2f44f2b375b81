"""The README's screenshots, taken on the demo's data: `warning demo`, then `warning serve` on a
loopback port, Debian's chromium logged in as the demo's admin (inbox, a publication, a search).

    PYTHONPATH=. .venv/bin/python tests/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from test_web_browser import CHROMIUM_ARGS, _base_url

from warning.demo.run import run_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="warning-shots-"))
    report = run_demo(work, say=lambda _line: None)
    login, password = report.web_login
    command = [
        sys.executable,
        "-c",
        "from warning.cli import main; main()",
        "--config",
        str(work / "config.toml"),
        "serve",
        "--port",
        "0",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=work)
    try:
        base = _base_url(server)
        _shoot(base, login, password, args.out, args.chromium)
    finally:
        server.terminate()
        server.wait(timeout=15)


def _shoot(base: str, login: str, password: str, out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 640}).new_page()
        page.goto(base + "login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.keyboard.press("j")
        page.screenshot(path=str(out / "inbox.png"))
        first = page.locator("tr.row a.open").first.get_attribute("href")
        page.goto(base.rstrip("/") + first)
        page.screenshot(path=str(out / "publication.png"))
        page.goto(base + "search?q=" + "电池")
        page.screenshot(path=str(out / "search.png"))
        browser.close()
    for path in out.glob("*.png"):
        _shrink(path)
    print("wrote", ", ".join(str(p) for p in sorted(out.glob("*.png"))), re.sub(r"\s+", " ", base))


def _shrink(path: Path) -> None:
    """A 64-colour palette: a page of text and flat colours loses nothing visible, and the file a third."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)


if __name__ == "__main__":
    main()
