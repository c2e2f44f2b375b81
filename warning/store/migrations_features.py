"""Schema migrations of the features built on the pipeline's tables (families and threads,
search, clusters, polling ...), listed in `warning.store.migrations.MIGRATIONS`."""

from __future__ import annotations

import sqlite_utils

from warning.store import search


def m020_families_and_threads(db: sqlite_utils.Database) -> None:
    # Inventions (warning.store.families): priority claims indexed for the grouping, with the
    # rowid indexed so far; each sent alert's message key, so a later family member's alert can
    # reply in the same e-mail thread (In-Reply-To) as the first.
    db["publication_priorities"].create(
        {"priority": str, "publication_id": str}, pk=("priority", "publication_id")
    )
    db["publication_priorities"].create_index(["publication_id"])
    db["family_cursor"].create({"name": str, "last_rowid": int}, pk="name")
    db["alerts"].add_column("message_key", str)


def m023_search_index(db: sqlite_utils.Database) -> None:
    # Search that finds Chinese, Japanese and Korean words (publications_fts reads a Han run as one
    # token): CJK runs indexed as bigrams, filled from the publications already stored.
    search.create_index(db)


def m024_inbox_indexes(db: sqlite_utils.Database) -> None:
    # The inbox and the API read matches newest first, then highest: in these indexes' order a
    # page is its first rows whatever the filters, and choosing them reads no table row
    # (`scope.visible_matches`): the watchlist rides in the index, a publication's country in one.
    db.execute(
        "CREATE INDEX matches_newest ON matches (created_at DESC, score DESC, publication_id, watchlist)"
    )
    db.execute(
        "CREATE INDEX matches_newest_by_watchlist ON matches (watchlist, created_at DESC, score DESC, publication_id)"
    )
    db.execute("CREATE INDEX publications_country_by_id ON publications (id, country)")


def m024_feedback_links(db: sqlite_utils.Database) -> None:
    # One-click feedback links from alerts are single use: a link's nonce, once its label is recorded.
    db["feedback_used"].create({"nonce": str, "recipient": str, "used_at": str}, pk="nonce")


def m017_clusters(db: sqlite_utils.Database) -> None:
    # A cluster's backfill plan: one row per (country, CQL filter, publication-date window), its own
    # cursor (the next hit to ask for), split in halves while OPS reports more than 2,000 hits.
    db["cluster_windows"].create(
        {
            "cluster": str,
            "country": str,
            "query": str,  # the CQL filter after pn= and pd within
            "first": str,  # ISO dates, both included
            "last": str,
            "status": str,  # pending, split, done
            "total": int,  # hits OPS reported (-1: not asked yet)
            "next_begin": int,  # the first hit not yet stored
            "updated_at": str,
        },
        pk=("cluster", "country", "query", "first", "last"),
    )
    # The cluster's own publications and how each came: `backfill` (brought by the backfill, raises
    # no alert) or `store` (already held when the backfill met it).
    db["cluster_publications"].create(
        {"cluster": str, "publication_id": str, "origin": str, "added_at": str},
        pk=("cluster", "publication_id"),
    )
    db["cluster_publications"].create_index(["publication_id"])
    # Competitors' filings in the target countries and the legal status last derived for each.
    db["cluster_filings"].create(
        {
            "cluster": str,
            "publication_id": str,
            "competitor": str,
            "country": str,
            "status": str,  # pending, granted, opposed, lapsed, withdrawn, revoked; "" not checked yet
            "status_date": str,  # the date of the event that set it
            "checked_at": str,
            "changed_at": str,
        },
        pk=("cluster", "publication_id"),
    )
    db["cluster_filings"].create_index(["cluster", "checked_at"])


def m015_source_publication_seen(db: sqlite_utils.Database) -> None:
    # Polling until found (`warning.service.polling`): the newest publication date a source has
    # stored, and when a fetch last stored a new publication, tell whether the office's expected
    # file or bulletin is there yet, without reading the publications table on every check.
    db["source_state"].add_column("published_through", str)
    db["source_state"].add_column("new_at", str)


def m016_fts_bulk(db: sqlite_utils.Database) -> None:
    # A big ingest indexes its rows in one pass at the end (`warning.store.fts`): while it runs,
    # this holds the highest rowid already in the full-text index (and the ingesting process).
    db["fts_bulk"].create({"indexed_through": int, "pid": int})


def m025_match_write_indexes(db: sqlite_utils.Database) -> None:
    # Every match classify writes pays for each index on it. These two are prefixes of m024's
    # (created_at alone of `matches_newest`, (watchlist, created_at) of
    # `matches_newest_by_watchlist`), which answer the same ranges and orders: 10-15 % of a
    # match's insert CPU for nothing.
    db.execute("DROP INDEX IF EXISTS idx_matches_created_at")
    db.execute("DROP INDEX IF EXISTS matches_watchlist_created")
