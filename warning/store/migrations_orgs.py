"""Schema migrations of organisations, people and ownership (m010-m014), listed in
`warning.store.migrations.MIGRATIONS`."""

from __future__ import annotations

import sqlite_utils


def m010_orgs(db: sqlite_utils.Database) -> None:
    # Organisations, their people, API tokens and subscriptions (issue 13). Slugs are the keys an
    # operator types (`warning orgs show lighting-assoc`), so an organisation's id is its slug.
    db.execute(
        "CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_zh TEXT NOT NULL DEFAULT '', "
        "kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'association', 'programme')), "
        "created_at TEXT NOT NULL, disabled_at TEXT)"
    )
    db.execute(
        "CREATE TABLE org_members (association_id TEXT NOT NULL REFERENCES orgs(id), "
        "enterprise_id TEXT NOT NULL REFERENCES orgs(id), PRIMARY KEY (association_id, enterprise_id))"
    )
    db.execute(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, "
        "org_id TEXT NOT NULL REFERENCES orgs(id), "
        "role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')), "
        "language TEXT NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')), "
        "display_name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '', password_hash TEXT, "
        "created_at TEXT NOT NULL, disabled_at TEXT)"
    )
    db.execute("CREATE INDEX users_org ON users (org_id)")
    db.execute(
        "CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), "
        "name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, created_at TEXT NOT NULL, "
        "last_used_at TEXT, revoked_at TEXT)"
    )
    # `name` is what alert rows call the subscriber, so it is unique across the instance.
    db.execute(
        "CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), "
        "user_id INTEGER REFERENCES users(id), name TEXT NOT NULL UNIQUE, "
        "watchlists TEXT NOT NULL DEFAULT '[]', countries TEXT NOT NULL DEFAULT '[]', "
        "min_score REAL NOT NULL DEFAULT 0, "
        "mode TEXT NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'daily', 'weekly')), "
        "channels TEXT NOT NULL DEFAULT '{}', language TEXT NOT NULL DEFAULT 'zh', "
        "digest_period TEXT NOT NULL DEFAULT 'week', batch INTEGER NOT NULL DEFAULT 0, "
        "origin TEXT NOT NULL DEFAULT 'cli' CHECK (origin IN ('config', 'cli', 'web')), "
        "created_at TEXT NOT NULL, updated_at TEXT, disabled_at TEXT)"
    )
    db.execute("CREATE INDEX subscriptions_org ON subscriptions (org_id)")


def m011_org_ownership(db: sqlite_utils.Database) -> None:
    # Who owns what. NULL owner: a shared watchlist. A label's org_id is '' for the programme (and
    # every label written before organisations existed, which stays shared as it was); it joins the
    # key, so two organisations judging one publication keep two labels.
    db.execute("ALTER TABLE watchlists ADD COLUMN owner TEXT")
    db.execute(
        "CREATE TABLE labels_v2 (publication_id TEXT, watchlist TEXT, org_id TEXT NOT NULL DEFAULT '', "
        "label INTEGER, origin TEXT, weight FLOAT, who TEXT, created_at TEXT, "
        "shared INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (publication_id, watchlist, org_id))"
    )
    db.execute(
        "INSERT INTO labels_v2 (publication_id, watchlist, org_id, label, origin, weight, who, created_at, "
        "shared) SELECT publication_id, watchlist, '', label, origin, weight, who, created_at, 1 FROM labels"
    )
    db.execute("DROP TABLE labels")
    db.execute("ALTER TABLE labels_v2 RENAME TO labels")
    db.execute("CREATE INDEX labels_watchlist ON labels (watchlist, org_id)")
    db.execute("ALTER TABLE risk_cases ADD COLUMN org_id TEXT")
    db.execute("CREATE INDEX risk_cases_org ON risk_cases (org_id)")
    db.execute(
        "CREATE TABLE risk_case_shares (case_id INTEGER NOT NULL REFERENCES risk_cases(id), "
        "org_id TEXT NOT NULL, shared_at TEXT, shared_by TEXT, PRIMARY KEY (case_id, org_id))"
    )
    db.execute("CREATE INDEX risk_case_shares_org ON risk_case_shares (org_id)")


def m012_audit(db: sqlite_utils.Database) -> None:
    # Append-only: triggers refuse to change or remove a row, whoever holds the connection.
    db.execute(
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, org_id TEXT, "
        "action TEXT NOT NULL, object_kind TEXT NOT NULL, object_id TEXT NOT NULL, "
        "detail TEXT NOT NULL DEFAULT '{}')"
    )
    db.execute("CREATE INDEX audit_object ON audit (object_kind, object_id)")
    db.execute("CREATE INDEX audit_org ON audit (org_id, at)")
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def m013_scope_indexes(db: sqlite_utils.Database) -> None:
    # A person reads one watchlist's newest matches (the web app's list, `visible_matches`).
    db.execute("CREATE INDEX IF NOT EXISTS matches_watchlist_created ON matches (watchlist, created_at)")


def m014_subscription_source(db: sqlite_utils.Database) -> None:
    # Which config file declared a subscription: a subscriber left out of that file is switched
    # off, while a command run with another file (or none) on the same database changes nothing.
    db.execute("ALTER TABLE subscriptions ADD COLUMN declared_in TEXT")
