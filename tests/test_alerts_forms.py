"""Each delivery renders only the forms its channel sends (issue 18 part 4), and sends exactly what
it sent when every form was rendered for every delivery.

The reference is the render of before, kept here as it was (`full_render`: all five templates,
three subjects, the items and a digest's workbook, eagerly). The same queued outbox (a copy of
one store) is dispatched once through it and once through today's lazy render, to real servers on
loopback (SMTP, an HTTP server answering like Slack, the webhook and the three robots), the console
and the file channel; what each received must be the same, byte for byte (e-mail less its Date).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from alerts_support import EVIDENCE, NOW, add_match, add_watchlist, free_port, make_test_app, smtp_server

from warning.app import make_app
from warning.delivery import dispatch as dispatching
from warning.delivery import render as rendering
from warning.delivery.digest import build_digest, digest_rows
from warning.delivery.message import FORMS, Forms, Message, RenderError
from warning.delivery.queue import enqueue, notice_rows, queue_alerts
from warning.sources.ingest import ingest_paths
from warning.store.matches import record_batch

FIXTURES = Path(__file__).parent / "fixtures"
BOUNDARY = re.compile(rb"={15}\d+==")
FAMILY = ("CA-2744162-A1", "EP-2400812-A1", "EP-2400812-B1")  # a real OPS family: alert, 2 updates

# What each channel reads of a message, so what is rendered for it (a digest's forms are given).
SENT_FORMS = {
    "email": {"subject", "text", "html"},
    "slack": {"subject", "slack", "slack_subject", "data"},
    "webhook": {"subject", "text", "data"},
    "dingtalk": {"subject", "markdown_subject", "markdown"},
    "wecom": {"markdown_subject", "markdown"},
    "feishu": {"subject", "markdown"},
    "console": {"subject", "text"},
    "file": {"subject", "text", "html", "data"},
}


def full_render(kind: str, rows: list[dict], lang: str) -> Message:
    """`render_message` as it was before issue 18: every form of every message, eagerly."""
    r = rendering
    lang = r.language(lang)
    payloads = [
        row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"] or "{}")
        for row in rows
    ]
    key = r.message_key([row["key"] for row in rows])
    if kind == "digest" and len(payloads) == 1:
        p = payloads[0]
        return Message(
            key=key,
            kind=kind,
            language=lang,
            subject=p["subject"],
            markdown_subject=p["subject"],
            slack_subject=r.escaping.slack_text(p["subject"]),
            text=p["text"],
            html=p["html"],
            markdown=p["markdown"],
            slack=r.escaping.slack_block(p["text"]),
            data={"digest": p.get("stats", {})},
            attachments=r._digest_sheet(p, lang),
        )
    items = [r.item_context(row["kind"], p, lang) for row, p in zip(rows, payloads, strict=True)]
    context = {"items": items, "lang": lang}
    return Message(
        key=key,
        kind=kind if len({row["kind"] for row in rows}) == 1 else "batch",
        language=lang,
        subject=r._subject(context, r._plain_line),
        markdown_subject=r._subject(context, r.escaping.markdown_text),
        slack_subject=r._subject(context, r.escaping.slack_text),
        text=r.render("alert.txt.j2", **context),
        html=r.render("alert.html.j2", **context),
        markdown=r.render("alert.md.j2", **context),
        slack=r.render("alert.slack.j2", **context),
        data={"items": [r._public_item(i) for i in items]},
    )


def channels_config(base: str, smtp_port: int) -> str:
    """Two subscribers on every channel: one batching in English, one immediate in Chinese; an
    association whose digest goes to e-mail (with the workbook) and to the robots."""
    every = f"""
email = ["ip@acme.example"]
slack = ["#patent-alerts"]
webhook = ["{base}/hook"]
dingtalk = ["{base}/ding?access_token=t"]
wecom = ["{base}/wecom?key=k"]
feishu = ["{base}/feishu/hook/x"]
console = true
file = "out/NAME.jsonl"
"""
    return f"""
[alerts]
web_url = "https://warning.example.org"

[digests]
attach_xlsx = true

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "warning@example.org"
timeout = 5.0

[slack]
token_env = "T_SLACK_TOKEN"
base_url = "{base}/slack/api/"

[webhook]
secret_env = "T_WEBHOOK_SECRET"
timeout = 5.0

[[subscribers]]
name = "batching-en"
language = "en"
watchlists = ["motorcycles"]
batch = true
{every.replace("NAME", "en")}

[[subscribers]]
name = "immediate-zh"
language = "zh"
watchlists = ["motorcycles"]
{every.replace("NAME", "zh")}

[[subscribers]]
name = "moto-association"
kind = "association"
language = "en"
watchlists = ["motorcycles"]
mode = "weekly"
digest_period = "week"
{every.replace("NAME", "digest")}
"""


def queued_store(folder: Path, base: str, smtp_port: int) -> None:
    """A store whose outbox holds matches (an invention with two updates among them), a risk
    reminder and a digest, for every channel."""
    folder.mkdir()
    (folder / "config.toml").write_text(channels_config(base, smtp_port), encoding="utf-8")
    app = make_app(str(folder / "config.toml"), str(folder / "alerts.db"))
    add_watchlist(app)
    add_match(app, "EP-4123456-A1", titles={"de": "Motorrad", "en": "Motorcycle & <engine>"}, lang="de")
    add_match(app, "US-11000000-B2", titles={"en": "Frame *bold* _x_ `y`"}, doc_type="grant")
    ingest_paths(app.db, [FIXTURES / "ops" / "family_biblio_EP2400812_cut.xml"])
    stamp = "2026-11-24T17:00:00+00:00"
    record_batch(
        app.db, [(p, "motorcycles", 0.9, 0.5, json.dumps(EVIDENCE), "v1", stamp) for p in FAMILY], []
    )
    queue_alerts(app, now=NOW)
    sub = next(s for s in app.subscribers if s.name == "immediate-zh")
    notice = {"subject": {"zh": "期限提醒", "en": "Deadline"}, "text": {"zh": "答复期限", "en": "Reply due"}}
    enqueue(app.db, notice_rows(sub, "reminder:1", "reminder", notice, publication_id="EP-4123456-A1"), NOW)
    association = next(s for s in app.subscribers if s.name == "moto-association")
    digest = build_digest(app, association, now=NOW)
    enqueue(app.db, digest_rows(association, digest, "2026-W48"), NOW)


def answer_everything(httpserver) -> None:
    reply = {"ok": True, "ts": "1700000000.000100", "errcode": 0, "code": 0}
    httpserver.expect_request(re.compile("^/")).respond_with_json(reply)


def sent(folder: Path, httpserver, sink, capsys) -> dict:
    """Dispatch the store in ``folder``; what every server, the console and the files received."""
    app = make_app(str(folder / "config.toml"), str(folder / "alerts.db"))
    httpserver.clear_log()
    del sink.messages[:]
    capsys.readouterr()
    counts = dispatching.dispatch(app, now=NOW)
    assert counts["failed"] == counts["dead"] == 0 and counts["sent"] == counts["due"]
    requests = sorted(
        (req.path, req.query_string, req.get_data(), req.headers.get("X-Warning-Signature", ""))
        for req, _ in httpserver.log
    )
    mails = []
    for mail in sink.messages:
        del mail["Date"]
        mails.append(BOUNDARY.sub(b"=BOUNDARY=", mail.as_bytes()))  # random per message
    out = folder / "out"
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return {"http": requests, "mail": sorted(mails), "console": capsys.readouterr().out, "files": files}


@pytest.fixture
def stores(tmp_path, httpserver, monkeypatch):
    for name, value in {
        "T_SLACK_TOKEN": "xoxb-test",
        "T_WEBHOOK_SECRET": "webhook-secret",
        "WARNING_WEB_SECRET": "web-secret-for-feedback-links",
        "WARNING_SLACK_SIGNING_SECRET": "slack-signing",  # feedback buttons in Slack
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    base = httpserver.url_for("").rstrip("/")
    queued_store(tmp_path / "before", base, port)
    shutil.copytree(tmp_path / "before", tmp_path / "after")
    answer_everything(httpserver)
    return tmp_path / "before", tmp_path / "after", port


def test_every_channel_sends_what_the_full_render_sent(stores, httpserver, capsys, monkeypatch):
    before, after, port = stores
    seen: list[tuple[str, str, Message]] = []
    lazy = dispatching._render

    def watched(group, config):
        message = lazy(group, config)
        seen.append((group.channel, group.kind, message))
        return message

    # The workbook carries the moment it was written; the same rows make the same stand-in here.
    monkeypatch.setattr(rendering, "matches_xlsx", lambda rows, lang: json.dumps([rows, lang]).encode())
    with smtp_server(port) as sink:
        with monkeypatch.context() as patch:
            patch.setattr(dispatching, "_render", lambda group, config: full_render_of(group, config))
            reference = sent(before, httpserver, sink, capsys)
        monkeypatch.setattr(dispatching, "_render", watched)
        now = sent(after, httpserver, sink, capsys)
    assert len(reference["http"]) >= 5 * 5 and len(reference["mail"]) >= 5  # every robot, threads
    assert any(b'"actions"' in body for _, _, body, _ in reference["http"])  # Slack feedback buttons
    assert any(m.count(b"Content-Disposition: attachment") for m in reference["mail"])  # the workbook
    assert any(b"In-Reply-To" in m for m in reference["mail"])  # an update in its thread
    for part in ("http", "mail", "console", "files"):
        assert now[part] == reference[part], part
    # ... and rendered for each channel only what it sends.
    assert {channel for channel, _, _ in seen} == set(SENT_FORMS)
    for channel, kind, message in seen:
        if kind != "digest":
            assert set(message.rendered()) == SENT_FORMS[channel], channel
        else:  # the digest's forms come with it; the workbook only for e-mail
            assert set(message.rendered()) == ({"attachments"} if channel == "email" else set()) | (
                {"slack", "slack_subject"} & SENT_FORMS[channel]
            ), channel


def full_render_of(group, config) -> Message:
    subs = {s.name: s for s in config.subscribers}
    sub = subs.get(group.subscriber)
    return full_render(group.kind, group.rows, sub.language if sub else "en")


def test_a_form_is_made_once_and_copies_share_it():
    calls = []
    forms = Forms(text=lambda: calls.append("text") or "body")
    message = Message("k", "match", "en", subject="s", forms=forms)
    reply = message.replace(reply_to_key="first")
    assert (message.text, reply.text, message.text) == ("body", "body", "body") and calls == ["text"]
    assert reply.reply_to_key == "first" and message.reply_to_key == "" and reply.subject == "s"
    assert message.html == "" and message.data == {} and message.attachments == ()
    assert message.rendered() == ("text",)
    with pytest.raises(AttributeError):
        message.text = "changed"
    assert set(FORMS) == {"subject", "text", "html", "markdown", "slack"} | {
        "markdown_subject",
        "slack_subject",
        "data",
        "attachments",
    }


def test_a_form_that_cannot_be_rendered_is_the_attempts_error(tmp_path):
    from warning.delivery.channels.console import ConsoleChannel

    message = Message("k", "match", "en", subject="s", forms=Forms(text=lambda: {}["missing"]))
    with pytest.raises(RenderError):
        message.text  # noqa: B018 (reading is rendering)
    result = ConsoleChannel(make_test_app(tmp_path, "").config).send("stdout", message)
    assert not result.ok and result.error.startswith("cannot render: text: KeyError")
