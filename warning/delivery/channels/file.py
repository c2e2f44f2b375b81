"""File channel: a JSON Lines record per message, its HTML page, and an index page of the latest.

For the demo and air-gapped sites. Writes ``NAME.jsonl`` (the record), ``NAME/KEY.html`` (each
message as the e-mail's HTML) and ``NAME.html`` (the latest messages, newest first, rebuilt once per run). A message
whose key is already in the JSON Lines file is not written again, so this channel is
exactly-once even across a crash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from warning.delivery import render as rendering  # module import: render imports the channels package
from warning.delivery.channels.base import AddressKey, Answer, Channel, DeliveryResult, Message

PAGE_MESSAGES = 200
_RECORD_ID = re.compile(rb'^\{"id": "([^"]+)"', re.MULTILINE)


class FileChannel(Channel):
    name = "file"
    keys = (AddressKey("file", type=str),)  # one JSON Lines file (demo, air-gapped sites)
    batchable = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._written: dict[Path, set[str]] = {}  # keys in each file, read once per run
        self._stale_index: dict[Path, str] = {}  # index pages to rebuild, with their language

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        path = self.config.resolve(address)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path not in self._written:
            self._written[path] = written_keys(path)
        written = self._written[path]
        if message.key in written:
            return DeliveryResult(ok=True, response="already in the file")
        pages = path.with_suffix("")
        page = pages / f"{message.key}.html"
        if message.html:
            pages.mkdir(exist_ok=True)
            page.write_text(message.html, encoding="utf-8")
        record = {
            "id": message.key,
            "kind": message.kind,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
            "page": f"{pages.name}/{page.name}" if message.html else "",
            **message.data,
        }
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written.add(message.key)
        self._stale_index[path] = message.language
        return DeliveryResult(ok=True, response=str(path))

    def finish(self) -> None:
        """Rebuild the index page of every file written to, once per run."""
        for path, lang in self._stale_index.items():
            latest = read_records(path, last=PAGE_MESSAGES)[::-1]
            path.with_suffix(".html").write_text(rendering.render_file_page(latest, lang), encoding="utf-8")
        self._stale_index.clear()


def written_keys(path: Path) -> set[str]:
    """The keys of the records already in a JSON Lines file."""
    if not path.exists():
        return set()
    return {m.decode() for m in _RECORD_ID.findall(path.read_bytes())}


def read_records(path: Path, last: int = 0) -> list[dict]:
    """The messages written to a JSON Lines file, or its ``last`` ones (unreadable lines skipped)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    records = []
    for line in lines[-last:] if last else lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


CHANNELS = (FileChannel,)
