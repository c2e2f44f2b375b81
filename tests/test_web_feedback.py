"""Feedback from the alert itself: signed, expiring, single-use links bound to their recipient,
and Slack buttons whose requests are signed; through Flask's test client on a real store."""

from __future__ import annotations

import hashlib
import hmac
import json
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
