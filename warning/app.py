"""The application context: which config and which database a command or job works on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from warning.config.loading import find_config_path, load_config
from warning.config.schema import Config, SubscriberConfig
from warning.errors import ConfigError
from warning.orgs.declarations import apply_declarations
from warning.store import open_db


@dataclass
class App:
    """Config plus database path; the database is opened on first use and migrated then.

    Opening it applies the config's declarations (`warning.orgs.declarations`: subscribers,
    watchlist owners) and from then on ``config.subscribers`` are the store's active
    subscriptions: the file's and those made with the CLI or the web app.
    """

    config: Config
    db_path: Path
    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = open_db(self.db_path)
            self.config = apply_declarations(self.config, self._db)
        return self._db

    @property
    def effective_config(self) -> Config:
        """The config with the store's active subscriptions as its subscribers (opens the database)."""
        _ = self.db
        return self.config

    @property
    def subscribers(self) -> tuple[SubscriberConfig, ...]:
        """Who delivery sends to: the store's active subscriptions."""
        _ = self.db  # opening it reads them into the config
        return self.config.subscribers

    def subscriber(self, name: str) -> SubscriberConfig:
        """One active subscription by name (ConfigError naming the known ones otherwise)."""
        _ = self.db
        return self.config.subscriber(name)

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None


def resolve_db_path(explicit: str | None, config: Config) -> Path:
    """--db, else $WARNING_DB, else the config's ``database``, else ./warning.db.

    A path given by --db or $WARNING_DB must be in a folder that exists (ConfigError): a typo
    there would otherwise start a new, empty store in a new folder, and the command would go on
    as if nothing had been collected. The config's ``database`` is checked when the config is
    loaded and its folder made on first use, as the config's rule says (a deployment names it once).
    """
    if explicit:
        return _in_existing_folder(Path(explicit), "--db")
    env = os.environ.get("WARNING_DB")
    if env:
        return _in_existing_folder(Path(env), "$WARNING_DB")
    if config.database:
        return config.resolve(config.database)
    return Path("warning.db")


def _in_existing_folder(path: Path, given_by: str) -> Path:
    folder = path.expanduser().parent
    if folder.is_dir():
        return path.expanduser()
    what = "is not a folder" if folder.exists() else "does not exist"
    raise ConfigError(
        f"{given_by} {path}: the folder {folder} {what}; create it first (the database file itself "
        "is created on first use) or name a database in an existing folder"
    )


def make_app(config_path: str | None = None, db_path: str | None = None) -> App:
    """Build the context the way the CLI does: config and database lookups in contract order."""
    config = load_config(find_config_path(config_path))
    return App(config=config, db_path=resolve_db_path(db_path, config))
