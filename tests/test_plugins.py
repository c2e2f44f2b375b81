"""A new office and a new channel are each their own module plus one name in one list (issue 12).

The modules below are the README's "Extending" examples, loaded as if they were files of the
package; nothing else of the service is touched, and the config, the scheduler, `warning ingest`
and the dispatcher take them up.
"""

from __future__ import annotations

import json
import sys
import types

import pytest
from werkzeug import Response

from warning.config.loading import load_config
from warning.delivery import channels
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import enqueue, subscriber_addresses
from warning.errors import ConfigError
from warning.service.jobs import job_table
from warning.sources import registry
from warning.sources.ingest import ingest_paths
from warning.store import open_db
from warning.store.publications import get_publication

TEAMS = """
import json

from warning.delivery.channels.base import URL, AddressKey, Channel, DeliveryResult, address_url
from warning.delivery.channels.http import post_json, response_result


class TeamsChannel(Channel):
    name = "teams"
    keys = (AddressKey("teams", rule=URL), AddressKey("teams_env", env=True, rule=URL))
    batchable = True

    def _send(self, address, message, answer):
        body = json.dumps({"text": message.markdown}).encode()
        response, failed = post_json(address_url(address, "Teams webhook URL"), body, {},
                                     self.config.webhook.timeout, self.sleep)
        return failed or response_result(response) or DeliveryResult(ok=True)


CHANNELS = (TeamsChannel,)
"""

JPO = """
from dataclasses import dataclass
from typing import ClassVar

from warning.config.rules import at_least
from warning.models import Publication
from warning.sources.base import FileFormat, Source


@dataclass(frozen=True)
class Options:
    api_key_env: str = "JPO_API_KEY"
    max_retries: int = 4
    CHECKS: ClassVar = {"max_retries": at_least(0)}


def is_jpo_xml(path, head):
    return b"<jpo-document" in head


def read_jpo_xml(path, reading):
    yield Publication(id="JP-2024000001-A", country="JP", number="2024000001", kind="A",
                      titles={"ja": path.read_text(encoding="utf-8").split(">")[1].split("<")[0]})


class JpoSource(Source):
    kind = "jpo"
    Options = Options
    schedule = ("0 6 * * thu", "Asia/Tokyo")
    formats = (FileFormat("jpo-xml", is_jpo_xml, read_jpo_xml),)


SOURCE = JpoSource
"""


def load_module(monkeypatch, name: str, code: str) -> None:
    """``code`` as the package's module ``name`` (its parent packages made too, where missing)."""
    parts = name.split(".")
    for i in range(2, len(parts)):
        parent = ".".join(parts[:i])
        if parent not in sys.modules:
            monkeypatch.setitem(sys.modules, parent, types.ModuleType(parent))
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)  # before its code runs: dataclasses look it up
    exec(compile(code, name, "exec"), module.__dict__)


@pytest.fixture
def teams(monkeypatch):
    load_module(monkeypatch, "warning.delivery.channels.teams", TEAMS)
    monkeypatch.setattr(channels, "MODULES", (*channels.MODULES, "teams"))  # the one listing line
    channels.channel_classes.cache_clear()
    yield
    channels.channel_classes.cache_clear()


@pytest.fixture
def jpo(monkeypatch):
    load_module(monkeypatch, "warning.sources.jpo.source", JPO)
    monkeypatch.setattr(registry, "OFFICES", (*registry.OFFICES, "jpo"))  # the one listing line
    registry.sources.cache_clear()
    yield
    registry.sources.cache_clear()


def write_config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_channel_is_its_module_and_one_name(teams, tmp_path, httpserver, monkeypatch):
    got = []
    httpserver.expect_request("/teams").respond_with_handler(
        lambda request: got.append(json.loads(request.get_data())) or Response("1")
    )
    monkeypatch.setenv("TEAMS_URL", httpserver.url_for("/teams"))
    config = load_config(
        write_config(tmp_path, '[[subscribers]]\nname = "acme"\nlanguage = "en"\nteams_env = ["TEAMS_URL"]\n')
    )
    assert subscriber_addresses(config.subscriber("acme")) == [("teams", "env:TEAMS_URL")]
    assert "TEAMS_URL" in config.secret_names()  # a secret like every *_env
    db = open_db(tmp_path / "w.db")
    app = types.SimpleNamespace(config=config, db=db)
    row = {"key": "reminder:acme", "kind": "reminder", "subscriber": "acme", "channel": "teams",
           "address": "env:TEAMS_URL", "payload": {"title": "Hello", "body": "from a new channel"}}  # fmt: skip
    enqueue(db, [row])
    assert dispatch(app)["sent"] == 1 and "from a new channel" in got[0]["text"]
    with pytest.raises(ConfigError, match=r"subscribers\[0\]\.teams\[0\] must be an http:// or https:// URL"):
        load_config(write_config(tmp_path, '[[subscribers]]\nname = "acme"\nteams = ["not a url"]\n'))
    db.conn.close()


def test_a_new_office_is_its_folder_and_one_name(jpo, tmp_path):
    config = load_config(write_config(tmp_path, '[sources.jp]\nkind = "jpo"\nmax_retries = 2\n'))
    assert config.sources["jp"].options.max_retries == 2
    with pytest.raises(ConfigError, match="max_retries must be at least 0"):
        load_config(write_config(tmp_path, '[sources.jp]\nkind = "jpo"\nmax_retries = -1\n'))
    with pytest.raises(ConfigError, match="unknown key 'retries'"):
        load_config(write_config(tmp_path, '[sources.jp]\nkind = "jpo"\nretries = 2\n'))
    fetch = job_table(config)["fetch:jp"]
    assert (fetch.default_cron, fetch.default_timezone) == ("0 6 * * thu", "Asia/Tokyo")
    document = tmp_path / "download.xml"
    document.write_text("<jpo-document>二輪車のフレーム</jpo-document>", encoding="utf-8")
    db = open_db(tmp_path / "w.db")
    assert ingest_paths(db, [document]).saved.inserted == 1
    assert get_publication(db, "JP-2024000001-A").titles == {"ja": "二輪車のフレーム"}
    db.conn.close()
