"""Feedback from the alert itself: signed, expiring, single-use links bound to their recipient,
and Slack buttons whose requests are signed; through Flask's test client on a real store."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from urllib.parse import urlencode, urlparse

import pytest
from web_support import build_world

from warning.delivery.feedback_links import Feedback, feedback_links, make_token

SECRET = "a-long-random-web-secret-for-tests"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("WARNING_WEB_SECRET", SECRET)
    return build_world(tmp_path)  # its subscriber acme-motor is declared as acme's


@pytest.fixture
def web(world):
    return world.web()


def _labels(world) -> list[dict]:
    app = world.app()
    try:
        return list(app.db.query("SELECT publication_id, watchlist, label, org_id, who FROM labels"))
    finally:
        app.close()


def _path(url: str) -> str:
    return urlparse(url).path


def test_a_link_asks_once_records_once_as_the_recipients_organisation(web, world):
    links = feedback_links(
        "https://warn.example/", "CN-1001-A", "nev-batteries", "acme-motor", "ip@acme.example"
    )
    assert set(links) == {"relevant", "irrelevant", "publication"}
    assert links["publication"] == "https://warn.example/publications/CN-1001-A?watchlist=nev-batteries"
    client = web.test_client()
    page = client.get(_path(links["irrelevant"]))
    assert (
        page.status_code == 200 and 'id="confirm"' in page.text and _labels(world) == []
    )  # a GET writes nothing
    done = client.post(_path(links["irrelevant"]))
    assert 'id="recorded"' in done.text
    assert _labels(world) == [
        {
            "publication_id": "CN-1001-A",
            "watchlist": "nev-batteries",
            "label": 0,
            "org_id": "acme",
            "who": "alert:acme-motor:ip@acme.example",
        }
    ]
    again = client.post(_path(links["irrelevant"]))
    assert 'id="used"' in again.text and len(_labels(world)) == 1


def test_forged_expired_and_foreign_links_record_nothing(web, world):
    client = web.test_client()
    links = feedback_links(
        "https://warn.example", "CN-1001-A", "nev-batteries", "acme-motor", "ip@acme.example"
    )
    token = _path(links["relevant"]).rsplit("/", 1)[1]
    payload, signature = token.split(".")
    assert client.get(f"/feedback/{payload}x.{signature}").status_code == 404  # changed payload
    assert client.post(f"/feedback/{token[:-2]}").status_code == 404  # cut signature
    assert client.get("/feedback/garbage").status_code == 404
    old = Feedback("CN-1001-A", "nev-batteries", True, "acme-motor", "a", int(time.time()) - 1, "n1")
    assert client.post(f"/feedback/{make_token(SECRET, old)}").status_code == 404
    stranger = Feedback("CN-1001-A", "nev-batteries", True, "nobody", "a", int(time.time()) + 60, "n2")
    assert client.post(f"/feedback/{make_token(SECRET, stranger)}").status_code == 404
    other_key = Feedback("CN-1001-A", "nev-batteries", True, "acme-motor", "a", int(time.time()) + 60, "n3")
    assert client.post(f"/feedback/{make_token('another key', other_key)}").status_code == 404
    assert _labels(world) == []


def test_without_the_key_no_links_are_made(monkeypatch):
    monkeypatch.delenv("WARNING_WEB_SECRET", raising=False)
    assert feedback_links("https://warn.example", "CN-1001-A", "nev-batteries", "acme-motor", "a") == {}


def _slack_post(client, secret: str, token: str, at: int | None = None):
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": [{"value": token}]})})
    stamp = str(at if at is not None else int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    return client.post(
        "/slack/actions", data=body, headers=headers, content_type="application/x-www-form-urlencoded"
    )


def test_a_signed_slack_button_records_the_label_and_unsigned_or_old_ones_do_not(web, world, monkeypatch):
    monkeypatch.setenv("WARNING_SLACK_SIGNING_SECRET", "slack-signing-secret")
    client = web.test_client()
    token = make_token(
        SECRET,
        Feedback("EP-2002-A1", "nev-batteries", True, "acme-motor", "#ip", int(time.time()) + 60, "s1"),
    )
    assert _slack_post(client, "wrong secret", token).status_code == 401
    assert _slack_post(client, "slack-signing-secret", token, at=int(time.time()) - 600).status_code == 401
    assert _labels(world) == []
    answer = _slack_post(client, "slack-signing-secret", token)
    assert answer.status_code == 200 and answer.json["text"].startswith("Recorded")
    assert [(r["publication_id"], r["label"], r["org_id"]) for r in _labels(world)] == [
        ("EP-2002-A1", 1, "acme")
    ]
    assert _slack_post(client, "slack-signing-secret", token).json["text"] == "Already recorded."


def _queued_alert(tmp_path, publication: str, lang: str):
    """The world with the web app's address configured, its alerts queued; the world and the
    rendered message of ``publication``'s alert."""
    from warning.delivery.queue import queue_alerts
    from warning.delivery.render import render_message
    from warning.store.outbox import due_alerts

    world = build_world(tmp_path)
    with world.config_path.open("a", encoding="utf-8") as fh:
        fh.write('\n[alerts]\nlookback_days = 0\nweb_url = "https://warn.example/"\n')
    app = world.app()
    try:
        assert queue_alerts(app)["queued"] == 3  # acme-motor follows nev-batteries: three matches
        rows = due_alerts(app.db, "9999-01-01T00:00:00+00:00", respect_backoff=True)
        return world, render_message("match", [r for r in rows if r["publication_id"] == publication], lang)
    finally:
        app.close()


def test_an_alert_carries_its_recipients_links_and_one_of_them_labels(tmp_path, monkeypatch):
    """From the queued alert to the label: the text the subscriber reads holds its own signed
    links, and following one records the label as the subscriber's organisation's."""
    monkeypatch.setenv("WARNING_WEB_SECRET", SECRET)
    world, message = _queued_alert(tmp_path, "CN-1001-A", "en")
    relevant = re.search(r"Relevant: (https://warn\.example/feedback/\S+)", message.text)
    irrelevant = re.search(r"Not relevant: (https://warn\.example/feedback/\S+)", message.text)
    assert relevant and irrelevant and relevant.group(1) != irrelevant.group(1)
    client = world.web().test_client()
    assert 'id="recorded"' in client.post(_path(relevant.group(1))).text
    assert _labels(world) == [
        {
            "publication_id": "CN-1001-A",
            "watchlist": "nev-batteries",
            "label": 1,
            "org_id": "acme",
            "who": "alert:acme-motor:stdout",
        }
    ]


def test_without_the_web_apps_key_an_alert_has_no_feedback_links(tmp_path, monkeypatch):
    monkeypatch.delenv("WARNING_WEB_SECRET", raising=False)
    _, message = _queued_alert(tmp_path, "CN-1001-A", "zh")
    assert "/feedback/" not in message.text and "/feedback/" not in message.html
    assert all("feedback" not in item or not item["feedback"] for item in message.data["items"])


def test_a_slack_alert_gets_buttons_whose_press_labels_once(tmp_path, monkeypatch):
    from warning.delivery.channels.slack import slack_blocks

    monkeypatch.setenv("WARNING_WEB_SECRET", SECRET)
    world, message = _queued_alert(tmp_path, "EP-2002-A1", "zh")
    assert slack_blocks(message)[-1]["type"] != "actions"  # no signing secret: no buttons
    monkeypatch.setenv("WARNING_SLACK_SIGNING_SECRET", "slack-signing-secret")
    actions = slack_blocks(message)[-1]
    assert actions["type"] == "actions"
    buttons = {b["action_id"]: b for b in actions["elements"]}
    assert [b["text"]["text"] for b in buttons.values()] == ["相关", "不相关"]
    client = world.web().test_client()
    pressed = _slack_post(client, "slack-signing-secret", buttons["feedback_irrelevant"]["value"])
    assert pressed.status_code == 200 and pressed.json["text"].startswith("Recorded")
    assert [(r["publication_id"], r["label"], r["org_id"]) for r in _labels(world)] == [
        ("EP-2002-A1", 0, "acme")
    ]
    again = _slack_post(client, "slack-signing-secret", buttons["feedback_irrelevant"]["value"])
    assert again.json["text"] == "Already recorded."
