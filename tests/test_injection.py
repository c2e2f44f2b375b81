"""Office text is data: hostile titles, applicants, codes and notices through every format.

A title holding ``[text](http://evil)``, a tag, a mention or a formula must reach each reader as
text: no live link, image, tag, mention or heading in the robots' markdown (checked with a real
CommonMark parser with link detection on, and by the naive reading of a renderer that ignores
escapes), none in Slack's mrkdwn, none in the HTML e-mail; no formula in the CSV. The plain text
and the webhook's JSON keep the text exactly as the office gave it.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from alerts_support import NOW, add_match, add_watchlist, free_port, make_test_app, smtp_server
from bs4 import BeautifulSoup
from click.testing import CliRunner
from markdown_it import MarkdownIt

from warning.cli import cli
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts
from warning.delivery.render import render_message
from warning.models import Publication
from warning.store import open_db
from warning.store.publications import save_publications

EVIL = "evil.example"
TITLE = (
    "Valve [click me](http://evil.example/x) ![p](http://evil.example/p.png) "
    '<a href="http://evil.example">a</a> <at id=all></at> <font color="warning">red</font> '
    "<!channel> <http://evil.example|Open> *b* _i_ ~s~ `c` "
    "&#91;e&#93;&#40;http://evil.example&#41; see http://evil.example/bare"
)
TITLE_LINES = "Seat\n# Heading\n> quote\n- item\n1. item\n===\n<script>alert(1)</script>"
APPLICANT = '=HYPERLINK("http://evil.example","x") [a](http://evil.example)'
EVIDENCE = {
    "terms": [["<img src=x onerror=alert(1)>", 0.5], ["[t](http://evil.example)", 0.4]],
    "rules": {"cpc": ["B62K11](http://evil.example)"], "keywords": ["<@all>"], "competitors": []},
}
OURS = "https://worldwide.espacenet.com/"


def hostile_app(tmp_path, lines: str) -> object:
    app = make_test_app(tmp_path, lines)
    add_watchlist(app, en="Motorcycles [x](http://evil.example)")
    add_match(
        app,
        "EP-4123456-A1",
        titles={"de": TITLE, "en": TITLE_LINES},
        lang="de",
        applicants=[APPLICANT, "<b>HONDA</b>"],
        cpc=["B62K11/04](http://evil.example)"],
        evidence=EVIDENCE,
    )
    queue_alerts(app, now=NOW)
    return app


def subscriber(channel_lines: str, lang: str = "en") -> str:
    return f"""
[[subscribers]]
name = "acme"
language = "{lang}"
watchlists = ["motorcycles"]
{channel_lines}
"""


PARSER = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "strikethrough", "table"])


def markdown_facts(text: str) -> dict:
    """What a CommonMark renderer with link detection makes of ``text``."""
    facts = {"links": [], "images": 0, "html": 0, "headings": 0}

    def walk(tokens):
        for token in tokens:
            if token.type == "link_open":
                facts["links"].append(token.attrGet("href"))
            facts["images"] += token.type == "image"
            facts["html"] += token.type in ("html_inline", "html_block")
            facts["headings"] += token.type == "heading_open"
            walk(token.children or [])

    walk(PARSER.parse(text))
    return facts


def assert_inert_markdown(text: str, headings: int) -> None:
    facts = markdown_facts(text)
    assert facts["links"] and all(href.startswith(OURS) for href in facts["links"]), facts["links"]
    assert facts["images"] == 0 and facts["html"] == 0 and facts["headings"] == headings
    # A renderer that ignores escapes: no link syntax, no tag, no URL of the office's.
    assert "](http" not in text.replace(f"]({OURS}", "") and "<" not in text
    assert "http://evil" not in text and "click me" in text  # the text is still there, as text


@pytest.mark.parametrize(
    ("channel", "markdown_of", "headings"),
    [
        ("dingtalk", lambda body: body["markdown"]["text"], 1),
        ("wecom", lambda body: body["markdown"]["content"], 1),
        ("feishu", lambda body: body["card"]["elements"][0]["text"]["content"], 0),
    ],
)
def test_robot_markdown_has_no_live_office_markup(tmp_path, httpserver, channel, markdown_of, headings):
    app = hostile_app(tmp_path, subscriber(f'{channel} = ["{httpserver.url_for("/robot")}"]'))
    httpserver.expect_request("/robot").respond_with_json({"errcode": 0, "code": 0})
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert_inert_markdown(markdown_of(body), headings)  # DingTalk and WeCom: only our subject heading
    assert "HYPERLINK" in markdown_of(body) and "Seat" in markdown_of(body)
    if channel == "feishu":
        assert body["card"]["header"]["title"]["tag"] == "plain_text"  # a plain header shows text as is


def test_slack_mrkdwn_has_no_live_office_markup(tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("T_SLACK_TOKEN", "xoxb-test")
    config = f'[slack]\ntoken_env = "T_SLACK_TOKEN"\nbase_url = "{httpserver.url_for("/api/")}"\n'
    app = hostile_app(tmp_path, config + subscriber('slack = ["#alerts"]'))
    httpserver.expect_request("/api/chat.postMessage").respond_with_json({"ok": True, "ts": "1.1"})
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    sections = [b["text"] for b in body["blocks"] if b["type"] == "section"]
    assert all(s["verbatim"] for s in sections)  # Slack links nothing by itself
    for text in [body["text"], *(s["text"] for s in sections)]:
        for target in re.findall(r"<([^>]*)>", text):  # <url|text>, <!channel>, <@user>: only ours
            assert target.startswith(OURS), target
        assert "*b*" not in text and "`c`" not in text  # formatting characters are look-alikes
    assert "click me" in sections[0]["text"] and "&lt;!channel&gt;" in sections[0]["text"]


def test_html_email_shows_office_text_as_text_and_plain_text_keeps_it(tmp_path):
    port = free_port()
    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    app = hostile_app(tmp_path, smtp + subscriber('email = ["ip@acme.example"]'))
    with smtp_server(port) as sink:
        assert dispatch(app, now=NOW)["sent"] == 1
    [mail] = sink.messages
    subject = " ".join(mail["Subject"].split())  # unfolded: the library may fold a long header
    assert subject.startswith("[Patent early warning] Motorcycles") and "Seat # Heading" in subject
    assert sorted(mail.keys()) == sorted(
        ["Subject", "From", "To", "Date", "Message-ID", "X-Warning-Delivery"]
        + ["MIME-Version", "Content-Type"]
    )
    soup = BeautifulSoup(mail.get_body(("html",)).get_content(), "html.parser")
    assert soup.find_all(["script", "img", "font", "at"]) == []
    assert all(a["href"].startswith(OURS) for a in soup.find_all("a"))
    assert TITLE in soup.get_text()  # the title reads exactly as the office wrote it
    text = mail.get_body(("plain",)).get_content()
    assert TITLE in text and APPLICANT in text


def test_webhook_and_file_keep_the_data_and_escape_the_page(tmp_path, httpserver):
    lines = f'webhook = ["{httpserver.url_for("/hook")}"]\nfile = "out/acme.jsonl"'
    app = hostile_app(tmp_path, subscriber(lines))
    httpserver.expect_request("/hook").respond_with_data("ok")
    assert dispatch(app, now=NOW)["sent"] == 2
    [item] = json.loads(httpserver.log[0][0].get_data())["items"]
    assert item["title_original"] == TITLE and item["applicants"][0] == APPLICANT  # data, unchanged
    [record] = [json.loads(line) for line in (tmp_path / "out" / "acme.jsonl").read_text().splitlines()]
    page = BeautifulSoup((tmp_path / "out" / record["page"]).read_text(encoding="utf-8"), "html.parser")
    index = BeautifulSoup((tmp_path / "out" / "acme.html").read_text(encoding="utf-8"), "html.parser")
    for soup in (page, index):
        assert soup.find_all(["script", "img", "font", "at"]) == []
        assert not [a for a in soup.find_all("a") if EVIL in a.get("href", "")]


def notice_row(**payload) -> dict:
    return {"key": "legal:1:x:acme:c:a", "kind": "legal", "payload": payload}


def test_notices_and_numbers_from_records_cannot_make_links():
    row = notice_row(
        title="<!here> [x](http://evil.example)",
        body="EP-1 " + TITLE_LINES,
        url="javascript:alert(1)",
    )
    match = {
        "key": "match:x",
        "kind": "match",
        "payload": {
            "country": "WO",
            "number": "123)[x](http://evil.example",
            "kind_code": "A1",
            "score": 0.9,
        },
    }
    for rows in ([row], [match]):
        message = render_message(rows[0]["kind"], rows, "en")
        facts = markdown_facts(f"#### {message.markdown_subject}\n\n{message.markdown}")
        assert all(h.startswith(("https://patentscope.wipo.int/", OURS)) for h in facts["links"])
        assert facts["html"] == 0 and facts["headings"] == 1 and facts["images"] == 0
        assert "javascript" not in message.html.lower() and "<!here>" not in message.slack
        assert "](http://evil" not in message.markdown
        assert all(
            t.startswith(("https://patentscope", OURS)) for t in re.findall(r"<([^>|]*)", message.slack)
        )


def test_digest_markdown_escapes_office_text(tmp_path):
    from warning.delivery.digest import build_digest

    app = hostile_app(tmp_path, subscriber('kind = "association"\nfile = "out/d.jsonl"'))
    digest = build_digest(app, "acme", "week", now=NOW)
    assert_inert_markdown(digest.markdown, headings=0)
    assert "<script>" not in digest.html and TITLE in BeautifulSoup(digest.html, "html.parser").get_text()


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", " =1"]


@pytest.mark.parametrize("start", FORMULAS)
def test_risk_export_writes_no_formula_cell(tmp_path, start):
    db_path = tmp_path / "risks.db"
    db = open_db(db_path)
    title = f"{start} Valve"
    save_publications(
        db, [Publication(id="EP-1-B1", country="EP", number="1", kind="B1", titles={"zh": title})]
    )
    db.conn.close()
    env = {"WARNING_USER": "li"}
    runner = CliRunner()
    opened = runner.invoke(
        cli, ["--db", str(db_path), "risks", "open", "EP-1-B1", "--enterprise", start], env=env
    )
    assert opened.exit_code == 0, opened.output
    out = tmp_path / "risks.csv"
    exported = runner.invoke(cli, ["--db", str(db_path), "risks", "export", "--out", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for cell in rows[1]:
        assert cell[:1] not in "=+-@\t\r" or cell == "", cell  # no cell starts a formula
    assert rows[1][2] == "'" + title  # the text itself is kept
    assert rows[1][4] in ("'" + start, "'" + start.strip())  # the CLI trims what is typed


def test_spreadsheet_cell_keeps_numbers_and_plain_text():
    from warning.delivery.escaping import spreadsheet_cell

    assert [spreadsheet_cell(v) for v in ("-5", "+3.5", "1e3", "2026-11-19", "Acme", "", None, 7)] == [
        "-5",
        "+3.5",
        "1e3",
        "2026-11-19",
        "Acme",
        "",
        None,
        7,
    ]
    assert spreadsheet_cell("＝1+1") == "'＝1+1" and spreadsheet_cell("-1+2") == "'-1+2"
