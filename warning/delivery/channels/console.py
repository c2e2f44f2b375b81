"""Console channel: prints the text version on stdout (the demo, debugging)."""

from __future__ import annotations

import sys

from warning.delivery.channels.base import Answer, Channel, DeliveryResult, Message, register


@register
class ConsoleChannel(Channel):
    name = "console"
    batchable = True

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        stream = sys.stdout
        stream.write(f"=== {message.subject}\n{message.text.rstrip()}\n\n")
        stream.flush()
        return DeliveryResult(ok=True)
