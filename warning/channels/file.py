"""File channel: a JSON Lines record per message, its HTML page, and an index page of the latest.

For the demo and air-gapped sites. Writes ``NAME.jsonl`` (the record), ``NAME/KEY.html`` (each
message as the e-mail's HTML) and ``NAME.html`` (the latest messages, newest first). A message
whose key is already in the JSON Lines file is not written again, so this channel is
exactly-once even across a crash.
"""

from __future__ import annotations

import json
from pathlib import Path

from warning import render as rendering  # module import: render imports the channels package
from warning.channels.base import Channel, DeliveryResult, Message, register

PAGE_MESSAGES = 200


@register
class FileChannel(Channel):
    name = "file"
    batchable = True

    def _send(self, address: str, message: Message) -> DeliveryResult:
        path = self.config.resolve(address)
        path.parent.mkdir(parents=True, exist_ok=True)
        if already_written(path, message.key):
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
        latest = read_records(path, last=PAGE_MESSAGES)[::-1]
        path.with_suffix(".html").write_text(
            rendering.render_file_page(latest, message.language), encoding="utf-8"
        )
        return DeliveryResult(ok=True, response=str(path))


def already_written(path: Path, key: str) -> bool:
    """Whether a record with this key is in the file (a byte search: no parsing per send)."""
    if not path.exists():
        return False
    return f'"id": "{key}"'.encode() in path.read_bytes()


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
