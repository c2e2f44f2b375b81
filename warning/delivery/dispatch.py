"""The dispatcher: sends what the outbox holds, records every attempt, retries, dead-letters.

Crash safety: rows are claimed (`sending`, with this process as ``claimed_by`` and a lease) and
committed before the send, and recorded the moment the server answers (before an SMTP QUIT or
anything else). A claim whose process is gone, or whose lease ran out, is recorded as an
interrupted attempt and sent again: nothing is lost; webhooks and the file channel drop the
re-send by its idempotency key, so there it is not duplicated either, and e-mail keeps its
Message-ID.

Slow failure: a host that does not answer, or an account that asked us to wait, holds its
remaining alerts (`warning.delivery.holds`), so one dead server cannot block the run for hours.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warning import clock
from warning.app import App
from warning.config.schema import AlertsConfig, Config, SubscriberConfig
from warning.delivery.channels import get_channel
from warning.delivery.channels.base import Channel, DeliveryResult, Message
from warning.delivery.holds import Hold, Holds
from warning.delivery.render import render_message
from warning.errors import WarningError
from warning.store import outbox as store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # a send that takes longer than this is presumed crashed


def backoff_delay(attempts: int, settings: AlertsConfig) -> float:
    """Seconds before retry number ``attempts``: doubling from ``backoff_seconds``, capped."""
    return min(settings.backoff_cap_seconds, settings.backoff_seconds * 2 ** max(0, attempts - 1))


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_is_stale(row: dict[str, Any], now: str) -> bool:
    """Whether a `sending` row's sender is gone: its lease ran out, or its process here has died."""
    if (row["next_attempt_at"] or "") <= now:
        return True
    host, _, pid = (row.get("claimed_by") or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass
class Group:
    """Outbox rows that go out as one message to one address."""

    channel: str
    address: str
    subscriber: str
    kind: str
    rows: list[dict[str, Any]]


def _subscribers(config: Config) -> dict[str, SubscriberConfig]:
    return {s.name: s for s in config.subscribers}


def group_rows(rows: list[dict[str, Any]], config: Config, channels: dict[str, Channel]) -> list[Group]:
    """One group per row, except that a batching subscriber's rows to one address share a message."""
    subs = _subscribers(config)
    groups: list[Group] = []
    batches: dict[tuple, Group] = {}
    for row in rows:
        sub = subs.get(row["subscriber"])
        channel = channels.get(row["channel"])
        batching = sub is not None and (sub.batch or sub.mode in ("daily", "weekly"))
        if batching and channel is not None and channel.batchable and row["kind"] != "digest":
            key = (row["subscriber"], row["channel"], row["address"])
            group = batches.get(key)
            if group is None or len(group.rows) >= channel.max_batch:
                group = batches[key] = Group(row["channel"], row["address"], row["subscriber"], "batch", [])
                groups.append(group)
            group.rows.append(row)
            continue
        groups.append(Group(row["channel"], row["address"], row["subscriber"], row["kind"], [row]))
    return groups


def _channels(
    rows: list[dict[str, Any]], config: Config, sleep: Callable[[float], None]
) -> dict[str, Channel]:
    channels = {}
    for name in {r["channel"] for r in rows}:
        try:
            channels[name] = get_channel(name, config, sleep=sleep)
        except WarningError as exc:
            log.error("%s", exc)
    return channels


def dispatch(
    app: App,
    dry_run: bool = False,
    respect_backoff: bool = True,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    kinds: list[str] | None = None,
) -> dict[str, Any]:
    """Send every due outbox row and record each attempt; returns counts.

    The scheduled run respects each retry's backoff; ``respect_backoff=False`` (``warning alerts``
    by hand) retries every pending alert at once. ``dry_run`` renders and counts, sends nothing.
    """
    moment = clock.now(now)
    stamp = clock.iso(moment)
    rows = store.due_alerts(app.db, stamp, respect_backoff, kinds)
    if dry_run:
        rows = [r for r in rows if r["status"] == "pending" or claim_is_stale(r, stamp)]
    else:
        rows = [r for r in _take_over_stale_claims(app, rows, stamp) if r["status"] == "pending"]
    channels = _channels(rows, app.config, sleep)
    groups = group_rows(rows, app.config, channels)
    counts: dict[str, Any] = {"due": len(rows), "messages": len(groups), "sent": 0, "failed": 0, "dead": 0}
    if dry_run:
        counts["dry_run"] = True
        counts["preview"] = [_preview(g, app.config) for g in groups]
        return counts
    # An injected ``now`` stands still (tests); the real clock moves on during a long run.
    read_clock = (lambda: moment) if now is not None else clock.now
    try:
        _deliver_all(app, groups, channels, read_clock, counts)
    finally:
        for channel in channels.values():
            _finish(channel)
    return counts


def _take_over_stale_claims(app: App, rows: list[dict[str, Any]], stamp: str) -> list[dict[str, Any]]:
    """Record the claims of dead dispatchers as interrupted attempts; they are then pending again.

    Their message may have gone out before the crash: the attempt says so, and it counts (a
    message that kills the dispatcher every time still ends as a dead letter).
    """
    stale = [r for r in rows if r["status"] == "sending" and claim_is_stale(r, stamp)]
    taken = set(store.record_interrupted(app.db, stale, stamp)) if stale else set()
    fresh = []
    for row in rows:
        if row["id"] in taken:
            row = {**row, "status": "pending", "attempts": (row["attempts"] or 0) + 1, "claimed_by": None}
        fresh.append(row)
    return fresh


def _finish(channel: Channel) -> None:
    try:
        channel.finish()
    except Exception as exc:  # a derived file that cannot be rebuilt must not fail the run
        log.error("%s channel: %s", channel.name, exc)


def _deliver_all(
    app: App,
    groups: list[Group],
    channels: dict[str, Channel],
    read_clock: Callable[[], datetime],
    counts: dict[str, Any],
) -> None:
    holds, extra = Holds(), Counter()
    for group in groups:
        channel, now = channels.get(group.channel), read_clock()
        hold = holds.hold_for(channel, group.address, now) if channel else None
        if hold:
            _defer(app, group, hold)
            extra["deferred"] += len(group.rows)
            continue
        outcome, result = deliver(app, group, channel, now)
        if outcome == "skipped":
            extra["skipped"] += len(group.rows)
            continue
        counts[outcome] += len(group.rows)
        if channel is not None and result is not None:
            holds.note(channel, group.address, result, now)
    counts.update(extra)


def _defer(app: App, group: Group, hold: Hold) -> None:
    """Leave a held group unattempted: due again at the hold's end, or as it was (the next run)."""
    if hold.until is not None:
        store.postpone(app.db, [r["id"] for r in group.rows], clock.iso(hold.until))


def _preview(group: Group, config: Config) -> dict[str, Any]:
    try:
        subject = _render(group, config).subject
    except Exception as exc:  # the dry run reports what the real run would record
        subject = f"(cannot render: {exc})"
    return {"channel": group.channel, "address": group.address, "alerts": len(group.rows), "subject": subject}


def _render(group: Group, config: Config) -> Message:
    sub = _subscribers(config).get(group.subscriber)
    return render_message(group.kind, group.rows, sub.language if sub else "en")


def in_thread(app: App, group: Group, message: Message) -> Message:
    """``message`` as a reply in its invention's first alert, where every row of the group is an
    update to the same sent alert (`warning.delivery.inventions`); else unchanged."""
    updates = {_update_of(row) for row in group.rows}
    if len(updates) != 1 or not all(next(iter(updates))):
        return message
    watchlist, first = next(iter(updates))
    sent = store.thread_of(app.db, group.subscriber, group.channel, group.address, watchlist, first)
    if not sent.get("message_key"):
        return message
    ts = sent["response"][3:] if sent["response"].startswith("ts=") else ""
    return message.replace(reply_to_key=sent["message_key"], thread_ts=ts if ts != "None" else "")


def _update_of(row: dict[str, Any]) -> tuple[str, str]:
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"] or "{}")
    return (row.get("watchlist") or "", (payload.get("family_update") or {}).get("of", ""))


def deliver(
    app: App, group: Group, channel: Channel | None, now: datetime
) -> tuple[str, DeliveryResult | None]:
    """Claim, send and record one group; returns ``sent``, ``failed``, ``dead`` or ``skipped``
    (another dispatcher holds a claim), with the channel's result.

    The attempt is recorded from inside the send, as soon as the server answered (the channel's
    ``on_answer``): a crash after the server accepted a message has as little time as possible to
    leave it unrecorded, which is the only way a message goes out twice.
    """
    ids = [r["id"] for r in group.rows]
    if channel is None:
        failed = DeliveryResult(ok=False, error=f"unknown channel {group.channel!r}")
        return _record(app, group, failed, now), failed
    try:
        message = in_thread(app, group, _render(group, app.config))
    except Exception as exc:  # a bad payload is kept with its reason, the batch goes on
        failed = DeliveryResult(ok=False, error=f"cannot render: {exc}")
        return _record(app, group, failed, now), failed
    claimed = store.claim(app.db, group.rows, this_process(), clock.iso(now + LEASE))
    if len(claimed) < len(ids):  # another dispatcher got there first: leave the rest to it
        store.release(app.db, claimed, clock.iso(now))
        return "skipped", None
    outcome: list[str] = []
    result = channel.send(
        group.address, message, on_answer=lambda r: outcome.append(_record(app, group, r, now, message.key))
    )
    return outcome[0], result


def _record(app: App, group: Group, result: DeliveryResult, now: datetime, message_key: str = "") -> str:
    ids = [r["id"] for r in group.rows]
    if result.ok:
        store.record_attempt(
            app.db, ids, clock.iso(now), ok=True, response=result.response, message_key=message_key
        )
        return "sent"
    settings = app.config.alerts
    attempts = max(r["attempts"] or 0 for r in group.rows) + 1
    # A refused login or token is ours to fix, not the alert's fault: it is retried with backoff
    # (the account is held for the rest of the run) rather than dead-lettered on the first try.
    dead = (result.permanent and not result.refused_us) or attempts >= settings.max_attempts
    delay = max(backoff_delay(attempts, settings), result.retry_after or 0.0)
    log.warning("%s to %s failed (attempt %d): %s", group.channel, group.address, attempts, result.error)
    store.record_attempt(
        app.db,
        ids,
        clock.iso(now),
        ok=False,
        error=result.error,
        response=result.response,
        next_attempt_at=clock.iso(now + timedelta(seconds=delay)),
        dead=dead,
    )
    return "dead" if dead else "failed"
