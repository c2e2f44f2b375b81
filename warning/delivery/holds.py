"""Holds within one dispatch run: a host that does not answer, an account that asked us to wait.

Without them a server that never answers costs its whole timeout once per alert (500 alerts at
30 s: four hours of a blocked dispatcher), and a Slack workspace that said ``429 Retry-After:
120`` is asked again for every message left in the run.

- After `UNANSWERED_IN_A_ROW` consecutive sends to one host that got no answer (a timeout, a
  refused connection, SMTP 421), the host's remaining alerts are deferred to the next run.
- A Retry-After (HTTP 429, Slack ``ratelimited``, a robot's throttling code) holds the account
  (the Slack workspace, the robot, the webhook host) until that moment: its remaining alerts get
  that time as their next attempt.
- A refused login, token or TLS handshake holds the account for the rest of the run at once:
  every send would fail alike, and a burst of failed logins gets a sender locked out.

A deferred alert was not attempted: no attempt is recorded and its count toward the dead letters
does not move; the sends that timed out or were refused are attempts and are recorded as such.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warning.delivery.channels.base import Channel, DeliveryResult

log = logging.getLogger(__name__)

UNANSWERED_IN_A_ROW = 3


@dataclass(frozen=True)
class Hold:
    """Why an address waits, and until when (None: the next run)."""

    reason: str
    until: datetime | None = None


@dataclass
class Holds:
    """The hosts and accounts held in this run."""

    unanswered: Counter = field(default_factory=Counter)
    hosts: dict[str, Hold] = field(default_factory=dict)
    accounts: dict[str, Hold] = field(default_factory=dict)

    def hold_for(self, channel: Channel, address: str, now: datetime) -> Hold | None:
        """The hold on ``address``'s host or account, if one still stands at ``now``."""
        account = self.accounts.get(f"{channel.name} {channel.account(address)}")
        if account and (account.until is None or account.until > now):
            return account
        return self.hosts.get(f"{channel.name} {channel.host(address)}")

    def note(self, channel: Channel, address: str, result: DeliveryResult, now: datetime) -> None:
        """Learn from one send's result: count a host's silences, hold what asked to be held."""
        host = f"{channel.name} {channel.host(address)}"
        account = f"{channel.name} {channel.account(address)}"
        if result.retry_after:
            until = now + timedelta(seconds=result.retry_after)
            self._hold(self.accounts, account, Hold(f"rate limited until {until.isoformat()}", until), host)
        if result.refused_us:
            self._hold(self.accounts, account, Hold(f"refused our credentials ({result.error})"), host)
        if not result.unreachable:
            self.unanswered[host] = 0
            return
        self.unanswered[host] += 1
        if self.unanswered[host] >= UNANSWERED_IN_A_ROW:
            self._hold(self.hosts, host, Hold(f"no answer {self.unanswered[host]} times in a row"), host)

    @staticmethod
    def _hold(table: dict[str, Hold], key: str, hold: Hold, shown_as: str) -> None:
        if key not in table:
            # Logged by host: an account may be a robot's URL, which carries its access token.
            log.warning("%s: %s; the remaining alerts there wait", shown_as, hold.reason)
        table[key] = hold
