"""File channel: appends each message to a JSON Lines file and rebuilds an HTML page beside it.

For the demo and air-gapped sites. The JSON Lines file is the record: a message whose key is
already in it is not written again, so this channel is exactly-once even across a crash.
The HTML page (same name, ``.html``) shows the latest messages, newest first.
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
        records = read_records(path)
        if any(r.get("id") == message.key for r in records):
            return DeliveryResult(ok=True, response="already in the file")
        record = {
            "id": message.key,
            "kind": message.kind,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            **message.data,
        }
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        records.append(record)
        html_path = path.with_suffix(".html")
        html_path.write_text(
            rendering.render_file_page(records[-PAGE_MESSAGES:][::-1], message.language), encoding="utf-8"
        )
        return DeliveryResult(ok=True, response=str(path))


def read_records(path: Path) -> list[dict]:
    """The messages already written to a JSON Lines file (unreadable lines are skipped)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records
