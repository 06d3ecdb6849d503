"""The SQLite store of remembered fingerprints (only for readers who opted in).

Only the fingerprint's hash is stored, with when it was first and last seen and how many
times it came back, never the attributes themselves. The file lives in the instance
folder unless ``DATABASE`` says otherwise. One connection per request, closed at the end
(the pattern of the Flask tutorial).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext

SCHEMA = """
CREATE TABLE IF NOT EXISTS remembered (
    fingerprint_id TEXT PRIMARY KEY,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    visits INTEGER NOT NULL DEFAULT 1
)
"""


def database_path(app: Flask) -> Path:
    """Return where the SQLite file is (``DATABASE`` or the instance folder)."""
    configured = app.config.get("DATABASE")
    return Path(configured) if configured else Path(app.instance_path) / "fingerprints.sqlite"


def get_db() -> sqlite3.Connection:
    """Open (once per request) the database, creating the file and table if needed."""
    if "db" not in g:
        path = database_path(current_app)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=5.0)
        connection.execute(SCHEMA)
        g.db = connection
    return g.db


def close_db(error: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def is_remembered(fingerprint_id: str) -> bool:
    """Tell whether this fingerprint asked to be remembered before."""
    row = (
        get_db()
        .execute("SELECT 1 FROM remembered WHERE fingerprint_id = ?", (fingerprint_id,))
        .fetchone()
    )
    return row is not None


def remember(fingerprint_id: str) -> None:
    """Store the fingerprint, or count one more visit if it is already stored."""
    now = time.time()
    connection = get_db()
    with connection:
        connection.execute(
            "INSERT INTO remembered (fingerprint_id, first_seen, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT(fingerprint_id) DO UPDATE SET last_seen = excluded.last_seen, "
            "visits = visits + 1",
            (fingerprint_id, now, now),
        )


def forget(fingerprint_id: str) -> bool:
    """Delete a remembered fingerprint; return whether there was one."""
    connection = get_db()
    with connection:
        cursor = connection.execute(
            "DELETE FROM remembered WHERE fingerprint_id = ?", (fingerprint_id,)
        )
    return cursor.rowcount > 0


@click.command("init-db")
@click.option("--reset", is_flag=True, help="Delete every remembered fingerprint first.")
@with_appcontext
def init_db_command(reset: bool) -> None:
    """Create the fingerprint table (and, with --reset, empty it)."""
    connection = get_db()
    if reset:
        with connection:
            connection.execute("DELETE FROM remembered")
    click.echo(f"Fingerprint store ready: {database_path(current_app)}")


def init_app(app: Flask) -> None:
    """Close connections after each request and add the ``init-db`` command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
