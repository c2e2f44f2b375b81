"""Console channel: prints the text version on stdout (the demo, debugging)."""

from __future__ import annotations

import sys

from warning.delivery.channels.base import AddressKey, Answer, Channel, DeliveryResult, Message


class ConsoleChannel(Channel):
    name = "console"
    keys = (AddressKey("console", type=bool),)  # console = true: the text on stdout

    @classmethod
    def addresses(cls, values: dict) -> list[str]:
        return ["stdout"] if values.get("console") else []

    batchable = True

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        stream = sys.stdout
        stream.write(f"=== {message.subject}\n{message.text.rstrip()}\n\n")
        stream.flush()
        return DeliveryResult(ok=True)


CHANNELS = (ConsoleChannel,)
