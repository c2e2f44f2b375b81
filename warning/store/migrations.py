"""Schema migrations: an ordered list of functions, each applied once and recorded.

Append new functions at the end of `MIGRATIONS`; never edit or reorder one that has shipped. The
first nine live here; later ones in `migrations_orgs` and `migrations_features`, by area.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from warning.store.migrations_features import (
    m015_source_publication_seen,
    m016_fts_bulk,
    m017_clusters,
    m020_families_and_threads,
    m023_search_index,
    m024_feedback_links,
    m024_inbox_indexes,
    m025_match_write_indexes,
)
from warning.store.migrations_orgs import (
    m010_orgs,
    m011_org_ownership,
    m012_audit,
    m013_scope_indexes,
    m014_subscription_source,
)


def m001_publications(db: sqlite_utils.Database) -> None:
    db["publications"].create(
        {
            "id": str,
            "country": str,
            "number": str,
            "kind": str,
            "doc_type": str,
            "titles": str,  # JSON {lang: text}
            "abstracts": str,  # JSON {lang: text}
            "claims": str,  # JSON {lang: text}
            "applicants": str,  # JSON list
            "inventors": str,  # JSON list
            "ipc": str,  # JSON list
            "cpc": str,  # JSON list
            "publication_date": str,
            "filing_date": str,
            "priority_date": str,
            "application_number": str,
            "priority_claims": str,  # JSON list
            "family_id": str,
            "lang": str,
            "sources": str,  # JSON list of source names that delivered it
            "raw_ref": str,
            "title_text": str,  # every title, for FTS
            "abstract_text": str,
            "claims_text": str,
            "first_seen": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["publications"].create_index(["country", "publication_date"])
    db["publications"].create_index(["publication_date"])
    db["publications"].create_index(["family_id"])
    db["publications"].enable_fts(
        ["title_text", "abstract_text", "claims_text"], create_triggers=True, tokenize="unicode61"
    )


def m002_sources(db: sqlite_utils.Database) -> None:
    db["source_state"].create(
        {
            "source": str,
            "country": str,  # '' for sources without countries
            "cursor": str,
            "etag": str,
            "last_modified": str,
            "error_count": int,
            "next_check": str,
            "last_success": str,
            "last_failure": str,
            "last_error": str,
            "updated_at": str,
        },
        pk=("source", "country"),
    )
    db["runs"].create(
        {
            "id": int,
            "job": str,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, ok, failed, interrupted
            "counts": str,  # JSON
            "error": str,
        },
        pk="id",
    )
    db["runs"].create_index(["job", "started_at"])
    db["quarantine"].create(
        {
            "id": int,
            "key": str,  # sha256 of source + ref + raw: a re-run does not add it twice
            "source": str,
            "ref": str,
            "reason": str,
            "raw": bytes,
            "raw_size": int,
            "created_at": str,
        },
        pk="id",
    )
    db["quarantine"].create_index(["key"], unique=True)


def m003_classification(db: sqlite_utils.Database) -> None:
    db["watchlists"].create(
        {"name": str, "title_zh": str, "title_en": str, "path": str, "hash": str, "updated_at": str},
        pk="name",
    )
    db["matches"].create(
        {
            "publication_id": str,
            "watchlist": str,
            "score": float,
            "threshold": float,
            "evidence": str,  # JSON: top terms with weights, rules hit
            "model_version": str,
            "created_at": str,
        },
        pk=("publication_id", "watchlist"),
    )
    db["matches"].create_index(["watchlist", "score"])
    db["matches"].create_index(["created_at"])
    # What each watchlist has scored (matched or not), so classify only scores new publications.
    db["scored"].create(
        {"publication_id": str, "watchlist": str, "score": float, "model_version": str, "scored_at": str},
        pk=("publication_id", "watchlist"),
    )
    db["labels"].create(
        {
            "publication_id": str,
            "watchlist": str,
            "label": int,  # 1 relevant, 0 irrelevant
            "origin": str,  # reviewer, data, seed
            "weight": float,
            "who": str,
            "created_at": str,
        },
        pk=("publication_id", "watchlist"),
    )


def m004_alerts(db: sqlite_utils.Database) -> None:
    db["alerts"].create(
        {
            "id": int,
            "key": str,  # unique: match:PUB:WATCHLIST:SUBSCRIBER:CHANNEL:ADDRESS or reminder:...
            "kind": str,  # match, reminder, legal, digest, test
            "subscriber": str,
            "channel": str,
            "address": str,
            "publication_id": str,
            "watchlist": str,
            "case_id": int,
            "payload": str,  # JSON
            "status": str,  # pending, sending, sent, dead
            "attempts": int,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
            "last_error": str,
        },
        pk="id",
    )
    db["alerts"].create_index(["key"], unique=True)
    db["alerts"].create_index(["status", "next_attempt_at"])
    db["delivery_attempts"].create(
        {"id": int, "alert_id": int, "at": str, "ok": int, "error": str, "response": str},
        pk="id",
        foreign_keys=[("alert_id", "alerts", "id")],
    )


def m005_risks(db: sqlite_utils.Database) -> None:
    db["risk_cases"].create(
        {
            "id": int,
            "publication_id": str,
            "family_id": str,
            "country": str,
            "enterprises": str,  # JSON list
            "watchlist": str,
            "severity": str,  # low, medium, high
            "severity_reason": str,
            "owner": str,
            "status": str,  # new, assessing, action, closed
            "action": str,  # design-around, licence, opposition, invalidation, monitor
            "outcome": str,
            "opened_at": str,
            "opened_by": str,
            "closed_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["risk_cases"].create_index(["status"])
    db["risk_cases"].create_index(["publication_id"])
    db["risk_history"].create(
        {"id": int, "case_id": int, "at": str, "who": str, "field": str, "old": str, "new": str, "note": str},
        pk="id",
        foreign_keys=[("case_id", "risk_cases", "id")],
    )
    db["risk_deadlines"].create(
        {"case_id": int, "kind": str, "date": str, "basis": str, "computed_at": str},
        pk=("case_id", "kind"),
        foreign_keys=[("case_id", "risk_cases", "id")],
    )
    db["legal_events"].create(
        {
            "publication_id": str,
            "date": str,
            "code": str,
            "description": str,
            "category": str,
            "country": str,
            "fetched_at": str,
        },
        pk=("publication_id", "date", "code"),
    )


def m006_alerts_claims(db: sqlite_utils.Database) -> None:
    # Who holds a `sending` row (host:pid), so a restart can tell a crashed sender from a live one.
    db["alerts"].add_column("claimed_by", str)
    db["alerts"].create_index(["subscriber", "publication_id", "watchlist"])


def m007_risks_family_and_event_key(db: sqlite_utils.Database) -> None:
    # One office publishes several events of one code on one day (PG25 lapses in ten states, two
    # RIC1 IPC changes), so country and description join the key of a legal event.
    db.execute(
        "CREATE TABLE legal_events_v2 (publication_id TEXT, date TEXT, code TEXT, description TEXT, "
        "category TEXT, country TEXT, fetched_at TEXT, "
        "PRIMARY KEY (publication_id, date, code, country, description))"
    )
    db.execute(
        "INSERT OR IGNORE INTO legal_events_v2 SELECT publication_id, date, code, coalesce(description, ''), "
        "category, coalesce(country, ''), fetched_at FROM legal_events"
    )
    db.execute("DROP TABLE legal_events")
    db.execute("ALTER TABLE legal_events_v2 RENAME TO legal_events")
    db["risk_family"].create(
        {"case_id": int, "publication_id": str, "country": str, "origin": str, "first_seen": str},
        pk=("case_id", "publication_id"),
        foreign_keys=[("case_id", "risk_cases", "id")],
    )


def m008_classify_cursor(db: sqlite_utils.Database) -> None:
    # One cursor per watchlist (the highest publications rowid it has scored, and the model version
    # that scored it) replaces the per-pair `scored` table: 10M rows per 100k publications with
    # 100 watchlists. Old stores keep their progress: the old scoring ran in rowid order.
    db["classify_cursor"].create(
        {"watchlist": str, "last_rowid": int, "model_version": str, "updated_at": str}, pk="watchlist"
    )
    db.execute(
        "INSERT INTO classify_cursor (watchlist, last_rowid, model_version, updated_at) "
        "SELECT s.watchlist, max(p.rowid), max(s.model_version), max(s.scored_at) "
        "FROM scored s JOIN publications p ON p.id = s.publication_id GROUP BY s.watchlist"
    )
    db.execute("DROP TABLE scored")


def m009_publication_embeddings(db: sqlite_utils.Database) -> None:
    # Sentence embeddings (the optional embedding block): float16 bytes, one row per publication
    # and encoder (its name and weights hash), with a hash of the text it was computed from, so a
    # publication is embedded once and again only if its text changes. Not tied to `publications`
    # by a foreign key: labelled examples of a training file are embedded once too.
    db["publication_embeddings"].create(
        {"publication_id": str, "encoder": str, "text_hash": str, "vector": bytes},
        pk=("publication_id", "encoder"),
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_publications,
    m002_sources,
    m003_classification,
    m004_alerts,
    m005_risks,
    m006_alerts_claims,
    m007_risks_family_and_event_key,
    m008_classify_cursor,
    m009_publication_embeddings,
    m010_orgs,
    m011_org_ownership,
    m012_audit,
    m013_scope_indexes,
    m014_subscription_source,
    m020_families_and_threads,
    m023_search_index,
    m017_clusters,
    m015_source_publication_seen,
    m024_inbox_indexes,
    m024_feedback_links,
    m016_fts_bulk,
    m025_match_write_indexes,
]
